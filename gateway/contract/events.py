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
    **identifiers: str | int | None,
) -> Event:
    """Build an event with one association per keyword.

    ``make_event("error", "UNKNOWN_SKU", "...", sku_number="A1")``

    Keywords whose value is None are skipped, so callers can pass optional ids as they are.
    """
    associations = [
        Association(identifier_type=kind, identifier=str(value))  # type: ignore[arg-type]
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
