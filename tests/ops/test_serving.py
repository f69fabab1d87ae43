"""`retailops-gateway serve` as a real process on 127.0.0.1: graceful shutdown and workers.

The gateway runs the probe adapter, registered as an installed plugin, whose
catalog_push takes as long as its settings say.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import unused_port

from tests.fakes import call_body
from tests.ops.support import install_probe_plugin

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
EXIT_TIMEOUT = 20.0


@dataclass
class ServedGateway:
    process: subprocess.Popen[bytes]
    port: int
    ops_port: int | None
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ops_url(self) -> str:
        return f"http://127.0.0.1:{self.ops_port or self.port}"

    def log_events(self) -> list[str]:
        """Each JSON log line's event; a channel call's request line as "request <action>"."""
        lines = [json.loads(x) for x in self.log_path.read_text().splitlines() if x.startswith("{")]
        return [
            f"request {line['action']}" if line.get("action") else line["event"] for line in lines
        ]

    def wait_for_exit(self) -> int:
        return self.process.wait(timeout=EXIT_TIMEOUT)


@contextmanager
def gateway_process(
    tmp_path: Path,
    settings: dict[str, Any],
    *args: str,
    grace: float = 10.0,
    port: int | None = None,
    ops_port: int | None = None,
) -> Iterator[ServedGateway]:
    """``serve`` (on a free port unless given) with one default probe channel; killed if
    still running at the end."""
    port = port or unused_port()
    config = {
        "server": {"host": "127.0.0.1", "port": port},
        "logging": {"format": "json"},
        "ops": {"shutdown_grace_period": grace, "port": ops_port},
        "channels": [
            {"default": True, "auth_token": "probe-token", "adapter": "probe", "settings": settings}
        ],
    }
    config_path = tmp_path / "gateway.yaml"
    config_path.write_text(json.dumps(config))  # JSON is YAML
    plugin_path = install_probe_plugin(tmp_path / "plugins")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), str(REPO)])}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log_path = tmp_path / "gateway.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config_path), *args],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield ServedGateway(process, port, ops_port, log_path)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=EXIT_TIMEOUT)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    # A new connection per request, so that several workers get a share of them.
    connector = aiohttp.TCPConnector(force_close=True)
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        yield client


async def poll(check: Callable[[], Any], *, timeout: float, interval: float = 0.05) -> Any:
    """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(interval)
    pytest.fail(f"still waiting after {timeout} s")


async def wait_until_healthy(gateway: ServedGateway, session: aiohttp.ClientSession) -> None:
    async def healthy() -> bool:
        if gateway.process.poll() is not None:
            pytest.fail(f"the gateway exited: {gateway.log_path.read_text()}")
        try:
            async with session.get(f"{gateway.ops_url}/healthz") as response:
                return response.status == 200
        except aiohttp.ClientConnectionError:
            return False

    await poll(healthy, timeout=START_TIMEOUT, interval=0.1)


async def in_flight(gateway: ServedGateway, session: aiohttp.ClientSession) -> float:
    async with session.get(f"{gateway.ops_url}/metrics") as response:
        text = await response.text()
    (line,) = [x for x in text.splitlines() if x.startswith("retailops_gateway_requests_in_flight")]
    return float(line.split()[-1])


async def refuses_connections(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    await writer.wait_closed()
    return False


def catalog_push() -> dict[str, Any]:
    return call_body("catalog_push", token="probe-token")


async def test_sigterm_lets_the_call_in_flight_finish_then_exits_0(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    with gateway_process(tmp_path, {"delay": 3.0}, ops_port=unused_port()) as gateway:
        await wait_until_healthy(gateway, session)

        async def call() -> tuple[int, Any]:
            async with session.post(f"{gateway.url}/catalog_push_v1", json=catalog_push()) as r:
                return r.status, await r.json()

        answer = asyncio.create_task(call())
        await poll(lambda: in_flight(gateway, session), timeout=5)
        gateway.process.send_signal(signal.SIGTERM)

        await poll(lambda: refuses_connections(gateway.port), timeout=1.5)
        assert not answer.done()  # new connections are refused while the call runs on
        async with session.get(f"{gateway.ops_url}/readyz") as response:
            assert (response.status, (await response.json())["status"]) == (503, "stopping")
        assert await answer == (200, {"events": []})
        assert gateway.wait_for_exit() == 0

    events = gateway.log_events()
    assert events.index("shutting down") < events.index("request catalog_push")
    assert events.index("request catalog_push") < events.index("probe adapter closed")
    assert events[-1] == "gateway stopped"


async def test_the_grace_period_bounds_the_wait_for_calls_in_flight(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    with gateway_process(tmp_path, {"delay": 60.0}, grace=0.5) as gateway:
        await wait_until_healthy(gateway, session)
        answer = asyncio.create_task(
            session.post(f"{gateway.url}/catalog_push_v1", json=catalog_push())
        )
        await poll(lambda: in_flight(gateway, session), timeout=5)
        stopped_at = time.monotonic()
        gateway.process.send_signal(signal.SIGTERM)
        assert gateway.wait_for_exit() == 0
        assert time.monotonic() - stopped_at < 5
        with pytest.raises(aiohttp.ClientError):
            await answer  # cut when the grace period ran out
    assert "probe adapter closed" in gateway.log_events()


async def test_two_workers_share_the_ports_and_their_metrics(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    with gateway_process(tmp_path, {}, "--workers", "2", ops_port=unused_port()) as gateway:
        await wait_until_healthy(gateway, session)
        async with session.get(f"{gateway.url}/healthz") as response:
            assert response.status == 404  # on the ops listener only
        pids: set[int] = set()

        async def both_answered() -> bool:
            async with session.get(f"{gateway.ops_url}/healthz") as response:
                pids.add((await response.json())["pid"])
            return len(pids) == 2

        await poll(both_answered, timeout=20, interval=0.01)
        assert gateway.process.pid not in pids  # the supervisor serves nothing itself

        for _ in range(6):
            url = f"{gateway.url}/catalog_get_config_v1"
            body = call_body("catalog_get_config", token="probe-token")
            async with session.post(url, json=body) as response:
                assert response.status == 200
        # Whichever worker takes the scrape, it reports the calls of both.
        for _ in range(4):
            async with session.get(f"{gateway.ops_url}/metrics") as response:
                text = await response.text()
            assert (
                'retailops_gateway_requests_total{action="catalog_get_config",'
                'channel="default",status="200"} 6.0'
            ) in text

        gateway.process.send_signal(signal.SIGTERM)
        assert gateway.wait_for_exit() == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_a_worker_that_cannot_listen_stops_the_others_and_exit_is_1(
    tmp_path: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # without SO_REUSEPORT: the workers' bind fails
        taken.listen()
        port = taken.getsockname()[1]
        with gateway_process(tmp_path, {}, "--workers", "2", port=port) as gateway:
            assert gateway.wait_for_exit() == 1
    events = gateway.log_events()
    assert events.count("cannot listen") == 2
    assert events[-1] == "workers stopped"


async def test_an_adapter_that_cannot_start_stops_the_gateway_with_exit_1(
    tmp_path: Path,
) -> None:
    with gateway_process(tmp_path, {"start_fails": True}) as gateway:
        assert gateway.wait_for_exit() == 1
    lines = [json.loads(x) for x in gateway.log_path.read_text().splitlines()]
    (failure,) = [line for line in lines if line["event"] == "an adapter could not start"]
    assert failure["reason"] == "the probe backend cannot be reached"


async def test_a_plugin_whose_start_crashes_is_named_without_a_traceback(
    tmp_path: Path,
) -> None:
    with gateway_process(tmp_path, {"start_crashes": True}) as gateway:
        assert gateway.wait_for_exit() == 1
    log_text = gateway.log_path.read_text()
    assert "Traceback" not in log_text
    lines = [json.loads(x) for x in log_text.splitlines()]
    (failure,) = [line for line in lines if line["event"] == "an adapter could not start"]
    assert failure["reason"] == (
        "adapter 'probe' of channel 0 (default) failed to start: KeyError: 'shop_url'"
    )
