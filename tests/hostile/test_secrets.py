"""Secrets: the RetailOps token is compared in constant time, and neither it nor the
backends' keys ever appear in a log line or an error answer."""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from gateway import auth
from gateway.config import parse_config
from gateway.contract import ACTIONS
from gateway.samples import sample_request
from tests.conftest import Answer, CapturedLogs, GatewayClient, GatewayFactory
from tests.hostile.live import TOKEN, memory_config
from tests.shopify.fake_shopify import TOKEN as SHOPIFY_TOKEN
from tests.shopify.fake_shopify import FakeShopify, schema_file
from tests.woocommerce.conftest import KEY as WOO_KEY
from tests.woocommerce.conftest import SECRET as WOO_SECRET
from tests.woocommerce.fake_woocommerce import FakeWooCommerce

FAST_RETRY = {
    "attempts": 2,
    "initial_backoff": 0.001,
    "max_backoff": 0.005,
    "total_timeout": 2.0,
    "retry_after_on_give_up": 1.0,
}


def good(action: str, token: str = TOKEN, channel_id: int = 1, **fields: Any) -> dict[str, Any]:
    return {**sample_request(action, auth_key=token, channel_id=channel_id), **fields}


# --- constant time -------------------------------------------------------------------


async def test_the_token_is_compared_with_hmac_compare_digest(
    gateway: GatewayFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await gateway(memory_config())
    compared: list[tuple[bytes, bytes]] = []
    real_compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert (await client.call("order_pull", good("order_pull"))).status == 200
    assert (TOKEN.encode(), TOKEN.encode()) in compared
    compared.clear()
    wrong = "x" * len(TOKEN)
    assert (await client.call("order_pull", good("order_pull", token=wrong))).status == 401
    assert (wrong.encode(), TOKEN.encode()) in compared

    # The decision is compare_digest's: with it saying no, the right token is refused too.
    monkeypatch.setattr(auth.hmac, "compare_digest", lambda a, b: False)
    assert (await client.call("order_pull", good("order_pull"))).status == 401


# --- error answers --------------------------------------------------------------------

TOKEN_IN_THE_WRONG_PLACE: list[dict[str, Any]] = [
    {"integration_auth_token": [TOKEN]},
    {"integration_auth_token": {"token": TOKEN}},
    {"integration_auth_token": TOKEN, "version": TOKEN},
    {"integration_auth_token": TOKEN, "client_id": TOKEN, "channel_info": TOKEN},
    {"integration_auth_token": TOKEN, "inventory_updates": TOKEN},
    {
        "integration_auth_token": TOKEN,
        "inventory_updates": [{"sku": 1, "quantity_available": TOKEN}],
    },
    {"integration_auth_token": TOKEN + "x"},
    {"integration_auth_token": TOKEN[:-1]},
    {"channel_info": {"id": TOKEN}},
]


@pytest.mark.parametrize("fields", TOKEN_IN_THE_WRONG_PLACE)
async def test_refusals_never_echo_the_token(
    gateway: GatewayFactory, fields: dict[str, Any]
) -> None:
    client = await gateway(memory_config(max_body_bytes=4096))
    answer = await client.call("inventory_push", {**good("inventory_push"), **fields})
    assert answer.status in (401, 422), answer.body
    assert TOKEN[:12].encode() not in answer.body
    for other in (
        await client.call("nothing", good("inventory_push"), path="/nothing_v1"),  # 404
        await client.call("inventory_push", good("inventory_push"), method="PUT"),  # 405
        await client.call("inventory_push", {**good("inventory_push"), "pad": "x" * 5000}),  # 413
        await client.call("inventory_push", json.dumps(good("inventory_push")).encode() + b","),
    ):
        assert other.status in (400, 404, 405, 413)
        assert TOKEN[:12].encode() not in other.body


# --- logs, with every adapter, under faults -------------------------------------------


@pytest.fixture
async def shopify() -> AsyncIterator[tuple[FakeShopify, str]]:
    if not schema_file().is_file():
        pytest.skip(f"Shopify's schema not found at {schema_file()}: Shopify tests need it")
    fake = FakeShopify()
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


async def every_call(
    client: GatewayClient, channel_id: int, token: str, refnum: str, sku: str
) -> list[Answer]:
    """Each of the 11 calls with the right token and a wrong one, and a malformed one."""
    answers = []
    for action in ACTIONS:
        body = good(action, token=token, channel_id=channel_id)
        text = json.dumps(body).replace("VERIFY-ORDER-1", refnum).replace("VERIFY-SKU-1", sku)
        answers.append(await client.call(action, text.encode()))
        wrong = good(action, token="wrong-" + token, channel_id=channel_id)
        answers.append(await client.call(action, wrong))
        answers.append(await client.call(action, {**body, "version": token}))
    return answers


async def test_no_secret_in_any_log_line_or_answer(
    gateway: GatewayFactory,
    captured_logs: CapturedLogs,
    woocommerce: FakeWooCommerce,
    shopify: tuple[FakeShopify, str],
) -> None:
    """A run over the memory, WooCommerce and Shopify adapters, with retries, give-ups
    (503) and dropped connections, logged at debug level, standard logging included."""
    shop, shop_url = shopify
    order = woocommerce.add_order([(woocommerce.add_product("W1"), 1)])
    shop_order = shop.shop.add_order([("S1", 1, "1.00")])
    shop.shop.add_product("S1", ["S1"])
    woo_token, shop_token = "woo-gateway-token-77aa0c", "shopify-gateway-token-3e1d9b"
    config = parse_config(
        {
            "logging": {"level": "debug"},
            "channels": [
                {
                    "id": 1,
                    "auth_token": TOKEN,
                    "adapter": "memory",
                    "settings": {"demo": {"enabled": True}},
                },
                {
                    "id": 2,
                    "auth_token": woo_token,
                    "adapter": "woocommerce",
                    "settings": {
                        "store_url": woocommerce.base_url,
                        "consumer_key": "${WOO_KEY}",
                        "consumer_secret": "${WOO_SECRET}",
                        "request_timeout": 0.2,
                        "retry": FAST_RETRY,
                    },
                },
                {
                    "id": 3,
                    "auth_token": shop_token,
                    "adapter": "shopify",
                    "settings": {
                        "shop_domain": "fake-shop.myshopify.com",
                        "access_token": "${SHOPIFY_TOKEN}",
                        "api_base_url": shop_url,
                        "request_timeout": 0.2,
                        "retry": FAST_RETRY,
                    },
                },
            ],
        },
        environ={"WOO_KEY": WOO_KEY, "WOO_SECRET": WOO_SECRET, "SHOPIFY_TOKEN": SHOPIFY_TOKEN},
    )
    client = await gateway(config)

    answers = await every_call(client, 1, TOKEN, "DEMO-0000001", "DEMO-000001-S")
    woocommerce.inject("status", status=503, times=3)  # a give-up: 503
    woocommerce.inject("drop", times=2)
    woocommerce.inject("status", status=401, times=1)
    answers += await every_call(client, 2, woo_token, str(order["id"]), "W1")
    shop.inject("500", count=3)
    shop.inject("drop", count=2)
    answers += await every_call(client, 3, shop_token, str(shop_order.id), "S1")
    assert woocommerce.writes() > 0 and shop.total_requests > 0, "the backends were called"
    statuses = {answer.status for answer in answers}
    assert {200, 401, 422, 503} <= statuses, statuses
    text = captured_logs.text
    assert "upstream_retry" in text and "upstream_gave_up" in text, "faults were logged"
    assert "urllib3" in text or "HTTP/1.1" in text, "standard logging at debug was captured"
    for secret in (TOKEN, woo_token, shop_token, WOO_KEY, WOO_SECRET, SHOPIFY_TOKEN):
        assert secret not in text, f"{secret[:6]}... is in the log"
        for answer in answers:
            assert secret.encode() not in answer.body, (
                secret[:6],
                answer.status,
                answer.body[:300],
            )
