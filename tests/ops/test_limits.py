"""Per-channel concurrency limits and call deadlines: clear 503s with Retry-After."""

from __future__ import annotations

import asyncio
import time

import pytest

from gateway.config import ConfigError
from tests.conftest import GatewayFactory
from tests.fakes import call_body
from tests.ops.support import probe_channel, probe_config, scrape, value


async def test_a_full_channel_answers_channel_busy(gateway: GatewayFactory) -> None:
    limits = {"max_concurrent_calls": 2, "queue_wait": 0.05, "retry_after": 9}
    client = await gateway(probe_config(probe_channel(delay=1.0), limits=limits))
    answers = await asyncio.gather(
        *(client.call("catalog_push", call_body("catalog_push")) for _ in range(3))
    )
    assert sorted(answer.status for answer in answers) == [200, 200, 503]
    (busy,) = [answer for answer in answers if answer.status == 503]
    assert busy.json()["error"]["code"] == "channel_busy"
    assert busy.headers["Retry-After"] == "9"
    samples = await scrape(client.client)
    rejected = "retailops_gateway_rejected_calls_total"
    assert value(samples, rejected, channel="default", reason="busy") == 1.0


async def test_a_call_waits_for_a_slot_within_the_queue_wait(gateway: GatewayFactory) -> None:
    limits = {"max_concurrent_calls": 1, "queue_wait": 5}
    client = await gateway(probe_config(probe_channel(delay=0.2), limits=limits))
    answers = await asyncio.gather(
        *(client.call("catalog_push", call_body("catalog_push")) for _ in range(2))
    )
    assert [answer.status for answer in answers] == [200, 200]


async def test_channels_have_their_own_slots(gateway: GatewayFactory) -> None:
    limits = {"max_concurrent_calls": 1, "queue_wait": 0}
    client = await gateway(
        probe_config(probe_channel(1, delay=0.3), probe_channel(2, delay=0.3), limits=limits)
    )
    answers = await asyncio.gather(
        client.call("catalog_push", call_body("catalog_push", channel_id=1)),
        client.call("catalog_push", call_body("catalog_push", channel_id=2)),
    )
    assert [answer.status for answer in answers] == [200, 200]


async def test_a_call_past_its_deadline_answers_deadline_exceeded(
    gateway: GatewayFactory,
) -> None:
    limits = {"max_concurrent_calls": 1, "queue_wait": 0, "call_deadline": 0.1}
    client = await gateway(probe_config(probe_channel(delay=5), limits=limits))
    started = time.monotonic()
    answer = await client.call("catalog_push", call_body("catalog_push"))
    assert time.monotonic() - started < 2
    assert answer.status == 503
    assert answer.json()["error"]["code"] == "deadline_exceeded"
    assert answer.headers["Retry-After"] == "5"
    # The slot was given back: with one slot and no wait, this would be channel_busy.
    follow_up = await client.call("catalog_get_config", call_body("catalog_get_config"))
    assert follow_up.status == 200
    samples = await scrape(client.client)
    rejected = "retailops_gateway_rejected_calls_total"
    assert value(samples, rejected, channel="default", reason="deadline") == 1.0


def test_limits_are_validated_with_the_config() -> None:
    with pytest.raises(ConfigError) as error:
        probe_config(limits={"max_concurrent_calls": 0}, ops={"shutdown_grace_period": -1})
    problems = "\n".join(error.value.problems)
    assert "limits.max_concurrent_calls" in problems
    assert "ops.shutdown_grace_period" in problems


async def test_a_channel_can_set_its_own_limits(gateway: GatewayFactory) -> None:
    roomy = {**probe_channel(1, delay=0.3), "limits": {"max_concurrent_calls": 3}}
    tight = probe_channel(2, delay=0.3)
    client = await gateway(
        probe_config(roomy, tight, limits={"max_concurrent_calls": 1, "queue_wait": 0})
    )

    async def burst(channel_id: int) -> list[int]:
        calls = [
            client.call("catalog_push", call_body("catalog_push", channel_id=channel_id))
            for _ in range(3)
        ]
        return sorted(answer.status for answer in await asyncio.gather(*calls))

    roomy_statuses, tight_statuses = await asyncio.gather(burst(1), burst(2))
    assert roomy_statuses == [200, 200, 200]  # its own 3 slots; queue_wait 0 inherited
    assert tight_statuses == [200, 503, 503]  # the top-level single slot


def test_a_channels_limits_are_validated_and_named() -> None:
    bad = {**probe_channel(1), "limits": {"call_deadline": 0, "max_calls": 2}}
    with pytest.raises(ConfigError) as error:
        probe_config(bad)
    problems = "\n".join(error.value.problems)
    assert "channel 0 (id 1): limits.call_deadline" in problems
    assert "channel 0 (id 1): limits.max_calls" in problems
