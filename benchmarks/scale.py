"""Scale of the memory store: the cost of a call must not grow with the store's size.

    python -m benchmarks.scale [--sizes 1000,10000,100000] [--calls 200] [--rounds 10]

For each size N a process of its own fills a memory store with N demo orders and N SKUs;
then ``--calls`` calls of each kind are timed at each size, in rounds alternating between
the processes, the way the gateway's handler runs them
(parse the raw body, the adapter's method, serialise the answer; no HTTP):
order_pull of the first page and of a page in the middle (100 orders each),
inventory_push of 1,000 SKUs spread over the catalog, and order_acknowledge of 10
orders. Reports the median and p99 per call, the time to fill the store and its
resident memory. Writes the "scale" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.support import call_body, machine, rss_mib, table, write_section

# Not a call: 1,000 random updates of a plain dict holding N SKUs, the floor any store
# keyed by SKU pays once its table no longer fits the CPU caches.
CONTROL = "control: 1,000 updates of a plain dict of N SKUs"
KINDS = (
    "order_pull, first page",
    "order_pull, middle page",
    "inventory_push, SKUs across the catalog",
    "inventory_push, the first 1,000 SKUs",
    "order_acknowledge",
    CONTROL,
)
PAGE_SIZE = 100
PUSHED_SKUS = 1000


class LoadedStore:
    """A memory store of ``size`` orders and SKUs, filled in this process, and its calls."""

    def __init__(self, size: int) -> None:
        from adapters.memory import MemoryAdapter, MemorySettings, encode_page_token

        rss_before = rss_mib(os.getpid())
        settings = MemorySettings.model_validate(
            {
                "page_size": PAGE_SIZE,
                "demo": {
                    "enabled": True,
                    "products": size,
                    "variants_per_product": 1,
                    "orders": size,
                },
            }
        )
        self.adapter = MemoryAdapter(settings)
        self.loop = asyncio.new_event_loop()
        started = time.perf_counter()
        self.loop.run_until_complete(self.adapter.start())
        self.facts = {
            "size": size,
            "fill_s": time.perf_counter() - started,
            "rss_mib": rss_mib(os.getpid()),
            "store_mib": rss_mib(os.getpid()) - rss_before,
        }
        store = self.adapter.store
        assert store.order_count == size and store.sku_count == size
        self.size = size
        self.rng = random.Random(7)
        middle = sorted(store.orders(), key=lambda order: order.sequence)[size // 2].sequence
        pull = call_body("order_pull")
        self.pulls = {
            "order_pull, first page": json.dumps(pull).encode(),
            "order_pull, middle page": json.dumps(
                {**pull, "page_token": encode_page_token(middle)}
            ).encode(),
        }

    def body(self, kind: str) -> tuple[str, bytes]:
        """The call of ``kind``: SKUs and orders drawn anew across the whole store."""
        if kind in self.pulls:
            return "order_pull", self.pulls[kind]
        picks = self.rng.sample(range(1, self.size + 1), min(PUSHED_SKUS, self.size))
        if kind == "inventory_push, the first 1,000 SKUs":
            picks = self.rng.sample(range(1, PUSHED_SKUS + 1), PUSHED_SKUS)
        if kind.startswith("inventory_push"):
            body = call_body("inventory_push")
            body["inventory_updates"] = [
                {"sku": f"DEMO-{n:06d}", "quantity_available": n % 50} for n in picks
            ]
            return "inventory_push", json.dumps(body).encode()
        # Ten orders of the store's last 30%, so that the pulled pages (the first, and the
        # one after the middle) keep their 100 orders; acknowledged orders stay in it.
        body = call_body("order_acknowledge")
        tail = range(self.size * 7 // 10 + 1, self.size + 1)
        body["orders"] = [
            {"channel_order_refnum": f"DEMO-{n:07d}"} for n in self.rng.sample(tail, 10)
        ]
        return "order_acknowledge", json.dumps(body).encode()

    def time_calls(self, kind: str, calls: int) -> list[float]:
        """Seconds per call, as the handler runs it: parse, the adapter, serialise."""
        from gateway.contract import ACTIONS, dump_response

        if kind == CONTROL:
            return self.time_control(calls)
        times = []
        for _ in range(calls):
            action, body = self.body(kind)
            spec = ACTIONS[action]
            started = time.perf_counter()
            request = spec.request.model_validate_json(body)
            answer = self.loop.run_until_complete(getattr(self.adapter, action)(request))
            dump_response(answer)
            times.append(time.perf_counter() - started)
            assert action != "order_pull" or len(answer.orders) == PAGE_SIZE
        return times

    def time_control(self, calls: int) -> list[float]:
        if not hasattr(self, "plain"):
            # int values: no objects for the cyclic collector to walk, unlike the store's.
            self.plain = dict.fromkeys((f"DEMO-{n:06d}" for n in range(1, self.size + 1)), 0)
        times = []
        for _ in range(calls):
            picks = self.rng.sample(range(1, self.size + 1), min(PUSHED_SKUS, self.size))
            keys = [f"DEMO-{n:06d}" for n in picks]
            started = time.perf_counter()
            for key in keys:
                self.plain[key] = 1
            times.append(time.perf_counter() - started)
        return times


def serve_child(size: int) -> None:
    """Fill a store, say so, then time the calls asked for on stdin ("kind<TAB>calls")."""
    store = LoadedStore(size)
    print(json.dumps(store.facts), flush=True)
    for line in sys.stdin:
        kind, calls = line.rstrip("\n").split("\t")
        print(json.dumps(store.time_calls(kind, int(calls))), flush=True)


class Child:
    def __init__(self, size: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.scale", "--child", str(size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.facts = json.loads(self.ask_line())

    def ask_line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline()

    def time_calls(self, kind: str, calls: int) -> list[float]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{kind}\t{calls}\n")
        self.process.stdin.flush()
        return list(json.loads(self.ask_line()))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    if args.child:
        serve_child(args.child)
        return

    sizes = [int(size) for size in args.sizes.split(",")]
    children = [Child(size) for size in sizes]
    times: dict[tuple[int, str], list[float]] = {}
    try:
        # Rounds alternate between the stores, so that the machine's drift (it is shared)
        # falls on every size alike.
        per_round = max(1, args.calls // args.rounds)
        for round_ in range(args.rounds):
            for kind in KINDS:
                order = children if round_ % 2 == 0 else children[::-1]
                for child in order:
                    key = (child.facts["size"], kind)
                    times.setdefault(key, []).extend(child.time_calls(kind, per_round))
    finally:
        for child in children:
            child.close()
    results = []
    for child in children:
        result: dict[str, Any] = dict(child.facts)
        for kind in KINDS:
            ordered = sorted(times[(child.facts["size"], kind)])
            result[kind] = {
                "median_ms": statistics.median(ordered) * 1000,
                "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
            }
        results.append(result)
        print(json.dumps(result), flush=True)

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
    command = (
        f".venv/bin/python -m benchmarks.scale --sizes {args.sizes} --calls {args.calls} "
        f"--rounds {args.rounds}"
    )
    report = f"""## Scale of the memory store

Command: `{command}`

Machine: {machine()}.

Each size is filled in a process of its own (demo data: N products sold as one SKU
each, N orders of one to three lines); the calls are timed in {args.rounds} rounds that
alternate between the processes, so that drift of the (shared) machine falls on every
size alike. A call is timed as the gateway's handler runs it, without HTTP: parse the
raw body into the request model, the memory adapter's method, serialise the answer.
order_pull answers 100 orders (the first page, or the page after the order in the
middle of the store); inventory_push sets 1,000 SKUs drawn across the whole catalog, or
the same first 1,000 SKUs of the catalog whatever its size (the same work on records
close together in memory, to tell the algorithm's cost from that of the memory caches);
order_acknowledge acknowledges 10 orders drawn from the store's last 30% (so that both
pulled pages keep their 100 orders); SKUs and orders are drawn anew for every call.
{args.calls} calls of each kind at each size. The control row is no call: 1,000 random
updates of a plain Python dict of N SKU keys, a cost that grows with N on this machine
only because a bigger table does not fit the CPU caches.
Target: the cost per call does not grow with the store (last column near 1).

{table(header, rows)}
"""
    write_section("scale", report)
    print(report)


if __name__ == "__main__":
    main()
