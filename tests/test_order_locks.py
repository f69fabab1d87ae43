"""Write-backs about one order of a channel run one after the other."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.adapter import AdapterSettings, ChannelAdapter
from gateway.app import CHANNELS
from gateway.config import parse_config
from gateway.contract import (
    InventoryPushRequest,
    InventoryPushResponse,
    OrderShipmentSubmitRequest,
    OrderShipmentSubmitResponse,
)
from gateway.order_locks import OrderLocks
from tests.conftest import GatewayFactory
from tests.fakes import TOKEN, call_body


class OverlapRecorder(ChannelAdapter[AdapterSettings]):
    """Counts how many calls run at once, per order and in all."""

    name = "overlap"

    def __init__(self, settings: AdapterSettings) -> None:
        super().__init__(settings)
        self.running: dict[str | None, int] = {}
        self.most_at_once: dict[str | None, int] = {}

    async def _hold(self, key: str | None) -> None:
        self.running[key] = self.running.get(key, 0) + 1
        self.most_at_once[key] = max(self.most_at_once.get(key, 0), self.running[key])
        await asyncio.sleep(0.02)
        self.running[key] -= 1

    async def order_shipment_submit(
        self, request: OrderShipmentSubmitRequest
    ) -> OrderShipmentSubmitResponse:
        await self._hold(request.channel_order_refnum)
        return OrderShipmentSubmitResponse(events=[])

    async def inventory_push(self, request: InventoryPushRequest) -> InventoryPushResponse:
        await self._hold(None)
        return InventoryPushResponse(events=[])


def _config() -> Any:
    data = {"channels": [{"default": True, "auth_token": TOKEN, "adapter": "overlap"}]}
    return parse_config(
        data, source="<test>", environ={}, adapter_loader=lambda name: OverlapRecorder
    )


async def test_calls_about_the_same_order_never_overlap(gateway: GatewayFactory) -> None:
    client = await gateway(_config())
    adapter = next(iter(client.app[CHANNELS])).adapter

    def shipment(refnum: str) -> dict[str, Any]:
        return call_body("order_shipment_submit", channel_order_refnum=refnum)

    answers = await asyncio.gather(
        *(client.call("order_shipment_submit", shipment(r)) for r in ["A", "A", "A", "B", "B"])
    )
    assert [a.status for a in answers] == [200] * 5
    assert adapter.most_at_once == {"A": 1, "B": 1}
    assert len(next(iter(client.app[CHANNELS])).order_locks) == 0  # nothing kept


async def test_calls_not_about_one_order_are_not_serialised(gateway: GatewayFactory) -> None:
    client = await gateway(_config())
    adapter = next(iter(client.app[CHANNELS])).adapter
    pushes = [client.call("inventory_push", call_body("inventory_push")) for _ in range(3)]
    assert [a.status for a in await asyncio.gather(*pushes)] == [200] * 3
    assert adapter.most_at_once[None] > 1


async def test_a_failing_call_releases_its_order() -> None:
    locks = OrderLocks()

    async def fail(request: str) -> str:
        raise RuntimeError(request)

    async def echo(request: str) -> str:
        return request

    with pytest.raises(RuntimeError):
        await locks.bind("A", fail)("boom")
    assert await asyncio.wait_for(locks.bind("A", echo)("next"), timeout=1) == "next"
    assert len(locks) == 0
