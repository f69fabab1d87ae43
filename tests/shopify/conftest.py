"""Fixtures: the fake Shopify on 127.0.0.1 and a started adapter pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from adapters.shopify import ShopifyAdapter, ShopifySettings
from tests.shopify.fake_shopify import TOKEN, FakeShopify, schema_file

# Small waits so that retries and throttling cost milliseconds, not seconds.
FAST_RETRY = {
    "attempts": 4,
    "initial_backoff": 0.01,
    "max_backoff": 0.05,
    "total_timeout": 5.0,
    "retry_after_on_give_up": 7.0,
}


# Request timeout for tests of slow answers: well under the fake's delay of a "slow" fault.
SLOW_TIMEOUT = 0.5


def settings_block(server: TestServer, **overrides: Any) -> dict[str, Any]:
    """The ``settings`` of a Shopify channel pointed at the fake."""
    return {
        "shop_domain": "fake-shop.myshopify.com",
        "access_token": TOKEN,
        "api_base_url": str(server.make_url("")).rstrip("/"),
        # Generous, so that a loaded test machine does not time out; the tests of
        # slow answers set SLOW_TIMEOUT below the fake's delay instead.
        "request_timeout": 3.0,
        "retry": FAST_RETRY,
        **overrides,
    }


def shopify_settings(server: TestServer, **overrides: Any) -> ShopifySettings:
    return ShopifySettings.model_validate(settings_block(server, **overrides))


@pytest.fixture
def fake() -> FakeShopify:
    if not schema_file().is_file():
        pytest.skip(f"Shopify's schema not found at {schema_file()}: Shopify tests need it")
    return FakeShopify(bucket_size=2000, restore_rate=2000)


@pytest.fixture
async def shop_server(aiohttp_server: Any, fake: FakeShopify) -> AsyncIterator[TestServer]:
    server = await aiohttp_server(fake.app, host="127.0.0.1")
    yield server
    # Any document or variables Shopify's schema refused fails the test that sent it.
    assert fake.rejected == [], f"Shopify would reject: {fake.rejected}"


@pytest.fixture
async def adapter(shop_server: TestServer) -> AsyncIterator[ShopifyAdapter]:
    started = ShopifyAdapter(shopify_settings(shop_server))
    await started.start()
    yield started
    await started.close()
