"""Fixtures: a fake WooCommerce store on 127.0.0.1 and adapters configured for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from adapters.woocommerce import WooCommerceAdapter, WooCommerceSettings
from gateway.config import Config, parse_config
from tests.conftest import Answer, GatewayClient, GatewayFactory
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


# --- the gateway in front of the fake store ----------------------------------

TOKEN = "woo-channel-token-5f1c0d9e8a7b"
CHANNEL_ID = 31


def gateway_config(store_url: str, **overrides: Any) -> Config:
    """A gateway config with one WooCommerce channel, keys read from the environment."""
    settings = woo_settings(
        store_url, consumer_key="${WOO_KEY}", consumer_secret="${WOO_SECRET}", **overrides
    )
    data = {
        "logging": {"level": "warning"},
        "channels": [
            {"id": CHANNEL_ID, "auth_token": TOKEN, "adapter": "woocommerce", "settings": settings}
        ],
    }
    return parse_config(
        data, source="woocommerce-test.yaml", environ={"WOO_KEY": KEY, "WOO_SECRET": SECRET}
    )


class WooGateway:
    """The gateway serving the fake store; ``call`` checks every 200 answer against the
    contract (strict model and both official schemas)."""

    def __init__(self, client: GatewayClient) -> None:
        self.client = client

    async def call(self, action: str, **fields: Any) -> Answer:
        body = {
            "integration_auth_token": TOKEN,
            "action": action,
            "version": 1,
            "client_id": 497,
            "channel_info": {"id": CHANNEL_ID},
            **fields,
        }
        return await self.client.call(action, body)

    async def ok(self, action: str, **fields: Any) -> dict[str, Any]:
        """The answer's body, which must be a 200."""
        answer = await self.call(action, **fields)
        assert answer.status == 200, (answer.status, answer.body[:500])
        body: dict[str, Any] = answer.json()
        return body


WooGatewayFactory = Callable[..., Awaitable[WooGateway]]


@pytest.fixture
async def woo_gateway(
    store: TestServer, fake: FakeWooCommerce, gateway: GatewayFactory
) -> WooGatewayFactory:
    """``await woo_gateway(**settings)``: the gateway with one WooCommerce channel."""

    async def start(**overrides: Any) -> WooGateway:
        return WooGateway(await gateway(gateway_config(fake.base_url, **overrides)))

    return start


def codes(body: dict[str, Any]) -> list[str]:
    return [event["code"] for event in body.get("events") or []]
