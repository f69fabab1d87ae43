"""Profile the gateway under load: where a call's time goes.

    python -m benchmarks.profile_hot_path [--action order_pull] [--seconds 5]

Serves the gateway on the memory store in its own process (as the overhead benchmark
does), loads it with wrk (8 connections) and samples it with py-spy (``pip install
py-spy``; it reads the process's memory, so it needs ptrace rights: root, or
``kernel.yama.ptrace_scope=0``). Prints the functions with the most samples, on their
own and with what they call.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from benchmarks.support import (
    call_body,
    free_port,
    gateway_command,
    gateway_config,
    run_wrk,
    serve,
)


def top_frames(raw: Path, count: int) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    """From py-spy's raw (collapsed) stacks: samples, top self and top inclusive frames."""
    own: Counter[str] = Counter()
    within: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        frames = stack.split(";")
        total += int(samples)
        own[frames[-1]] += int(samples)
        for frame in set(frames):
            within[frame] += int(samples)
    # With what they call: the project's own functions below the server's entry points.
    ours = Counter(
        {
            frame: samples
            for frame, samples in within.items()
            if ("gateway/" in frame or "adapters/" in frame) and samples < total * 0.95
        }
    )
    return total, own.most_common(count), ours.most_common(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--action", default="order_pull")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        sys.exit("py-spy is needed: pip install py-spy")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        body = work / "body.json"
        body.write_text(json.dumps(call_body(args.action)))
        raw = work / "profile.txt"
        port = free_port()
        with serve(gateway_command(gateway_config(work / "gateway.yaml"), port), port) as gateway:
            load = threading.Thread(
                target=run_wrk,
                args=(f"{gateway.url}/{args.action}_v1", body),
                kwargs={"connections": 8, "seconds": args.seconds + 2},
            )
            load.start()
            record = ["record", "-p", str(gateway.pid), "-d", str(args.seconds), "-r", "200"]
            subprocess.run(
                [py_spy, *record, "-f", "raw", "-o", str(raw)],
                check=True,
                capture_output=True,
            )
            load.join()
        total, own, within = top_frames(raw, args.top)

    print(f"{args.action}: {total} samples")
    print("\nown time (the function itself):")
    for frame, samples in own:
        print(f"  {100 * samples / total:5.1f}%  {frame}")
    print("\nthe project's functions, with what they call:")
    for frame, samples in within:
        print(f"  {100 * samples / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
