"""The memory channel's rules for the calls that write back to an order.

Each function takes the store and the typed request parts, changes the store
or not, and returns the contract answer. A call either applies what it can
check or applies nothing: a shipment or return with one bad line is refused
whole, so RetailOps can send it again corrected. Sending the same shipment,
capture or return again changes nothing and says so with an ``info`` event.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Protocol

from adapters.memory_store import (
    MemoryStore,
    RecordedCapture,
    RecordedReturn,
    RecordedShipment,
    ShippedPackage,
    StoredItem,
    StoredOrder,
)
from gateway.contract import Event, make_event
from gateway.contract import requests as rq
from gateway.contract import responses as rs
from gateway.contract.events import EventType

# refund_action values (compared without case or punctuation) that ask the
# channel to refund as store credit rather than to the original payment.
STORE_CREDIT_ACTIONS = frozenset({"storecredit", "channelstorecredit", "credit"})
# Money is compared to the cent.
CENT = 0.005


def unknown_order(
    event_type: EventType, refnum: str | None, retailops_order_id: int | None = None
) -> Event:
    """The event for a call naming an order this channel does not have."""
    named = f"Order {refnum!r}" if refnum is not None else "An order without channel_order_refnum"
    return make_event(
        event_type,
        "UNKNOWN_ORDER",
        f"{named} is not known to this channel.",
        order_refnum=refnum,
        order_id=retailops_order_id,
    )


class _NamesOrder(Protocol):
    """A request part that names an order, the channel's way and RetailOps' way."""

    @property
    def channel_order_refnum(self) -> str | None: ...

    @property
    def retailops_order_id(self) -> int | None: ...


def _not_found(sent: _NamesOrder) -> list[Event]:
    return [unknown_order("error", sent.channel_order_refnum, sent.retailops_order_id)]


def _item_event(
    code: str,
    message: str,
    order: StoredOrder,
    *,
    refnum: str | None,
    sku: str | None,
    shipment_id: int | None = None,
) -> Event:
    """An error about one line of an order."""
    return make_event(
        "error",
        code,
        message,
        order_refnum=order.refnum,
        orderitem_refnum=refnum,
        sku_number=sku,
        shipment_id=shipment_id,
    )


def _unknown_line(
    order: StoredOrder, refnum: str | None, sku: str | None, shipment_id: int | None = None
) -> Event:
    return _item_event(
        "UNKNOWN_ORDER_ITEM",
        f"Order {order.refnum!r} has no line {refnum or sku!r}.",
        order,
        refnum=refnum,
        sku=sku,
        shipment_id=shipment_id,
    )


def _closed(order: StoredOrder, action: str) -> Event:
    return make_event(
        "error",
        "ORDER_CLOSED",
        f"Order {order.refnum!r} is {order.status}; it cannot be {action}.",
        order_refnum=order.refnum,
    )


# --- order_update ----------------------------------------------------------------


def update_order(store: MemoryStore, sent: rq.WritebackOrder) -> rs.OrderUpdateResponse:
    """Apply quantity changes and removed lines; write the changed lines back."""
    order = store.order(sent.channel_order_refnum)
    if order is None:
        return rs.OrderUpdateResponse(events=_not_found(sent))
    if order.status != "open":
        return rs.OrderUpdateResponse(events=[_closed(order, "updated")])
    events: list[Event] = []
    changed: list[StoredItem] = []
    for line in sent.order_items:
        item = order.item(line.channel_item_refnum, line.sku)
        if item is None:
            events.append(_unknown_line(order, line.channel_item_refnum, line.sku))
            continue
        quantity = 0 if line.removed else item.quantity if line.quantity is None else line.quantity
        if quantity < 0 or quantity < item.shipped:
            events.append(
                _item_event(
                    "INVALID_QUANTITY",
                    f"Line {item.refnum!r} cannot go to {quantity}: "
                    f"{item.shipped} already shipped.",
                    order,
                    refnum=item.refnum,
                    sku=item.sku,
                )
            )
            continue
        if item.quantity and quantity != item.quantity:
            # A line discount is per line: it follows the quantity.
            item.discount_amt = round(item.discount_amt * quantity / item.quantity, 2)
        item.quantity = quantity
        item.removed = line.removed
        if line.order_item_id is not None:
            item.retailops_item_id = line.order_item_id
        changed.append(item)
    # A written-back line must name RetailOps' order_item_id, so lines whose
    # id RetailOps never sent are applied but not echoed.
    line_items = [
        rs.WritebackLineItem(
            order_item_id=item.retailops_item_id,
            refnum=item.refnum,
            quantity=item.quantity,
            discount_amt=item.discount_amt,
            ship_amt=item.ship_amt,
            unit_tax=item.unit_tax,
        )
        for item in changed
        if item.retailops_item_id is not None
    ]
    return rs.OrderUpdateResponse(
        events=events,
        line_items=line_items or None,
        values=rs.WritebackValues(
            discount_amt=order.discount_amt,
            shipping_amt=order.shipping_amt,
            tax_amt=order.tax_amt,
        ),
    )


# --- order_cancel and order_complete ---------------------------------------------------


def cancel_order(store: MemoryStore, sent: rq.OrderReference) -> rs.OrderCancelResponse:
    order = store.order(sent.channel_order_refnum)
    if order is None:
        return rs.OrderCancelResponse(status="fail", events=_not_found(sent))
    if order.status == "cancelled":
        event = make_event(
            "info",
            "ALREADY_CANCELLED",
            f"Order {order.refnum!r} was already cancelled.",
            order_refnum=order.refnum,
        )
        return rs.OrderCancelResponse(status="success", events=[event])
    reason = None
    if order.status == "completed":
        reason = "it is completed"
    elif order.shipped_anything:
        reason = "it has been shipped, at least in part"
    if reason is not None:
        event = make_event(
            "error",
            "ORDER_NOT_CANCELLABLE",
            f"Order {order.refnum!r} cannot be cancelled: {reason}.",
            order_refnum=order.refnum,
        )
        return rs.OrderCancelResponse(status="fail", events=[event])
    order.status = "cancelled"
    return rs.OrderCancelResponse(status="success")


def complete_order(store: MemoryStore, sent: rq.WritebackOrder) -> rs.OrderCompleteResponse:
    order = store.order(sent.channel_order_refnum)
    if order is None:
        return rs.OrderCompleteResponse(status="fail", events=_not_found(sent))
    if order.status == "cancelled":
        return rs.OrderCompleteResponse(status="fail", events=[_closed(order, "completed")])
    if order.status == "completed":
        event = make_event(
            "info",
            "ALREADY_COMPLETED",
            f"Order {order.refnum!r} was already completed.",
            order_refnum=order.refnum,
        )
        return rs.OrderCompleteResponse(status="success", events=[event])
    order.status = "completed"
    return rs.OrderCompleteResponse(status="success")


# --- order_shipment_submit ----------------------------------------------------------------


def record_shipment(
    store: MemoryStore, request: rq.OrderShipmentSubmitRequest
) -> rs.OrderShipmentSubmitResponse:
    """Record a (possibly partial) shipment once per retailops_shipment_id."""
    shipment = request.shipment
    shipment_id = shipment.retailops_shipment_id
    order = store.order(request.channel_order_refnum)
    if order is None:
        return rs.OrderShipmentSubmitResponse(events=_not_found(request))
    if shipment_id is None:
        event = make_event(
            "error",
            "MISSING_SHIPMENT_ID",
            "The shipment has no retailops_shipment_id; it was not recorded.",
            order_refnum=order.refnum,
        )
        return rs.OrderShipmentSubmitResponse(events=[event])
    if shipment_id in order.shipments:
        event = make_event(
            "info",
            "DUPLICATE_SHIPMENT",
            f"Shipment {shipment_id} of order {order.refnum!r} was already recorded; "
            "nothing changed.",
            order_refnum=order.refnum,
            shipment_id=shipment_id,
        )
        return rs.OrderShipmentSubmitResponse(events=[event])
    if order.status == "cancelled":
        closed = _closed(order, "shipped")
        return rs.OrderShipmentSubmitResponse(events=[closed])

    events: list[Event] = []
    packages: list[ShippedPackage] = []
    shipping: Counter[str] = Counter()
    for package in shipment.packages:
        contents, problems = _count_lines(
            order,
            [(sent.channel_item_refnum, sent.sku, sent.quantity) for sent in package.package_items],
            shipment_id,
        )
        events += problems
        shipping.update(contents)
        packages.append(
            ShippedPackage(
                tracking_number=package.tracking_number,
                carrier_name=package.carrier_name,
                carrier_class_name=package.carrier_class_name,
                date_shipped=package.date_shipped,
                items=tuple(contents.items()),
            )
        )
    lines = {item.refnum: item for item in order.items}
    for refnum, quantity in shipping.items():
        item = lines[refnum]
        if quantity > item.left_to_ship:
            events.append(
                _item_event(
                    "OVER_SHIPPED",
                    f"Shipment {shipment_id} ships {quantity} of line {refnum!r} "
                    f"but {item.left_to_ship} are left to ship.",
                    order,
                    refnum=refnum,
                    sku=item.sku,
                    shipment_id=shipment_id,
                )
            )
    if not shipping and not events:
        events.append(
            make_event(
                "error",
                "EMPTY_SHIPMENT",
                f"Shipment {shipment_id} of order {order.refnum!r} ships no items.",
                order_refnum=order.refnum,
                shipment_id=shipment_id,
            )
        )
    if events:
        return rs.OrderShipmentSubmitResponse(events=events)
    for refnum, quantity in shipping.items():
        lines[refnum].shipped += quantity
    order.shipments[shipment_id] = RecordedShipment(shipment_id, tuple(packages))
    return rs.OrderShipmentSubmitResponse()


def _count_lines(
    order: StoredOrder,
    sent: list[tuple[str | None, str | None, int | None]],
    shipment_id: int | None = None,
) -> tuple[Counter[str], list[Event]]:
    """Quantities by line refnum of the lines sent as (refnum, sku, quantity) for a
    shipment or return, and an event for each line that is unknown or has no quantity."""
    counts: Counter[str] = Counter()
    events: list[Event] = []
    for refnum, sku, quantity in sent:
        item = order.item(refnum, sku)
        if item is None:
            events.append(_unknown_line(order, refnum, sku, shipment_id))
        elif quantity is None or quantity <= 0:
            events.append(
                _item_event(
                    "INVALID_QUANTITY",
                    f"Line {item.refnum!r}: quantity must be a positive number, got {quantity}.",
                    order,
                    refnum=item.refnum,
                    sku=item.sku,
                    shipment_id=shipment_id,
                )
            )
        else:
            counts[item.refnum] += quantity
    return counts, events


# --- order_settle_payment ---------------------------------------------------------------------


def settle_payment(
    store: MemoryStore, sent: rq.WritebackOrder, payment: rq.Payment
) -> rs.OrderSettlePaymentResponse:
    """Record a capture once per payment series, never beyond what was authorised."""
    order = store.order(sent.channel_order_refnum)
    if order is None:
        return rs.OrderSettlePaymentResponse(events=_not_found(sent))
    series = payment.payment_series_id
    if series in order.captures:
        event = make_event(
            "info",
            "ALREADY_CAPTURED",
            f"Payment series {series} of order {order.refnum!r} was already captured; "
            "nothing changed.",
            order_refnum=order.refnum,
        )
        return rs.OrderSettlePaymentResponse(events=[event])
    if order.status == "cancelled":
        return rs.OrderSettlePaymentResponse(events=[_closed(order, "charged")])
    left = round(order.authorised_amount - order.captured_amount, 2)
    amounts = [t.amount for t in payment.payment_transactions if t.amount is not None]
    # No amount sent: capture whatever is left of the authorisation.
    amount = round(sum(amounts), 2) if amounts else left
    if amount <= 0 or amount > left + CENT:
        event = make_event(
            "error",
            "INVALID_CAPTURE_AMOUNT",
            f"Capture of {amount} on order {order.refnum!r} refused: "
            f"{left} is left of what was authorised.",
            order_refnum=order.refnum,
        )
        return rs.OrderSettlePaymentResponse(events=[event])
    order.captures[series] = RecordedCapture(series, amount, payment.currency_code)
    return rs.OrderSettlePaymentResponse()


# --- order_returned -----------------------------------------------------------------------------


def record_return(
    store: MemoryStore, sent: rq.WritebackOrder, refund: rq.Return
) -> rs.OrderReturnedResponse:
    """Record a return once per retailops_return_id; answer the store credit it gave."""
    order = store.order(sent.channel_order_refnum)
    if order is None:
        return rs.OrderReturnedResponse(events=_not_found(sent))
    return_id = refund.retailops_return_id
    if return_id is None:
        event = make_event(
            "error",
            "MISSING_RETURN_ID",
            "The return has no retailops_return_id; it was not recorded.",
            order_refnum=order.refnum,
        )
        return rs.OrderReturnedResponse(events=[event])
    recorded = order.returns.get(return_id)
    if recorded is not None:
        event = make_event(
            "info",
            "DUPLICATE_RETURN",
            f"Return {return_id} of order {order.refnum!r} was already recorded; nothing changed.",
            order_refnum=order.refnum,
        )
        return rs.OrderReturnedResponse(events=[event], return_=_credit(recorded))
    if refund.refund_amt is not None and refund.refund_amt < 0:
        event = make_event(
            "error",
            "INVALID_REFUND_AMOUNT",
            f"Return {return_id} of order {order.refnum!r} refunds a negative amount "
            f"({refund.refund_amt}); it was not recorded.",
            order_refnum=order.refnum,
        )
        return rs.OrderReturnedResponse(events=[event])

    returning, events = _count_lines(
        order, [(sent.channel_item_refnum, sent.sku, sent.quantity) for sent in refund.items]
    )
    lines = {item.refnum: item for item in order.items}
    for refnum, quantity in returning.items():
        item = lines[refnum]
        # Bounded by what was ordered, not shipped: RetailOps also refunds lines
        # that left by another way (advisory or in-store items).
        returnable = item.quantity - item.returned
        if quantity > returnable:
            events.append(
                _item_event(
                    "RETURN_EXCEEDS_ORDERED",
                    f"Return {return_id} takes back {quantity} of line {refnum!r} "
                    f"but {returnable} were ordered and not yet returned.",
                    order,
                    refnum=refnum,
                    sku=item.sku,
                )
            )
    if events:
        return rs.OrderReturnedResponse(events=events)
    for refnum, quantity in returning.items():
        lines[refnum].returned += quantity
    recorded = RecordedReturn(
        return_id=return_id,
        items=tuple(returning.items()),
        refund_amt=refund.refund_amt,
        refund_action=refund.refund_action,
        store_credit_amount=_store_credit(refund),
    )
    order.returns[return_id] = recorded
    return rs.OrderReturnedResponse(return_=_credit(recorded))


def _store_credit(refund: rq.Return) -> float | None:
    action = re.sub(r"[^a-z]", "", (refund.refund_action or "").lower())
    if action not in STORE_CREDIT_ACTIONS:
        return None
    if refund.refund_amt is not None:
        return refund.refund_amt
    return round(sum(item.credit_amt or 0.0 for item in refund.items), 2)


def _credit(recorded: RecordedReturn) -> rs.ReturnCredit | None:
    if recorded.store_credit_amount is None:
        return None
    return rs.ReturnCredit(channel_store_credit_amount=recorded.store_credit_amount)
