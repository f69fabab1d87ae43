"""A small adapter whose behaviour each test chooses through its settings.

It stands for any backend in the server's tests, so they do not depend on a
real adapter: it answers ``catalog_push`` with an event, logs a line while
handling ``inventory_push``, and on request fails like a backend that is down
(``BackendUnavailable``) or like a bug (an unexpected exception).
"""

from __future__ import annotations

from typing import Any, Literal

import structlog

from gateway.adapter import AdapterSettings, BackendUnavailable, ChannelAdapter
from gateway.config import Config, parse_config
from gateway.contract import (
    CatalogPushRequest,
    CatalogPushResponse,
    InventoryPushRequest,
    InventoryPushResponse,
    make_event,
)
from gateway.plugins import PluginError
from gateway.samples import sample_request

log = structlog.get_logger("tests.fakes")

# The token the fake channels use; distinctive, so tests can look for it in logs.
TOKEN = "tok-3f9c1a7e5b2d4c6e8a0f1b3d5e7c9a2b"
CRASH_MESSAGE = "fake adapter bug"


class ScriptedSettings(AdapterSettings):
    behaviour: Literal["normal", "unavailable", "crash"] = "normal"
    retry_after: float = 7.0


class ScriptedAdapter(ChannelAdapter[ScriptedSettings]):
    name = "scripted"
    Settings = ScriptedSettings

    def __init__(self, settings: ScriptedSettings) -> None:
        super().__init__(settings)
        self.lifecycle: list[str] = []

    async def start(self) -> None:
        self.lifecycle.append("start")

    async def close(self) -> None:
        self.lifecycle.append("close")

    def _misbehave(self) -> None:
        if self.settings.behaviour == "unavailable":
            raise BackendUnavailable(
                "the fake backend is down", retry_after=self.settings.retry_after
            )
        if self.settings.behaviour == "crash":
            raise RuntimeError(CRASH_MESSAGE)

    async def catalog_push(self, request: CatalogPushRequest) -> CatalogPushResponse:
        self._misbehave()
        event = make_event("info", "RECEIVED", f"{len(request.feed)} feed keys", sku_number="S1")
        return CatalogPushResponse(events=[event])

    async def inventory_push(self, request: InventoryPushRequest) -> InventoryPushResponse:
        self._misbehave()
        log.info("fake inventory push", updates=len(request.inventory_updates))
        return InventoryPushResponse(events=[])


FAKE_ADAPTERS: dict[str, type[ChannelAdapter[Any]]] = {"scripted": ScriptedAdapter}


def fake_loader(name: str) -> type[ChannelAdapter[Any]]:
    """Find an adapter among the fakes, refusing other names like the real loader."""
    try:
        return FAKE_ADAPTERS[name]
    except KeyError:
        raise PluginError(f"no adapter named {name!r} is installed") from None


def channel(**fields: Any) -> dict[str, Any]:
    """A channel block for the scripted adapter, serving any id unless ``id`` is given."""
    block: dict[str, Any] = {"auth_token": TOKEN, "adapter": "scripted"}
    if "id" not in fields:
        block["default"] = True
    return {**block, **fields}


def scripted_config(*channels: dict[str, Any], **sections: Any) -> Config:
    """A config of scripted channels (one default channel when none is given)."""
    data = {"channels": list(channels) or [channel()], **sections}
    return parse_config(data, source="<test>", environ={}, adapter_loader=fake_loader)


def call_body(
    action: str, *, token: str | None = TOKEN, channel_id: int | None = 1, **fields: Any
) -> dict[str, Any]:
    """The verifier's sample request for ``action`` with this token and channel id.

    ``token=None`` leaves the token out, ``channel_id=None`` sends ``channel_info: {}``;
    ``fields`` replace top-level fields.
    """
    body = sample_request(action, auth_key=token or "", channel_id=channel_id or 0)
    if token is None:
        del body["integration_auth_token"]
    if channel_id is None:
        body["channel_info"] = {}
    return {**body, **fields}
