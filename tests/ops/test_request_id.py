"""X-Request-ID: taken from the caller when sane, made otherwise, returned, and logged."""

from __future__ import annotations

import re

import pytest

from gateway.ops.request_id import REQUEST_ID_MAX_LENGTH, accept_or_make
from tests.conftest import CapturedLogs, GatewayFactory
from tests.fakes import call_body
from tests.ops.support import probe_channel, probe_config

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "offered",
    ["abc-123", "4bf92f3577b34da6a3ce929d0e0e4736", "lb.host-7:1234/5@x+y=z", "x" * 128],
)
def test_sane_ids_are_kept(offered: str) -> None:
    assert accept_or_make(offered) == offered


@pytest.mark.parametrize(
    "offered",
    [None, "", "x" * (REQUEST_ID_MAX_LENGTH + 1), "two words", "line\nbreak", 'quote"', "é"],
)
def test_other_ids_are_replaced(offered: str | None) -> None:
    made = accept_or_make(offered)
    assert GENERATED.fullmatch(made)
    assert made != accept_or_make(offered)


async def test_the_callers_id_is_returned_and_on_every_line_of_the_call(
    gateway: GatewayFactory, captured_logs: CapturedLogs
) -> None:
    client = await gateway(probe_config(probe_channel(upstream_failures=1, throttle=0.01)))
    answer = await client.call(
        "inventory_push", call_body("inventory_push"), headers={"X-Request-ID": "ro-call-42"}
    )
    assert answer.status == 200
    assert answer.headers["X-Request-ID"] == "ro-call-42"

    lines = {line["event"]: line for line in captured_logs.lines()}
    for event in ("upstream_throttle_wait", "upstream_retry", "fake upstream call", "request"):
        assert lines[event]["request_id"] == "ro-call-42", event


async def test_a_request_without_a_usable_id_gets_a_new_one_also_on_refusals(
    gateway: GatewayFactory, captured_logs: CapturedLogs
) -> None:
    client = await gateway(probe_config())
    refused = await client.call(
        "catalog_push", call_body("catalog_push", token="wrong"), headers={"X-Request-ID": "a b"}
    )
    unknown = await client.call("no_such_call", call_body("catalog_push"))
    assert (refused.status, unknown.status) == (401, 404)
    made = [refused.headers["X-Request-ID"], unknown.headers["X-Request-ID"]]
    assert all(GENERATED.fullmatch(request_id) for request_id in made)
    assert made[0] != made[1]
    assert [line["request_id"] for line in captured_logs.events("request")] == made
