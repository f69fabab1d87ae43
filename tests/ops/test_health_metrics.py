"""/healthz, /readyz and /metrics: what they answer, when, and where."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from gateway.app import CHANNELS
from gateway.ops.app import create_ops_app
from gateway.ops.health import Readiness
from gateway.ops.settings import ReadinessConfig
from tests.conftest import GatewayClient, GatewayFactory
from tests.fakes import call_body
from tests.ops.support import (
    ProbeAdapter,
    ProbeSettings,
    get_json,
    probe_channel,
    probe_config,
    scrape,
    value,
)

# --- health and readiness ----------------------------------------------------


async def test_healthz_says_the_process_is_alive(gateway: GatewayFactory) -> None:
    client = await gateway(probe_config())
    status, body = await get_json(client.client, "/healthz")
    assert status == 200
    assert body["status"] == "alive"
    assert isinstance(body["pid"], int)


async def test_readyz_once_every_adapter_started_and_not_after_shutdown(
    gateway: GatewayFactory,
) -> None:
    client = await gateway(probe_config(probe_channel(), probe_channel(7)))
    status, body = await get_json(client.client, "/readyz")
    assert status == 200
    assert body["status"] == "ready"
    assert body["channels"] == [
        {"channel": "default", "adapter": "probe"},
        {"channel": "7", "adapter": "probe"},
    ]

    await client.app.shutdown()  # what SIGTERM runs before the calls in flight finish
    status, body = await get_json(client.client, "/readyz")
    assert (status, body["status"]) == (503, "stopping")


async def test_readiness_is_starting_before_the_app_started() -> None:
    readiness = Readiness([("default", ProbeAdapter(ProbeSettings()))], ReadinessConfig())
    ready, body = await readiness.report()
    assert (ready, body["status"]) == (False, "starting")


async def test_readyz_checks_backends_when_asked_and_caches_the_result(
    gateway: GatewayFactory,
) -> None:
    ops = {"readiness": {"check_backends": True, "cache_seconds": 60}}
    client = await gateway(probe_config(probe_channel(1), probe_channel(2, check="down"), ops=ops))
    for _ in range(3):
        status, body = await get_json(client.client, "/readyz")
        assert status == 503
        assert body["status"] == "not ready"
        assert body["channels"] == [
            {"channel": "1", "adapter": "probe", "backend": "reachable"},
            {
                "channel": "2",
                "adapter": "probe",
                "backend": "unreachable",
                "detail": "the probe backend is down",
            },
        ]
    assert [served.adapter.checks for served in client.app[CHANNELS]] == [1, 1]


async def test_readyz_rechecks_once_the_cache_expired(gateway: GatewayFactory) -> None:
    ops = {"readiness": {"check_backends": True, "cache_seconds": 0}}
    client = await gateway(probe_config(ops=ops))
    for _ in range(2):
        status, _ = await get_json(client.client, "/readyz")
        assert status == 200
    (served,) = client.app[CHANNELS]
    assert served.adapter.checks == 2


async def test_readyz_bounds_slow_and_failing_checks(gateway: GatewayFactory) -> None:
    ops = {"readiness": {"check_backends": True, "check_timeout": 0.1}}
    client = await gateway(
        probe_config(probe_channel(1, check="slow"), probe_channel(2, check="unusable"), ops=ops)
    )
    status, body = await asyncio.wait_for(get_json(client.client, "/readyz"), timeout=5)
    assert status == 503
    details = [channel["detail"] for channel in body["channels"]]
    assert details == ["no answer within 0.1 s", "the probe backend refuses the key"]


# --- metrics -------------------------------------------------------------------


async def test_metrics_count_calls_by_action_channel_and_status(gateway: GatewayFactory) -> None:
    client = await gateway(probe_config(probe_channel(), probe_channel(7)))
    for _ in range(3):
        assert (await client.call("catalog_push", call_body("catalog_push"))).status == 200
    other_channel = call_body("catalog_push", channel_id=7)
    assert (await client.call("catalog_push", other_channel)).status == 200
    wrong_token = call_body("order_pull", token="wrong")
    assert (await client.call("order_pull", wrong_token)).status == 401
    assert (await client.call("no_such_call", call_body("order_pull"))).status == 404
    await get_json(client.client, "/healthz")  # not a channel call: not counted

    samples = await scrape(client.client)
    requests = {
        labels: count
        for (name, labels), count in samples.items()
        if name == "retailops_gateway_requests_total"
    }
    assert requests == {
        (("action", "catalog_push"), ("channel", "default"), ("status", "200")): 3.0,
        (("action", "catalog_push"), ("channel", "7"), ("status", "200")): 1.0,
        (("action", "order_pull"), ("channel", "none"), ("status", "401")): 1.0,
        (("action", "unknown"), ("channel", "none"), ("status", "404")): 1.0,
    }
    duration = "retailops_gateway_request_duration_seconds_count"
    assert value(samples, duration, action="catalog_push", channel="default") == 3.0
    bucket = "retailops_gateway_request_duration_seconds_bucket"
    assert value(samples, bucket, action="catalog_push", channel="default", le="+Inf") == 3.0
    assert value(samples, "retailops_gateway_requests_in_flight") == 0.0


async def test_in_flight_calls_are_gauged(gateway: GatewayFactory) -> None:
    client = await gateway(probe_config(probe_channel(delay=2.0)))
    call = asyncio.create_task(client.call("catalog_push", call_body("catalog_push")))
    samples: dict[Any, float] = {}
    deadline = time.monotonic() + 1.5  # for the call to arrive, well before it ends
    while time.monotonic() < deadline:
        await asyncio.sleep(0.01)
        samples = await scrape(client.client)
        if value(samples, "retailops_gateway_requests_in_flight") == 1.0:
            break
    assert value(samples, "retailops_gateway_requests_in_flight") == 1.0
    assert (await call).status == 200
    assert value(await scrape(client.client), "retailops_gateway_requests_in_flight") == 0.0


async def test_upstream_calls_retries_failures_and_throttle_waits_by_adapter(
    gateway: GatewayFactory,
) -> None:
    client = await gateway(
        probe_config(
            probe_channel(1, upstream_failures=2, throttle=0.05),
            probe_channel(2, upstream_failures=9),
        )
    )
    assert (await client.call("inventory_push", call_body("inventory_push"))).status == 200
    gave_up = await client.call("inventory_push", call_body("inventory_push", channel_id=2))
    assert gave_up.status == 503

    samples = await scrape(client.client)
    assert value(samples, "retailops_gateway_upstream_calls_total", adapter="probe") == 2.0
    # Two failed attempts on channel 1, then two more before giving up on channel 2.
    assert value(samples, "retailops_gateway_upstream_retries_total", adapter="probe") == 4.0
    assert value(samples, "retailops_gateway_upstream_failures_total", adapter="probe") == 1.0
    assert value(samples, "retailops_gateway_upstream_throttle_waits_total", adapter="probe") == 1
    waited = "retailops_gateway_upstream_throttle_wait_seconds_total"
    assert value(samples, waited, adapter="probe") == 0.05
    duration = "retailops_gateway_upstream_call_duration_seconds_count"
    assert value(samples, duration, adapter="probe") == 2.0


async def test_two_gateways_in_one_process_keep_their_own_metrics(
    gateway: GatewayFactory,
) -> None:
    first, second = await gateway(probe_config()), await gateway(probe_config())
    assert (await first.call("catalog_push", call_body("catalog_push"))).status == 200
    name = "retailops_gateway_requests_total"
    labels = {"action": "catalog_push", "channel": "default", "status": "200"}
    assert value(await scrape(first.client), name, **labels) == 1.0
    assert value(await scrape(second.client), name, **labels) == 0.0


# --- where the ops endpoints are served -----------------------------------------


async def test_each_ops_endpoint_can_be_turned_off(gateway: GatewayFactory) -> None:
    client = await gateway(probe_config(ops={"healthz": False, "readyz": False, "metrics": False}))
    for path in ("/healthz", "/readyz", "/metrics"):
        async with client.client.get(path) as response:
            assert response.status == 404, path


async def test_ops_endpoints_move_to_their_own_listener(
    gateway: GatewayFactory,
    aiohttp_client: Callable[[web.Application], Awaitable[TestClient]],
) -> None:
    client: GatewayClient = await gateway(probe_config(ops={"port": 9999}))
    for path in ("/healthz", "/readyz", "/metrics"):
        async with client.client.get(path) as response:
            assert response.status == 404, path
    # The docs stay with the calls they describe.
    async with client.client.get("/openapi.json") as response:
        assert response.status == 200

    ops_client = await aiohttp_client(create_ops_app(client.app))
    assert (await get_json(ops_client, "/healthz"))[0] == 200
    assert (await get_json(ops_client, "/readyz"))[0] == 200
    assert (await client.call("catalog_push", call_body("catalog_push"))).status == 200
    name = "retailops_gateway_requests_total"
    labels = {"action": "catalog_push", "channel": "default", "status": "200"}
    assert value(await scrape(ops_client), name, **labels) == 1.0
