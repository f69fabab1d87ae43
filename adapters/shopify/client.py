"""Transport to one shop's GraphQL Admin API: timeouts, cost-based throttling, retries.

ShopifyAPI provides the session (shop domain, API version, access token); the
calls themselves go over aiohttp so that they never block the event loop and
each has a timeout, which ShopifyAPI's own ``GraphQL().execute()`` lacks.

Shopify meters GraphQL by cost: a leaky bucket of points refilled at a fixed
rate per second. Every answer reports the bucket in ``extensions.cost``; the
client keeps an estimate of it and waits before a call the bucket cannot
afford, so that throttling is avoided rather than retried. What still fails
transiently (THROTTLED, 429, 5xx, timeouts, dropped connections) is retried by
the shared policy in :mod:`gateway.upstream`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
import shopify

from adapters.shopify.settings import ShopifySettings
from gateway.upstream import RetryableError, call_with_retries, throttle_wait

BACKEND = "shopify"
JSON = dict[str, Any]


class ShopifyError(Exception):
    """Shopify refused the call itself (not a per-item userError); retrying will not help."""


class ShopifyAuthError(ShopifyError):
    """The access token was refused (HTTP 401 or 403)."""


class CostBucket:
    """The client's estimate of the shop's leaky bucket, corrected by every answer.

    Each call holds a ticket while it is in flight. An answer reports the bucket
    as Shopify saw it; calls sent after the answered one are assumed not yet
    counted there and are taken off again, so that concurrent answers do not
    make the estimate look richer than the shop is.
    """

    def __init__(self) -> None:
        self.maximum: float | None = None
        self.restore_rate: float | None = None
        self._available = 0.0
        self._updated = 0.0
        self._lock = asyncio.Lock()
        self._tickets = itertools.count()
        self._in_flight: dict[int, float] = {}

    def available(self) -> float | None:
        """Points available now, or None until Shopify has told us about the bucket."""
        if self.maximum is None or self.restore_rate is None:
            return None
        refilled = self._available + (time.monotonic() - self._updated) * self.restore_rate
        return min(self.maximum, refilled)

    def seconds_until(self, cost: float) -> float:
        """How long until ``cost`` points are available (0 when they are, or unknown)."""
        available = self.available()
        if available is None or self.restore_rate is None or available >= cost:
            return 0.0
        return (min(cost, self.maximum or cost) - available) / self.restore_rate

    async def reserve(self, cost: float) -> int:
        """Wait until the bucket can afford ``cost``, count it as spent; the call's ticket."""
        async with self._lock:  # waiters queue in order instead of racing for points
            wait = self.seconds_until(cost)
            if wait > 0:
                await throttle_wait("shopify", wait, operation="cost budget")
            available = self.available()
            if available is not None:
                self._set(available - cost)
            ticket = next(self._tickets)
            self._in_flight[ticket] = cost
            return ticket

    def observe(self, ticket: int, cost: Mapping[str, Any]) -> None:
        """Take the bucket state from the ``extensions.cost`` of the answer to ``ticket``."""
        status = cost.get("throttleStatus") or {}
        if not {"maximumAvailable", "currentlyAvailable", "restoreRate"} <= status.keys():
            return
        self.maximum = float(status["maximumAvailable"])
        self.restore_rate = float(status["restoreRate"])
        sent_later = sum(c for t, c in self._in_flight.items() if t > ticket)
        self._set(float(status["currentlyAvailable"]) - sent_later)

    def release(self, ticket: int) -> None:
        """The call is over, answered or not."""
        self._in_flight.pop(ticket, None)

    def _set(self, available: float) -> None:
        self._available = available
        self._updated = time.monotonic()


class ShopifyClient:
    """One shop: ``execute(document, variables)`` returns the answer's ``data``."""

    def __init__(self, settings: ShopifySettings) -> None:
        self._settings = settings
        self._session = shopify.Session(
            settings.shop_domain, settings.api_version, settings.access_token.get_secret_value()
        )
        site = settings.api_base_url or f"{shopify.Session.protocol}://{self._session.url}"
        self.endpoint = f"{self._session.version.api_path(site)}/graphql.json"
        self.bucket = CostBucket()
        # The last requested cost seen per query shape: what to wait for next time.
        self._known_costs: dict[str, float] = {}
        self._in_flight = asyncio.Semaphore(settings.max_concurrency)
        self._http: aiohttp.ClientSession | None = None
        #: Upstream HTTP requests sent, retries included.
        self.requests_sent = 0

    async def start(self) -> None:
        timeout = aiohttp.ClientTimeout(
            total=self._settings.request_timeout, connect=self._settings.connect_timeout
        )
        self._http = aiohttp.ClientSession(
            timeout=timeout,
            headers={
                "X-Shopify-Access-Token": self._session.token,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def execute(
        self, document: str, variables: Mapping[str, Any] | None = None, *, operation: str
    ) -> JSON:
        """Send one document under the retry policy; BackendUnavailable when it keeps failing.

        Only for queries and for mutations that are safe to send twice.
        """

        async def attempt() -> JSON:
            return await self.execute_once(document, variables, operation=operation)

        return await call_with_retries(
            attempt, self._settings.retry, backend=BACKEND, operation=operation
        )

    async def execute_once(
        self, document: str, variables: Mapping[str, Any] | None = None, *, operation: str
    ) -> JSON:
        """Send one document once; RetryableError when it may be worth another try.

        For writes that must not be repeated blindly: the caller checks the
        shop's state before it tries again.
        """
        variables = dict(variables or {})
        body = json.dumps({"query": document, "variables": variables})
        return await self._send(body, operation, _shape(operation, variables))

    async def _send(self, body: str, operation: str, shape: str) -> JSON:
        if self._http is None:
            raise RuntimeError("ShopifyClient.start() was not called")
        async with self._in_flight:
            ticket = await self.bucket.reserve(self._known_costs.get(shape, 0.0))
            try:
                self.requests_sent += 1
                try:
                    async with self._http.post(self.endpoint, data=body) as response:
                        status = response.status
                        retry_after = _retry_after(response.headers.get("Retry-After"))
                        text = await response.text()
                except TimeoutError as exc:
                    raise RetryableError(f"{operation}: no answer within the timeout") from exc
                except aiohttp.ClientError as exc:
                    raise RetryableError(
                        f"{operation}: connection failed ({type(exc).__name__})"
                    ) from exc
                return self._read_answer(operation, shape, ticket, status, retry_after, text)
            finally:
                self.bucket.release(ticket)

    def _read_answer(
        self,
        operation: str,
        shape: str,
        ticket: int,
        status: int,
        retry_after: float | None,
        text: str,
    ) -> JSON:
        if status == 429:
            raise RetryableError(f"{operation}: HTTP 429", retry_after=retry_after)
        if status >= 500:
            raise RetryableError(f"{operation}: HTTP {status}", retry_after=retry_after)
        if status in (401, 403):
            raise ShopifyAuthError(f"{operation}: the access token was refused (HTTP {status})")
        try:
            answer = json.loads(text)
        except ValueError as exc:
            if status >= 400:
                raise ShopifyError(f"{operation}: HTTP {status}") from exc
            raise RetryableError(f"{operation}: the answer was not JSON") from exc
        if not isinstance(answer, dict):
            raise ShopifyError(f"{operation}: unexpected answer (HTTP {status})")
        cost = (answer.get("extensions") or {}).get("cost") or {}
        self.bucket.observe(ticket, cost)
        if "requestedQueryCost" in cost:
            self._known_costs[shape] = float(cost["requestedQueryCost"])
        errors = answer.get("errors")
        if errors:
            self._raise_for_errors(operation, errors, cost)
        if status >= 400 or not isinstance(answer.get("data"), dict):
            raise ShopifyError(f"{operation}: HTTP {status} without data")
        return answer["data"]  # type: ignore[no-any-return]

    def _raise_for_errors(self, operation: str, errors: Any, cost: Mapping[str, Any]) -> None:
        errors = errors if isinstance(errors, list) else [{"message": str(errors)}]
        codes = {str((e.get("extensions") or {}).get("code", "")) for e in errors}
        messages = "; ".join(str(e.get("message", "")) for e in errors)[:500]
        if "THROTTLED" in codes:
            wait = self.bucket.seconds_until(float(cost.get("requestedQueryCost") or 0))
            raise RetryableError(f"{operation}: throttled", retry_after=wait or None)
        if "INTERNAL_SERVER_ERROR" in codes:
            raise RetryableError(f"{operation}: Shopify internal error")
        if "ACCESS_DENIED" in codes:
            raise ShopifyError(f"{operation}: access denied (missing scope?): {messages}")
        raise ShopifyError(f"{operation}: {messages}")


def _shape(operation: str, variables: Mapping[str, Any]) -> str:
    """What decides a document's requested cost: the operation, its page size, its arity."""
    return f"{operation}/{variables.get('first')}/{len(variables)}"


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
