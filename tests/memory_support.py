"""Helpers for the memory adapter's tests: typed requests, checked answers, seeded orders."""

from __future__ import annotations

import json
from typing import Any

from adapters.memory import MemoryAdapter, MemorySettings
from adapters.memory_store import StoredItem, StoredOrder, StoredPayment
from gateway.contract import ACTIONS, Event, ResponseModel, dump_response
from gateway.contract import requests as rq
from gateway.contract import responses as rs
from tests.conftest import check_contract

ENVELOPE = {"version": 1, "client_id": 497, "channel_info": {"id": 21}}


def request(action: str, **fields: Any) -> rq.BaseRequest:
    """The typed request of ``action``, built through its request model."""
    return ACTIONS[action].request.model_validate({**ENVELOPE, "action": action, **fields})


async def call(adapter: MemoryAdapter, action: str, **fields: Any) -> Any:
    """Call ``action`` on the adapter and check the answer: its response model, re-read
    strictly from the serialised body, and both official schemas when present."""
    answer: ResponseModel = await getattr(adapter, action)(request(action, **fields))
    assert type(answer) is ACTIONS[action].response
    check_contract(action, dump_response(answer))
    return answer


def body(answer: ResponseModel) -> Any:
    """The answer as RetailOps reads it."""
    return json.loads(dump_response(answer))


def codes(answer: Any) -> list[str]:
    return [event.code for event in answer.events or []]


def associations(event: Event) -> dict[str, str]:
    return {a.identifier_type: a.identifier for a in event.associations or []}


def only_event(answer: Any, code: str) -> Event:
    """The single event of the answer, which must have ``code``."""
    assert codes(answer) == [code], body(answer)
    event: Event = answer.events[0]
    return event


def seeded_order(
    refnum: str, *lines: tuple[str, int, float], authorised: float = 0.0
) -> StoredOrder:
    """An order with lines ``(sku, quantity, unit_price)`` refnums 1, 2, ..., paid by one
    authorisation (of the lines' total unless ``authorised`` is given)."""
    items = [
        StoredItem(refnum=str(n), sku=sku, quantity=quantity, unit_price=price)
        for n, (sku, quantity, price) in enumerate(lines, start=1)
    ]
    amount = authorised or round(sum(q * p for _, q, p in lines), 2)
    return StoredOrder(
        refnum=refnum,
        items=items,
        payments=(StoredPayment("channel_payment", "auth", "Visa", amount),),
    )


def adapter_with(*orders: StoredOrder, page_size: int = 50) -> MemoryAdapter:
    adapter = MemoryAdapter(MemorySettings(page_size=page_size))
    for order in orders:
        adapter.store.add_order(order)
    return adapter


def pulled_refnums(answer: rs.OrderPullResponse) -> list[str]:
    return [order.channel_order_refnum for order in answer.orders]
