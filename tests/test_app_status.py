"""Each status rule of the server: what is answered 200, and every refusal."""

from __future__ import annotations

import gzip
import json

import pytest

from gateway.auth import TEST_KEY
from gateway.contract import ACTIONS
from tests.conftest import GatewayFactory
from tests.fakes import TOKEN, call_body, channel, scripted_config

# --- answered calls ---------------------------------------------------------


@pytest.mark.parametrize("action", list(ACTIONS))
async def test_every_action_answers_a_contract_valid_200(
    gateway: GatewayFactory, action: str
) -> None:
    client = await gateway(scripted_config())
    answer = await client.call(action, call_body(action))
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")


async def test_answer_comes_from_the_adapter_and_omits_nulls(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config())
    answer = await client.call("catalog_push", call_body("catalog_push", template_output={"a": 1}))
    assert answer.status == 200
    (event,) = answer.json()["events"]
    assert event == {
        "event_type": "info",
        "code": "RECEIVED",
        "message": "1 feed keys",
        "associations": [{"identifier_type": "sku_number", "identifier": "S1"}],
    }


async def test_trailing_slash_is_accepted(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config())
    answer = await client.call(
        "catalog_get_config", call_body("catalog_get_config"), path="/catalog_get_config_v1/"
    )
    assert answer.status == 200
    assert answer.json() == {"sku_fanout": "no_fanout"}


async def test_base_path_prefixes_every_call(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config(server={"base_path": "retailops/v1/"}))
    assert client.base_path == "/retailops/v1"
    for path in ("/retailops/v1/order_pull_v1", "/retailops/v1/order_pull_v1/"):
        answer = await client.call("order_pull", call_body("order_pull"), path=path)
        assert answer.status == 200, path
    outside = await client.call("order_pull", call_body("order_pull"), path="/order_pull_v1")
    assert outside.status == 404


async def test_body_action_is_informational(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config())
    body = {**call_body("order_pull"), "action": "SDK.order_pull.order_fetch"}
    answer = await client.call("order_pull", body)
    assert answer.status == 200
    assert "orders" in answer.json()


async def test_unknown_input_fields_are_accepted_and_not_echoed(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config())
    answer = await client.call(
        "catalog_get_config", call_body("catalog_get_config", surprise="SURPRISE-VALUE")
    )
    assert answer.status == 200
    assert b"SURPRISE-VALUE" not in answer.body


async def test_test_key_is_accepted_only_when_the_channel_says_so(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config(channel(id=1, accept_test_key=True), channel(id=2)))
    accepted = await client.call(
        "catalog_get_config", call_body("catalog_get_config", token=TEST_KEY, channel_id=1)
    )
    refused = await client.call(
        "catalog_get_config", call_body("catalog_get_config", token=TEST_KEY, channel_id=2)
    )
    assert (accepted.status, refused.status) == (200, 401)


async def test_channels_are_chosen_by_id_then_default(gateway: GatewayFactory) -> None:
    client = await gateway(
        scripted_config(
            channel(id=1, auth_token="key-one"),
            channel(default=True, auth_token="key-default"),
        )
    )

    async def status(token: str, channel_id: int | None) -> int:
        body = call_body("catalog_get_config", token=token, channel_id=channel_id)
        return (await client.call("catalog_get_config", body)).status

    assert await status("key-one", 1) == 200
    assert await status("key-default", 1) == 401  # channel 1 has its own key
    assert await status("key-default", 99) == 200  # any other id: the default channel
    assert await status("key-default", None) == 200  # no id: the default channel
    assert await status("key-one", 99) == 401


# --- refusals -----------------------------------------------------------------


def assert_error(answer_json: dict, code: str) -> dict:
    error = answer_json["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return error


@pytest.mark.parametrize("path", ["/nothing_v1", "/catalog_get_config_v2", "/", "/order_pull"])
async def test_unknown_action_is_404(gateway: GatewayFactory, path: str) -> None:
    client = await gateway(scripted_config())
    answer = await client.call("unknown", call_body("catalog_get_config"), path=path)
    assert answer.status == 404
    assert_error(answer.json(), "unknown_action")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
async def test_wrong_method_is_405(gateway: GatewayFactory, method: str) -> None:
    client = await gateway(scripted_config())
    answer = await client.call("order_pull", call_body("order_pull"), method=method)
    assert answer.status == 405
    assert answer.headers["Allow"] == "POST"
    assert_error(answer.json(), "method_not_allowed")


async def test_body_over_the_limit_is_413_by_content_length(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config(server={"max_body_bytes": 1000}))
    body = call_body("catalog_push", template_output={"pad": "x" * 2000})
    answer = await client.call("catalog_push", body)
    assert answer.status == 413
    assert_error(answer.json(), "body_too_large")


async def test_streamed_body_over_the_limit_is_413(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config(server={"max_body_bytes": 1000}))
    payload = json.dumps(call_body("catalog_push", template_output={"pad": "x" * 5000})).encode()

    async def chunks():  # no Content-Length: sent chunked, so only the streamed size tells
        for start in range(0, len(payload), 512):
            yield payload[start : start + 512]

    async with client.client.post("/catalog_push_v1", data=chunks()) as response:
        assert response.status == 413
        assert_error(await response.json(), "body_too_large")


async def test_body_of_exactly_the_limit_is_accepted(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config(server={"max_body_bytes": 1000}))
    body = json.dumps(call_body("catalog_get_config")).encode()
    padded = body + b" " * (1000 - len(body))  # whitespace after the object is valid JSON
    answer = await client.call("catalog_get_config", padded)
    assert answer.status == 200


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "empty_body"),
        (b"   ", "invalid_json"),
        (b'{"action": "x",', "invalid_json"),
        (b"{'single': 'quotes'}", "invalid_json"),
        (b'{"integration_auth_token": "\xff\xfe"}', "invalid_json"),  # not UTF-8
        (b"\xef\xbb\xbf{}", "invalid_json"),  # a byte-order mark is not JSON
        (b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}", "too_deeply_nested"),
        (b"[1, 2]", "not_an_object"),
        (b"null", "not_an_object"),
        (b"42", "not_an_object"),
        (b'"a string"', "not_an_object"),
    ],
)
async def test_malformed_body_is_400(gateway: GatewayFactory, body: bytes, code: str) -> None:
    client = await gateway(scripted_config())
    answer = await client.call("order_pull", body)
    assert answer.status == 400
    assert_error(answer.json(), code)


async def test_model_failure_is_422_with_each_failing_path(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config())
    body = call_body(
        "inventory_push",
        version="one",
        inventory_updates=[
            {"sku": "A", "quantity_available": 1},
            {"sku": "B", "quantity_available": "many"},
        ],
    )
    del body["client_id"]
    answer = await client.call("inventory_push", body)
    assert answer.status == 422
    error = assert_error(answer.json(), "invalid_request")
    paths = {detail["path"] for detail in error["details"]}
    assert paths == {"version", "client_id", "inventory_updates.1.quantity_available"}
    assert all(detail["message"] for detail in error["details"])
    assert b"many" not in answer.body  # values are never echoed


async def test_page_token_over_35_characters_is_422(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config())
    answer = await client.call("order_pull", call_body("order_pull", page_token="x" * 36))
    assert answer.status == 422
    assert [d["path"] for d in answer.json()["error"]["details"]] == ["page_token"]


UNAUTHENTICATED = {
    "wrong token": call_body("order_pull", token="not-the-token"),
    "missing token": call_body("order_pull", token=None),
    "empty token": call_body("order_pull", token=""),
    "null token": {**call_body("order_pull"), "integration_auth_token": None},
    "the wrong key of the verifier": call_body("order_pull", token="KDS_SPOLIATER"),
    "test key on a channel that refuses it": call_body("order_pull", token=TEST_KEY),
    "unknown channel": call_body("order_pull", channel_id=99),
    "no channel id and no default channel": call_body("order_pull", channel_id=None),
    "token of another channel": call_body("order_pull", token="key-two", channel_id=1),
    "prefix of the token": call_body("order_pull", token=TOKEN[:-1]),
}


async def test_every_authentication_failure_is_the_same_401(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config(channel(id=1), channel(id=2, auth_token="key-two")))
    answers = {
        name: await client.call("order_pull", body) for name, body in UNAUTHENTICATED.items()
    }
    assert {name: a.status for name, a in answers.items()} == dict.fromkeys(answers, 401)
    bodies = {a.body for a in answers.values()}
    assert len(bodies) == 1, "401 bodies differ, telling callers why they were refused"
    assert_error(json.loads(bodies.pop()), "unauthorized")
    ok = await client.call("order_pull", call_body("order_pull", channel_id=1))
    assert ok.status == 200


async def test_unauthenticated_invalid_body_is_401_not_422(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config(channel(id=1)))
    invalid = {"version": "one", "channel_info": {"id": 1}}  # action, client_id missing too
    refused = await client.call("order_pull", {**invalid, "integration_auth_token": "wrong"})
    anonymous = await client.call("order_pull", invalid)
    wrong_channel = await client.call(
        "order_pull", {**invalid, "integration_auth_token": TOKEN, "channel_info": {"id": 2}}
    )
    token_of_wrong_type = await client.call("order_pull", {**invalid, "integration_auth_token": 12})
    valid_401 = await client.call("order_pull", call_body("order_pull", token="wrong"))
    for answer in (refused, anonymous, wrong_channel, token_of_wrong_type):
        assert answer.status == 401
        assert answer.body == valid_401.body
    authenticated = await client.call("order_pull", {**invalid, "integration_auth_token": TOKEN})
    assert authenticated.status == 422


async def test_authenticated_body_with_a_malformed_channel_info_reaches_the_default_channel(
    gateway: GatewayFactory,
) -> None:
    client = await gateway(scripted_config())
    body = call_body("order_pull", channel_info={"id": "not-a-number"})
    answer = await client.call("order_pull", body)
    assert answer.status == 422
    assert [d["path"] for d in answer.json()["error"]["details"]] == ["channel_info.id"]


async def test_backend_unavailable_is_503_with_retry_after(gateway: GatewayFactory) -> None:
    client = await gateway(
        scripted_config(channel(settings={"behaviour": "unavailable", "retry_after": 12.4}))
    )
    answer = await client.call("catalog_push", call_body("catalog_push"))
    assert answer.status == 503
    assert answer.headers["Retry-After"] == "12"
    error = assert_error(answer.json(), "backend_unavailable")
    assert error["message"] == "the fake backend is down"


async def test_retry_after_is_at_least_one_second(gateway: GatewayFactory) -> None:
    client = await gateway(
        scripted_config(channel(settings={"behaviour": "unavailable", "retry_after": 0.2}))
    )
    answer = await client.call("catalog_push", call_body("catalog_push"))
    assert (answer.status, answer.headers["Retry-After"]) == (503, "1")


async def test_adapter_bug_is_500_without_details(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config(channel(settings={"behaviour": "crash"})))
    answer = await client.call("inventory_push", call_body("inventory_push"))
    assert answer.status == 500
    assert_error(answer.json(), "internal_error")
    text = answer.body.decode()
    for leak in ("Traceback", "RuntimeError", "fake adapter bug", "fakes.py"):
        assert leak not in text


async def test_default_limit_is_16_mib(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config())
    body = json.dumps(call_body("catalog_get_config")).encode()
    limit = 16 * 1024 * 1024
    at_limit = await client.call("catalog_get_config", body + b" " * (limit - len(body)))
    over_limit = await client.call("catalog_get_config", body + b" " * (limit + 1 - len(body)))
    assert (at_limit.status, over_limit.status) == (200, 413)


async def test_compressed_body_is_limited_by_its_unpacked_size(gateway: GatewayFactory) -> None:
    client = await gateway(scripted_config(server={"max_body_bytes": 10_000}))
    body = json.dumps(call_body("catalog_push", template_output={"pad": "x" * 50_000})).encode()
    packed = gzip.compress(body)
    assert len(packed) < 10_000
    answer = await client.call("catalog_push", packed, headers={"Content-Encoding": "gzip"})
    assert answer.status == 413
    assert_error(answer.json(), "body_too_large")
