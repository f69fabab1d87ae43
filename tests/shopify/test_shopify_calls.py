"""The 11 calls end to end: RetailOps -> gateway -> Shopify adapter -> fake Shopify."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.contract import ACTIONS
from gateway.verification import verify_channel
from tests.shopify.fake_shop import gid
from tests.shopify.fake_shopify import FakeShopify
from tests.shopify.gateway_support import AUTH_TOKEN, CHANNEL_ID, call, codes, gateway_client


@pytest.fixture
async def gateway(aiohttp_client: Any, shop_server: TestServer) -> TestClient:
    return await gateway_client(aiohttp_client, shop_server)


FEED = {
    "products": [
        {
            "sku": "TEE",
            "title": "Tee",
            "price": 20,
            "tags": ["summer"],
            "variants": [
                {"sku": "TEE-S", "options": {"Size": "S"}},
                {"sku": "TEE-M", "options": {"Size": "M"}, "price": 22},
            ],
        },
        {"sku": "MUG", "title": "Mug", "price": 8.5},
        {"title": "no sku"},
    ]
}


async def test_catalog_get_config(gateway: TestClient) -> None:
    assert await call(gateway, "catalog_get_config") == {"sku_fanout": "no_fanout"}


async def test_catalog_push_creates_then_updates_in_place(
    gateway: TestClient, fake: FakeShopify
) -> None:
    answer = await call(gateway, "catalog_push", template_output=FEED)
    assert codes(answer) == ["INVALID_PRODUCT"]
    shop = fake.shop
    assert sorted(p.title for p in shop.products.values()) == ["Mug", "Tee"]
    tee_variants = {
        shop.variants[i].sku: shop.variants[i]
        for i in shop.variants_by_sku["TEE-S"] + shop.variants_by_sku["TEE-M"]
    }
    assert tee_variants["TEE-M"].price == "22.00"
    assert shop.stock("TEE-S") == 0  # new variants are stocked at the location
    before = {sku: list(ids) for sku, ids in shop.variants_by_sku.items()}

    changed = {"products": [{**FEED["products"][0], "title": "Tee v2"}]}
    assert codes(await call(gateway, "catalog_push", template_output=changed)) == []
    # Same product, same variants (and so the same inventory items): updated, not duplicated.
    assert len(shop.products) == 2
    assert shop.variants_by_sku == before
    assert "Tee v2" in {p.title for p in shop.products.values()}


async def test_catalog_push_reports_shopify_refusals_per_sku(
    gateway: TestClient, fake: FakeShopify
) -> None:
    product = fake.shop.add_product("Other", ["OTHER-1"])
    feed = {"products": [{"sku": "X", "title": "X", "variants": [{"sku": "OTHER-1"}]}]}
    # OTHER-1 exists on another product: the update goes to that product and keeps it.
    answer = await call(gateway, "catalog_push", template_output=feed)
    assert codes(answer) == []
    assert fake.shop.products[product.id].title == "X"


async def test_inventory_push_sets_stock_and_names_unknown_skus(
    gateway: TestClient, fake: FakeShopify
) -> None:
    fake.shop.add_product("Tee", ["TEE-S", "TEE-M"])
    answer = await call(
        gateway,
        "inventory_push",
        inventory_updates=[
            {"sku": "TEE-S", "quantity_available": 7},
            {"sku": "TEE-M", "quantity_available": 0},
            {"sku": "GHOST", "quantity_available": 3},
        ],
    )
    assert answer["events"] == [
        {
            "event_type": "error",
            "code": "UNKNOWN_SKU",
            "message": "SKU GHOST is not in the Shopify shop.",
            "associations": [{"identifier_type": "sku_number", "identifier": "GHOST"}],
        }
    ]
    assert fake.shop.stock("TEE-S") == 7
    assert fake.shop.stock("TEE-M") == 0


async def test_inventory_push_batches_250_per_call(gateway: TestClient, fake: FakeShopify) -> None:
    skus = [f"SKU-{n:04d}" for n in range(600)]
    for sku in skus:
        fake.shop.add_product(sku, [sku])
    updates = [{"sku": sku, "quantity_available": n} for n, sku in enumerate(skus)]
    assert codes(await call(gateway, "inventory_push", inventory_updates=updates)) == []
    assert fake.requests["InventoryItemsBySku"] == 3
    assert fake.requests["InventorySet"] == 3
    assert [fake.shop.stock(sku) for sku in skus] == list(range(600))
    # The SKU cache is per process: the next push needs no look-up.
    await call(gateway, "inventory_push", inventory_updates=updates[:10])
    assert fake.requests["InventoryItemsBySku"] == 3


async def test_order_pull_maps_the_order(gateway: TestClient, fake: FakeShopify) -> None:
    order = fake.shop.add_order([("TEE-S", 2, "10.00"), ("MUG", 1, "8.50")])
    order.tags = {"vip"}
    order.tax = order.discounts = order.shipping_price
    fake.shop.add_order([("TEE-S", 1, "10.00")], financial_status="pending")  # not pulled
    answer = await call(gateway, "order_pull")
    assert answer["next_page_token"] == ""
    [pulled] = answer["orders"]
    assert pulled["channel_order_refnum"] == str(order.id)
    assert pulled["ship_service_code"] == "STANDARD"
    assert pulled["currency_code"] == "USD"
    assert pulled["shipping_address"]["country_match"] == "US"
    assert pulled["billing_address"]["state_match"] == "IL"
    assert pulled["currency_values"] == {"shipping_amt": 5.0, "tax_amt": 5.0, "discount_amt": 5.0}
    assert [
        (i["sku"], i["quantity"], i["currency_values"]["unit_price"]) for i in pulled["order_items"]
    ] == [("TEE-S", 2, 10.0), ("MUG", 1, 8.5)]
    assert pulled["order_items"][0]["channel_item_refnum"] == str(order.lines[0].id)
    assert pulled["payment_transactions"] == [
        {
            "payment_processing_type": "channel_payment",
            "transaction_type": "charge",
            "payment_type": "shopify_payments",
            "amount": 33.5,
        }
    ]
    assert pulled["customer_info"]["email_address"] == "buyer@example.com"
    assert pulled["tags"] == ["vip"]


async def test_order_pull_fetches_every_line_item_of_a_long_order(
    gateway: TestClient, fake: FakeShopify
) -> None:
    order = fake.shop.add_order([(f"SKU-{n}", 1, "1.00") for n in range(23)])
    [pulled] = (await call(gateway, "order_pull"))["orders"]
    assert [i["sku"] for i in pulled["order_items"]] == [line.sku for line in order.lines]
    assert fake.requests["OrderLineItems"] == 1


async def test_specific_orders_whatever_their_state(gateway: TestClient, fake: FakeShopify) -> None:
    done = fake.shop.add_order([("A", 1, "1.00")])
    done.tags = {"retailops-imported"}
    done.closed = True
    answer = await call(
        gateway,
        "order_pull",
        specific_orders=[
            {"channel_refnum": str(done.id)},
            {"channel_refnum": "999999"},
            {"channel_refnum": "#1001"},
        ],
    )
    assert [o["channel_order_refnum"] for o in answer["orders"]] == [str(done.id)]
    assert codes(answer) == ["UNKNOWN_ORDER", "UNKNOWN_ORDER"]


async def test_order_acknowledge_tags_many_orders_in_one_request(
    gateway: TestClient, fake: FakeShopify
) -> None:
    orders = [fake.shop.add_order([("A", 1, "1.00")]) for _ in range(60)]
    refs = [{"channel_order_refnum": str(o.id)} for o in orders] + [
        {"channel_order_refnum": "424242"},
        {"channel_order_refnum": "not-an-id"},
    ]
    answer = await call(gateway, "order_acknowledge", orders=refs)
    assert sorted(codes(answer)) == ["ACKNOWLEDGE_FAILED", "UNKNOWN_ORDER"]
    assert all("retailops-imported" in o.tags for o in orders)
    assert fake.requests["TagOrders"] == 2  # 61 ids, 50 a request
    assert (await call(gateway, "order_pull"))["orders"] == []


async def test_order_update_changes_and_removes_items(
    gateway: TestClient, fake: FakeShopify
) -> None:
    order = fake.shop.add_order([("A", 3, "1.00"), ("B", 2, "2.00"), ("C", 1, "3.00")])
    a, _, c = order.lines
    answer = await call(
        gateway,
        "order_update",
        order={
            "channel_order_refnum": str(order.id),
            "order_items": [
                {"channel_item_refnum": str(a.id), "order_item_id": 1, "quantity": 1},
                {"sku": "B", "order_item_id": 2, "quantity": 2, "removed": "true"},
                {"channel_item_refnum": str(c.id), "order_item_id": 3, "quantity": 1},
                {"sku": "NOT-THERE", "order_item_id": 4, "quantity": 1},
            ],
        },
    )
    assert [(x.quantity) for x in order.lines] == [1, 0, 1]
    assert codes(answer) == ["RMAS_NOT_APPLIED", "UNKNOWN_ITEM"]  # the example's rmas
    assert answer["line_items"][:3] == [
        {"order_item_id": 1, "refnum": str(a.id), "quantity": 1},
        {"order_item_id": 2, "refnum": "B", "quantity": 0},
        {"order_item_id": 3, "refnum": str(c.id), "quantity": 1},
    ]
    assert fake.shop.applied["orderEditCommit"] == 1
    # Sent again: quantities already match, no edit is opened.
    await call(
        gateway,
        "order_update",
        rmas=[],
        order={
            "channel_order_refnum": str(order.id),
            "order_items": [{"channel_item_refnum": str(a.id), "order_item_id": 1, "quantity": 1}],
        },
    )
    assert fake.requests["OrderEditBegin"] == 1


async def test_order_cancel(gateway: TestClient, fake: FakeShopify) -> None:
    order = fake.shop.add_order([("A", 1, "1.00")])
    ref = {"channel_order_refnum": str(order.id)}
    assert await call(gateway, "order_cancel", order=ref) == {"events": [], "status": "success"}
    assert order.cancelled_at is not None
    assert order.financial_status == "refunded"  # cancel_refund: true, the default
    again = await call(gateway, "order_cancel", order=ref)
    assert again["status"] == "success" and codes(again) == ["ALREADY_CANCELLED"]
    assert fake.shop.applied["orderCancel"] == 1
    unknown = await call(gateway, "order_cancel", order={"channel_order_refnum": "77"})
    assert unknown["status"] == "fail" and codes(unknown) == ["UNKNOWN_ORDER"]


async def test_order_cancel_refused_by_shopify_is_a_fail(
    gateway: TestClient, fake: FakeShopify
) -> None:
    order = fake.shop.add_order([("A", 1, "1.00")])
    order.fulfillments.append({"id": gid("Fulfillment", 1), "numbers": []})
    answer = await call(gateway, "order_cancel", order={"channel_order_refnum": str(order.id)})
    assert answer["status"] == "fail" and codes(answer) == ["CANCEL_REJECTED"]
    assert answer["events"][0]["associations"] == [
        {"identifier_type": "order_refnum", "identifier": str(order.id)}
    ]


def shipment(
    order_id: int, shipment_id: int, packages: list[tuple[str, list[tuple[str, int]]]]
) -> dict[str, Any]:
    return {
        "channel_order_refnum": str(order_id),
        "shipment": {
            "retailops_shipment_id": shipment_id,
            "packages": [
                {
                    "tracking_number": tracking,
                    "carrier_name": "UPS",
                    "package_items": [
                        {"channel_item_refnum": refnum, "quantity": qty} for refnum, qty in items
                    ],
                }
                for tracking, items in packages
            ],
        },
    }


async def test_shipment_partial_then_rest_and_resent(
    gateway: TestClient, fake: FakeShopify
) -> None:
    order = fake.shop.add_order([("A", 3, "1.00"), ("B", 1, "2.00")])
    a, b = (str(line.id) for line in order.lines)
    first = shipment(order.id, 501, [("1Z001", [(a, 2)])])
    assert codes(await call(gateway, "order_shipment_submit", **first)) == []
    assert [line.fulfilled for line in order.lines] == [2, 0]
    rest = shipment(order.id, 502, [("1Z002", [(a, 1)]), ("1Z003", [(b, 1)])])
    assert codes(await call(gateway, "order_shipment_submit", **rest)) == []
    assert [line.fulfilled for line in order.lines] == [3, 1]
    assert [f["numbers"] for f in order.fulfillments] == [["1Z001"], ["1Z002"], ["1Z003"]]
    assert json.loads(order.metafields[("retailops", "shipments")][1]) == ["501", "502"]

    again = await call(gateway, "order_shipment_submit", **rest)
    assert codes(again) == ["SHIPMENT_ALREADY_RECORDED"]
    assert fake.shop.applied["fulfillmentCreate"] == 3


async def test_shipment_of_more_than_ordered_is_an_item_error(
    gateway: TestClient, fake: FakeShopify
) -> None:
    order = fake.shop.add_order([("A", 1, "1.00")])
    a = str(order.lines[0].id)
    answer = await call(
        gateway, "order_shipment_submit", **shipment(order.id, 9, [("T1", [(a, 2), ("12345", 1)])])
    )
    assert codes(answer) == ["ITEM_NOT_SHIPPABLE", "ITEM_NOT_SHIPPABLE"]
    assert answer["events"][1]["associations"] == [
        {"identifier_type": "order_refnum", "identifier": str(order.id)},
        {"identifier_type": "orderitem_refnum", "identifier": "12345"},
    ]
    # What could be shipped was; the shipment is not recorded, so a corrected re-send works.
    assert order.lines[0].fulfilled == 1
    assert ("retailops", "shipments") not in order.metafields


async def test_order_complete_policy_for_unshipped_items(
    aiohttp_client: Any, shop_server: TestServer, gateway: TestClient, fake: FakeShopify
) -> None:
    order = fake.shop.add_order([("A", 2, "1.00")])
    unshipped = {
        "channel_order_refnum": str(order.id),
        "unshipped_items": [{"sku": "A", "ordered_quantity": 2, "unshipped_quantity": 1}],
    }
    refused = await call(gateway, "order_complete", order=unshipped)
    assert refused["status"] == "fail" and codes(refused) == ["UNSHIPPED_ITEMS"]
    assert not order.closed

    closing = await gateway_client(aiohttp_client, shop_server, unshipped_items="close")
    closed = await call(closing, "order_complete", order=unshipped)
    assert closed["status"] == "success" and codes(closed) == ["UNSHIPPED_ITEMS"]
    assert closed["events"][0]["event_type"] == "warning"
    assert order.closed
    again = await call(gateway, "order_complete", order={"channel_order_refnum": str(order.id)})
    assert again["status"] == "success" and codes(again) == ["ALREADY_CLOSED"]
    assert fake.shop.applied["orderClose"] == 1


async def test_settle_payment_captures_the_authorisation_once(
    gateway: TestClient, fake: FakeShopify
) -> None:
    order = fake.shop.add_order([("A", 2, "10.00")], financial_status="authorized")
    ref = {"order": {"channel_order_refnum": str(order.id)}}
    assert codes(await call(gateway, "order_settle_payment", **ref)) == []
    captures = [t for t in order.transactions if t.kind == "CAPTURE"]
    assert [str(t.amount) for t in captures] == ["25.00"]
    assert codes(await call(gateway, "order_settle_payment", **ref)) == ["NOTHING_TO_CAPTURE"]
    assert fake.shop.applied["orderCapture"] == 1


async def test_order_returned_refunds_once_per_return_id(
    gateway: TestClient, fake: FakeShopify
) -> None:
    fake.shop.add_product("A", ["A"])
    order = fake.shop.add_order([("A", 2, "10.00")])
    location = fake.shop.locations[0]["id"]
    item = fake.shop.variants[fake.shop.variants_by_sku["A"][0]].inventory_item_id
    fake.shop.inventory[(item, location)] = 5
    returned = {
        "order": {"channel_order_refnum": str(order.id)},
        "return": {
            "retailops_return_id": 87,
            "refund_amt": 10,
            "items": [{"channel_item_refnum": str(order.lines[0].id), "sku": "A", "quantity": 1}],
        },
    }
    assert codes(await call(gateway, "order_returned", **returned)) == []
    assert [str(t.amount) for t in order.transactions if t.kind == "REFUND"] == ["10.00"]
    assert order.lines[0].refunded == 1
    assert fake.shop.inventory[(item, location)] == 6  # restocked at the configured location
    assert codes(await call(gateway, "order_returned", **returned)) == []
    assert fake.shop.applied["refundCreate"] == 1
    assert len([t for t in order.transactions if t.kind == "REFUND"]) == 1

    other = {
        **returned,
        "return": {
            **returned["return"],
            "retailops_return_id": 88,
            "items": [{"sku": "A", "quantity": 5}],
        },
    }
    refused = await call(gateway, "order_returned", **other)
    # More than the line still holds: refused by the adapter, Shopify is not asked.
    assert codes(refused) == ["ITEM_NOT_REFUNDABLE"]
    assert "5 returned but the line holds 1" in refused["events"][0]["message"]
    assert fake.shop.applied["refundCreate"] == 1


async def test_verify_passes_and_changes_nothing(gateway: TestClient, fake: FakeShopify) -> None:
    fake.shop.add_order([("A", 1, "1.00")])
    checks = await verify_channel(
        str(gateway.make_url("")).rstrip("/"),
        ACTIONS.values(),
        auth_key=AUTH_TOKEN,
        channel_id=CHANNEL_ID,
    )
    assert [c.line() for c in checks if not c.passed] == []
    assert len(checks) == 11
    assert not fake.shop.applied  # the samples name orders and SKUs the shop does not have


async def test_sku_look_up_pages_when_variants_share_skus(
    gateway: TestClient, fake: FakeShopify
) -> None:
    skus = [f"D{n}" for n in range(250)]
    for copy in range(2):  # every SKU on two variants: 500 variants for 250 SKUs
        fake.shop.add_product(f"copy {copy}", skus)
    updates = [{"sku": sku, "quantity_available": 2} for sku in skus]
    assert codes(await call(gateway, "inventory_push", inventory_updates=updates)) == []
    assert fake.requests["InventoryItemsBySku"] == 2
    assert all(fake.shop.stock(sku) == 2 for sku in skus)
