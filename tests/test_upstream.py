"""The shared retry policy around single upstream calls."""

from __future__ import annotations

import pytest

from gateway.adapter import BackendUnavailable
from gateway.upstream import RetryableError, RetrySettings, call_with_retries

FAST = RetrySettings(attempts=4, initial_backoff=0.001, max_backoff=0.01, total_timeout=5)


class Flaky:
    """Fails with the given errors, in order, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_retryable_errors_are_retried_until_success() -> None:
    call = Flaky(RetryableError("503"), RetryableError("timeout"))
    assert await call_with_retries(call, FAST, backend="b", operation="op") == "ok"
    assert call.calls == 3


async def test_other_errors_are_never_retried() -> None:
    call = Flaky(ValueError("bad request"))
    with pytest.raises(ValueError, match="bad request"):
        await call_with_retries(call, FAST, backend="b", operation="op")
    assert call.calls == 1


async def test_giving_up_raises_backend_unavailable_with_retry_after() -> None:
    call = Flaky(*[RetryableError("down", retry_after=0.001) for _ in range(10)])
    with pytest.raises(BackendUnavailable) as caught:
        await call_with_retries(call, FAST, backend="shop", operation="orders")
    assert call.calls == FAST.attempts
    assert caught.value.retry_after == FAST.retry_after_on_give_up
    assert "shop" in str(caught.value)


async def test_retry_after_from_the_backend_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def record_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("asyncio.sleep", record_sleep)
    call = Flaky(RetryableError("429", retry_after=3.0))
    settings = RetrySettings(attempts=3, initial_backoff=0.001, max_backoff=10)
    assert await call_with_retries(call, settings, backend="b", operation="op") == "ok"
    assert waits == [pytest.approx(3.0, abs=0.01)]


async def test_a_retry_after_beyond_the_time_budget_gives_up_at_once_and_is_passed_on() -> None:
    call = Flaky(*[RetryableError("429", retry_after=600) for _ in range(3)])
    with pytest.raises(BackendUnavailable) as caught:
        await call_with_retries(call, FAST, backend="b", operation="op")
    assert call.calls == 1
    assert caught.value.retry_after == 600


async def test_a_plain_callable_returning_a_coroutine_is_awaited_and_retried() -> None:
    call = Flaky(RetryableError("503"))
    assert await call_with_retries(lambda: call(), FAST, backend="b", operation="op") == "ok"
    assert call.calls == 2
