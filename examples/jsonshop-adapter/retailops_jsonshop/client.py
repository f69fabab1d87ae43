"""The transport to one JSON Shop: aiohttp calls, each retried under the gateway's policy.

What is worth another try (429, 5xx, timeouts, dropped connections) becomes
``RetryableError``, with the shop's ``Retry-After`` when it sent one; the
shared policy (``gateway.call_with_retries``) retries it and gives up with
``BackendUnavailable``, which the gateway answers with 503. A 404 is
:class:`NotFound`; any other refusal is :class:`JsonShopError`, not retried.
The API key travels in a header and never appears in a message.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from gateway import RetryableError, call_with_retries

from retailops_jsonshop.settings import JsonShopSettings

BACKEND = "jsonshop"


class JsonShopError(Exception):
    """The shop refused a call (a 4xx other than 404 and 429)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class NotFound(JsonShopError):
    """The shop has no such resource (404)."""


def _retry_after(response: aiohttp.ClientResponse) -> float | None:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None


class JsonShopClient:
    """JSON in, JSON out, for one shop; open() before the first call, close() after the last."""

    def __init__(self, settings: JsonShopSettings) -> None:
        self._settings = settings
        self._base_url = settings.base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        self._session = aiohttp.ClientSession(
            headers={"X-Api-Key": self._settings.api_key.get_secret_value()},
            timeout=aiohttp.ClientTimeout(total=self._settings.timeout),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        json: Any = None,
    ) -> Any:
        """One API call under the retry policy; its decoded JSON answer."""
        operation = f"{method} {path}"

        async def attempt() -> Any:
            return await self._attempt(method, path, operation, params=params, json=json)

        return await call_with_retries(
            attempt, self._settings.retry, backend=BACKEND, operation=operation
        )

    async def _attempt(
        self,
        method: str,
        path: str,
        operation: str,
        *,
        params: dict[str, str | int] | None,
        json: Any,
    ) -> Any:
        if self._session is None:
            raise RuntimeError("JsonShopClient.open() was not called")
        try:
            async with self._session.request(
                method, self._base_url + path, params=params, json=json
            ) as response:
                if response.status == 429 or response.status >= 500:
                    raise RetryableError(
                        f"{operation}: HTTP {response.status}", retry_after=_retry_after(response)
                    )
                body = await response.json(content_type=None)
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as exc:
            raise RetryableError(f"{operation}: {type(exc).__name__}") from exc
        if response.status == 404:
            raise NotFound(404, f"{operation}: not found")
        if response.status >= 400:
            message = body.get("error", "") if isinstance(body, dict) else ""
            raise JsonShopError(response.status, f"{operation}: {message}")
        return body
