"""The 11 calls end to end: RetailOps -> gateway -> WooCommerce adapter -> fake store.

Every 200 answer is checked against the contract by the gateway client
(strict response model and both official schemas).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.app import create_app
from gateway.contract import ACTIONS
from gateway.verification import verify_channel
from tests.woocommerce.conftest import (
    CHANNEL_ID,
    TOKEN,
    WooGatewayFactory,
    codes,
    gateway_config,
)
from tests.woocommerce.fake_woocommerce import CAPTURE_NAMESPACE, FakeWooCommerce


def feed(*products: dict[str, Any]) -> dict[str, Any]:
    return {"template_output": {"products": list(products)}}


TEE = {
    "sku": "TEE",
    "title": "Tee",
    "price": 20,
    "variants": [
        {"sku": "TEE-S", "options": {"Size": "S"}},
        {"sku": "TEE-M", "options": {"Size": "M"}, "price": 22},
    ],
}
MUG = {"sku": "MUG", "title": "Mug", "price": 8.5, "compare_at_price": 10, "weight_kg": 0.4}


async def test_catalog_get_config(woo_gateway: WooGatewayFactory) -> None:
    gw = await woo_gateway(sku_fanout="related_skus")
    assert await gw.ok("catalog_get_config") == {"sku_fanout": "related_skus"}


async def test_catalog_push_creates_then_updates_by_sku(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    gw = await woo_gateway()
    assert codes(await gw.ok("catalog_push", **feed(TEE, MUG))) == []
    by_sku = {p["sku"]: p for p in fake.products.values()}
    assert set(by_sku) == {"TEE", "TEE-S", "TEE-M", "MUG"}
    assert by_sku["TEE"]["type"] == "variable"
    assert by_sku["TEE-M"]["parent_id"] == by_sku["TEE"]["id"]
    assert by_sku["TEE-M"]["regular_price"] == "22.00"
    assert (by_sku["MUG"]["regular_price"], by_sku["MUG"]["sale_price"]) == ("10.00", "8.50")
    assert by_sku["MUG"]["weight"] == "0.4"
    # One look-up, one products batch, one variations batch.
    assert fake.count("POST", "/products/batch") == 1
    assert fake.count("POST", "/products/{id}/variations/batch") == 1

    renamed = {**MUG, "title": "Big mug"}
    assert codes(await gw.ok("catalog_push", **feed(TEE, renamed))) == []
    assert len(fake.products) == 4, "a second push updates, it creates nothing"
    assert {p["name"] for p in fake.products.values() if p["sku"] == "MUG"} == {"Big mug"}


async def test_catalog_push_item_errors_name_their_sku(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    fake.refused_skus["BAD"] = ("woocommerce_rest_invalid_product", "Invalid product data.")
    gw = await woo_gateway()
    body = await gw.ok(
        "catalog_push", **feed(MUG, {"sku": "BAD", "title": "Bad"}, {"title": "no sku"})
    )
    events = {e["code"]: e for e in body["events"]}
    assert set(events) == {"woocommerce_rest_invalid_product", "INVALID_PRODUCT"}
    assert events["woocommerce_rest_invalid_product"]["associations"] == [
        {"identifier_type": "sku_number", "identifier": "BAD"}
    ]
    assert [p["sku"] for p in fake.products.values()] == ["MUG"]


async def test_inventory_push_sets_managed_stock_and_reports_unknown_skus(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG")
    tee = fake.add_product("TEE", variable=True)
    small = fake.add_variation(tee, "TEE-S", options={"Size": "S"})
    gw = await woo_gateway()
    body = await gw.ok(
        "inventory_push",
        inventory_updates=[
            {"sku": "MUG", "quantity_available": 7},
            {"sku": "TEE-S", "quantity_available": 0},
            {"sku": "NOPE", "quantity_available": 3},
        ],
    )
    assert codes(body) == ["UNKNOWN_SKU"]
    assert body["events"][0]["associations"] == [
        {"identifier_type": "sku_number", "identifier": "NOPE"}
    ]
    assert (mug["manage_stock"], mug["stock_quantity"]) == (True, 7)
    assert (small["manage_stock"], small["stock_quantity"], small["stock_status"]) == (
        True,
        0,
        "outofstock",
    )
    assert fake.count("POST", "/products/batch") == 1
    assert fake.count("POST", "/products/{id}/variations/batch") == 1

    # The SKUs are cached: a second push looks nothing up again but the unknown one.
    lookups = fake.count("GET", "/products")
    await gw.ok("inventory_push", inventory_updates=[{"sku": "MUG", "quantity_available": 9}])
    assert fake.count("GET", "/products") == lookups
    assert mug["stock_quantity"] == 9


async def test_order_pull_maps_the_order_in_full(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG", price=8.5)
    order = fake.add_order([(mug, 2)])
    fake.add_order([(mug, 1)], status="completed")  # not in the pulled statuses
    gw = await woo_gateway()
    body = await gw.ok("order_pull", page_token="")
    assert body["next_page_token"] == ""
    [pulled] = body["orders"]
    assert pulled["channel_order_refnum"] == str(order["id"])
    assert pulled["currency_code"] == "USD"
    assert pulled["ship_service_code"] == "flat_rate"
    assert pulled["shipping_address"]["city"] == "San Francisco"
    assert pulled["customer_info"]["email_address"] == "john.doe@example.com"
    [item] = pulled["order_items"]
    assert (item["sku"], item["quantity"], item["currency_values"]["unit_price"]) == (
        "MUG",
        2,
        8.5,
    )
    [payment] = pulled["payment_transactions"]
    assert (payment["transaction_type"], payment["amount"]) == ("charge", float(order["total"]))


async def test_order_pull_specific_orders_whatever_their_state(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG")
    done = fake.add_order([(mug, 1)], status="completed")
    gw = await woo_gateway()
    body = await gw.ok(
        "order_pull",
        specific_orders=[{"channel_refnum": str(done["id"])}, {"channel_refnum": "424242"}],
    )
    assert [o["channel_order_refnum"] for o in body["orders"]] == [str(done["id"])]
    assert codes(body) == ["UNKNOWN_ORDER"]
    assert body["next_page_token"] == ""


async def test_order_acknowledge_writes_order_meta_in_one_batch(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG")
    orders = [fake.add_order([(mug, 1)]) for _ in range(3)]
    gw = await woo_gateway()
    body = await gw.ok(
        "order_acknowledge",
        orders=[
            {"channel_order_refnum": str(o["id"]), "retailops_order_id": 90 + n}
            for n, o in enumerate(orders)
        ]
        + [{"channel_order_refnum": "not-a-number"}],
    )
    assert codes(body) == ["UNKNOWN_ORDER"]
    assert fake.count("POST", "/orders/batch") == 1
    assert [m["value"] for o in orders for m in o["meta_data"]] == ["90", "91", "92"]
    assert (await gw.ok("order_pull", page_token=""))["orders"] == []


async def test_order_update_changes_and_removes_line_items(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug, cap = fake.add_product("MUG", price=5), fake.add_product("CAP", price=3)
    order = fake.add_order([(mug, 2), (cap, 1)])
    mug_line, cap_line = (str(line["id"]) for line in order["line_items"])
    gw = await woo_gateway()
    update = {
        "channel_order_refnum": str(order["id"]),
        "order_items": [
            {"channel_item_refnum": mug_line, "order_item_id": 1, "quantity": 3},
            {"channel_item_refnum": cap_line, "order_item_id": 2, "removed": "true"},
            {"channel_item_refnum": "999", "order_item_id": 3, "quantity": 1},
        ],
    }
    body = await gw.ok("order_update", order=update)
    assert codes(body) == ["UNKNOWN_ORDER_ITEM"]
    assert body["line_items"] == [
        {"order_item_id": 1, "refnum": mug_line, "quantity": 3},
        {"order_item_id": 2, "refnum": cap_line, "quantity": 0},
    ]
    assert [(line["sku"], line["quantity"]) for line in order["line_items"]] == [("MUG", 3)]
    assert order["total"] == "25.00"  # 3 x 5 + 10 shipping

    again = await gw.ok("order_update", order=update)
    assert again == body, "sent again, the same answer"
    assert [(line["sku"], line["quantity"]) for line in order["line_items"]] == [("MUG", 3)]


async def test_order_cancel(woo_gateway: WooGatewayFactory, fake: FakeWooCommerce) -> None:
    mug = fake.add_product("MUG")
    open_order = fake.add_order([(mug, 1)])
    done = fake.add_order([(mug, 1)], status="completed")
    gw = await woo_gateway()

    body = await gw.ok("order_cancel", order={"channel_order_refnum": str(open_order["id"])})
    assert (body["status"], open_order["status"]) == ("success", "cancelled")

    body = await gw.ok("order_cancel", order={"channel_order_refnum": str(done["id"])})
    assert (body["status"], codes(body), done["status"]) == (
        "fail",
        ["ORDER_STATUS_FORBIDS"],
        "completed",
    )
    body = await gw.ok("order_cancel", order={"channel_order_refnum": "31337"})
    assert (body["status"], codes(body)) == ("fail", ["UNKNOWN_ORDER"])


async def test_order_complete(woo_gateway: WooGatewayFactory, fake: FakeWooCommerce) -> None:
    mug = fake.add_product("MUG")
    order = fake.add_order([(mug, 1)])
    gw = await woo_gateway()
    body = await gw.ok("order_complete", order={"channel_order_refnum": str(order["id"])})
    assert (body["status"], order["status"]) == ("success", "completed")
    puts = fake.count("PUT", "/orders/{id}")
    again = await gw.ok("order_complete", order={"channel_order_refnum": str(order["id"])})
    assert (again["status"], codes(again)) == ("success", ["ALREADY_DONE"])
    assert fake.count("PUT", "/orders/{id}") == puts


SHIPMENT = {
    "retailops_shipment_id": 501,
    "packages": [
        {
            "carrier_name": "UPS",
            "carrier_class_name": "Ground",
            "tracking_number": "1Z999",
            "date_shipped": "2024-05-01T10:00:00Z",
            "package_items": [{"sku": "MUG", "quantity": 1}],
        }
    ],
}


async def test_order_shipment_submit_once_per_shipment_id(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG")
    order = fake.add_order([(mug, 1)])
    gw = await woo_gateway(
        tracking={"customer_visible_note": True, "shipment_tracking_extension": True}
    )
    refnum = str(order["id"])
    assert (
        codes(await gw.ok("order_shipment_submit", channel_order_refnum=refnum, shipment=SHIPMENT))
        == []
    )
    [note] = fake.notes[order["id"]]
    assert "1Z999" in note["note"] and "UPS Ground" in note["note"]
    assert note["customer_note"] is True
    assert [t["tracking_number"] for t in fake.trackings[order["id"]]] == ["1Z999"]

    writes = fake.writes()
    again = await gw.ok("order_shipment_submit", channel_order_refnum=refnum, shipment=SHIPMENT)
    assert codes(again) == ["SHIPMENT_ALREADY_RECORDED"]
    assert fake.writes() == writes
    assert len(fake.notes[order["id"]]) == 1 and len(fake.trackings[order["id"]]) == 1


async def test_order_settle_payment_policies(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG")
    unpaid = fake.add_order([(mug, 1)], status="on-hold", paid=False)
    payment = {"payment_transactions": [{"amount": 20.0, "transaction_type": "auth"}]}
    ref = {"channel_order_refnum": str(unpaid["id"])}

    none = await (await woo_gateway()).ok("order_settle_payment", order=ref, payment=payment)
    assert codes(none) == ["SETTLE_POLICY_NONE"]
    assert unpaid["date_paid"] is None

    marker = await woo_gateway(settle={"policy": "mark_paid"})
    assert codes(await marker.ok("order_settle_payment", order=ref, payment=payment)) == [
        "PAYMENT_MARKED_PAID"
    ]
    assert unpaid["date_paid"] is not None and unpaid["status"] == "processing"


async def test_order_settle_payment_capture_happens_once(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG")
    order = fake.add_order([(mug, 1)], paid=False)
    gw = await woo_gateway(
        settle={
            "policy": "capture_endpoint",
            "capture_namespace": CAPTURE_NAMESPACE,
            "capture_path": "orders/{order_id}/capture",
        }
    )
    ref = {"channel_order_refnum": str(order["id"])}
    payment = {"payment_transactions": [{"amount": 20.0}]}
    assert codes(await gw.ok("order_settle_payment", order=ref, payment=payment)) == [
        "PAYMENT_CAPTURED"
    ]
    writes = fake.writes()
    again = await gw.ok("order_settle_payment", order=ref, payment=payment)
    assert codes(again) == ["PAYMENT_ALREADY_SETTLED"]
    assert fake.captures[order["id"]] == 1 and fake.writes() == writes


RETURN = {
    "retailops_return_id": 77,
    "refund_amt": 5.0,
    "items": [{"sku": "MUG", "quantity": 1, "credit_amt": 5.0}],
}


async def test_order_returned_refunds_once_per_return_id(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG", price=5)
    mug["manage_stock"], mug["stock_quantity"] = True, 3
    order = fake.add_order([(mug, 2)])
    gw = await woo_gateway()
    ref = {"channel_order_refnum": str(order["id"])}
    body = await gw.ok("order_returned", order=ref, **{"return": RETURN})
    assert codes(body) == ["REFUNDED"]
    [refund] = fake.refunds[order["id"]]
    assert (refund["amount"], refund["refunded_payment"]) == ("5.00", False)
    assert mug["stock_quantity"] == 4, "api_restock puts the returned item back"

    writes = fake.writes()
    again = await gw.ok("order_returned", order=ref, **{"return": RETURN})
    assert codes(again) == ["RETURN_ALREADY_RECORDED"]
    assert len(fake.refunds[order["id"]]) == 1 and fake.writes() == writes


async def test_order_returned_with_api_refund_and_a_refused_amount(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG", price=5)
    order = fake.add_order([(mug, 1)])
    gw = await woo_gateway(refunds={"api_refund": True})
    ref = {"channel_order_refnum": str(order["id"])}
    body = await gw.ok("order_returned", order=ref, **{"return": RETURN})
    assert fake.refunds[order["id"]][0]["refunded_payment"] is True
    assert "through the payment gateway" in body["events"][0]["message"]

    too_much = {**RETURN, "retailops_return_id": 78, "refund_amt": 500.0}
    body = await gw.ok("order_returned", order=ref, **{"return": too_much})
    assert codes(body) == ["woocommerce_rest_cannot_create_order_refund"]
    assert len(fake.refunds[order["id"]]) == 1


async def test_verify_passes_all_11_calls_and_writes_nothing_to_the_store(
    aiohttp_server: Callable[[web.Application], Awaitable[TestServer]],
    store: TestServer,
    fake: FakeWooCommerce,
) -> None:
    fake.add_order([(fake.add_product("MUG"), 1)])
    server = await aiohttp_server(create_app(gateway_config(fake.base_url)))
    checks = await verify_channel(
        str(server.make_url("/")), ACTIONS.values(), auth_key=TOKEN, channel_id=CHANNEL_ID
    )
    assert [c.line() for c in checks if not c.passed] == []
    assert len(checks) == 11
    assert fake.writes() == 0, "the verifier's samples name no real order or SKU"
