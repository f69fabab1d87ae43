"""The adapter port: what a backend implements to be a RetailOps channel.

An adapter subclasses :class:`ChannelAdapter`, declares its own pydantic
``Settings`` (a subclass of :class:`AdapterSettings`) and overrides the actions
its backend can do. Every action it leaves alone answers a contract-valid body
with an ``UNSUPPORTED_ACTION`` error event, so a partial adapter is still a
valid channel, and :meth:`ChannelAdapter.capabilities` tells which are real.

Per-item problems (an unknown SKU, an order that cannot be cancelled) go back
as events in the answer. A backend that stays unavailable after retries raises
:class:`BackendUnavailable`; the gateway answers 503 with ``Retry-After`` so
RetailOps sends the call again later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from gateway.contract import ACTIONS, ResponseModel, unsupported_response
from gateway.contract import requests as rq
from gateway.contract import responses as rs

# Bumped when the port changes in a way that breaks existing adapters. The
# gateway refuses, at start-up, an adapter built for another version.
INTERFACE_VERSION = 1


class AdapterSettings(BaseModel):
    """Base of every adapter's settings block; unknown keys are refused to catch typos."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # What catalog_get_config answers: whether RetailOps sends related SKUs
    # (variants) together or each SKU on its own.
    sku_fanout: Literal["related_skus", "no_fanout"] = "no_fanout"


class BackendUnavailable(Exception):
    """The backend could not be reached or stayed throttled after every retry.

    The message is shown to RetailOps: it must not contain secrets.
    """

    def __init__(self, message: str, *, retry_after: float = 30.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CheckFailed(Exception):
    """check() reached the backend but found it unusable (a missing permission, say).

    ``lines`` are the facts found before the failure, shown with the message.
    """

    def __init__(self, message: str, *, lines: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.lines = list(lines)


SettingsT = TypeVar("SettingsT", bound=AdapterSettings)


class ChannelAdapter(Generic[SettingsT]):
    """One backend seen as a RetailOps channel: one async method per call."""

    #: The name under which the adapter is registered (its entry point's name).
    name: ClassVar[str] = "adapter"
    #: The settings model of this adapter's block in the YAML config.
    Settings: ClassVar[type[AdapterSettings]] = AdapterSettings
    #: The port version the adapter was written for; see INTERFACE_VERSION.
    interface_version: ClassVar[int] = INTERFACE_VERSION

    def __init__(self, settings: SettingsT) -> None:
        self.settings = settings

    @classmethod
    def capabilities(cls) -> frozenset[str]:
        """The actions this adapter really implements (catalog_get_config always)."""
        return frozenset(
            name for name in ACTIONS if getattr(cls, name) is not getattr(ChannelAdapter, name)
        ) | {"catalog_get_config"}

    async def start(self) -> None:
        """Open sessions and warm caches; called once before the first request."""

    async def close(self) -> None:
        """Release what start() opened; called once at shutdown."""

    async def check(self) -> list[str]:
        """Reach the backend and describe what was found, one line per fact.

        Raises BackendUnavailable when it cannot be reached, CheckFailed when it
        can but is not usable. Used by readiness probes and the connection
        check command.
        """
        return []

    def _unsupported(self, action: str) -> ResponseModel:
        return unsupported_response(ACTIONS[action], self.name)

    # --- the 11 calls; each default is the contract's "not supported" answer --

    async def catalog_get_config(
        self, request: rq.CatalogGetConfigRequest
    ) -> rs.CatalogGetConfigResponse:
        return rs.CatalogGetConfigResponse(sku_fanout=self.settings.sku_fanout)

    async def catalog_push(self, request: rq.CatalogPushRequest) -> rs.CatalogPushResponse:
        return self._unsupported("catalog_push")  # type: ignore[return-value]

    async def inventory_push(self, request: rq.InventoryPushRequest) -> rs.InventoryPushResponse:
        return self._unsupported("inventory_push")  # type: ignore[return-value]

    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        return self._unsupported("order_pull")  # type: ignore[return-value]

    async def order_acknowledge(
        self, request: rq.OrderAcknowledgeRequest
    ) -> rs.OrderAcknowledgeResponse:
        return self._unsupported("order_acknowledge")  # type: ignore[return-value]

    async def order_update(self, request: rq.OrderUpdateRequest) -> rs.OrderUpdateResponse:
        return self._unsupported("order_update")  # type: ignore[return-value]

    async def order_cancel(self, request: rq.OrderCancelRequest) -> rs.OrderCancelResponse:
        return self._unsupported("order_cancel")  # type: ignore[return-value]

    async def order_shipment_submit(
        self, request: rq.OrderShipmentSubmitRequest
    ) -> rs.OrderShipmentSubmitResponse:
        return self._unsupported("order_shipment_submit")  # type: ignore[return-value]

    async def order_complete(self, request: rq.OrderCompleteRequest) -> rs.OrderCompleteResponse:
        return self._unsupported("order_complete")  # type: ignore[return-value]

    async def order_settle_payment(
        self, request: rq.OrderSettlePaymentRequest
    ) -> rs.OrderSettlePaymentResponse:
        return self._unsupported("order_settle_payment")  # type: ignore[return-value]

    async def order_returned(self, request: rq.OrderReturnedRequest) -> rs.OrderReturnedResponse:
        return self._unsupported("order_returned")  # type: ignore[return-value]
