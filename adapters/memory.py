"""The in-memory adapter: a complete RetailOps channel held in the process.

The embedded default: the way to try the gateway, to develop against, and the
reference the real backends are measured against. Its state lives in a
:class:`~adapters.memory_store.MemoryStore` (``adapter.store``, public so that
tests can seed and inspect it); this module holds the channel's rules and turns
each call into store changes and each problem into an event.

Every call runs to its end without awaiting, so on one event loop each call is
atomic: no other call sees it half-applied.
"""

from __future__ import annotations

import re
from itertools import islice

from pydantic import Field

from adapters.memory_demo import DemoSettings, generate_demo
from adapters.memory_store import MemoryStore, StoredItem, StoredOrder, StoredPayment
from adapters.memory_writeback import (
    cancel_order,
    complete_order,
    record_return,
    record_shipment,
    settle_payment,
    unknown_order,
    update_order,
)
from gateway.adapter import AdapterSettings, ChannelAdapter
from gateway.contract import (
    ORDERS_PER_PAGE_MAX,
    Event,
    SpecificOrder,
    make_event,
)
from gateway.contract import requests as rq
from gateway.contract import responses as rs
from gateway.feed import parse_feed

# The store's records are re-exported for tests and suites that seed the store.
__all__ = [
    "DemoSettings",
    "MemoryAdapter",
    "MemorySettings",
    "MemoryStore",
    "StoredItem",
    "StoredOrder",
    "StoredPayment",
    "decode_page_token",
    "encode_page_token",
]


class MemorySettings(AdapterSettings):
    """The memory adapter's settings block."""

    # Orders per order_pull page.
    page_size: int = Field(default=50, ge=1, le=ORDERS_PER_PAGE_MAX)
    demo: DemoSettings = DemoSettings()


# A page token is the creation sequence of the last order the previous page
# held: a position, so acknowledging orders between pages shifts nothing.
_PAGE_TOKEN = re.compile(r"after-(\d{1,20})")


def encode_page_token(sequence: int) -> str:
    return f"after-{sequence}"


def decode_page_token(token: str) -> int | None:
    """The sequence a token continues after: 0 for the empty token, None when unreadable."""
    if not token:
        return 0
    match = _PAGE_TOKEN.fullmatch(token)
    return int(match.group(1)) if match else None


class MemoryAdapter(ChannelAdapter[MemorySettings]):
    """A channel whose catalog, stock and orders live in memory."""

    name = "memory"
    Settings = MemorySettings

    def __init__(self, settings: MemorySettings) -> None:
        super().__init__(settings)
        self.store = MemoryStore()
        self._demo_loaded = False

    async def start(self) -> None:
        """Load the demo data set when the settings ask for it (once)."""
        if self.settings.demo.enabled and not self._demo_loaded:
            generate_demo(self.store, self.settings.demo)
            self._demo_loaded = True

    async def check(self) -> list[str]:
        store = self.store
        return [
            f"{store.product_count} products, {store.sku_count} SKUs",
            f"{store.order_count} orders, {store.unacknowledged_count} not yet acknowledged",
        ]

    # --- catalog and stock -------------------------------------------------------

    async def catalog_push(self, request: rq.CatalogPushRequest) -> rs.CatalogPushResponse:
        products, events = parse_feed(request.feed)
        for product in products:
            self.store.upsert_product(product)
        return rs.CatalogPushResponse(events=events)

    async def inventory_push(self, request: rq.InventoryPushRequest) -> rs.InventoryPushResponse:
        events = [
            make_event(
                "error",
                "UNKNOWN_SKU",
                f"SKU {update.sku!r} is not in this channel's catalog; stock not set.",
                sku_number=update.sku,
            )
            for update in request.inventory_updates
            if not self.store.set_stock(update.sku, update.quantity_available)
        ]
        return rs.InventoryPushResponse(events=events)

    # --- order import --------------------------------------------------------------

    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        if request.specific_orders:
            return self._pull_specific(request.specific_orders)
        after = decode_page_token(request.page_token)
        if after is None:
            event = make_event(
                "error",
                "INVALID_PAGE_TOKEN",
                f"page_token {request.page_token!r} was not issued by this channel; "
                "start again with an empty page_token.",
            )
            return rs.OrderPullResponse(events=[event])
        page_size = self.settings.page_size
        # One more than a page tells whether a next page exists.
        orders = list(islice(self.store.unacknowledged_after(after), page_size + 1))
        page = orders[:page_size]
        more = len(orders) > page_size
        return rs.OrderPullResponse(
            orders=[order.to_contract() for order in page],
            next_page_token=encode_page_token(page[-1].sequence) if more else "",
        )

    def _pull_specific(self, wanted: list[SpecificOrder]) -> rs.OrderPullResponse:
        """The orders asked for by refnum, whatever their state; no page token."""
        refnums = list(dict.fromkeys(specific.channel_refnum for specific in wanted))
        events: list[Event] = []
        if len(refnums) > ORDERS_PER_PAGE_MAX:
            events.append(
                make_event(
                    "warning",
                    "TOO_MANY_SPECIFIC_ORDERS",
                    f"{len(refnums)} orders asked for; the first {ORDERS_PER_PAGE_MAX} are "
                    "answered, ask again for the rest.",
                )
            )
            refnums = refnums[:ORDERS_PER_PAGE_MAX]
        found: list[StoredOrder] = []
        for refnum in refnums:
            order = self.store.order(refnum)
            if order is None:
                events.append(unknown_order("warning", refnum))
            else:
                found.append(order)
        return rs.OrderPullResponse(
            orders=[order.to_contract() for order in found], events=events or None
        )

    async def order_acknowledge(
        self, request: rq.OrderAcknowledgeRequest
    ) -> rs.OrderAcknowledgeResponse:
        events: list[Event] = []
        for reference in request.orders:
            order = self.store.order(reference.channel_order_refnum)
            if order is None:
                events.append(
                    unknown_order(
                        "warning", reference.channel_order_refnum, reference.retailops_order_id
                    )
                )
                continue
            if order.acknowledged:
                events.append(
                    make_event(
                        "info",
                        "ALREADY_ACKNOWLEDGED",
                        f"Order {order.refnum!r} was already acknowledged.",
                        order_refnum=order.refnum,
                    )
                )
            if reference.retailops_order_id is not None:
                order.retailops_order_id = reference.retailops_order_id
            self.store.acknowledge(order)
        return rs.OrderAcknowledgeResponse(events=events)

    # --- write-backs: the rules live in adapters/memory_writeback.py -----------------

    async def order_update(self, request: rq.OrderUpdateRequest) -> rs.OrderUpdateResponse:
        return update_order(self.store, request.order)

    async def order_cancel(self, request: rq.OrderCancelRequest) -> rs.OrderCancelResponse:
        return cancel_order(self.store, request.order)

    async def order_shipment_submit(
        self, request: rq.OrderShipmentSubmitRequest
    ) -> rs.OrderShipmentSubmitResponse:
        return record_shipment(self.store, request)

    async def order_complete(self, request: rq.OrderCompleteRequest) -> rs.OrderCompleteResponse:
        return complete_order(self.store, request.order)

    async def order_settle_payment(
        self, request: rq.OrderSettlePaymentRequest
    ) -> rs.OrderSettlePaymentResponse:
        return settle_payment(self.store, request.order, request.payment)

    async def order_returned(self, request: rq.OrderReturnedRequest) -> rs.OrderReturnedResponse:
        return record_return(self.store, request.order, request.return_)
