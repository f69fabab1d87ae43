"""Scale of the memory store: the cost of a call must not grow with the store's size.

    python -m benchmarks.scale [--sizes 1000,10000,100000] [--calls 200]

For each size N a fresh process fills a memory store with N demo orders and N SKUs,
then times ``--calls`` calls of each kind, the way the gateway's handler runs them
(parse the raw body, the adapter's method, serialise the answer; no HTTP):
order_pull of the first page and of a page in the middle (100 orders each),
inventory_push of 1,000 SKUs spread over the catalog, and order_acknowledge of 10
orders. Reports the median and p99 per call, the time to fill the store and its
resident memory. Writes the "scale" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.support import call_body, machine, rss_mib, table, write_section

KINDS = ("order_pull, first page", "order_pull, middle page", "inventory_push", "order_acknowledge")
PAGE_SIZE = 100
PUSHED_SKUS = 1000


def measure(size: int, calls: int) -> dict[str, Any]:
    """Fill a store of ``size`` orders and SKUs in this process and time the calls."""
    from adapters.memory import MemoryAdapter, MemorySettings, encode_page_token
    from gateway.contract import ACTIONS, dump_response

    rss_before = rss_mib(os.getpid())
    settings = MemorySettings.model_validate(
        {
            "page_size": PAGE_SIZE,
            "demo": {"enabled": True, "products": size, "variants_per_product": 1, "orders": size},
        }
    )
    adapter = MemoryAdapter(settings)
    started = time.perf_counter()
    loop = asyncio.new_event_loop()
    loop.run_until_complete(adapter.start())
    fill_seconds = time.perf_counter() - started
    gc.collect()
    rss_filled = rss_mib(os.getpid())
    assert adapter.store.order_count == size and adapter.store.sku_count == size

    rng = random.Random(7)
    middle = sorted(adapter.store.orders(), key=lambda o: o.sequence)[size // 2].sequence
    bodies: dict[str, tuple[str, bytes]] = {}
    pull = call_body("order_pull")
    bodies["order_pull, first page"] = ("order_pull", json.dumps(pull).encode())
    bodies["order_pull, middle page"] = (
        "order_pull",
        json.dumps({**pull, "page_token": encode_page_token(middle)}).encode(),
    )
    push = call_body("inventory_push")
    push["inventory_updates"] = [
        {"sku": f"DEMO-{n:06d}", "quantity_available": n % 50}
        for n in rng.sample(range(1, size + 1), min(PUSHED_SKUS, size))
    ]
    bodies["inventory_push"] = ("inventory_push", json.dumps(push).encode())

    def acknowledge_body() -> bytes:
        # Ten orders taken anywhere in the store; acknowledged orders stay in it.
        ack = call_body("order_acknowledge")
        ack["orders"] = [
            {"channel_order_refnum": f"DEMO-{n:07d}"} for n in rng.sample(range(1, size + 1), 10)
        ]
        return json.dumps(ack).encode()

    def one_call(action: str, body: bytes) -> float:
        spec = ACTIONS[action]
        started = time.perf_counter()
        request = spec.request.model_validate_json(body)
        answer = loop.run_until_complete(getattr(adapter, action)(request))
        dump_response(answer)
        return time.perf_counter() - started

    results: dict[str, Any] = {"size": size, "fill_s": fill_seconds}
    results["rss_mib"] = rss_filled
    results["store_mib"] = rss_filled - rss_before
    timers: dict[str, Callable[[], float]] = {
        kind: (lambda action=action, body=body: one_call(action, body))
        for kind, (action, body) in bodies.items()
    }
    timers["order_acknowledge"] = lambda: one_call("order_acknowledge", acknowledge_body())
    for kind in KINDS:
        timers[kind]()  # warm-up
        times = sorted(timers[kind]() for _ in range(calls))
        results[kind] = {
            "median_ms": statistics.median(times) * 1000,
            "p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
        }
    loop.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.calls)))
        return

    sizes = [int(size) for size in args.sizes.split(",")]
    results = []
    for size in sizes:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.scale",
                "--child",
                str(size),
                "--calls",
                str(args.calls),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        results.append(json.loads(out))
        print(out.strip(), flush=True)

    smallest, largest = results[0], results[-1]
    rows = [
        [kind]
        + [f"{r[kind]['median_ms']:.2f} / {r[kind]['p99_ms']:.2f}" for r in results]
        + [f"**{largest[kind]['median_ms'] / smallest[kind]['median_ms']:.2f}**"]
        for kind in KINDS
    ]
    rows.append(["fill the store (s)"] + [f"{r['fill_s']:.1f}" for r in results] + [""])
    rows.append(
        ["resident memory of the process (MiB)"] + [f"{r['rss_mib']:.0f}" for r in results] + [""]
    )
    rows.append(["of which the store (MiB)"] + [f"{r['store_mib']:.0f}" for r in results] + [""])
    header = ["per call: median / p99 ms"] + [f"{r['size']:,} orders and SKUs" for r in results]
    header.append(f"{largest['size']:,} / {smallest['size']:,}")
    report = f"""## Scale of the memory store

Command: `.venv/bin/python -m benchmarks.scale --sizes {args.sizes} --calls {args.calls}`

Machine: {machine()}.

Each size is filled in a fresh process (demo data: N products sold as one SKU each, N
orders of one to three lines). A call is timed as the gateway's handler runs it, without
HTTP: parse the raw body into the request model, the memory adapter's method, serialise
the answer. order_pull answers 100 orders (the first page, or the page after the order in
the middle of the store); inventory_push sets 1,000 SKUs drawn across the whole catalog;
order_acknowledge acknowledges 10 orders drawn across the store. {args.calls} calls of
each. Target: the cost per call does not grow with the store (last column near 1).

{table(header, rows)}
"""
    write_section("scale", report)
    print(report)


if __name__ == "__main__":
    main()
