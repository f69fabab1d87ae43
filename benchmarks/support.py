"""What the benchmarks share: servers in their own processes, wrk, memory, the report."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gateway.samples import sample_request

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"
WRK_DIR = Path(__file__).resolve().parent / "wrk"
TOKEN = "benchmark-token-7d3f19c0a5"
CHANNEL_ID = 1
# The memory store the gateway benchmarks serve: 1,000 SKUs sold on their own
# (DEMO-000001 ...), and enough orders for a full page of 100 on every pull.
CATALOG_SKUS = 1000
PAGE_SIZE = 100
DEMO_ORDERS = 500


def sku(index: int) -> str:
    """The demo SKU of product ``index`` (from 1) when each product is one SKU."""
    return f"DEMO-{index:06d}"


def call_body(action: str) -> dict[str, Any]:
    """The benchmark request of ``action``: the verifier's sample with this channel's token,
    1,000 known SKUs for inventory_push, a first page of 100 orders for order_pull."""
    body = sample_request(action, auth_key=TOKEN, channel_id=CHANNEL_ID)
    if action == "inventory_push":
        body["inventory_updates"] = [
            {"sku": sku(n), "quantity_available": n % 50} for n in range(1, CATALOG_SKUS + 1)
        ]
    if action == "order_pull":
        body["page_token"] = ""
        body.pop("specific_orders", None)
    return body


# The memory channel's settings block in the benchmark gateway.
MEMORY_SETTINGS: dict[str, Any] = {
    "page_size": PAGE_SIZE,
    "demo": {
        "enabled": True,
        "products": CATALOG_SKUS,
        "variants_per_product": 1,
        "orders": DEMO_ORDERS,
    },
}


def gateway_config(path: Path, *, level: str = "info") -> Path:
    """Write the benchmark gateway's YAML: one default memory channel with demo data."""
    config = {
        "server": {"host": "127.0.0.1", "port": 0},
        "logging": {"level": level, "format": "json"},
        "channels": [
            {
                "default": True,
                "auth_token": TOKEN,
                "adapter": "memory",
                "settings": MEMORY_SETTINGS,
            }
        ],
    }
    path.write_text(yaml.safe_dump(config))
    return path


def handler_work_ms(bodies: dict[str, bytes], calls: int = 200) -> dict[str, float]:
    """Median milliseconds of the work the gateway's handler does for each call, measured
    in this process without HTTP: parse the body, the memory adapter's method (on the
    benchmark gateway's store), serialise the answer."""
    from adapters.memory import MemoryAdapter, MemorySettings
    from gateway.contract import ACTIONS, dump_response

    adapter = MemoryAdapter(MemorySettings.model_validate(MEMORY_SETTINGS))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(adapter.start())
    work: dict[str, float] = {}
    for action, body in bodies.items():
        parse, method = ACTIONS[action].request.model_validate_json, getattr(adapter, action)
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            dump_response(loop.run_until_complete(method(parse(body))))
            times.append(time.perf_counter() - started)
        work[action] = statistics.median(times) * 1000
    loop.close()
    return work


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mib(self) -> float:
        return rss_mib(self.pid)


@contextmanager
def serve(command: Sequence[str], port: int, *, ready_path: str = "/healthz") -> Iterator[Server]:
    """Run a server process (output discarded) until the block ends; wait until it answers."""
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}")
            try:
                with urllib.request.urlopen(url + ready_path, timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(command)} did not start") from None
                time.sleep(0.1)
        yield Server(process, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gateway_command(config: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gateway.cli",
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
    ]


def bare_command(answers: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "benchmarks.bare_server", str(answers), str(port)]


def post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert match is not None
    return int(match.group(1)) / 1024


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is needed: apt-get install wrk")
    return wrk


def run_wrk(url: str, body_file: Path | None, *, connections: int, seconds: int) -> WrkResult:
    """One wrk run of ``connections`` connections on one thread; POSTs ``body_file`` to ``url``."""
    env = {**os.environ, "WRK_BODY_FILE": str(body_file or "")}
    command = [
        require_wrk(),
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_DIR / "post.lua"),
        url,
    ]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
    )


def machine() -> str:
    """The machine, as the report states it: cores, memory, Python, wrk."""
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = memory[1].split()[1] if len(memory) > 1 else "?"
    wrk = subprocess.run([require_wrk(), "-v"], capture_output=True, text=True)
    wrk_version = (wrk.stdout or wrk.stderr).split()[1] if (wrk.stdout or wrk.stderr) else "?"
    return (
        f"{os.cpu_count()} cores (`nproc`), {total} memory (`free -h`), "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
        f"wrk {wrk_version}"
    )


def write_section(name: str, markdown: str) -> None:
    """Replace the section ``name`` of docs/benchmarks.md (between its markers) with
    ``markdown``, or append it; the rest of the page is kept."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{block}\n"
    )
    REPORT.write_text(text)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
