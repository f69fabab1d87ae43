"""A misbehaving store: every injected fault recovered without loss or duplication,
other refusals never retried, and a store that stays down answered with 503."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.woocommerce import WooCommerceAdapter
from adapters.woocommerce.client import WooCommerceError
from gateway.upstream import RetryableError
from tests.conftest import CapturedLogs
from tests.woocommerce.conftest import KEY, SECRET, AdapterFactory, WooGatewayFactory, codes
from tests.woocommerce.fake_woocommerce import FakeWooCommerce

# (kind, options): each is a fault the store gives once, then it behaves.
FAULTS: dict[str, dict[str, Any]] = {
    "429 with Retry-After": {"kind": "status", "status": 429, "retry_after": "1"},
    "500": {"kind": "status", "status": 500},
    "503": {"kind": "status", "status": 503},
    "slow answer past the timeout": {"kind": "slow", "delay": 0.8},
    "connection dropped": {"kind": "drop"},
    "connection dropped after the change": {"kind": "drop_after"},
}
fault_cases = pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())


@fault_cases
async def test_stock_push_recovers(
    fault: dict[str, Any], woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    mug = fake.add_product("MUG")
    gw = await woo_gateway()
    fake.inject(**fault, method="POST", path="/products/batch")
    body = await gw.ok(
        "inventory_push", inventory_updates=[{"sku": "MUG", "quantity_available": 4}]
    )
    await fake.quiet()
    assert body["events"] == []
    assert mug["stock_quantity"] == 4
    assert fake.count("POST", "/products/batch") == 2, "the faulted call, then one retry"


@fault_cases
async def test_catalog_push_recovers_without_duplicates(
    fault: dict[str, Any], woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    gw = await woo_gateway()
    fake.inject(**fault, method="POST", path="/products/batch")
    products = [{"sku": f"SKU-{n}", "title": f"Product {n}", "price": n} for n in range(1, 6)]
    body = await gw.ok("catalog_push", template_output={"products": products})
    await fake.quiet()
    assert body["events"] == []
    assert sorted(p["sku"] for p in fake.products.values()) == [f"SKU-{n}" for n in range(1, 6)]


@fault_cases
async def test_shipment_recovers_with_one_note(
    fault: dict[str, Any], woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    order = fake.add_order([(fake.add_product("MUG"), 1)])
    gw = await woo_gateway()
    fake.inject(**fault, method="POST", path="/notes")
    shipment = {"retailops_shipment_id": 9, "packages": [{"tracking_number": "T1"}]}
    refnum = str(order["id"])
    body = await gw.ok("order_shipment_submit", channel_order_refnum=refnum, shipment=shipment)
    await fake.quiet()
    assert body["events"] == []
    assert len(fake.notes[order["id"]]) == 1
    # Sent again (RetailOps did not see the first answer): still one note.
    again = await gw.ok("order_shipment_submit", channel_order_refnum=refnum, shipment=shipment)
    assert codes(again) == ["SHIPMENT_ALREADY_RECORDED"]
    assert len(fake.notes[order["id"]]) == 1


@fault_cases
async def test_refund_recovers_with_one_refund(
    fault: dict[str, Any], woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    order = fake.add_order([(fake.add_product("MUG", price=5), 2)])
    gw = await woo_gateway()
    fake.inject(**fault, method="POST", path="/refunds")
    ret = {"retailops_return_id": 12, "refund_amt": 5.0}
    body = await gw.ok(
        "order_returned", order={"channel_order_refnum": str(order["id"])}, **{"return": ret}
    )
    await fake.quiet()
    assert codes(body) == ["REFUNDED"]
    assert [r["amount"] for r in fake.refunds[order["id"]]] == ["5.00"]


async def test_an_answer_lost_after_recording_a_shipment_leaves_one_note(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    order = fake.add_order([(fake.add_product("MUG"), 1)])
    gw = await woo_gateway()
    # The order meta write fails every time: RetailOps gets 503 and sends the shipment again.
    fake.inject("status", status=503, method="PUT", path=f"/orders/{order['id']}", times=4)
    shipment = {"retailops_shipment_id": 10, "packages": [{"tracking_number": "T2"}]}
    refnum = str(order["id"])
    first = await gw.call("order_shipment_submit", channel_order_refnum=refnum, shipment=shipment)
    assert first.status == 503
    body = await gw.ok("order_shipment_submit", channel_order_refnum=refnum, shipment=shipment)
    assert body["events"] == []
    assert len(fake.notes[order["id"]]) == 1, "the note made by the first try is found again"


async def test_a_store_that_stays_down_gives_503_with_retry_after(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    gw = await woo_gateway()
    fake.inject("status", status=503, method="GET", path="/orders", times=100)
    answer = await gw.call("order_pull", page_token="")
    assert answer.status == 503
    assert float(answer.headers["Retry-After"]) >= 7  # retry_after_on_give_up of the tests
    error = answer.json()["error"]
    assert set(error) >= {"code", "message"}
    assert fake.count("GET", "/orders") == 4, "the configured attempts, then it gives up"


async def test_a_refusal_is_never_retried_and_becomes_events(
    make_adapter: AdapterFactory, fake: FakeWooCommerce
) -> None:
    fake.add_product("MUG")
    fake.keys["ck_read_only"] = ("cs_read_only", "read")
    adapter = await make_adapter(consumer_key="ck_read_only", consumer_secret="cs_read_only")
    answer = await adapter.inventory_push(inventory_request([("MUG", 3)]))
    [event] = answer.events
    assert event.code == "woocommerce_rest_authentication_error"
    assert "write permissions" in event.message
    assert fake.count("POST", "/products/batch") == 1


async def test_retry_after_is_read_from_the_answer(
    adapter: WooCommerceAdapter, fake: FakeWooCommerce
) -> None:
    fake.inject("status", status=429, retry_after="3", path="/orders")
    with pytest.raises(RetryableError) as caught:
        await adapter.client.attempt("GET", "orders")
    assert caught.value.retry_after == 3.0


async def test_a_4xx_carries_woocommerces_code_and_message(
    adapter: WooCommerceAdapter, fake: FakeWooCommerce
) -> None:
    with pytest.raises(WooCommerceError) as caught:
        await adapter.client.attempt("GET", "orders", params={"per_page": 101})
    assert (caught.value.status, caught.value.code) == (400, "rest_invalid_param")


async def test_secrets_stay_out_of_errors(
    adapter: WooCommerceAdapter, fake: FakeWooCommerce
) -> None:
    fake.inject("drop", path="/orders")
    with pytest.raises(RetryableError) as caught:
        await adapter.client.attempt("GET", "orders")
    assert "ck_test" not in str(caught.value) and "oauth" not in str(caught.value)


def inventory_request(stock: list[tuple[str, int]]) -> Any:
    from gateway.contract import InventoryPushRequest

    return InventoryPushRequest.model_validate(
        {
            "action": "inventory_push",
            "version": 1,
            "client_id": 1,
            "channel_info": {"id": 1},
            "inventory_updates": [{"sku": s, "quantity_available": q} for s, q in stock],
        }
    )


async def test_a_create_whose_answer_was_lost_becomes_an_update(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    gw = await woo_gateway()
    fake.inject("drop_after", method="POST", path="/products/batch")
    products = [{"sku": "NEW-1", "title": "New", "price": 3}]
    body = await gw.ok("catalog_push", template_output={"products": products})
    assert body["events"] == []
    # The lost create, its retry refused as a duplicate SKU, the look-up, the update.
    assert fake.count("POST", "/products/batch") == 3
    assert fake.count("GET", "/products") == 2
    assert [(p["sku"], p["regular_price"]) for p in fake.products.values()] == [("NEW-1", "3.00")]


async def test_a_sku_deleted_since_it_was_cached_is_looked_up_again(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    old = fake.add_product("MUG")
    gw = await woo_gateway()
    stock = [{"sku": "MUG", "quantity_available": 2}]
    await gw.ok("inventory_push", inventory_updates=stock)
    fake.delete_product(old)  # deleted in the admin, then made again
    new = fake.add_product("MUG")
    refused = await gw.ok("inventory_push", inventory_updates=stock)
    assert codes(refused) == ["woocommerce_rest_product_invalid_id"]
    assert (await gw.ok("inventory_push", inventory_updates=stock))["events"] == []
    assert new["stock_quantity"] == 2


async def test_a_key_that_cannot_read_gets_events_not_errors(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    order = fake.add_order([(fake.add_product("MUG"), 1)])
    secret, _ = fake.keys[KEY]
    fake.keys[KEY] = (secret, "write")
    gw = await woo_gateway()
    pulled = await gw.ok("order_pull", page_token="")
    assert (pulled["orders"], codes(pulled)) == ([], ["woocommerce_rest_authentication_error"])
    stock = await gw.ok(
        "inventory_push", inventory_updates=[{"sku": "MUG", "quantity_available": 1}]
    )
    assert codes(stock) == ["woocommerce_rest_authentication_error"]
    cancel = await gw.ok("order_cancel", order={"channel_order_refnum": str(order["id"])})
    assert (cancel["status"], codes(cancel)) == ("fail", ["woocommerce_rest_authentication_error"])
    assert fake.count("GET", "/orders") == 1, "a refusal is not retried"


async def test_keys_and_signatures_stay_out_of_the_logs(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce, captured_logs: CapturedLogs
) -> None:
    fake.add_product("MUG")
    gw = await woo_gateway()
    fake.inject("drop", path="/products")
    fake.inject("status", status=503, path="/orders", times=100)
    await gw.ok("inventory_push", inventory_updates=[{"sku": "MUG", "quantity_available": 1}])
    assert (await gw.call("order_pull", page_token="")).status == 503
    logged = captured_logs.text
    assert "upstream_retry" in logged and "upstream_gave_up" in logged
    for secret in (KEY, SECRET, "oauth_signature", "oauth_consumer_key"):
        assert secret not in logged
