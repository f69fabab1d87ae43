"""A test adapter for the operational features, and configs and plugins built on it.

``ProbeAdapter`` takes as long as its settings say, makes upstream calls that
fail a chosen number of times, pauses as if throttled, and answers its
backend check as told. ``install_probe_plugin`` registers it as an installed
adapter plugin for gateway processes started by the tests.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Literal

import structlog
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from gateway.adapter import AdapterSettings, BackendUnavailable, ChannelAdapter, CheckFailed
from gateway.config import Config, parse_config
from gateway.contract import (
    CatalogPushRequest,
    CatalogPushResponse,
    InventoryPushRequest,
    InventoryPushResponse,
)
from gateway.plugins import PluginError
from gateway.upstream import RetryableError, RetrySettings, call_with_retries, throttle_wait
from tests.fakes import TOKEN

log = structlog.get_logger("tests.ops")

FAST_RETRIES = RetrySettings(attempts=3, initial_backoff=0.001, max_backoff=0.002)


class ProbeSettings(AdapterSettings):
    delay: float = 0.0  # seconds each catalog_push takes
    upstream_failures: int = 0  # failed attempts before inventory_push's upstream call succeeds
    throttle: float = 0.0  # seconds inventory_push pauses as if throttled
    check: Literal["ok", "down", "unusable", "slow"] = "ok"
    start_fails: bool = False  # start() finds the backend unavailable
    start_crashes: bool = False  # start() fails like a bug in a plugin


class ProbeAdapter(ChannelAdapter[ProbeSettings]):
    name = "probe"
    Settings = ProbeSettings

    def __init__(self, settings: ProbeSettings) -> None:
        super().__init__(settings)
        self.checks = 0

    async def start(self) -> None:
        if self.settings.start_fails:
            raise BackendUnavailable("the probe backend cannot be reached")
        if self.settings.start_crashes:
            raise KeyError("shop_url")

    async def catalog_push(self, request: CatalogPushRequest) -> CatalogPushResponse:
        await asyncio.sleep(self.settings.delay)
        return CatalogPushResponse(events=[])

    async def inventory_push(self, request: InventoryPushRequest) -> InventoryPushResponse:
        failures = self.settings.upstream_failures

        async def upstream() -> None:
            nonlocal failures
            if failures > 0:
                failures -= 1
                raise RetryableError("fake backend answered 502")
            log.info("fake upstream call")

        if self.settings.throttle:
            await throttle_wait("probe", self.settings.throttle, operation="stock")
        await call_with_retries(upstream, FAST_RETRIES, backend="probe", operation="stock")
        return InventoryPushResponse(events=[])

    async def check(self) -> list[str]:
        self.checks += 1
        if self.settings.check == "down":
            raise BackendUnavailable("the probe backend is down")
        if self.settings.check == "unusable":
            raise CheckFailed("the probe backend refuses the key")
        if self.settings.check == "slow":
            await asyncio.sleep(10)
        return ["probe backend reachable"]

    async def close(self) -> None:
        log.info("probe adapter closed")


def _loader(name: str) -> type[ChannelAdapter[Any]]:
    if name != "probe":
        raise PluginError(f"no adapter named {name!r} is installed")
    return ProbeAdapter


def probe_channel(channel_id: int | None = None, **settings: Any) -> dict[str, Any]:
    """A channel block on the probe adapter: the default channel unless an id is given."""
    block: dict[str, Any] = {"auth_token": TOKEN, "adapter": "probe", "settings": settings}
    return {**block, "id": channel_id} if channel_id is not None else {**block, "default": True}


def probe_config(*channels: dict[str, Any], **sections: Any) -> Config:
    """A config of probe channels (one default channel when none is given) and sections."""
    data = {"channels": list(channels) or [probe_channel()], **sections}
    return parse_config(data, source="<test>", environ={}, adapter_loader=_loader)


def install_probe_plugin(directory: Path) -> Path:
    """Register ProbeAdapter as the installed plugin ``probe`` for processes whose
    PYTHONPATH starts with the returned directory (a distribution's metadata only)."""
    dist_info = directory / "retailops_gateway_probe-0.0.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: retailops-gateway-probe\nVersion: 0.0.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[retailops_gateway.adapters]\nprobe = tests.ops.support:ProbeAdapter\n"
    )
    return directory


async def get_json(client: TestClient, path: str) -> tuple[int, Any]:
    async with client.get(path) as response:
        return response.status, await response.json()


async def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by (name, sorted labels)."""
    async with client.get("/metrics") as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
