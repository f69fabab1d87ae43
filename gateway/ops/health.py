"""``/healthz`` (the process answers) and ``/readyz`` (it should get traffic).

Ready means: the application finished starting, so every channel's adapter
ran ``start()``, and it is not shutting down; optionally also that each
backend answered its adapter's ``check()`` recently. Check results are cached
for ``cache_seconds`` so a busy probe does not turn into backend traffic.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import structlog
from aiohttp import web

from gateway.adapter import BackendUnavailable, ChannelAdapter, CheckFailed
from gateway.ops.settings import ReadinessConfig

log = structlog.get_logger("gateway.ops")


@dataclass(slots=True)
class _BackendCheck:
    reachable: bool = False
    detail: str = "not checked yet"
    checked_at: float = float("-inf")


class _ChannelProbe:
    """One channel's adapter and its last backend check."""

    def __init__(self, label: str, adapter: ChannelAdapter) -> None:  # type: ignore[type-arg]
        self.label = label
        self.adapter = adapter
        self.last = _BackendCheck()
        self.lock = asyncio.Lock()

    async def check(self, config: ReadinessConfig) -> _BackendCheck:
        async with self.lock:  # concurrent probes share one backend check
            if time.monotonic() - self.last.checked_at < config.cache_seconds:
                return self.last
            try:
                async with asyncio.timeout(config.check_timeout):
                    await self.adapter.check()
                result = _BackendCheck(True, "reachable")
            except (BackendUnavailable, CheckFailed) as exc:
                result = _BackendCheck(False, str(exc))
            except TimeoutError:
                result = _BackendCheck(False, f"no answer within {config.check_timeout:g} s")
            except Exception as exc:  # an adapter's check may fail in any way
                log.exception("backend check failed", channel=self.label)
                result = _BackendCheck(False, f"check failed: {type(exc).__name__}")
            result.checked_at = time.monotonic()
            self.last = result
            return result


class Readiness:
    """Whether this process should receive calls, and why not."""

    def __init__(
        self,
        channels: Iterable[tuple[str, ChannelAdapter]],  # type: ignore[type-arg]
        config: ReadinessConfig,
    ) -> None:
        self._config = config
        self._probes = [_ChannelProbe(label, adapter) for label, adapter in channels]
        self.state = "starting"

    def attach(self, app: web.Application) -> None:
        """Follow ``app``'s life: ready once started, not ready from shutdown on."""

        async def started(_: web.Application) -> None:
            self.state = "ready"

        async def stopping(_: web.Application) -> None:
            self.state = "stopping"

        # on_startup handlers run after the cleanup contexts that start adapters.
        app.on_startup.append(started)
        app.on_shutdown.append(stopping)

    async def report(self) -> tuple[bool, dict[str, object]]:
        """(ready, the JSON body of /readyz); the backends are checked at the same time."""
        started = self.state == "ready"
        results: list[_BackendCheck | None] = [None] * len(self._probes)
        if started and self._config.check_backends:
            results = list(
                await asyncio.gather(*(probe.check(self._config) for probe in self._probes))
            )
        channels: list[dict[str, object]] = []
        ready = started
        for probe, result in zip(self._probes, results, strict=True):
            entry: dict[str, object] = {"channel": probe.label, "adapter": probe.adapter.name}
            if result is not None:
                entry["backend"] = "reachable" if result.reachable else "unreachable"
                if not result.reachable:
                    entry["detail"] = result.detail
                    ready = False
            channels.append(entry)
        status = "ready" if ready else ("not ready" if started else self.state)
        return ready, {"status": status, "pid": os.getpid(), "channels": channels}


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "alive", "pid": os.getpid()})


def readyz_handler(readiness: Readiness) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def readyz(_: web.Request) -> web.Response:
        ready, body = await readiness.report()
        return web.json_response(body, status=200 if ready else 503)

    return readyz
