"""Per-channel concurrency slots and a deadline for each call.

Each channel gets its own lane: at most ``max_concurrent_calls`` adapter calls
at once, a call waiting at most ``queue_wait`` seconds for a slot and running
at most ``call_deadline`` seconds. Past either bound the caller gets a 503
with ``Retry-After``, which RetailOps answers by sending the call again later,
so one slow backend cannot pile up work without end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from gateway import errors
from gateway.config import Channel
from gateway.ops.metrics import GatewayMetrics
from gateway.ops.settings import LimitsConfig

RequestT = TypeVar("RequestT")
AnswerT = TypeVar("AnswerT")


def channel_label(channel: Channel) -> str:
    """The channel as named in metrics: its configured id, or ``default``."""
    return "default" if channel.id is None else str(channel.id)


class Lane:
    """The slots and deadline of one channel."""

    __slots__ = ("_busy_count", "_config", "_expired_count", "_semaphore", "label")

    def __init__(self, label: str, config: LimitsConfig, metrics: GatewayMetrics) -> None:
        self.label = label
        self._config = config
        self._semaphore = asyncio.Semaphore(config.max_concurrent_calls)
        self._busy_count = metrics.rejected.labels(label, "busy")
        self._expired_count = metrics.rejected.labels(label, "deadline")

    async def run(
        self, method: Callable[[RequestT], Awaitable[AnswerT]], request: RequestT
    ) -> AnswerT:
        """``await method(request)`` within this lane's bounds; 503 ApiError past them."""
        semaphore = self._semaphore
        if semaphore.locked():
            try:
                async with asyncio.timeout(self._config.queue_wait):
                    await semaphore.acquire()
            except TimeoutError:
                self._busy_count.inc()
                raise self._refusal(
                    "channel_busy",
                    f"The channel already has {self._config.max_concurrent_calls} calls "
                    "in progress; send this one again later.",
                ) from None
        else:
            await semaphore.acquire()  # a free slot: returns at once
        try:
            async with asyncio.timeout(self._config.call_deadline) as deadline:
                return await method(request)
        except TimeoutError:
            if not deadline.expired():
                raise  # the adapter's own timeout, not the deadline
            self._expired_count.inc()
            raise self._refusal(
                "deadline_exceeded",
                f"The call did not finish within {self._config.call_deadline:g} seconds; "
                "send it again later.",
            ) from None
        finally:
            semaphore.release()

    def _refusal(self, code: str, message: str) -> errors.ApiError:
        return errors.ApiError(
            503, code, message, headers={"Retry-After": str(self._config.retry_after)}
        )


class ChannelLimits:
    """Every channel's lane, by the channel's position in the config."""

    def __init__(
        self,
        channels: Iterable[Channel],
        config: LimitsConfig,
        metrics: GatewayMetrics,
    ) -> None:
        self._lanes = {
            channel.index: Lane(channel_label(channel), config, metrics) for channel in channels
        }

    def lane(self, channel: Channel) -> Lane:
        return self._lanes[channel.index]
