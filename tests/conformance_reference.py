"""A small adapter that meets every conformance rule, for the suite's own tests.

tests/test_conformance_rules.py breaks it one rule at a time; it is no part of
the product (the memory adapter is the real in-memory channel).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.adapter import AdapterSettings, ChannelAdapter
from gateway.contract import Address, Event, Order, OrderItem, make_event
from gateway.contract import requests as rq
from gateway.contract import responses as rs
from gateway.feed import parse_feed
from gateway.testing import AdapterHarness, SeedOrder, SeedProduct


@dataclass
class RefOrder:
    refnum: str
    seed: SeedOrder
    acknowledged: bool = False
    status: str = "open"
    shipments: set[int] = field(default_factory=set)
    captures: set[int] = field(default_factory=set)
    returns: set[int] = field(default_factory=set)


class ReferenceAdapter(ChannelAdapter):  # type: ignore[type-arg]
    name = "reference"
    page_size = 3

    def __init__(self, settings: AdapterSettings) -> None:
        super().__init__(settings)
        self.stock: dict[str, int] = {}
        self.orders: dict[str, RefOrder] = {}

    # --- helpers the broken variants reuse ------------------------------------

    def to_contract(self, order: RefOrder) -> Order:
        address = Address(first_name=order.seed.customer_name, city="Springfield")
        items = [
            OrderItem(
                channel_item_refnum=f"{order.refnum}-{i}", sku=line.sku, quantity=line.quantity
            )
            for i, line in enumerate(order.seed.lines)
        ]
        return Order(
            channel_order_refnum=order.refnum,
            ship_service_code="ground",
            currency_code="USD",
            billing_address=address,
            shipping_address=address,
            order_items=items,
        )

    def unacknowledged_after(self, token: str) -> list[RefOrder]:
        refnums = list(self.orders)
        start = refnums.index(token) + 1 if token in self.orders else 0
        return [self.orders[r] for r in refnums[start:] if not self.orders[r].acknowledged]

    def unknown(self, refnum: str | None) -> Event:
        return make_event("error", "UNKNOWN_ORDER", f"no order {refnum}", order_refnum=refnum)

    # --- the calls -----------------------------------------------------------

    async def catalog_push(self, request: rq.CatalogPushRequest) -> rs.CatalogPushResponse:
        products, events = parse_feed(request.feed)
        for product in products:
            for variant in product.sellable_variants():
                self.stock.setdefault(variant.sku, 0)
        return rs.CatalogPushResponse(events=events)

    async def inventory_push(self, request: rq.InventoryPushRequest) -> rs.InventoryPushResponse:
        events: list[Event] = []
        for update in request.inventory_updates:
            if update.sku in self.stock:
                self.stock[update.sku] = update.quantity_available
            else:
                events.append(make_event("error", "UNKNOWN_SKU", "unknown", sku_number=update.sku))
        return rs.InventoryPushResponse(events=events)

    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        if request.specific_orders:
            wanted = [s.channel_refnum for s in request.specific_orders]
            return rs.OrderPullResponse(
                orders=[self.to_contract(self.orders[r]) for r in wanted if r in self.orders],
                events=[self.unknown(r) for r in wanted if r not in self.orders] or None,
            )
        pending = self.unacknowledged_after(request.page_token)
        page = pending[: self.page_size]
        more = len(pending) > self.page_size
        return rs.OrderPullResponse(
            orders=[self.to_contract(o) for o in page],
            next_page_token=page[-1].refnum if more else "",
        )

    async def order_acknowledge(
        self, request: rq.OrderAcknowledgeRequest
    ) -> rs.OrderAcknowledgeResponse:
        events: list[Event] = []
        for ref in request.orders:
            order = self.orders.get(ref.channel_order_refnum or "")
            if order is None:
                events.append(self.unknown(ref.channel_order_refnum))
            else:
                order.acknowledged = True
        return rs.OrderAcknowledgeResponse(events=events)

    async def order_cancel(self, request: rq.OrderCancelRequest) -> rs.OrderCancelResponse:
        order = self.orders.get(request.order.channel_order_refnum or "")
        if order is None:
            return rs.OrderCancelResponse(
                status="fail", events=[self.unknown(request.order.channel_order_refnum)]
            )
        order.status = "cancelled"
        return rs.OrderCancelResponse(status="success")

    async def order_shipment_submit(
        self, request: rq.OrderShipmentSubmitRequest
    ) -> rs.OrderShipmentSubmitResponse:
        order = self.orders.get(request.channel_order_refnum or "")
        if order is None:
            return rs.OrderShipmentSubmitResponse(
                events=[self.unknown(request.channel_order_refnum)]
            )
        order.shipments.add(request.shipment.retailops_shipment_id or 0)
        return rs.OrderShipmentSubmitResponse()

    async def order_settle_payment(
        self, request: rq.OrderSettlePaymentRequest
    ) -> rs.OrderSettlePaymentResponse:
        order = self.orders.get(request.order.channel_order_refnum or "")
        if order is None:
            return rs.OrderSettlePaymentResponse(
                events=[self.unknown(request.order.channel_order_refnum)]
            )
        order.captures.add(request.payment.payment_series_id or 0)
        return rs.OrderSettlePaymentResponse()

    async def order_returned(self, request: rq.OrderReturnedRequest) -> rs.OrderReturnedResponse:
        order = self.orders.get(request.order.channel_order_refnum or "")
        if order is None:
            return rs.OrderReturnedResponse(
                events=[self.unknown(request.order.channel_order_refnum)]
            )
        order.returns.add(request.return_.retailops_return_id or 0)
        return rs.OrderReturnedResponse()


class ReferenceHarness(AdapterHarness):
    """Seeds an adapter class derived from ReferenceAdapter."""

    def __init__(self, adapter_class: type[ReferenceAdapter] = ReferenceAdapter) -> None:
        self.adapter_class = adapter_class

    async def make_adapter(self) -> ReferenceAdapter:
        return self.adapter_class(self.adapter_class.Settings())

    async def seed(
        self,
        adapter: ChannelAdapter,  # type: ignore[type-arg]
        products: Sequence[SeedProduct],
        orders: Sequence[SeedOrder],
    ) -> list[str]:
        assert isinstance(adapter, ReferenceAdapter)
        adapter.stock.update({p.sku: p.quantity for p in products})
        for number, order in enumerate(orders, start=1001):
            adapter.orders[f"R{number}"] = RefOrder(f"R{number}", order)
        return list(adapter.orders)

    async def snapshot(self, adapter: ChannelAdapter) -> object:  # type: ignore[type-arg]
        assert isinstance(adapter, ReferenceAdapter)
        return repr(sorted(adapter.stock.items())), repr(list(adapter.orders.values()))
