"""Load soak: 32 connections for 5 minutes against the gateway on the memory store.

    python -m benchmarks.soak [--seconds 300] [--connections 32]

wrk sends a rotation of inventory_push (1,000 SKUs), order_pull (100 orders),
catalog_get_config and order_acknowledge (ten orders, acknowledged again and again);
the gateway's resident memory is sampled every 5 s. Targets: no answer other than 2xx,
and resident memory at the end within 10% of that after the first minute. Writes the
"soak" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.support import (
    WRK_DIR,
    call_body,
    free_port,
    gateway_command,
    gateway_config,
    machine,
    post,
    require_wrk,
    serve,
    table,
    write_section,
)

ROTATION = ("inventory_push", "order_pull", "catalog_get_config", "order_acknowledge")
SAMPLE_EVERY = 5.0
FIRST_MINUTE = 60.0
MEMORY_TOLERANCE = 0.10


def write_bodies(folder: Path) -> None:
    for action in ROTATION:
        body = call_body(action)
        if action == "order_acknowledge":
            body["orders"] = [
                {"channel_order_refnum": f"DEMO-{n:07d}", "retailops_order_id": n}
                for n in range(1, 11)
            ]
        (folder / f"{action}.json").write_text(json.dumps(body))
    (folder / "actions.txt").write_text("\n".join(ROTATION) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_bodies(work)
        port = free_port()
        with serve(gateway_command(gateway_config(work / "gateway.yaml"), port), port) as gateway:
            for action in ROTATION:  # every call of the rotation answers 200 before the soak
                status, _ = post(
                    f"{gateway.url}/{action}_v1", (work / f"{action}.json").read_bytes()
                )
                assert status == 200, (action, status)
            rss_start = gateway.rss_mib()
            wrk = subprocess.Popen(
                [
                    require_wrk(),
                    "-t1",
                    f"-c{args.connections}",
                    f"-d{args.seconds}s",
                    "--timeout",
                    "10s",
                    "-s",
                    str(WRK_DIR / "post.lua"),
                    gateway.url,
                ],
                env={"WRK_BODIES_DIR": str(work)},
                stdout=subprocess.PIPE,
                text=True,
            )
            started = time.monotonic()
            samples: list[tuple[float, float]] = []
            while wrk.poll() is None:
                time.sleep(SAMPLE_EVERY)
                samples.append((time.monotonic() - started, gateway.rss_mib()))
            out, _ = wrk.communicate()
            alive = gateway.process.poll() is None
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    after_minute = next(rss for at, rss in samples if at >= FIRST_MINUTE)
    at_end = samples[-1][1]
    growth = at_end / after_minute - 1
    failures = result["non_2xx"] + result["socket_errors"]
    seconds = result["duration_us"] / 1e6
    memory_met = abs(growth) <= MEMORY_TOLERANCE
    trace = ", ".join(
        f"{at:.0f} s: {rss:.1f}" for at, rss in samples[:: max(1, len(samples) // 10)]
    )
    rate = result["requests"] / seconds
    rows = [
        ["requests answered", f"{result['requests']:,} in {seconds:.0f} s ({rate:,.0f}/s)", ""],
        [
            "latency p50 / p99",
            f"{result['p50_us'] / 1000:.1f} / {result['p99_us'] / 1000:.1f} ms",
            "",
        ],
        [
            "answers of 400 or more, socket errors",
            f"{result['non_2xx']}, {result['socket_errors']}",
            f"0: {'met' if failures == 0 else 'not met'}",
        ],
        ["resident memory before the load", f"{rss_start:.1f} MiB", ""],
        ["resident memory after the first minute", f"{after_minute:.1f} MiB", ""],
        [
            "resident memory at the end",
            f"{at_end:.1f} MiB ({growth:+.1%})",
            f"within 10%: {'met' if memory_met else 'not met'}",
        ],
        ["gateway still running at the end", "yes" if alive else "no", "yes"],
    ]
    command = (
        f".venv/bin/python -m benchmarks.soak --seconds {args.seconds} "
        f"--connections {args.connections}"
    )
    report = f"""## Load soak

Command: `{command}`

Machine: {machine()}.

wrk (one thread, {args.connections} keep-alive connections, {args.seconds} s) against the gateway
on the memory store (1,000 SKUs, 500 demo orders, logging at `info`), in a rotation of
inventory_push with 1,000 SKUs, order_pull of 100 orders, catalog_get_config and
order_acknowledge of ten orders.

{table(["figure", "value", "target"], rows)}

Resident memory over time (MiB): {trace}.
"""
    write_section("soak", report)
    print(report)


if __name__ == "__main__":
    main()
