"""Gateway overhead: the gateway on the memory store against a bare aiohttp handler.

    python -m benchmarks.overhead [--seconds 3] [--rounds 3]

Both servers run in processes of their own, wrk (one thread) in another. For each call
and connection count the two are measured alternately, ``--rounds`` times each, and
compared as a ratio within the run. Writes the "overhead" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from benchmarks.support import (
    DEMO_ORDERS,
    WrkResult,
    bare_command,
    call_body,
    free_port,
    gateway_command,
    gateway_config,
    handler_work_ms,
    machine,
    post,
    run_wrk,
    serve,
    table,
    write_section,
)

ACTIONS = ("inventory_push", "order_pull", "catalog_get_config")
CONNECTIONS = (1, 32)
LABELS = {
    "inventory_push": "inventory_push, 1,000 SKUs",
    "order_pull": "order_pull, 100 orders",
    "catalog_get_config": "catalog_get_config",
}
TARGET = 0.8


def combined(results: list[WrkResult]) -> tuple[float, float, float]:
    """Requests/s over all rounds, and the median of the rounds' p50 and p99 (ms)."""
    rps = sum(r.requests for r in results) / sum(r.seconds for r in results)
    return (
        rps,
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=3, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each server")
    parser.add_argument(
        "--actions",
        default=",".join(ACTIONS),
        help="comma-separated calls to measure (a partial run prints, and writes no report)",
    )
    args = parser.parse_args()
    actions = [action for action in args.actions.split(",") if action]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bodies, answers = work / "bodies", work / "answers"
        bodies.mkdir()
        answers.mkdir()
        config = gateway_config(work / "gateway.yaml")
        gateway_port, bare_port = free_port(), free_port()
        rows = []
        failures = 0
        with serve(gateway_command(config, gateway_port), gateway_port) as gateway:
            # The bare handler answers exactly what the gateway answers to the same body.
            for action in actions:
                body = json.dumps(call_body(action)).encode()
                (bodies / f"{action}.json").write_bytes(body)
                status, answer = post(f"{gateway.url}/{action}_v1", body)
                assert status == 200, (action, status)
                (answers / f"{action}.json").write_bytes(answer)
            with serve(bare_command(answers, bare_port), bare_port) as bare:
                work = handler_work_ms(
                    {action: (bodies / f"{action}.json").read_bytes() for action in actions}
                )
                for action in actions:
                    body_file = bodies / f"{action}.json"
                    for connections in CONNECTIONS:
                        measured: dict[str, list[WrkResult]] = {"gateway": [], "bare": []}
                        servers = [("gateway", gateway.url), ("bare", bare.url)]
                        for _, url in servers:  # warm-up, not counted
                            run_wrk(
                                f"{url}/{action}_v1", body_file, connections=connections, seconds=1
                            )
                        for round_ in range(args.rounds):
                            order = servers if round_ % 2 == 0 else servers[::-1]
                            for name, url in order:
                                result = run_wrk(
                                    f"{url}/{action}_v1",
                                    body_file,
                                    connections=connections,
                                    seconds=args.seconds,
                                )
                                failures += result.non_2xx + result.socket_errors
                                measured[name].append(result)
                        g_rps, g_p50, g_p99 = combined(measured["gateway"])
                        b_rps, b_p50, b_p99 = combined(measured["bare"])
                        ratio = g_rps / b_rps
                        # The best ratio a handler doing this work could reach if the
                        # gateway cost nothing else: a bare request's time plus the work.
                        bare_ms = 1000 / b_rps
                        ceiling = bare_ms / (bare_ms + work[action])
                        row = [
                            LABELS[action],
                            connections,
                            f"{g_rps:,.0f}",
                            f"{g_p50:.2f} / {g_p99:.2f}",
                            f"{b_rps:,.0f}",
                            f"{b_p50:.2f} / {b_p99:.2f}",
                            f"**{ratio:.2f}**",
                            f"{work[action]:.2f}",
                            f"{ceiling:.2f}",
                            "met" if ratio >= TARGET else "not met",
                        ]
                        print(" | ".join(str(cell) for cell in row), flush=True)
                        rows.append(row)

    report = f"""## Gateway overhead

Command: `.venv/bin/python -m benchmarks.overhead --seconds {args.seconds:g} --rounds {args.rounds}`
(needs `wrk`: `apt-get install wrk`).

Machine: {machine()}.

The gateway (`retailops-gateway serve`, one process, memory store of 1,000 SKUs and
{DEMO_ORDERS} demo orders, page size 100, logging at `info` in JSON as in production, to
/dev/null) against a bare aiohttp handler in another process that reads the same body
and returns the answer the gateway gave to it, byte for byte. wrk, one thread, POSTs
the same body over keep-alive connections on 127.0.0.1. Each cell is {args.rounds}
measurements of {args.seconds:g} s per server, gateway and bare alternating; requests/s
over all of them, latency the median of their p50 and p99. Target: the gateway at
least {TARGET} times the bare handler's throughput. Answers of 400 or more and socket
errors in all runs: {failures}.

{
        table(
            [
                "call",
                "connections",
                "gateway req/s",
                "gateway p50 / p99 ms",
                "bare req/s",
                "bare p50 / p99 ms",
                "gateway / bare",
                "handler work ms",
                "ceiling",
                f"target >= {TARGET}",
            ],
            rows,
        )
    }

"Handler work" is the median time of what the gateway must do for the call, measured in
the benchmark's own process without HTTP: parse and validate the body, the memory
adapter's method, serialise the answer. "Ceiling" is the ratio a gateway would reach if
it cost nothing but that work on top of the bare handler's time per request
(bare / (bare + work)): the bare handler validates nothing, so where the work alone
takes longer than a bare request, no gateway that validates its input reaches 0.8.
Between the ratio and its ceiling is the gateway's own cost per request (reading the
body, the log line, metrics, the request id, the channel's lane, freeing the request):
see the hot-path profile below.
"""
    if actions == list(ACTIONS):
        write_section("overhead", report)


if __name__ == "__main__":
    main()
