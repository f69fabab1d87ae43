"""The command line: each sub-command, and verify against live servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import EntryPoint, EntryPoints
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway import plugins
from gateway.app import create_app
from gateway.cli import main
from gateway.config import load_config
from tests.conftest import CapturedLogs
from tests.fakes import TOKEN, channel, scripted_config

REPO = Path(__file__).resolve().parents[1]
MEMORY_CONFIG = REPO / "config" / "memory.yaml"
ServerFactory = Callable[[web.Application], Awaitable[TestServer]]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# --- auth-key, check-config, serve's refusal -----------------------------------


def test_auth_key_prints_a_new_strong_key(capsys: pytest.CaptureFixture[str]) -> None:
    keys = {run_cli(capsys, "auth-key")[1].strip() for _ in range(3)}
    assert len(keys) == 3
    for key in keys:
        assert re.fullmatch(r"[A-Za-z0-9_-]{64}", key)


def test_check_config_summarises_a_valid_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "check-config", "--config", str(MEMORY_CONFIG))
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"{MEMORY_CONFIG}: valid",
        "  server: 127.0.0.1:8080, base path /, body limit 16777216 bytes",
        "  logging: info, json",
        "  channel 0 (default): adapter memory, test key accepted",
    ]
    assert "memory-demo-token" not in out


@pytest.mark.parametrize("command", ["check-config", "serve"])
def test_invalid_file_exits_2_naming_file_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text("channels:\n  - id: 4\n    adapter: memory\n    auth_token: ${NO_SUCH_VAR_X}\n")
    status, out, err = run_cli(capsys, command, "--config", str(path))
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"{path}: invalid configuration:",
        "  - channel 0 (id 4): auth_token: environment variable NO_SUCH_VAR_X is not set",
    ]


# --- adapters ---------------------------------------------------------------------


@pytest.fixture
def fake_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two registered adapters: the scripted fake and one whose module does not exist."""
    group = plugins.ENTRY_POINT_GROUP
    registered = EntryPoints(
        (
            EntryPoint("scripted", "tests.fakes:ScriptedAdapter", group),
            EntryPoint("ghost", "tests.no_such_plugin:Adapter", group),
        )
    )
    monkeypatch.setattr(plugins, "entry_points", lambda group: registered.select(group=group))


@pytest.mark.usefixtures("fake_entry_points")
def test_adapters_lists_without_importing(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "adapters")
    assert status == 0
    assert out.splitlines() == [
        "ghost: tests.no_such_plugin:Adapter",
        "scripted: tests.fakes:ScriptedAdapter",
    ]
    assert "tests.no_such_plugin" not in sys.modules


@pytest.mark.usefixtures("fake_entry_points")
def test_adapters_capabilities_loads_each_and_names_a_broken_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run_cli(capsys, "adapters", "--capabilities")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "ghost: tests.no_such_plugin:Adapter"
    assert lines[1].startswith("  broken: adapter 'ghost' (tests.no_such_plugin:Adapter) failed")
    assert lines[2:] == [
        "scripted: tests.fakes:ScriptedAdapter",
        "  implements 3 of 11: catalog_get_config, catalog_push, inventory_push",
    ]


def test_installed_adapters_include_the_built_in_memory_adapter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The exit status depends on the other installed adapters; only memory is checked here.
    _, out, _ = run_cli(capsys, "adapters", "--capabilities")
    memory = out.split("memory: ", 1)[1].splitlines()
    assert memory[0].startswith("adapters.memory:MemoryAdapter (retailops-gateway ")
    assert memory[1].startswith("  implements 11 of 11: ")


# --- verify -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _server_logs_apart(captured_logs: CapturedLogs) -> None:
    """Servers in these tests log to a buffer, so stdout holds only the command's output."""


async def run_verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    # main() runs its own event loop, so it runs in a thread beside the test's loop.
    status = await asyncio.to_thread(main, ["verify", *argv])
    return status, capsys.readouterr().out.splitlines()


async def test_verify_passes_all_11_calls_on_the_memory_config(
    aiohttp_server: ServerFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    server = await aiohttp_server(create_app(load_config(MEMORY_CONFIG)))
    status, lines = await run_verify(capsys, "--base-url", str(server.make_url("/")))
    assert lines[-1] == "verify: 11 passed, 0 failed"
    assert len(lines) == 12 and all(line.startswith("PASS ") for line in lines[:-1])
    assert status == 0


async def test_verify_with_the_channels_own_key_and_base_path(
    aiohttp_server: ServerFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    config = scripted_config(channel(id=21), server={"base_path": "/ro"})
    server = await aiohttp_server(create_app(config))
    url = str(server.make_url("/ro"))
    status, lines = await run_verify(
        capsys, "--base-url", url, "--auth-key", TOKEN, "--channel-id", "21"
    )
    assert (status, lines[-1]) == (0, "verify: 11 passed, 0 failed")
    # The test key is refused on this channel, and so is another channel id.
    for argv in (["--channel-id", "21"], ["--auth-key", TOKEN, "--channel-id", "22"]):
        status, lines = await run_verify(capsys, "--base-url", url, *argv)
        assert (status, lines[-1]) == (1, "verify: 0 passed, 11 failed")
        assert "expected 200 with the key, got 401" in lines[0]


async def test_verify_only_the_actions_asked(
    aiohttp_server: ServerFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    server = await aiohttp_server(create_app(scripted_config(channel(accept_test_key=True))))
    status, lines = await run_verify(
        capsys, "--base-url", str(server.make_url("/")), "--actions", "order_pull,catalog_push_v1"
    )
    assert status == 0
    assert [line.split(":")[0] for line in lines[:-1]] == ["PASS order_pull", "PASS catalog_push"]
    assert lines[-1] == "verify: 2 passed, 0 failed"


def test_verify_refuses_an_unknown_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["verify", "--base-url", "http://127.0.0.1:1", "--actions", "order_pull,order_fly"])
    assert caught.value.code == 2
    assert "unknown call(s) order_fly" in capsys.readouterr().err


def broken_server(answer: Callable[[str, dict], web.Response]) -> web.Application:
    """A server answering every call with ``answer(action, body)``."""

    async def handle(request: web.Request) -> web.Response:
        return answer(request.match_info["action"], await request.json())

    app = web.Application()
    app.router.add_post("/{action}_v1", handle)
    return app


@pytest.mark.parametrize(
    ("answer", "failure"),
    [
        (
            lambda action, body: web.json_response({"bogus": True}),
            "the 200 body breaks the contract: bogus: Extra inputs are not permitted",
        ),
        (
            lambda action, body: web.json_response({"events": [], "sku_fanout": "none"}),
            "the 200 body breaks the contract",
        ),
        (
            lambda action, body: web.json_response({"error": "down"}, status=500),
            "expected 200 with the key, got 500",
        ),
        (  # answers well but never checks the key
            lambda action, body: web.json_response(
                {"sku_fanout": "no_fanout"} if action == "catalog_get_config" else {}
            ),
            None,
        ),
    ],
)
async def test_verify_fails_a_broken_server(
    aiohttp_server: ServerFactory,
    capsys: pytest.CaptureFixture[str],
    answer: Callable[[str, dict], web.Response],
    failure: str | None,
) -> None:
    server = await aiohttp_server(broken_server(answer))
    status, lines = await run_verify(capsys, "--base-url", str(server.make_url("/")))
    assert status == 1
    assert lines[-1].startswith("verify: ") and not lines[-1].endswith(" 0 failed")
    first = lines[0]
    assert first.startswith("FAIL catalog_get_config: ")
    expected = failure or "expected 401 with a wrong key, got 200"
    assert expected in first


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_verify_reports_an_unreachable_channel(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    status, lines = await run_verify(capsys, "--base-url", url, "--timeout", "2")
    assert status == 1
    assert lines[-1] == "verify: 0 passed, 11 failed"
    assert f"cannot call {url}/catalog_get_config_v1" in lines[0]


# --- serve, as the README runs it ------------------------------------------------------


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited early"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"serve did not listen on port {port} within {seconds} s")


async def test_serve_runs_the_memory_config_until_terminated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()
    command = [sys.executable, "-m", "gateway.cli", "serve", "--config", str(MEMORY_CONFIG)]
    process = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO
    )
    try:
        await asyncio.to_thread(wait_for_port, port, process)
        status, lines = await run_verify(capsys, "--base-url", f"http://127.0.0.1:{port}")
        assert (status, lines[-1]) == (0, "verify: 11 passed, 0 failed")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0
    events = [json.loads(line)["event"] for line in err.decode().splitlines()]
    assert events[:2] == ["gateway started", "listening"]
    assert events.count("request") == 22
    assert events[-1] == "gateway stopped"
    assert b"memory-demo-token" not in out + err
