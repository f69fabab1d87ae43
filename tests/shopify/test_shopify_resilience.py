"""Paging, re-sent calls, throttling and injected faults: nothing lost, nothing doubled."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.shopify.conftest import SLOW_TIMEOUT
from tests.shopify.fake_shopify import FakeShopify, LeakyBucket
from tests.shopify.gateway_support import body, call, codes, gateway_client
from tests.shopify.test_shopify_calls import shipment


@pytest.fixture
async def gateway(aiohttp_client: Any, shop_server: TestServer) -> TestClient:
    return await gateway_client(aiohttp_client, shop_server)


async def pull_all(gateway: TestClient, *, acknowledge_every: int = 0) -> list[str]:
    """One pass of order_pull pages; acknowledges every n-th order of each page if asked."""
    seen: list[str] = []
    token = ""
    for _ in range(50):  # 1,000 orders in pages of 100 need 11 pulls at most
        answer = await call(gateway, "order_pull", page_token=token)
        assert len(answer["next_page_token"]) <= 35
        refnums = [order["channel_order_refnum"] for order in answer["orders"]]
        seen += refnums
        if acknowledge_every and refnums:
            chosen = refnums[::acknowledge_every]
            await call(
                gateway, "order_acknowledge", orders=[{"channel_order_refnum": r} for r in chosen]
            )
        token = answer["next_page_token"]
        if not token:
            return seen
    pytest.fail("order_pull never ended its pass")


async def test_paging_through_1000_orders_with_acknowledgements(
    aiohttp_client: Any, shop_server: TestServer, fake: FakeShopify
) -> None:
    orders = [fake.shop.add_order([("A", 1, "1.00")]) for _ in range(1000)]
    gateway = await gateway_client(aiohttp_client, shop_server, page_size=100)
    everyone = [str(order.id) for order in orders]

    first_pass = await pull_all(gateway, acknowledge_every=2)
    assert first_pass == everyone  # oldest first, each once, none lost to acknowledgements
    left = [r for n, r in enumerate(everyone) if n % 2]  # each page acknowledged its 1st, 3rd..
    assert [str(o.id) for o in orders if "retailops-imported" not in o.tags] == left

    assert await pull_all(gateway, acknowledge_every=1) == left
    assert await pull_all(gateway) == []


async def test_unknown_page_token_starts_over_with_a_warning(
    gateway: TestClient, fake: FakeShopify
) -> None:
    order = fake.shop.add_order([("A", 1, "1.00")])
    answer = await call(gateway, "order_pull", page_token="somebody-elses-cursor")
    assert [o["channel_order_refnum"] for o in answer["orders"]] == [str(order.id)]
    assert codes(answer) == ["UNKNOWN_PAGE_TOKEN"]


async def test_resent_inventory_push_is_not_applied_twice(
    gateway: TestClient, fake: FakeShopify
) -> None:
    fake.shop.add_product("A", ["A"])
    push = {"inventory_updates": [{"sku": "A", "quantity_available": 4}]}
    await call(gateway, "inventory_push", **push)
    fake.shop.inventory = {key: 1 for key in fake.shop.inventory}  # sales in between
    await call(gateway, "inventory_push", **push)
    # The same request carries the same @idempotent key: Shopify replays its first answer.
    assert fake.shop.applied["inventorySetQuantities"] == 1
    assert fake.shop.stock("A") == 1
    await call(gateway, "inventory_push", inventory_updates=[{"sku": "A", "quantity_available": 3}])
    assert fake.shop.stock("A") == 3


async def test_throttling_waits_for_the_bucket_without_loss(
    gateway: TestClient, fake: FakeShopify
) -> None:
    fake.bucket = LeakyBucket(size=1100, restore_rate=4000)
    skus = [f"S{n}" for n in range(2000)]
    for sku in skus:
        fake.shop.add_product(sku, [sku])
    updates = [{"sku": sku, "quantity_available": n % 50} for n, sku in enumerate(skus)]
    assert codes(await call(gateway, "inventory_push", inventory_updates=updates)) == []
    assert [fake.shop.stock(sku) for sku in skus] == [n % 50 for n in range(2000)]
    assert fake.shop.applied["inventorySetQuantities"] == 8
    # The client waits for the bucket: only look-ups sent before it knew their cost, 4 at
    # most in flight, may be throttled (without waiting, most of the 16 calls would be).
    assert fake.throttled <= 4
    # Those waits are the gateway's own, counted in its metrics.
    metrics = await (await gateway.get("/metrics")).text()
    waits = re.search(
        r'^retailops_gateway_upstream_throttle_waits_total\{adapter="shopify"\} (\S+)$',
        metrics,
        re.MULTILINE,
    )
    assert waits is not None and float(waits[1]) >= 1


FAULTS = [
    {"kind": "429"},
    {"kind": "500"},
    {"kind": "503"},
    {"kind": "throttled"},
    {"kind": "slow"},
    {"kind": "drop"},
    {"kind": "slow", "after_execute": True},
    {"kind": "drop", "after_execute": True},
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: "-".join(map(str, f.values())))
async def test_stock_push_recovers_from_fault(
    aiohttp_client: Any, shop_server: TestServer, fake: FakeShopify, fault: dict[str, Any]
) -> None:
    gateway = await gateway_client(aiohttp_client, shop_server, request_timeout=SLOW_TIMEOUT)
    skus = [f"S{n}" for n in range(300)]
    for sku in skus:
        fake.shop.add_product(sku, [sku])
    fake.inject(count=2, operation="InventorySet", **fault)
    fake.inject(count=1, operation="InventoryItemsBySku", **fault)
    updates = [{"sku": sku, "quantity_available": 9} for sku in skus]
    assert codes(await call(gateway, "inventory_push", inventory_updates=updates)) == []
    assert all(fake.shop.stock(sku) == 9 for sku in skus)
    assert fake.shop.applied["inventorySetQuantities"] == 2  # two chunks, each applied once
    # Each fault cost one more request (more if a loaded machine misses a timeout too).
    assert fake.requests["InventorySet"] >= 4
    assert not fake.faults


@pytest.mark.parametrize("kind", ["drop", "slow"])
async def test_non_idempotent_writes_are_not_doubled_when_the_answer_is_lost(
    aiohttp_client: Any, shop_server: TestServer, fake: FakeShopify, kind: str
) -> None:
    """Each write takes effect, its answer is lost; the retry re-reads the order first."""
    gateway = await gateway_client(aiohttp_client, shop_server, request_timeout=SLOW_TIMEOUT)
    shop = fake.shop
    for operation in (
        "FulfillmentCreate",
        "OrderCapture",
        "OrderClose",
        "OrderEditCommit",
        "OrderCancel",
        "RefundCreate",
        "TagOrders",
    ):
        fake.inject(kind, operation=operation, after_execute=True)
    paid = shop.add_order([("A", 2, "1.00"), ("B", 1, "1.00")])
    authorised = shop.add_order([("A", 1, "1.00")], financial_status="authorized")
    doomed = shop.add_order([("A", 1, "1.00")])
    a = str(paid.lines[0].id)

    await call(gateway, "order_acknowledge", orders=[{"channel_order_refnum": str(paid.id)}])
    await call(
        gateway,
        "order_update",
        rmas=[],
        order={
            "channel_order_refnum": str(paid.id),
            "order_items": [{"channel_item_refnum": a, "quantity": 1}],
        },
    )
    await call(gateway, "order_shipment_submit", **shipment(paid.id, 7, [("1Z", [(a, 1)])]))
    await call(
        gateway,
        "order_returned",
        order={"channel_order_refnum": str(paid.id)},
        **{
            "return": {
                "retailops_return_id": 5,
                "refund_amt": 1,
                "items": [{"sku": "B", "quantity": 1}],
            }
        },
    )
    await call(gateway, "order_complete", order={"channel_order_refnum": str(paid.id)})
    await call(gateway, "order_settle_payment", order={"channel_order_refnum": str(authorised.id)})
    cancelled = await call(gateway, "order_cancel", order={"channel_order_refnum": str(doomed.id)})

    assert not fake.faults  # every fault was met
    assert cancelled["status"] == "success"
    assert dict(shop.applied) == {
        "tagsAdd": 1,
        "orderEditCommit": 1,
        "fulfillmentCreate": 1,
        "metafieldsSet": 1,
        "refundCreate": 1,
        "orderClose": 1,
        "orderCapture": 1,
        "orderCancel": 1,
    }
    assert [line.quantity for line in paid.lines] == [1, 1]
    assert len(paid.fulfillments) == 1 and paid.closed and doomed.cancelled_at


async def test_a_shop_that_stays_down_gets_503_with_retry_after(
    gateway: TestClient, fake: FakeShopify
) -> None:
    fake.shop.add_product("A", ["A"])
    fake.inject("503", count=100)
    response = await gateway.post(
        "/inventory_push_v1",
        json=body("inventory_push", inventory_updates=[{"sku": "A", "quantity_available": 1}]),
    )
    assert response.status == 503
    assert response.headers["Retry-After"] == "7"
    error = (await response.json())["error"]
    assert error["code"] == "backend_unavailable"
    assert "shpat" not in error["message"]
    assert fake.requests["InventoryItemsBySku"] == 4  # the configured attempts, then none
    assert fake.shop.stock("A") is None


async def test_refused_token_is_an_error_event_not_a_crash(
    aiohttp_client: Any, shop_server: TestServer, fake: FakeShopify
) -> None:
    gateway = await gateway_client(aiohttp_client, shop_server)
    fake.token = "rotated"
    answer = await call(gateway, "order_cancel", order={"channel_order_refnum": "1"})
    assert answer["status"] == "fail" and codes(answer) == ["SHOPIFY_REFUSED"]


async def test_untracked_packages_are_not_doubled_when_answers_are_lost(
    aiohttp_client: Any, shop_server: TestServer, fake: FakeShopify
) -> None:
    """Without tracking numbers the retry recognises the fulfilment by what is left to ship."""
    gateway = await gateway_client(aiohttp_client, shop_server)
    order = fake.shop.add_order([("A", 3, "1.00")])
    a = str(order.lines[0].id)
    fake.inject("drop", count=2, operation="FulfillmentCreate", after_execute=True)
    sent = shipment(order.id, 8, [("", [(a, 1)]), ("", [(a, 1)])])
    assert codes(await call(gateway, "order_shipment_submit", **sent)) == []
    assert not fake.faults
    assert fake.shop.applied["fulfillmentCreate"] == 2
    assert order.lines[0].fulfilled == 2
