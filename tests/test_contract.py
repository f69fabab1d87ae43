"""The contract models: lenient where the published files disagree, strict on output."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from gateway.adapter import ChannelAdapter
from gateway.contract import (
    ACTIONS,
    UNSUPPORTED_ACTION,
    Address,
    CatalogPushRequest,
    Order,
    OrderPullRequest,
    OrderPullResponse,
    OrderUpdateRequest,
    dump_response,
    make_event,
    unsupported_response,
)
from tests.official_contract import assert_official_response, official_example

BASE = {"action": "x", "version": 1, "client_id": 1, "channel_info": {"id": 2}}


def _order(refnum: str = "1001", **fields: object) -> Order:
    address = Address(first_name="Ada", country_match="US")
    required = {
        "channel_order_refnum": refnum,
        "ship_service_code": "Ground",
        "currency_code": "USD",
        "billing_address": address,
        "shipping_address": address,
    }
    return Order.model_validate({**required, **fields})


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_official_example_request_is_accepted(action: str) -> None:
    body = json.dumps(official_example(action))
    request = ACTIONS[action].request.model_validate_json(body)
    assert request.client_id == official_example(action)["client_id"]


def test_extra_input_fields_are_accepted_and_never_kept() -> None:
    request = OrderPullRequest.model_validate({**BASE, "surprise": {"deep": [1]}})
    assert "surprise" not in request.model_dump()


@pytest.mark.parametrize("removed", [True, "true", "false", False])
def test_removed_reads_boolean_and_string_spellings(removed: object) -> None:
    item = {"sku": "A", "removed": removed}
    request = OrderUpdateRequest.model_validate({**BASE, "order": {"order_items": [item]}})
    assert request.order.order_items[0].removed is (removed in (True, "true"))


@pytest.mark.parametrize("spelling", ["template_output", "TemplateOutput"])
def test_catalog_feed_is_read_under_both_published_spellings(spelling: str) -> None:
    request = CatalogPushRequest.model_validate({**BASE, spelling: {"products": []}})
    assert request.feed == {"products": []}


def test_money_declared_as_integer_keeps_its_cents() -> None:
    body = {**BASE, "rmas": [{"shipping_amt": 4.95}], "order": {}}
    assert OrderUpdateRequest.model_validate(body).rmas[0].shipping_amt == 4.95


def test_page_token_longer_than_35_characters_is_refused() -> None:
    with pytest.raises(ValidationError, match="page_token"):
        OrderPullRequest.model_validate({**BASE, "page_token": "x" * 36})


def test_required_base_fields_are_enforced() -> None:
    with pytest.raises(ValidationError) as caught:
        OrderPullRequest.model_validate({"channel_info": {"id": 1}})
    assert {error["loc"][0] for error in caught.value.errors()} == {
        "action",
        "version",
        "client_id",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("orders", [_order(str(n)) for n in range(101)]),
        ("next_page_token", "x" * 36),
    ],
)
def test_pull_answer_limits_are_enforced(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        OrderPullResponse.model_validate({field: value})


def test_order_limits_are_enforced() -> None:
    with pytest.raises(ValidationError, match="tags"):
        _order(tags=[f"t{n}" for n in range(101)])
    with pytest.raises(ValidationError, match="ship_service_code"):
        _order(ship_service_code="")
    with pytest.raises(ValidationError, match="currency_code"):
        _order(currency_code="BTC")


def test_answers_refuse_fields_outside_the_contract() -> None:
    with pytest.raises(ValidationError, match="extra"):
        OrderPullResponse.model_validate({"orders": [], "cursor": "abc"})


def test_answer_serialisation_omits_nulls_and_matches_the_official_schema() -> None:
    answer = OrderPullResponse(orders=[_order()], next_page_token="")
    body = json.loads(dump_response(answer))
    assert "gift_message" not in body["orders"][0]
    assert "events" not in body
    assert_official_response("order_pull", body)


def test_make_event_associates_each_identifier_given() -> None:
    event = make_event("error", "E", "m", sku_number="A1", order_refnum=None, order_id=7)
    assert [(a.identifier_type, a.identifier) for a in event.associations or []] == [
        ("order_id", "7"),
        ("sku_number", "A1"),
    ]


@pytest.mark.parametrize("action", sorted(set(ACTIONS) - {"catalog_get_config"}))
def test_unsupported_answer_is_contract_valid(action: str) -> None:
    body = json.loads(dump_response(unsupported_response(ACTIONS[action], "demo")))
    assert body["events"][0]["code"] == UNSUPPORTED_ACTION
    assert_official_response(action, body)


def test_base_adapter_implements_only_catalog_get_config() -> None:
    assert ChannelAdapter.capabilities() == {"catalog_get_config"}
