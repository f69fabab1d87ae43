"""Mutated calls, with the right token, through the gateway to the WooCommerce and
Shopify adapters against their fakes: odd values where the adapters turn RetailOps'
fields into backend requests. Never a 5xx other than a 503 with Retry-After (the backend
refused in a way worth retrying), never a traceback; a 200 is contract valid.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from gateway.contract import ACTIONS
from gateway.samples import sample_request
from tests.conftest import Answer, GatewayClient, GatewayFactory
from tests.shopify.fake_shopify import FakeShopify, schema_file
from tests.shopify.gateway_support import AUTH_TOKEN as SHOPIFY_CHANNEL_TOKEN
from tests.shopify.gateway_support import CHANNEL_ID as SHOPIFY_CHANNEL_ID
from tests.shopify.gateway_support import gateway_client
from tests.woocommerce.conftest import CHANNEL_ID as WOO_CHANNEL_ID
from tests.woocommerce.conftest import TOKEN as WOO_CHANNEL_TOKEN
from tests.woocommerce.conftest import gateway_config
from tests.woocommerce.fake_woocommerce import FakeWooCommerce

CALLS = 250
ODD_STRINGS = [
    "",
    " ",
    "0",
    "-1",
    "../../etc",
    "a/b?c=d#e",
    "\u00e9\u4e2d\U0001f600",
    "x" * 3000,
    "null",
]
ODD_NUMBERS: list[Any] = [0, -1, 1.5, -0.0, 2**31, -(2**31) - 1, 2**53 + 1, 2**63, 10**30, 1e308]


def mutate(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """``value`` with leaves swapped for odd strings and numbers, or for another type."""
    if isinstance(value, dict):
        return {
            key: mutate(item, rng, depth + 1)
            for key, item in value.items()
            if key in ("integration_auth_token", "channel_info") or rng.random() > 0.05
        }
    if isinstance(value, list):
        return [mutate(item, rng, depth + 1) for item in value] * rng.choice([1, 1, 1, 3])
    if depth < 2 or rng.random() > 0.3:
        return value
    if isinstance(value, str):
        return rng.choice(ODD_STRINGS)
    if isinstance(value, bool) or value is None:
        return rng.choice([None, True, "yes", 0])
    if isinstance(value, int | float):
        return rng.choice(ODD_NUMBERS)
    return value


async def fuzz(
    client: GatewayClient, token: str, channel_id: int, refnum: str, sku: str, seed: int
) -> Counter[int]:
    rng = random.Random(seed)
    statuses: Counter[int] = Counter()
    for _ in range(CALLS):
        action = rng.choice(sorted(ACTIONS))
        text = json.dumps(sample_request(action, auth_key=token, channel_id=channel_id))
        body = json.loads(text.replace("VERIFY-ORDER-1", refnum).replace("VERIFY-SKU-1", sku))
        body = mutate(body, rng)
        body["integration_auth_token"] = token
        body["channel_info"] = {"id": channel_id}
        answer: Answer = await client.call(action, body)
        statuses[answer.status] += 1
        assert b"Traceback" not in answer.body
        assert answer.status in (200, 422, 503), (action, answer.status, body, answer.body[:400])
        if answer.status == 503:
            assert "Retry-After" in answer.headers
    return statuses


async def test_woocommerce_takes_odd_values_without_a_5xx(
    gateway: GatewayFactory, woocommerce: FakeWooCommerce
) -> None:
    order = woocommerce.add_order([(woocommerce.add_product("W1", price=9.5), 3)])
    client = await gateway(gateway_config(woocommerce.base_url, request_timeout=2.0))
    statuses = await fuzz(client, WOO_CHANNEL_TOKEN, WOO_CHANNEL_ID, str(order["id"]), "W1", 3)
    assert statuses[200] >= CALLS // 4, statuses


async def test_shopify_takes_odd_values_without_a_5xx(
    aiohttp_client: Any, aiohttp_server: Any
) -> None:
    if not schema_file().is_file():
        pytest.skip(f"Shopify's schema not found at {schema_file()}: Shopify tests need it")
    fake = FakeShopify(bucket_size=100_000, restore_rate=100_000)
    fake.shop.add_product("S1", ["S1"])
    order = fake.shop.add_order([("S1", 3, "9.50")], financial_status="authorized")
    server: TestServer = await aiohttp_server(fake.app, host="127.0.0.1")
    client = GatewayClient(await gateway_client(aiohttp_client, server, request_timeout=2.0))
    statuses = await fuzz(client, SHOPIFY_CHANNEL_TOKEN, SHOPIFY_CHANNEL_ID, str(order.id), "S1", 4)
    assert statuses[200] >= CALLS // 4, statuses


async def test_shopify_refuses_an_impossible_return_quantity_itself(
    aiohttp_client: Any, aiohttp_server: Any
) -> None:
    if not schema_file().is_file():
        pytest.skip(f"Shopify's schema not found at {schema_file()}: Shopify tests need it")
    fake = FakeShopify()
    order = fake.shop.add_order([("S1", 3, "9.50")])
    server: TestServer = await aiohttp_server(fake.app, host="127.0.0.1")
    client = GatewayClient(await gateway_client(aiohttp_client, server))
    body = sample_request(
        "order_returned", auth_key=SHOPIFY_CHANNEL_TOKEN, channel_id=SHOPIFY_CHANNEL_ID
    )
    body["order"] = {"channel_order_refnum": str(order.id)}
    body["return"] = {
        "retailops_return_id": 5,
        "refund_amt": 1,
        "items": [{"channel_item_refnum": str(order.lines[0].id), "quantity": 2**31}],
    }
    answer = await client.call("order_returned", body)
    assert answer.status == 200
    assert [e["event_type"] for e in answer.json()["events"]] == ["error"]
    assert fake.rejected == [], "the adapter sent Shopify a document it refuses"
