"""An order's life on the memory adapter: acknowledge, update, ship, capture, return,
complete, cancel; what re-sending changes (nothing) and how problems are reported."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.memory import MemoryAdapter
from tests.memory_support import (
    adapter_with,
    associations,
    body,
    call,
    codes,
    only_event,
    pulled_refnums,
    seeded_order,
)
from tests.official_contract import official_example

ORDER = "W100"


@pytest.fixture
def adapter() -> MemoryAdapter:
    # Line 1: 3 tees at 20; line 2: 2 mugs at 12.5; authorised 85.
    return adapter_with(seeded_order(ORDER, ("TEE", 3, 20.0), ("MUG", 2, 12.5)))


def shipment(shipment_id: int, *lines: tuple[str, int], tracking: str = "1Z999") -> dict[str, Any]:
    return {
        "channel_order_refnum": ORDER,
        "shipment": {
            "retailops_shipment_id": shipment_id,
            "packages": [
                {
                    "retailops_package_id": shipment_id,
                    "carrier_name": "UPS",
                    "carrier_class_name": "Ground",
                    "tracking_number": tracking,
                    "date_shipped": "2026-01-05T10:00:00Z",
                    "package_items": [
                        {"channel_item_refnum": refnum, "quantity": quantity}
                        for refnum, quantity in lines
                    ],
                }
            ],
        },
    }


def capture(amount: float, series: int | None = 1) -> dict[str, Any]:
    return {
        "order": {"channel_order_refnum": ORDER},
        "payment": {
            "currency_code": "USD",
            "payment_series_id": series,
            "payment_transactions": [
                {
                    "payment_processing_type": "channel_payment",
                    "transaction_type": "auth",
                    "payment_type": "Visa",
                    "amount": amount,
                }
            ],
        },
    }


def refund(return_id: int, *lines: tuple[str, int], action: str = "refund") -> dict[str, Any]:
    return {
        "order": {"channel_order_refnum": ORDER},
        "return": {
            "retailops_return_id": return_id,
            "refund_amt": 20.0,
            "refund_action": action,
            "items": [
                {"channel_item_refnum": refnum, "quantity": quantity, "credit_amt": 20.0}
                for refnum, quantity in lines
            ],
        },
    }


def shipped(adapter: MemoryAdapter) -> dict[str, int]:
    order = adapter.store.order(ORDER)
    assert order is not None
    return {item.refnum: item.shipped for item in order.items}


async def test_the_full_life_of_an_order(adapter: MemoryAdapter) -> None:
    pulled = await call(adapter, "order_pull", page_token="")
    assert pulled_refnums(pulled) == [ORDER]
    ack = await call(
        adapter,
        "order_acknowledge",
        orders=[{"channel_order_refnum": ORDER, "retailops_order_id": 555}],
    )
    assert ack.events == []
    assert pulled_refnums(await call(adapter, "order_pull", page_token="")) == []

    update = await call(
        adapter,
        "order_update",
        order={
            "channel_order_refnum": ORDER,
            "order_items": [
                {"channel_item_refnum": "1", "order_item_id": 71, "quantity": 2},
                {"channel_item_refnum": "2", "order_item_id": 72, "removed": "true"},
            ],
        },
    )
    assert update.events == []
    assert body(update)["line_items"] == [
        {"order_item_id": 71, "refnum": "1", "quantity": 2, "discount_amt": 0.0,
         "ship_amt": 0.0, "unit_tax": 0.0},
        {"order_item_id": 72, "refnum": "2", "quantity": 0, "discount_amt": 0.0,
         "ship_amt": 0.0, "unit_tax": 0.0},
    ]  # fmt: skip
    again = await call(adapter, "order_pull", specific_orders=[{"channel_refnum": ORDER}])
    [order] = again.orders
    assert [(i.channel_item_refnum, i.quantity) for i in order.order_items or []] == [("1", 2)]

    first = await call(adapter, "order_shipment_submit", **shipment(9001, ("1", 1)))
    assert first.events == []
    second = await call(
        adapter, "order_shipment_submit", **shipment(9002, ("1", 1), tracking="1Z2")
    )
    assert second.events == []
    assert shipped(adapter) == {"1": 2, "2": 0}
    stored = adapter.store.order(ORDER)
    assert stored is not None
    assert [s.packages[0].tracking_number for s in stored.shipments.values()] == ["1Z999", "1Z2"]

    assert (await call(adapter, "order_settle_payment", **capture(40.0))).events == []
    returned = await call(adapter, "order_returned", **refund(31, ("1", 1)))
    assert returned.events == []
    assert "return" not in body(returned)  # a plain refund gives no store credit

    complete = await call(adapter, "order_complete", order={"channel_order_refnum": ORDER})
    assert (complete.status, complete.events) == ("success", [])
    assert stored.status == "completed"
    assert stored.retailops_order_id == 555
    assert [c.amount for c in stored.captures.values()] == [40.0]
    assert list(stored.returns) == [31]


# --- acknowledge ------------------------------------------------------------------


async def test_acknowledging_an_unknown_order_is_a_warning_naming_it(
    adapter: MemoryAdapter,
) -> None:
    answer = await call(
        adapter,
        "order_acknowledge",
        orders=[
            {"channel_order_refnum": "NOPE", "retailops_order_id": 9},
            {"channel_order_refnum": ORDER},
        ],
    )
    event = only_event(answer, "UNKNOWN_ORDER")
    assert event.event_type == "warning"
    assert associations(event) == {"order_refnum": "NOPE", "order_id": "9"}
    assert adapter.store.unacknowledged_count == 0


async def test_acknowledging_twice_is_an_info(adapter: MemoryAdapter) -> None:
    ack = {"orders": [{"channel_order_refnum": ORDER}]}
    await call(adapter, "order_acknowledge", **ack)
    event = only_event(await call(adapter, "order_acknowledge", **ack), "ALREADY_ACKNOWLEDGED")
    assert event.event_type == "info"


# --- update -----------------------------------------------------------------------


async def test_update_rejects_unknown_lines_and_quantities_below_what_shipped(
    adapter: MemoryAdapter,
) -> None:
    await call(adapter, "order_shipment_submit", **shipment(1, ("1", 2)))
    answer = await call(
        adapter,
        "order_update",
        order={
            "channel_order_refnum": ORDER,
            "order_items": [
                {"channel_item_refnum": "7", "sku": "GHOST", "quantity": 1},
                {"channel_item_refnum": "1", "order_item_id": 71, "quantity": 1},
                {"sku": "MUG", "order_item_id": 72, "quantity": 5},
            ],
        },
    )
    assert codes(answer) == ["UNKNOWN_ORDER_ITEM", "INVALID_QUANTITY"]
    assert associations(answer.events[0]) == {
        "order_refnum": ORDER,
        "orderitem_refnum": "7",
        "sku_number": "GHOST",
    }
    assert associations(answer.events[1]) == {
        "order_refnum": ORDER,
        "orderitem_refnum": "1",
        "sku_number": "TEE",
    }
    # The mug line, found by its SKU, was applied and written back; the tee line was not.
    assert [(li.refnum, li.quantity) for li in answer.line_items or []] == [("2", 5)]
    order = adapter.store.order(ORDER)
    assert order is not None
    assert [item.quantity for item in order.items] == [3, 5]


async def test_update_scales_a_line_discount_with_its_quantity() -> None:
    order = seeded_order("D1", ("TEE", 4, 20.0))
    order.items[0].discount_amt = 8.0
    adapter = adapter_with(order)
    answer = await call(
        adapter,
        "order_update",
        order={
            "channel_order_refnum": "D1",
            "order_items": [{"channel_item_refnum": "1", "order_item_id": 5, "quantity": 1}],
        },
    )
    assert [(li.quantity, li.discount_amt) for li in answer.line_items or []] == [(1, 2.0)]


async def test_a_line_whose_retailops_id_is_unknown_is_applied_but_not_written_back(
    adapter: MemoryAdapter,
) -> None:
    answer = await call(
        adapter,
        "order_update",
        order={"channel_order_refnum": ORDER, "order_items": [{"sku": "TEE", "quantity": 1}]},
    )
    assert answer.events == []
    assert answer.line_items is None
    order = adapter.store.order(ORDER)
    assert order is not None and order.items[0].quantity == 1


async def test_a_cancelled_order_cannot_be_updated(adapter: MemoryAdapter) -> None:
    await call(adapter, "order_cancel", order={"channel_order_refnum": ORDER})
    answer = await call(
        adapter,
        "order_update",
        order={"channel_order_refnum": ORDER, "order_items": [{"sku": "TEE", "quantity": 1}]},
    )
    assert only_event(answer, "ORDER_CLOSED").event_type == "error"


# --- cancel and complete ------------------------------------------------------------


async def test_cancel_then_cancel_again_succeeds_with_an_info(adapter: MemoryAdapter) -> None:
    first = await call(adapter, "order_cancel", order={"channel_order_refnum": ORDER})
    assert (first.status, first.events) == ("success", [])
    second = await call(adapter, "order_cancel", order={"channel_order_refnum": ORDER})
    assert second.status == "success"
    assert only_event(second, "ALREADY_CANCELLED").event_type == "info"
    # Not yet acknowledged, so offered again, flagged as cancelled.
    [offered] = (await call(adapter, "order_pull", page_token="")).orders
    assert offered.cancel is True


@pytest.mark.parametrize("how", ["shipped", "completed"])
async def test_a_shipped_or_completed_order_cannot_be_cancelled(
    adapter: MemoryAdapter, how: str
) -> None:
    if how == "shipped":
        await call(adapter, "order_shipment_submit", **shipment(1, ("2", 1)))
    else:
        await call(adapter, "order_complete", order={"channel_order_refnum": ORDER})
    answer = await call(adapter, "order_cancel", order={"channel_order_refnum": ORDER})
    assert answer.status == "fail"
    event = only_event(answer, "ORDER_NOT_CANCELLABLE")
    assert how in event.message
    assert associations(event) == {"order_refnum": ORDER}
    order = adapter.store.order(ORDER)
    assert order is not None and order.status != "cancelled"


async def test_complete_twice_is_an_info_and_a_cancelled_order_does_not_complete(
    adapter: MemoryAdapter,
) -> None:
    ref = {"order": {"channel_order_refnum": ORDER}}
    assert (await call(adapter, "order_complete", **ref)).status == "success"
    again = await call(adapter, "order_complete", **ref)
    assert again.status == "success"
    assert only_event(again, "ALREADY_COMPLETED").event_type == "info"

    other = adapter_with(seeded_order("C1", ("TEE", 1, 1.0)))
    await call(other, "order_cancel", order={"channel_order_refnum": "C1"})
    refused = await call(other, "order_complete", order={"channel_order_refnum": "C1"})
    assert refused.status == "fail"
    assert codes(refused) == ["ORDER_CLOSED"]


# --- unknown orders, for every write-back call ----------------------------------------

UNKNOWN_ORDER_REQUESTS: dict[str, dict[str, Any]] = {
    "order_update": {"order": {"channel_order_refnum": "NOPE", "retailops_order_id": 4}},
    "order_cancel": {"order": {"channel_order_refnum": "NOPE", "retailops_order_id": 4}},
    "order_complete": {"order": {"channel_order_refnum": "NOPE", "retailops_order_id": 4}},
    "order_shipment_submit": {
        "channel_order_refnum": "NOPE",
        "retailops_order_id": 4,
        "shipment": {"retailops_shipment_id": 1},
    },
    "order_settle_payment": {"order": {"channel_order_refnum": "NOPE", "retailops_order_id": 4}},
    "order_returned": {
        "order": {"channel_order_refnum": "NOPE", "retailops_order_id": 4},
        "return": {"retailops_return_id": 1},
    },
}


@pytest.mark.parametrize("action", sorted(UNKNOWN_ORDER_REQUESTS))
async def test_an_unknown_order_is_an_error_naming_it(adapter: MemoryAdapter, action: str) -> None:
    answer = await call(adapter, action, **UNKNOWN_ORDER_REQUESTS[action])
    event = only_event(answer, "UNKNOWN_ORDER")
    assert event.event_type == "error"
    assert "NOPE" in event.message
    assert associations(event) == {"order_refnum": "NOPE", "order_id": "4"}
    if hasattr(answer, "status"):
        assert answer.status == "fail"


# --- shipments --------------------------------------------------------------------------


async def test_the_same_shipment_sent_again_changes_nothing_and_is_an_info(
    adapter: MemoryAdapter,
) -> None:
    await call(adapter, "order_shipment_submit", **shipment(77, ("1", 2)))
    again = await call(adapter, "order_shipment_submit", **shipment(77, ("1", 2)))
    event = only_event(again, "DUPLICATE_SHIPMENT")
    assert event.event_type == "info"
    assert associations(event) == {"order_refnum": ORDER, "shipment_id": "77"}
    assert shipped(adapter) == {"1": 2, "2": 0}


async def test_shipping_more_than_is_left_records_nothing(adapter: MemoryAdapter) -> None:
    await call(adapter, "order_shipment_submit", **shipment(1, ("1", 2)))
    answer = await call(adapter, "order_shipment_submit", **shipment(2, ("2", 1), ("1", 2)))
    event = only_event(answer, "OVER_SHIPPED")
    assert event.event_type == "error"
    assert associations(event) == {
        "order_refnum": ORDER,
        "orderitem_refnum": "1",
        "sku_number": "TEE",
        "shipment_id": "2",
    }
    # Refused whole: the valid mug line was not recorded either, nor the shipment id.
    assert shipped(adapter) == {"1": 2, "2": 0}
    retry = await call(adapter, "order_shipment_submit", **shipment(2, ("2", 1), ("1", 1)))
    assert retry.events == []
    assert shipped(adapter) == {"1": 3, "2": 1}


async def test_a_shipment_line_that_is_not_in_the_order_is_an_error(
    adapter: MemoryAdapter,
) -> None:
    answer = await call(adapter, "order_shipment_submit", **shipment(3, ("9", 1), ("1", 0)))
    assert codes(answer) == ["UNKNOWN_ORDER_ITEM", "INVALID_QUANTITY"]
    assert associations(answer.events[0]) == {
        "order_refnum": ORDER,
        "orderitem_refnum": "9",
        "shipment_id": "3",
    }
    assert shipped(adapter) == {"1": 0, "2": 0}


async def test_a_removed_line_has_nothing_left_to_ship(adapter: MemoryAdapter) -> None:
    await call(
        adapter,
        "order_update",
        order={"channel_order_refnum": ORDER, "order_items": [{"sku": "MUG", "removed": True}]},
    )
    answer = await call(adapter, "order_shipment_submit", **shipment(4, ("2", 1)))
    assert codes(answer) == ["OVER_SHIPPED"]


async def test_a_cancelled_order_cannot_ship(adapter: MemoryAdapter) -> None:
    await call(adapter, "order_cancel", order={"channel_order_refnum": ORDER})
    answer = await call(adapter, "order_shipment_submit", **shipment(5, ("1", 1)))
    assert codes(answer) == ["ORDER_CLOSED"]
    assert shipped(adapter) == {"1": 0, "2": 0}


# --- payment capture --------------------------------------------------------------------


async def test_a_capture_is_recorded_once(adapter: MemoryAdapter) -> None:
    assert (await call(adapter, "order_settle_payment", **capture(85.0))).events == []
    again = await call(adapter, "order_settle_payment", **capture(85.0))
    event = only_event(again, "ALREADY_CAPTURED")
    assert event.event_type == "info"
    assert associations(event) == {"order_refnum": ORDER}
    order = adapter.store.order(ORDER)
    assert order is not None and order.captured_amount == 85.0


async def test_captures_never_exceed_the_authorisation(adapter: MemoryAdapter) -> None:
    assert (await call(adapter, "order_settle_payment", **capture(60.0, series=1))).events == []
    over = await call(adapter, "order_settle_payment", **capture(30.0, series=2))
    assert only_event(over, "INVALID_CAPTURE_AMOUNT").event_type == "error"
    rest = await call(adapter, "order_settle_payment", **capture(25.0, series=2))
    assert rest.events == []
    order = adapter.store.order(ORDER)
    assert order is not None and order.captured_amount == 85.0


# --- returns ----------------------------------------------------------------------------


async def test_a_return_is_recorded_once_and_store_credit_answered_each_time(
    adapter: MemoryAdapter,
) -> None:
    request = refund(31, ("1", 1), action="Store Credit")
    first = await call(adapter, "order_returned", **request)
    assert first.events == []
    assert body(first)["return"] == {"channel_store_credit_amount": 20.0}
    again = await call(adapter, "order_returned", **request)
    event = only_event(again, "DUPLICATE_RETURN")
    assert event.event_type == "info"
    assert body(again)["return"] == {"channel_store_credit_amount": 20.0}
    order = adapter.store.order(ORDER)
    assert order is not None
    assert [item.returned for item in order.items] == [1, 0]
    assert list(order.returns) == [31]


async def test_returning_more_than_was_ordered_records_nothing(adapter: MemoryAdapter) -> None:
    await call(adapter, "order_returned", **refund(1, ("1", 2)))
    answer = await call(adapter, "order_returned", **refund(2, ("2", 1), ("1", 2)))
    event = only_event(answer, "RETURN_EXCEEDS_ORDERED")
    assert associations(event) == {
        "order_refnum": ORDER,
        "orderitem_refnum": "1",
        "sku_number": "TEE",
    }
    order = adapter.store.order(ORDER)
    assert order is not None
    assert [item.returned for item in order.items] == [2, 0]
    assert list(order.returns) == [1]


async def test_the_official_examples_name_unknown_orders() -> None:
    adapter = adapter_with()
    for action in UNKNOWN_ORDER_REQUESTS:
        example = official_example(action)
        answer = await call(adapter, action, **{k: v for k, v in example.items() if k != "action"})
        assert "UNKNOWN_ORDER" in codes(answer)
