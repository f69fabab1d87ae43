"""What the jsonshop adapter does beyond the conformance suite's rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from gateway import BackendUnavailable
from gateway.contract import requests as rq

from retailops_jsonshop import JsonShopAdapter
from retailops_jsonshop.mapping import decode_page_token, encode_page_token, order_id

ENVELOPE = {"action": "test", "version": 1, "client_id": 1, "channel_info": {"id": 1}}


@pytest.fixture
async def adapter(shop: Any) -> AsyncIterator[JsonShopAdapter]:
    started = JsonShopAdapter(shop.settings())
    await started.start()
    yield started
    await started.close()


def _order(shop: Any, **changes: Any) -> int:
    shop.fake.add_product("MUG", "Mug", 10)
    return int(
        shop.fake.add_order(
            customer_name="Ada Lovelace",
            email="ada@example.com",
            lines=[("MUG", 2, 12.5)],
            **changes,
        )
    )


def _shipment(refnum: str, *items: dict[str, Any]) -> rq.OrderShipmentSubmitRequest:
    return rq.OrderShipmentSubmitRequest.model_validate(
        {
            **ENVELOPE,
            "channel_order_refnum": refnum,
            "shipment": {
                "retailops_shipment_id": 9,
                "packages": [{"tracking_number": "T1", "package_items": list(items)}],
            },
        }
    )


def test_page_tokens_are_short_positions() -> None:
    token = encode_page_token(10**17)
    assert len(token) <= 35
    assert decode_page_token(token) == 10**17
    assert decode_page_token("") == 0
    assert decode_page_token("cursor:abc") is None
    assert order_id("1001") == 1001
    assert order_id("#1001") is None


async def test_an_order_that_does_not_map_is_an_event_not_a_failed_page(
    shop: Any, adapter: JsonShopAdapter
) -> None:
    good = _order(shop)
    odd = _order(shop, currency="XYZ")
    answer = await adapter.order_pull(rq.OrderPullRequest.model_validate(ENVELOPE))
    assert [o.channel_order_refnum for o in answer.orders] == [str(good)]
    assert answer.events is not None
    [event] = answer.events
    assert (event.code, event.associations[0].identifier) == ("UNMAPPABLE_ORDER", str(odd))  # type: ignore[index]


async def test_a_shipment_naming_an_item_the_order_lacks_records_nothing(
    shop: Any, adapter: JsonShopAdapter
) -> None:
    refnum = str(_order(shop))
    answer = await adapter.order_shipment_submit(
        _shipment(refnum, {"sku": "MUG", "quantity": 1}, {"sku": "NOT-ORDERED", "quantity": 1})
    )
    assert [(e.code, e.event_type) for e in answer.events] == [("UNKNOWN_ITEM", "error")]
    identifiers = {(a.identifier_type, a.identifier) for a in answer.events[0].associations or []}
    assert {("order_refnum", refnum), ("sku_number", "NOT-ORDERED")} <= identifiers
    assert shop.fake.orders[int(refnum)]["shipments"] == []


async def test_a_shipment_recorded_by_a_try_whose_answer_was_lost_counts_as_done(
    shop: Any, adapter: JsonShopAdapter
) -> None:
    refnum = str(_order(shop))
    order = shop.fake.orders[int(refnum)]
    call = adapter.client.call

    async def late_arrival(method: str, path: str, **kwargs: Any) -> Any:
        answer = await call(method, path, **kwargs)
        if method == "GET":
            # An earlier try's post reaches the shop after this read: the next post gets 409.
            order["shipments"].append({"reference": "retailops-9-1", "lines": []})
        return answer

    adapter.client.call = late_arrival  # type: ignore[method-assign]
    answer = await adapter.order_shipment_submit(_shipment(refnum, {"sku": "MUG", "quantity": 1}))
    assert answer.events == []
    assert shop.fake.requests[-1] == f"POST /api/v1/orders/{refnum}/shipments"
    assert [s["reference"] for s in order["shipments"]] == ["retailops-9-1"]


async def test_check_says_what_it_found_and_fails_when_the_shop_is_down(
    shop: Any, adapter: JsonShopAdapter
) -> None:
    _order(shop)
    assert await adapter.check() == ["JSON Shop answered; orders waiting for import: 1"]
    shop.fake.fail_next(10, status=503)
    with pytest.raises(BackendUnavailable):
        await adapter.check()
