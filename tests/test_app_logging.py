"""The log the server writes: one line per request, start-up and shutdown, no secrets."""

from __future__ import annotations

from gateway.app import CHANNELS
from tests.conftest import CapturedLogs, GatewayFactory
from tests.fakes import TOKEN, call_body, channel, scripted_config


async def test_one_line_per_request_with_its_facts(
    gateway: GatewayFactory, captured_logs: CapturedLogs
) -> None:
    client = await gateway(scripted_config())
    await client.call("order_pull", call_body("order_pull", channel_id=7))
    await client.call("order_pull", call_body("order_pull", token="wrong", channel_id=8))
    await client.call("order_pull", b"[]")
    await client.call("nothing", {}, path="/nothing_v1")

    requests = captured_logs.events("request")
    assert [(r["action"], r["channel"], r["status"]) for r in requests] == [
        ("order_pull", 7, 200),
        ("order_pull", 8, 401),
        ("order_pull", None, 400),
        (None, None, 404),
    ]
    for line in requests:
        assert line["level"] == "info"
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert len(line["request_id"]) == 32
    assert len({line["request_id"] for line in requests}) == len(requests)


async def test_adapter_lines_carry_the_request_id(
    gateway: GatewayFactory, captured_logs: CapturedLogs
) -> None:
    client = await gateway(scripted_config())
    await client.call("inventory_push", call_body("inventory_push", channel_id=5))
    (adapter_line,) = captured_logs.events("fake inventory push")
    (request_line,) = captured_logs.events("request")
    assert adapter_line["request_id"] == request_line["request_id"]
    assert (adapter_line["action"], adapter_line["channel"]) == ("inventory_push", 5)


async def test_start_up_and_shutdown_lines_and_adapter_lifecycle(
    gateway: GatewayFactory, captured_logs: CapturedLogs
) -> None:
    client = await gateway(scripted_config(channel(id=1), channel(id=2)))
    adapters = [served.adapter for served in client.app[CHANNELS]]
    assert [a.lifecycle for a in adapters] == [["start"], ["start"]]
    (started,) = captured_logs.events("gateway started")
    assert started["channels"] == ["channel 0 (id 1): scripted", "channel 1 (id 2): scripted"]
    assert captured_logs.events("gateway stopped") == []

    await client.client.close()
    assert [a.lifecycle for a in adapters] == [["start", "close"], ["start", "close"]]
    assert len(captured_logs.events("gateway stopped")) == 1


async def test_adapter_bug_is_logged_with_traceback(
    gateway: GatewayFactory, captured_logs: CapturedLogs
) -> None:
    client = await gateway(scripted_config(channel(settings={"behaviour": "crash"})))
    await client.call("inventory_push", call_body("inventory_push"))
    (failure,) = captured_logs.events("call failed")
    assert failure["level"] == "error"
    assert "RuntimeError: fake adapter bug" in failure["exception"]
    assert "Traceback" in failure["exception"]
    (request,) = captured_logs.events("request")
    assert (request["status"], request["request_id"]) == (500, failure["request_id"])


async def test_the_token_never_reaches_the_log(
    gateway: GatewayFactory, captured_logs: CapturedLogs
) -> None:
    secret_config = scripted_config(channel(id=1), channel(id=2, settings={"behaviour": "crash"}))
    client = await gateway(secret_config)
    for body in (
        call_body("catalog_push"),  # 200
        call_body("inventory_push", channel_id=2),  # 500 with a traceback
        call_body("order_pull", channel_id=3),  # 401
        {**call_body("order_pull"), "version": "x"},  # 422
        call_body("order_pull", page_token="y" * 99),  # 422
    ):
        await client.call(body["action"], body)
    await client.client.close()
    assert len(captured_logs.events("request")) == 5
    assert TOKEN not in captured_logs.text
