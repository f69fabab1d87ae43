"""The pure translations, on WooCommerce's documented records and on plain data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.woocommerce import mapping
from gateway.contract import PAGE_TOKEN_MAX_LENGTH, OrderPullResponse, Return, dump_response
from gateway.contract import WritebackOrderItem as Item
from gateway.feed import FeedProduct
from tests.official_contract import assert_official_response
from tests.woocommerce.fake_woocommerce import template


def documented_order() -> dict[str, Any]:
    order: dict[str, Any] = template("orders__retrieve-an-order__02")
    return order


def test_the_documented_order_maps_to_a_valid_retailops_order() -> None:
    order = mapping.retailops_order(documented_order(), default_ship_service_code="standard")
    assert order.channel_order_refnum == "727"
    assert order.channel_date_created is not None
    assert order.channel_date_created.isoformat() == "2017-03-22T19:28:02+00:00"
    assert (order.currency_code, order.ship_service_code) == ("USD", "flat_rate")
    assert order.billing_address.postal_code == "94103"
    assert order.currency_values is not None and order.currency_values.shipping_amt == 10.0
    items = order.order_items or []
    assert [(i.sku, i.quantity) for i in items] == [(None, 2), ("Bar3", 1)]
    assert items[1].currency_values is not None and items[1].currency_values.unit_price == 12.0
    assert [(o.name, o.value) for o in items[1].options or []] == [
        ("pa_color", "black"),
        ("size", "M Test"),
    ]
    [payment] = order.payment_transactions or []
    assert (payment.transaction_type, payment.amount, payment.payment_type) == (
        "charge",
        29.35,
        "Direct Bank Transfer",
    )
    body = json.loads(dump_response(OrderPullResponse(orders=[order])))
    assert_official_response("order_pull", body)


def test_an_unpaid_order_is_an_authorisation() -> None:
    order = documented_order() | {"date_paid": None, "date_paid_gmt": None}
    mapped = mapping.retailops_order(order, default_ship_service_code="standard")
    assert [p.transaction_type for p in mapped.payment_transactions or []] == ["auth"]


def test_a_virtual_order_ships_to_its_billing_address() -> None:
    order = documented_order()
    order["shipping"] = {key: "" for key in order["shipping"]}
    order["shipping_lines"] = []
    mapped = mapping.retailops_order(order, default_ship_service_code="digital")
    assert mapped.shipping_address.city == "San Francisco"
    assert mapped.ship_service_code == "digital"


def test_a_currency_retailops_does_not_take_is_a_mapping_error() -> None:
    with pytest.raises(mapping.MappingError, match="BRL"):
        mapping.retailops_order(
            documented_order() | {"currency": "BRL"}, default_ship_service_code="x"
        )


def test_pull_positions_fit_the_token_limit_and_read_back() -> None:
    biggest = mapping.PullPosition(99_999_999_999, 10**20 - 1)
    assert len(biggest.token()) <= PAGE_TOKEN_MAX_LENGTH
    position = mapping.PullPosition.of(documented_order())
    assert mapping.PullPosition.from_token(position.token()) == position
    assert position.after_param() == "2017-03-22T19:28:01"
    for junk in ("", "abc", "1.2.3", "12", "-1.5"):
        with pytest.raises(mapping.MappingError):
            mapping.PullPosition.from_token(junk)


def test_sku_look_ups_are_bounded_by_count_and_length() -> None:
    groups = list(mapping.sku_lookup_groups([f"S{n}" for n in range(250)], 100))
    assert [len(g) for g in groups] == [100, 100, 50]
    long_skus = ["X" * 200] * 20
    assert all(len(",".join(g)) <= 1500 for g in mapping.sku_lookup_groups(long_skus, 100))


def test_line_item_changes() -> None:
    order = documented_order()  # line items 315 (no SKU) and 316 (Bar3)
    changes = mapping.line_item_changes(
        order,
        [
            Item(channel_item_refnum="315", order_item_id=1, quantity=5, unit_price=2.5),
            Item(sku="Bar3", order_item_id=2, removed=True),
            Item(channel_item_refnum="999", order_item_id=3, quantity=1),
        ],
    )
    assert changes.line_items == [
        {"id": 315, "quantity": 5, "subtotal": "12.50", "total": "12.50"},
        {"id": 316, "quantity": 0},
    ]
    assert [(w.order_item_id, w.refnum, w.quantity) for w in changes.written_back] == [
        (1, "315", 5),
        (2, "316", 0),
    ]
    assert [u.channel_item_refnum for u in changes.unmatched] == ["999"]


def test_refund_amounts() -> None:
    assert mapping.refund_amount(Return(refund_amt=7.5, product_amt=100)) == 7.5
    credits = Return.model_validate({"items": [{"credit_amt": 2}, {"credit_amt": 3.25}]})
    assert mapping.refund_amount(credits) == 5.25
    parts = Return(product_amt=10, shipping_amt=2, tax_amt=1, discount_amt=0.5)
    assert mapping.refund_amount(parts) == 12.5


def test_refund_line_items_name_the_order_lines() -> None:
    ret = Return.model_validate(
        {
            "items": [
                {"sku": "Bar3", "quantity": 1, "credit_amt": 12},
                {"sku": "nope", "quantity": 1},
            ]
        }
    )
    assert mapping.refund_line_items(documented_order(), ret) == [
        {"id": 316, "quantity": 1, "refund_total": 12.0}
    ]


def test_products_and_variations() -> None:
    simple = FeedProduct(sku="MUG", title="Mug", price=8, compare_at_price=10, status="archived")
    assert mapping.product_payload(simple) == {
        "sku": "MUG",
        "name": "Mug",
        "status": "private",
        "type": "simple",
        "regular_price": "10.00",
        "sale_price": "8.00",
    }
    tee = FeedProduct.model_validate(
        {
            "sku": "TEE",
            "title": "Tee",
            "price": 20,
            "variants": [
                {"sku": "TEE-S-RED", "options": {"Size": "S", "Colour": "Red"}},
                {"sku": "TEE-M-RED", "options": {"Size": "M", "Colour": "Red"}, "price": 22},
            ],
        }
    )
    payload = mapping.product_payload(tee)
    assert payload["type"] == "variable" and "regular_price" not in payload
    assert payload["attributes"] == [
        {"name": "Size", "variation": True, "visible": True, "options": ["S", "M"]},
        {"name": "Colour", "variation": True, "visible": True, "options": ["Red"]},
    ]
    assert mapping.variation_payload(tee, tee.variants[1]) == {
        "sku": "TEE-M-RED",
        "attributes": [{"name": "Size", "option": "M"}, {"name": "Colour", "option": "Red"}],
        "regular_price": "22.00",
        "sale_price": "",
    }


def test_batch_item_errors() -> None:
    answers = template("products__batch-update-products__07")
    assert mapping.batch_item_error(answers["create"][0]) is None
    failed = {
        "id": 0,
        "error": {"code": "product_invalid_sku", "message": "Invalid or duplicated SKU."},
    }
    assert mapping.batch_item_error(failed) == ("product_invalid_sku", "Invalid or duplicated SKU.")


def test_recorded_ids_read_lists_and_single_values() -> None:
    record = {"meta_data": [{"key": "a", "value": [1, "2"]}, {"key": "b", "value": "7"}]}
    assert mapping.recorded_ids(record, "a") == ["1", "2"]
    assert mapping.recorded_ids(record, "b") == ["7"]
    assert mapping.recorded_ids(record, "c") == []
