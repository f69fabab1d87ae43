"""The transport to one WooCommerce store: the ``woocommerce`` package, off the event loop.

The package is blocking (``requests`` underneath), so every call runs in this
client's own bounded thread pool with a timeout. It signs plain-http calls with
OAuth 1.0a and uses HTTP Basic auth over https. Failures worth another try
(429, 5xx, timeouts, dropped connections) become
:class:`~gateway.upstream.RetryableError` and are retried by the shared policy;
any other 4xx becomes :class:`WooCommerceError` carrying WooCommerce's own
``code`` and ``message``.

Nothing here puts a URL into a message: on plain http the query string carries
the consumer key and the signature.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from woocommerce import API

from gateway.upstream import RetryableError, RetrySettings, call_with_retries

BACKEND = "woocommerce"
T = TypeVar("T")
# The thread may outlive its own socket timeouts (connect, then each read);
# this caps the whole call so a trickling answer cannot hold a thread forever.
_WHOLE_CALL_FACTOR = 3.0


class _HideSignedQueries(logging.Filter):
    """urllib3 logs each request's URL at debug level; on plain http its query holds the
    consumer key and the OAuth signature, so the query is left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.split("?", 1)[0] + "?<signed query hidden>"
                if isinstance(arg, str) and "oauth_" in arg
                else arg
                for arg in record.args
            )
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_HideSignedQueries())


class WooCommerceError(Exception):
    """WooCommerce refused a call (a 4xx other than 429): not worth another try."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class StoreTimeout(RetryableError):
    """The store did not answer in time; it may still be carrying the call out."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful answer: the decoded JSON and the paging headers."""

    status: int
    body: Any
    total: int | None = None
    total_pages: int | None = None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _int_header(response: requests.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


def read_response(response: requests.Response, operation: str) -> Reply:
    """Turn a raw answer into a Reply, or raise the error it stands for."""
    status = response.status_code
    if status == 429:
        raise RetryableError(
            f"{operation}: throttled (429)",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        raise RetryableError(
            f"{operation}: server error {status}",
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    try:
        body = response.json()
    except ValueError as exc:
        # A host's HTML maintenance or challenge page; it usually passes.
        raise RetryableError(f"{operation}: answer {status} was not JSON") from exc
    if status >= 400:
        code = body.get("code") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        raise WooCommerceError(status, str(code or f"http_{status}"), str(message or ""))
    return Reply(
        status=status,
        body=body,
        total=_int_header(response, "X-WP-Total"),
        total_pages=_int_header(response, "X-WP-TotalPages"),
    )


class WooCommerceClient:
    """Async calls to one store, each retried under the shared policy."""

    def __init__(
        self,
        *,
        store_url: str,
        consumer_key: str,
        consumer_secret: str,
        timeout: float,
        retry: RetrySettings,
        concurrency: int,
        verify_tls: bool = True,
    ) -> None:
        self._credentials = (store_url, consumer_key, consumer_secret)
        self._timeout = timeout
        self._verify_tls = verify_tls
        self._retry = retry
        self._apis: dict[str, API] = {}
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="woocommerce")
        self._slots = asyncio.Semaphore(concurrency)

    def _api(self, namespace: str) -> API:
        """The package's client for one REST namespace (wc/v3, or an extension's)."""
        api = self._apis.get(namespace)
        if api is None:
            url, key, secret = self._credentials
            api = API(
                url=url,
                consumer_key=key,
                consumer_secret=secret,
                version=namespace,
                timeout=self._timeout,
                verify_ssl=self._verify_tls,
            )
            self._apis[namespace] = api
        return api

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: dict[str, str | int] | None = None,
        data: Any = None,
        namespace: str = "wc/v3",
        operation: str | None = None,
    ) -> Reply:
        """One call, retried for transient failures; BackendUnavailable when they persist."""

        async def one_try() -> Reply:
            return await self.attempt(
                method, endpoint, params=params, data=data, namespace=namespace
            )

        return await self.guarded(
            operation or f"{method} {endpoint}", one_try, writes=method != "GET"
        )

    async def guarded(
        self, operation: str, call: Callable[[], Awaitable[T]], *, writes: bool = True
    ) -> T:
        """Retry ``call``, an ``async def`` that may make several calls (a check, then a write).

        When a try of a write timed out, the store may still be carrying it out:
        the next try waits ``timeout`` more first, so that its check (or its
        newer value) comes after the late write rather than before it.
        """
        timed_out = False

        async def one_try() -> T:
            nonlocal timed_out
            if timed_out and writes:
                await asyncio.sleep(self._timeout)
            try:
                return await call()
            except StoreTimeout:
                timed_out = True
                raise

        return await call_with_retries(one_try, self._retry, backend=BACKEND, operation=operation)

    async def attempt(
        self,
        method: str,
        endpoint: str,
        *,
        params: dict[str, str | int] | None = None,
        data: Any = None,
        namespace: str = "wc/v3",
    ) -> Reply:
        """One try, without retries: RetryableError or WooCommerceError when it fails."""
        api = self._api(namespace)
        operation = f"{method} {endpoint}"
        query = dict(params or {})

        def send() -> requests.Response:
            if method in ("POST", "PUT"):
                return getattr(api, method.lower())(endpoint, data, params=query)  # type: ignore[no-any-return]
            return getattr(api, method.lower())(endpoint, params=query)  # type: ignore[no-any-return]

        loop = asyncio.get_running_loop()
        try:
            # A free thread first, so that waiting in line does not count against the call.
            async with self._slots, asyncio.timeout(self._timeout * _WHOLE_CALL_FACTOR):
                response = await loop.run_in_executor(self._pool, send)
        except (TimeoutError, requests.Timeout) as exc:
            raise StoreTimeout(f"{operation}: timed out") from exc
        except requests.ConnectionError as exc:
            # The class name only: requests' own message repeats the signed URL.
            raise RetryableError(f"{operation}: connection failed ({type(exc).__name__})") from exc
        except requests.RequestException as exc:
            raise RetryableError(f"{operation}: request failed ({type(exc).__name__})") from exc
        return read_response(response, operation)
