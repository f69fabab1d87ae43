"""Hand-written hostile bodies: deep nesting, huge strings and arrays, wrong types
everywhere, invalid UTF-8, lone surrogates, duplicate keys, numbers out of range, big
integers, NaN and infinities. Each gets its status and the JSON error shape, or a
contract-valid 200; never a 5xx; the gateway answers normally afterwards.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.contract import ACTIONS
from gateway.samples import sample_request
from tests.conftest import Answer, GatewayClient, GatewayFactory
from tests.hostile.live import TOKEN, memory_config

WRONG_VALUES: list[Any] = [None, True, 0, -1, 1.5, "", "text", [], [1, "x"], {}, {"a": None}]


def good(action: str, **fields: Any) -> dict[str, Any]:
    return {**sample_request(action, auth_key=TOKEN, channel_id=1), **fields}


def raw(action: str, **fields: Any) -> bytes:
    return json.dumps(good(action, **fields)).encode()


def error_code(answer: Answer) -> str:
    assert b"Traceback" not in answer.body
    code: str = answer.json()["error"]["code"]
    return code


@pytest.fixture
async def client(gateway: GatewayFactory) -> GatewayClient:
    return await gateway(memory_config(max_body_bytes=8 * 1024 * 1024))


async def still_serving(client: GatewayClient) -> None:
    answer = await client.call("catalog_get_config", good("catalog_get_config"))
    assert answer.status == 200


# --- structure ----------------------------------------------------------------


@pytest.mark.parametrize("depth", [201, 5_000, 1_000_000])
async def test_deep_nesting_is_400(client: GatewayClient, depth: int) -> None:
    body = b'{"template_output": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"
    answer = await client.call("catalog_push", body)
    assert (answer.status, error_code(answer)) == (400, "too_deeply_nested")
    arrays = await client.call("catalog_push", b"[" * depth + b"]" * depth)
    assert arrays.status == 400
    await still_serving(client)


async def test_a_string_of_several_megabytes(client: GatewayClient) -> None:
    huge = "S" * 5_000_000
    answer = await client.call(
        "inventory_push",
        raw("inventory_push", inventory_updates=[{"sku": huge, "quantity_available": 1}]),
    )
    assert answer.status == 200
    assert answer.json()["events"][0]["code"] == "UNKNOWN_SKU"
    # As a token it is just a wrong token.
    body = good("inventory_push", integration_auth_token=huge)
    assert error_code(await client.call("inventory_push", body)) == "unauthorized"
    await still_serving(client)


async def test_an_array_of_20000_items(client: GatewayClient) -> None:
    updates = [{"sku": f"NOPE-{n}", "quantity_available": n} for n in range(20_000)]
    answer = await client.call("inventory_push", raw("inventory_push", inventory_updates=updates))
    assert answer.status == 200
    assert len(answer.json()["events"]) == 20_000
    await still_serving(client)


async def test_a_body_over_the_limit_is_413(gateway: GatewayFactory) -> None:
    client = await gateway(memory_config(max_body_bytes=1000))
    answer = await client.call("inventory_push", raw("inventory_push", padding="x" * 2000))
    assert (answer.status, error_code(answer)) == (413, "body_too_large")
    await still_serving(client)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b" \n\t ",
        b"\xef\xbb\xbf{}",  # a byte order mark
        b'{"action": "inventory_push"} trailing',
        b'{"action": "x",}',
        b"{'action': 'x'}",
        b"\x00\x00\x00",
        b'{"action": "\xff\xfe"}',  # not UTF-8
        b'{"action": "\xed\xa0\x80"}',  # a surrogate encoded in UTF-8
        b'{"integration_auth_token": "\\ud800"}',  # a lone surrogate escape
        b"null",
        b"[]",
        b'"a string"',
        b"123",
    ],
)
async def test_bodies_that_are_not_a_json_object_are_400(
    client: GatewayClient, body: bytes
) -> None:
    answer = await client.call("inventory_push", body)
    assert answer.status == 400, answer.body
    assert error_code(answer) in ("empty_body", "invalid_json", "not_an_object")


# --- types and values -------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_wrong_types_in_every_field(client: GatewayClient, action: str) -> None:
    """Each field of a valid call, in turn, given each wrong value: a 200 or a 422 naming
    the field (or a 401 when it was the credentials that were broken)."""
    sample = good(action)
    for field in sample:
        for value in WRONG_VALUES:
            answer = await client.call(action, {**sample, field: value})
            assert answer.status in (200, 401, 422), (field, value, answer.status)
            if answer.status == 422:
                paths = [d["path"] for d in answer.json()["error"]["details"]]
                assert any(path.split(".")[0] == field for path in paths), (field, paths)
            if answer.status == 401:
                assert field in ("integration_auth_token", "channel_info")
    await still_serving(client)


async def test_duplicate_keys_the_last_one_counts_everywhere(client: GatewayClient) -> None:
    # The credentials are read the same way as the call itself: the last value wins.
    text = json.dumps(good("catalog_get_config"))
    wrong_first = text.replace(
        '{"integration_auth_token"', '{"integration_auth_token": "x", "integration_auth_token"', 1
    )
    assert (await client.call("catalog_get_config", wrong_first.encode())).status == 200
    wrong_last = text[:-1] + ', "integration_auth_token": "x"}'
    assert (await client.call("catalog_get_config", wrong_last.encode())).status == 401


@pytest.mark.parametrize(
    ("field", "literal", "status"),
    [
        # The contract bounds no integer: big ones are taken, as far as the parser goes.
        ("client_id", "1" + "0" * 30, 200),
        ("client_id", "-" + "9" * 4000, 200),
        ("client_id", "9" * 5000, 400),  # more digits than the JSON parser takes
        ("version", "1.5", 422),
        ("version", "1e400", 422),
        ("client_id", "NaN", 422),
        ("client_id", "Infinity", 422),
    ],
)
async def test_numbers_out_of_range(
    client: GatewayClient, field: str, literal: str, status: int
) -> None:
    text = json.dumps(good("inventory_push", **{field: 424242}))
    answer = await client.call("inventory_push", text.replace("424242", literal).encode())
    assert answer.status == status, answer.body
    if status != 200:
        error_code(answer)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
async def test_money_must_be_a_finite_number(client: GatewayClient, literal: str) -> None:
    """JSON has no NaN or infinity; taken as money they would be recorded as a capture
    no comparison can refuse."""
    settle = good(
        "order_settle_payment",
        order={"channel_order_refnum": "DEMO-0000001"},
        payment={"payment_transactions": [{"amount": 424242}]},
    )
    answer = await client.call(
        "order_settle_payment", json.dumps(settle).replace("424242", literal).encode()
    )
    assert answer.status == 422, answer.body
    [detail] = answer.json()["error"]["details"]
    assert detail["path"] == "payment.payment_transactions.0.amount"
    # Nothing was captured: the whole authorisation is still there to settle.
    ok = await client.call(
        "order_settle_payment", json.dumps(settle).replace("424242", "1").encode()
    )
    assert ok.status == 200 and ok.json()["events"] == []


async def test_big_integers_where_ids_go(client: GatewayClient) -> None:
    body = good(
        "order_acknowledge",
        orders=[{"channel_order_refnum": "DEMO-0000001", "retailops_order_id": 2**64}],
    )
    answer = await client.call("order_acknowledge", body)
    assert answer.status in (200, 422)
    channel = good("catalog_get_config", channel_info={"id": 2**70})
    assert (await client.call("catalog_get_config", channel)).status == 200  # default channel
    await still_serving(client)


async def test_a_negative_refund_is_refused_not_recorded(client: GatewayClient) -> None:
    def returned(amount: float) -> dict[str, Any]:
        ret = {"retailops_return_id": 77, "refund_amt": amount}
        return good(
            "order_returned", order={"channel_order_refnum": "DEMO-0000001"}, **{"return": ret}
        )

    refused = await client.call("order_returned", returned(-500.0))
    assert refused.status == 200
    assert [e["code"] for e in refused.json()["events"]] == ["INVALID_REFUND_AMOUNT"]
    # Nothing was recorded: the corrected return is taken, not "already recorded".
    corrected = await client.call("order_returned", returned(5.0))
    assert corrected.status == 200 and not corrected.json().get("events")
