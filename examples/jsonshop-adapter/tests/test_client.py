"""Calls to the shop under the shared retry policy, against the fake's injected faults."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gateway import BackendUnavailable

from retailops_jsonshop.client import JsonShopClient, JsonShopError, NotFound


async def _client(shop: Any, **changes: Any) -> JsonShopClient:
    client = JsonShopClient(shop.settings(**changes))
    await client.open()
    return client


async def test_server_errors_are_retried_until_the_call_goes_through(shop: Any) -> None:
    shop.fake.fail_next(2, status=503)
    client = await _client(shop)
    try:
        page = await client.call("GET", "/orders", params={"limit": 5})
    finally:
        await client.close()
    assert page == {"orders": [], "has_more": False}
    assert shop.fake.requests == ["GET /api/v1/orders"] * 3


async def test_a_throttle_is_retried_after_the_wait_the_shop_asks_for(shop: Any) -> None:
    shop.fake.fail_next(1, status=429, retry_after=0.2)
    # Backoff alone would wait at most 0.02 s before the second try.
    client = await _client(shop)
    clock = asyncio.get_running_loop().time
    started = clock()
    try:
        await client.call("POST", "/stock", json={"levels": []})
    finally:
        await client.close()
    assert clock() - started >= 0.2
    assert len(shop.fake.requests) == 2


async def test_a_shop_that_stays_down_is_backend_unavailable(shop: Any) -> None:
    shop.fake.fail_next(10, status=502)
    client = await _client(shop)
    try:
        with pytest.raises(BackendUnavailable, match=r"jsonshop is unavailable \(GET /orders\)"):
            await client.call("GET", "/orders")
    finally:
        await client.close()
    assert len(shop.fake.requests) == 3  # the policy's attempts, no more


async def test_a_wait_longer_than_the_time_budget_is_passed_on_to_retailops(shop: Any) -> None:
    # The test settings allow 5 s in all: the shop's 60 s do not fit, so no second try.
    shop.fake.fail_next(1, status=503, retry_after=60)
    client = await _client(shop)
    try:
        with pytest.raises(BackendUnavailable) as unavailable:
            await client.call("GET", "/orders")
    finally:
        await client.close()
    assert len(shop.fake.requests) == 1
    assert unavailable.value.retry_after >= 60


async def test_refusals_are_not_retried_and_never_show_the_key(shop: Any) -> None:
    client = await _client(shop, api_key="wrong-key-7c1d")
    try:
        with pytest.raises(JsonShopError) as refused:
            await client.call("GET", "/orders")
    finally:
        await client.close()
    assert refused.value.status == 401
    assert "wrong-key-7c1d" not in str(refused.value)
    assert len(shop.fake.requests) == 1


async def test_an_unknown_order_is_not_found(shop: Any) -> None:
    client = await _client(shop)
    try:
        with pytest.raises(NotFound):
            await client.call("GET", "/orders/424242")
    finally:
        await client.close()


async def test_a_dropped_connection_is_retried(shop: Any, unused_tcp_port: int) -> None:
    # Nothing listens on this port: every try fails to connect, then the policy gives up.
    client = await _client(shop, base_url=f"http://127.0.0.1:{unused_tcp_port}/api/v1")
    try:
        with pytest.raises(BackendUnavailable, match="ClientConnectorError"):
            await client.call("GET", "/orders")
    finally:
        await client.close()
