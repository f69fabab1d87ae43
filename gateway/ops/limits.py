"""Per-channel concurrency slots and a deadline for each call.

Each channel gets its own lane: at most ``max_concurrent_calls`` adapter calls
at once, a call waiting at most ``queue_wait`` seconds for a slot and running
at most ``call_deadline`` seconds. Past either bound the caller gets a 503
with ``Retry-After``, which RetailOps answers by sending the call again later,
so one slow backend cannot pile up work without end.

Deadlines are enforced by one watchdog per application that looks at the
calls in flight a few times a second (see :meth:`ChannelLimits.watch`),
rather than by a timer per call: a timer costs more than the rest of the
lane put together, and a deadline of minutes needs no millisecond precision.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

from aiohttp import web

from gateway import errors
from gateway.config import Channel
from gateway.ops.metrics import GatewayMetrics
from gateway.ops.settings import LimitsConfig

RequestT = TypeVar("RequestT")
AnswerT = TypeVar("AnswerT")

# The watchdog looks at the calls in flight this often (a tenth of the
# deadline when that is shorter), so a call is cut at most this late.
WATCH_INTERVAL = 0.25


def channel_label(channel: Channel) -> str:
    """The channel as named in metrics: its configured id, or ``default``."""
    return "default" if channel.id is None else str(channel.id)


class Lane:
    """The slots and deadline of one channel."""

    __slots__ = (
        "_busy_count",
        "_config",
        "_expired",
        "_expired_count",
        "_running",
        "_semaphore",
        "label",
    )

    def __init__(self, label: str, config: LimitsConfig, metrics: GatewayMetrics) -> None:
        self.label = label
        self._config = config
        self._semaphore = asyncio.Semaphore(config.max_concurrent_calls)
        # The task of each call in flight, with the loop time it must end by.
        self._running: dict[asyncio.Task[Any], float] = {}
        # Calls the watchdog cancelled for running past their deadline.
        self._expired: set[asyncio.Task[Any]] = set()
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
        task = asyncio.current_task()
        assert task is not None  # handlers always run in a task
        running = self._running
        running[task] = asyncio.get_running_loop().time() + self._config.call_deadline
        try:
            return await method(request)
        except asyncio.CancelledError:
            if task not in self._expired:
                raise  # cancelled for another reason: the client went away, shutdown
            task.uncancel()
            self._expired_count.inc()
            raise self._refusal(
                "deadline_exceeded",
                f"The call did not finish within {self._config.call_deadline:g} seconds; "
                "send it again later.",
            ) from None
        finally:
            del running[task]
            self._expired.discard(task)
            semaphore.release()

    @property
    def call_deadline(self) -> float:
        return self._config.call_deadline

    def cancel_expired(self, now: float) -> None:
        """Cancel each call in flight whose deadline has passed."""
        for task, deadline in self._running.items():
            if deadline <= now and task not in self._expired:
                self._expired.add(task)
                task.cancel()

    def _refusal(self, code: str, message: str) -> errors.ApiError:
        return errors.ApiError(
            503, code, message, headers={"Retry-After": str(self._config.retry_after)}
        )


class ChannelLimits:
    """Every channel's lane, by the channel's position in the config."""

    def __init__(self, channels: Iterable[Channel], metrics: GatewayMetrics) -> None:
        # Each channel's own limits: the top-level section with its overrides.
        self._lanes = {
            channel.index: Lane(channel_label(channel), channel.limits, metrics)
            for channel in channels
        }
        shortest = min((lane.call_deadline for lane in self._lanes.values()), default=10.0)
        self._interval = min(WATCH_INTERVAL, shortest / 10)

    def lane(self, channel: Channel) -> Lane:
        return self._lanes[channel.index]

    async def watch(self, _: web.Application) -> AsyncIterator[None]:
        """A cleanup context: the deadline watchdog runs while the application does."""

        async def watchdog() -> None:
            loop = asyncio.get_running_loop()
            while True:
                await asyncio.sleep(self._interval)
                now = loop.time()
                for lane in self._lanes.values():
                    lane.cancel_expired(now)

        task = asyncio.create_task(watchdog(), name="call deadline watchdog")
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
