"""Per-call cost of the operational bookkeeping: metrics, request id, channel lane.

    python -m benchmarks.ops_overhead [--calls 50000] [--rounds 5]

In one process and one run, the same trivial handler is awaited ``--calls``
times through what the gateway adds to every channel call (the metrics
middleware, a request id, the channel's lane with its slot and deadline) and
without it, alternating, ``--rounds`` times each. Prints the best round of
each in microseconds per call and their difference: the cost the operational
features add to a call, to set against the whole call's cost.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from gateway.ops.limits import Lane
from gateway.ops.metrics import GatewayMetrics
from gateway.ops.middleware import CHANNEL_LABEL, metrics_middleware
from gateway.ops.request_id import accept_or_make
from gateway.ops.settings import LimitsConfig


async def adapter_method(request: object) -> object:
    return request


async def measure(calls: int, rounds: int) -> dict[str, float]:
    metrics = GatewayMetrics()
    lane = Lane("default", LimitsConfig(), metrics)
    app = web.Application()

    async def plain(request: web.Request) -> web.Response:
        await adapter_method(request)
        return web.Response()

    async def with_ops(request: web.Request) -> web.Response:
        accept_or_make(request.headers.get("X-Request-ID"))
        request[CHANNEL_LABEL] = lane.label
        await lane.run(adapter_method, request)
        return web.Response()

    app.router.add_post("/catalog_get_config_v1", plain)
    (resource,) = app.router.resources()
    middleware = metrics_middleware(metrics, {resource: "catalog_get_config"})
    request = make_mocked_request("POST", "/catalog_get_config_v1", app=app)
    request._match_info = await app.router.resolve(request)

    variants: dict[str, Callable[[], Awaitable[web.StreamResponse]]] = {
        "without": lambda: plain(request),
        "with": lambda: middleware(request, with_ops),
    }
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(rounds):
        for name, call in variants.items():
            started = time.perf_counter()
            for _ in range(calls):
                await call()
            best[name] = min(best[name], (time.perf_counter() - started) / calls * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    best = asyncio.run(measure(args.calls, args.rounds))
    print(f"handler alone:          {best['without']:.2f} µs per call")
    print(f"with ops bookkeeping:   {best['with']:.2f} µs per call")
    print(f"ops bookkeeping adds:   {best['with'] - best['without']:.2f} µs per call")


if __name__ == "__main__":
    main()
