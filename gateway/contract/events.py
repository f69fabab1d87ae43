"""Response events: how per-item problems travel back to RetailOps inside a 200 answer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from gateway.contract.base import ResponseModel

EventType = Literal["error", "warning", "info"]
IdentifierType = Literal[
    "order_id",
    "order_refnum",
    "orderitem_id",
    "orderitem_refnum",
    "shipment_id",
    "shipmentitem_id",
    "product_id",
    "sku_number",
]


class Association(ResponseModel):
    identifier_type: IdentifierType
    identifier: str


class Event(ResponseModel):
    event_type: EventType
    code: str
    message: str
    diagnostic_data: str | None = None
    associations: list[Association] | None = None


def make_event(
    event_type: EventType,
    code: str,
    message: str,
    *,
    diagnostic_data: str | None = None,
    order_id: str | int | None = None,
    order_refnum: str | None = None,
    orderitem_id: str | int | None = None,
    orderitem_refnum: str | None = None,
    shipment_id: str | int | None = None,
    shipmentitem_id: str | int | None = None,
    product_id: str | int | None = None,
    sku_number: str | None = None,
) -> Event:
    """Build an event with one association per identifier given.

    ``make_event("error", "UNKNOWN_SKU", "...", sku_number="A1")``. Identifiers
    left as None are skipped, so callers can pass optional ids as they are.
    """
    identifiers: dict[IdentifierType, str | int | None] = {
        "order_id": order_id,
        "order_refnum": order_refnum,
        "orderitem_id": orderitem_id,
        "orderitem_refnum": orderitem_refnum,
        "shipment_id": shipment_id,
        "shipmentitem_id": shipmentitem_id,
        "product_id": product_id,
        "sku_number": sku_number,
    }
    associations = [
        Association(identifier_type=kind, identifier=str(value))
        for kind, value in identifiers.items()
        if value is not None
    ]
    return Event(
        event_type=event_type,
        code=code,
        message=message,
        diagnostic_data=diagnostic_data,
        associations=associations or None,
    )


class EventsResponse(ResponseModel):
    """An answer whose only content is a list of events."""

    events: list[Event] = Field(default_factory=list)
