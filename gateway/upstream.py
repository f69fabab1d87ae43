"""The shared retry policy for calls to a backend.

Retries wrap single upstream calls, never whole RetailOps calls. A client
raises :class:`RetryableError` for what is worth another try (429, 5xx,
timeouts, dropped connections, a backend's own throttle signal), with the
backend's ``Retry-After`` when it gave one. When the attempts or the time run
out the caller gets :class:`~gateway.adapter.BackendUnavailable`, which the
gateway answers with 503 and ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from pydantic import BaseModel, ConfigDict, Field
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from gateway.adapter import BackendUnavailable
from gateway.ops.metrics import current_metrics

T = TypeVar("T")
log = structlog.get_logger("gateway.upstream")


class RetrySettings(BaseModel):
    """How hard to try one upstream call before giving up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attempts: int = Field(default=5, ge=1, le=20, description="Tries in all, the first included.")
    initial_backoff: float = Field(default=0.5, gt=0, description="First wait, in seconds.")
    max_backoff: float = Field(
        default=20.0,
        gt=0,
        description="Longest backoff between tries, seconds; Retry-After is never cut.",
    )
    total_timeout: float = Field(
        default=60.0, gt=0, description="Give up after this many seconds in all."
    )
    retry_after_on_give_up: float = Field(
        default=30.0, gt=0, description="Retry-After sent to RetailOps when giving up."
    )


class RetryableError(Exception):
    """A failed upstream call that may succeed if tried again.

    ``retry_after`` is the backend's own advice in seconds, when it gave one.
    The message must not contain secrets.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _WaitRetryAfterOrBackoff:
    """Wait what the backend asked for, or exponential backoff with full jitter if more.

    A Retry-After is honoured in full, never shortened: when it does not fit in
    the time left, the stop condition gives up at once and RetailOps is told to
    come back after it.
    """

    def __init__(self, settings: RetrySettings) -> None:
        self._backoff = wait_random_exponential(
            multiplier=settings.initial_backoff, max=settings.max_backoff
        )

    def __call__(self, state: RetryCallState) -> float:
        backoff = self._backoff(state)
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        asked = getattr(error, "retry_after", None) or 0.0
        return max(backoff, asked)


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    settings: RetrySettings,
    *,
    backend: str,
    operation: str,
) -> T:
    """Run ``call`` under the retry policy; BackendUnavailable when it keeps failing.

    Counted in the gateway's metrics (calls, retries, failures, duration) when
    it runs within a request.
    """
    metrics = current_metrics()

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        if metrics is not None:
            metrics.upstream_retries.labels(backend).inc()
        log.warning(
            "upstream_retry",
            backend=backend,
            operation=operation,
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 3),
            error=str(error),
        )

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(RetryableError),
        stop=stop_after_attempt(settings.attempts) | stop_before_delay(settings.total_timeout),
        wait=_WaitRetryAfterOrBackoff(settings),
        before_sleep=before_sleep,
        reraise=True,
    )
    started = time.perf_counter()

    async def attempt() -> T:
        # tenacity awaits only what `async def` functions return; a lambda or a
        # partial that returns a coroutine must be awaited here, not returned.
        return await call()

    try:
        return await retrying(attempt)
    except RetryableError as error:
        log.error("upstream_gave_up", backend=backend, operation=operation, error=str(error))
        if metrics is not None:
            metrics.upstream_failures.labels(backend).inc()
        raise BackendUnavailable(
            f"{backend} is unavailable ({operation}): {error}",
            retry_after=max(error.retry_after or 0.0, settings.retry_after_on_give_up),
        ) from error
    finally:
        if metrics is not None:
            metrics.upstream_calls.labels(backend).inc()
            metrics.upstream_duration.labels(backend).observe(time.perf_counter() - started)


async def throttle_wait(backend: str, seconds: float, *, operation: str = "") -> None:
    """Pause because the backend asked to slow down (a cost budget, a rate window).

    Adapters call this instead of ``asyncio.sleep`` so the pause is logged and
    counted in the gateway's metrics.
    """
    log.info("upstream_throttle_wait", backend=backend, operation=operation, wait_s=seconds)
    metrics = current_metrics()
    if metrics is not None:
        metrics.throttle_waits.labels(backend).inc()
        metrics.throttle_wait_seconds.labels(backend).inc(seconds)
    await asyncio.sleep(seconds)
