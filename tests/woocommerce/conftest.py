"""Fixtures: a fake WooCommerce store on 127.0.0.1 and adapters configured for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from adapters.woocommerce import WooCommerceAdapter, WooCommerceSettings
from tests.woocommerce.fake_woocommerce import FakeWooCommerce

KEY = "ck_test_0123456789"
SECRET = "cs_test_abcdefghij"
# Tiny waits so that retried faults cost milliseconds.
FAST_RETRY = {
    "attempts": 4,
    "initial_backoff": 0.01,
    "max_backoff": 0.05,
    "total_timeout": 5.0,
    "retry_after_on_give_up": 7.0,
}

AdapterFactory = Callable[..., Awaitable[WooCommerceAdapter]]


@pytest.fixture
def fake() -> FakeWooCommerce:
    return FakeWooCommerce(consumer_key=KEY, consumer_secret=SECRET)


@pytest.fixture
async def store(fake: FakeWooCommerce) -> AsyncIterator[TestServer]:
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    yield server
    await server.close()


def woo_settings(store_url: str, **overrides: Any) -> dict[str, Any]:
    """A settings block for the fake store, as a channel's YAML would give it."""
    settings: dict[str, Any] = {
        "store_url": store_url,
        "consumer_key": KEY,
        "consumer_secret": SECRET,
        "request_timeout": 0.5,
        "retry": FAST_RETRY,
        "concurrency": 4,
    }
    settings.update(overrides)
    return settings


@pytest.fixture
async def make_adapter(store: TestServer, fake: FakeWooCommerce) -> AsyncIterator[AdapterFactory]:
    adapters: list[WooCommerceAdapter] = []

    async def make(**overrides: Any) -> WooCommerceAdapter:
        settings = WooCommerceSettings.model_validate(woo_settings(fake.base_url, **overrides))
        adapter = WooCommerceAdapter(settings)
        await adapter.start()
        adapters.append(adapter)
        return adapter

    yield make
    for adapter in adapters:
        await adapter.close()


@pytest.fixture
async def adapter(make_adapter: AdapterFactory) -> WooCommerceAdapter:
    return await make_adapter()
