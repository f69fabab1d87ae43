"""The worked example plugin (examples/jsonshop-adapter), installed as a user installs it.

One fresh environment holds the gateway and the plugin. In it: the adapter is
listed with what it implements, the plugin's own tests pass (the conformance
suite among them), and a gateway started from a YAML file serves RetailOps
calls from the plugin's fake JSON Shop, all on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from tests.official_contract import assert_official_response, sdk_available
from tests.plugin_env import (
    PROJECT,
    clean_env,
    copy_sources,
    fresh_venv,
    gateway_sources,
    install_offline,
    run,
)

EXAMPLE = PROJECT / "examples" / "jsonshop-adapter"
TOKEN = "example-plugin-token-8d2f4b6a1c3e5f70"
SHOP_KEY = "shop-key-example-31c9"
CHANNEL_ID = 42
START_TIMEOUT = 30.0  # seconds for a started process to answer


@dataclass(frozen=True)
class ExampleEnv:
    python: Path
    bin: Path
    example: Path  # the installed example's source copy, with its tests


@pytest.fixture(scope="module")
def example_env(tmp_path_factory: pytest.TempPathFactory) -> ExampleEnv:
    root = tmp_path_factory.mktemp("example-plugin")
    example = copy_sources(EXAMPLE, root / "jsonshop-adapter")
    python = fresh_venv(root / "venv")
    install_offline(python, gateway_sources(root / "gateway-source"), example)
    return ExampleEnv(python, python.parent, example)


def test_the_installed_example_is_listed_with_what_it_implements(example_env: ExampleEnv) -> None:
    listed = run([example_env.bin / "retailops-gateway", "adapters", "--capabilities"], PROJECT)
    lines = listed.stdout.splitlines()
    entry = (
        "jsonshop: retailops_jsonshop.adapter:JsonShopAdapter (retailops-adapter-jsonshop 0.1.0)"
    )
    assert entry in lines, listed.stdout + listed.stderr
    assert lines[lines.index(entry) + 1].strip() == (
        "implements 5 of 11: catalog_get_config, inventory_push, order_pull, "
        "order_acknowledge, order_shipment_submit"
    )


def test_the_example_passes_its_own_tests_and_the_conformance_suite(
    example_env: ExampleEnv,
) -> None:
    done = run(
        [example_env.python, "-m", "pytest", "-p", "no:cacheprovider", "-rs"], example_env.example
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    # 12 client and adapter tests; 15 conformance checks apply to the five calls it implements,
    # 12 do not (skipped with the reason, e.g. "does not implement order_cancel").
    assert re.search(r"\b27 passed, 12 skipped\b", summary), summary
    assert "FAILED" not in done.stdout


# --- a running gateway, configured from YAML, in front of the fake shop ----------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _first_line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
    return line.decode()


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


@dataclass
class RunningChannel:
    session: aiohttp.ClientSession
    gateway_url: str
    shop_url: str

    async def call(self, action: str, token: str = TOKEN, **fields: Any) -> tuple[int, Any]:
        body = {
            "integration_auth_token": token,
            "action": action,
            "version": 1,
            "client_id": 1,
            "channel_info": {"id": CHANNEL_ID},
            **fields,
        }
        async with self.session.post(f"{self.gateway_url}/{action}_v1", json=body) as response:
            answer = await response.json()
        if response.status == 200 and sdk_available():
            assert_official_response(action, answer)
        return response.status, answer

    async def shop_order(self, order_id: str) -> Any:
        headers = {"X-Api-Key": SHOP_KEY}
        async with self.session.get(f"{self.shop_url}/orders/{order_id}", headers=headers) as r:
            return await r.json()


@pytest.fixture
async def channel(example_env: ExampleEnv, tmp_path: Path) -> AsyncIterator[RunningChannel]:
    shop = await asyncio.create_subprocess_exec(
        *[str(example_env.python), "-m", "retailops_jsonshop.fake", "--port", "0"],
        *["--api-key", SHOP_KEY, "--demo-orders", "5"],
        stdout=subprocess.PIPE,
        env=clean_env(),
    )
    gateway: asyncio.subprocess.Process | None = None
    try:
        announced = re.search(r"http://127\.0\.0\.1:\d+/api/v1", await _first_line(shop))
        assert announced, "the fake shop did not say where it listens"
        config = tmp_path / "gateway.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "logging": {"level": "warning"},
                    "channels": [
                        {
                            "id": CHANNEL_ID,
                            "auth_token": "${EXAMPLE_TOKEN}",
                            "adapter": "jsonshop",
                            "settings": {
                                "base_url": announced.group(0),
                                "api_key": "${JSONSHOP_API_KEY}",
                                "page_size": 2,
                            },
                        }
                    ],
                }
            )
        )
        port = _free_port()
        gateway = await asyncio.create_subprocess_exec(
            *[str(example_env.bin / "retailops-gateway"), "serve", "--config", str(config)],
            *["--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=clean_env() | {"EXAMPLE_TOKEN": TOKEN, "JSONSHOP_API_KEY": SHOP_KEY},
        )
        async with aiohttp.ClientSession() as session:
            running = RunningChannel(session, f"http://127.0.0.1:{port}", announced.group(0))
            await _wait_until_serving(running, gateway)
            yield running
    finally:
        if gateway is not None:
            await _stop(gateway)
        await _stop(shop)


async def _wait_until_serving(channel: RunningChannel, gateway: asyncio.subprocess.Process) -> None:
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        assert gateway.returncode is None, "the gateway stopped while starting"
        try:
            status, _ = await channel.call("catalog_get_config")
            if status == 200:
                return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail(f"the gateway did not answer within {START_TIMEOUT} s")


async def _pull_all(channel: RunningChannel) -> list[str]:
    offered: list[str] = []
    token = ""
    for _ in range(10):
        status, page = await channel.call("order_pull", page_token=token)
        assert status == 200, page
        assert len(page["orders"]) <= 2
        offered += [order["channel_order_refnum"] for order in page["orders"]]
        token = page["next_page_token"]
        if not token:
            return offered
    pytest.fail("order_pull did not reach the last page in 10 pages")


async def test_a_gateway_from_yaml_serves_the_plugin(channel: RunningChannel) -> None:
    assert await _pull_all(channel) == ["1001", "1002", "1003", "1004", "1005"]

    status, answer = await channel.call(
        "order_acknowledge",
        orders=[{"channel_order_refnum": "1001"}, {"channel_order_refnum": "1002"}],
    )
    assert (status, answer) == (200, {"events": []})
    assert await _pull_all(channel) == ["1003", "1004", "1005"]
    assert (await channel.shop_order("1001"))["exported"] is True

    status, answer = await channel.call(
        "inventory_push",
        inventory_updates=[
            {"sku": "MUG", "quantity_available": 9},
            {"sku": "NO-SUCH-SKU", "quantity_available": 1},
        ],
    )
    assert status == 200
    assert [(e["code"], e["associations"]) for e in answer["events"]] == [
        ("UNKNOWN_SKU", [{"identifier_type": "sku_number", "identifier": "NO-SUCH-SKU"}])
    ]

    shipment = {
        "retailops_shipment_id": 77,
        "packages": [
            {
                "carrier_name": "UPS",
                "tracking_number": "1Z999",
                "package_items": [{"sku": "TEE-S", "quantity": 1}],
            }
        ],
    }
    status, answer = await channel.call(
        "order_shipment_submit", channel_order_refnum="1001", shipment=shipment
    )
    assert (status, answer) == (200, {"events": []})
    status, again = await channel.call(
        "order_shipment_submit", channel_order_refnum="1001", shipment=shipment
    )
    assert status == 200
    assert [e["code"] for e in again["events"]] == ["SHIPMENT_ALREADY_RECORDED"]
    shipments = (await channel.shop_order("1001"))["shipments"]
    assert [(s["reference"], s["tracking"]) for s in shipments] == [("retailops-77-1", "1Z999")]

    status, answer = await channel.call("order_cancel", order={"channel_order_refnum": "1003"})
    assert status == 200
    assert answer["status"] == "fail"
    assert [e["code"] for e in answer["events"]] == ["UNSUPPORTED_ACTION"]

    status, _ = await channel.call("order_pull", token="not-the-token")
    assert status == 401


async def test_the_verifier_passes_against_the_plugin(
    channel: RunningChannel, example_env: ExampleEnv
) -> None:
    verify = await asyncio.create_subprocess_exec(
        *[str(example_env.bin / "retailops-gateway"), "verify", "--base-url", channel.gateway_url],
        *["--auth-key", TOKEN, "--channel-id", str(CHANNEL_ID)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    out, err = await asyncio.wait_for(verify.communicate(), 60)
    assert verify.returncode == 0, out.decode() + err.decode()
