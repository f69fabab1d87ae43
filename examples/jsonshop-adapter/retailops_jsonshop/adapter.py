"""The jsonshop adapter: a JSON Shop seen as a RetailOps channel.

It implements order import (order_pull, order_acknowledge), stock
(inventory_push) and shipments (order_shipment_submit); every other call is
left to the base class, which answers UNSUPPORTED_ACTION. State stays in the
shop: an acknowledged order is one JSON Shop marks ``exported``, and a
shipment is recorded under a reference made from RetailOps' shipment id, so
any number of gateways can serve the same shop.
"""

from __future__ import annotations

from gateway import ChannelAdapter
from gateway.contract import Event, Order, make_event
from gateway.contract import requests as rq
from gateway.contract import responses as rs
from gateway.contract.events import EventType

from retailops_jsonshop.client import JsonShopClient, JsonShopError, NotFound
from retailops_jsonshop.mapping import (
    decode_page_token,
    encode_page_token,
    order_id,
    order_to_contract,
    shipment_lines,
    shipment_payload,
    shipment_reference,
)
from retailops_jsonshop.settings import JsonShopSettings


def _unknown_order(refnum: str | None, event_type: EventType = "error") -> Event:
    return make_event(
        event_type,
        "UNKNOWN_ORDER",
        f"JSON Shop has no order {refnum!r}.",
        order_refnum=refnum,
    )


class JsonShopAdapter(ChannelAdapter[JsonShopSettings]):
    name = "jsonshop"
    Settings = JsonShopSettings

    def __init__(self, settings: JsonShopSettings) -> None:
        super().__init__(settings)
        self.client = JsonShopClient(settings)

    async def start(self) -> None:
        await self.client.open()

    async def close(self) -> None:
        await self.client.close()

    async def check(self) -> list[str]:
        page = await self.client.call("GET", "/orders", params={"exported": "false", "limit": 1})
        more = " (and more)" if page["has_more"] else ""
        return [f"JSON Shop answered; orders waiting for import: {len(page['orders'])}{more}"]

    # --- stock ----------------------------------------------------------------------

    async def inventory_push(self, request: rq.InventoryPushRequest) -> rs.InventoryPushResponse:
        levels = [
            {"sku": u.sku, "quantity": u.quantity_available} for u in request.inventory_updates
        ]
        result = await self.client.call("POST", "/stock", json={"levels": levels})
        return rs.InventoryPushResponse(
            events=[
                make_event(
                    "error",
                    "UNKNOWN_SKU",
                    f"JSON Shop has no SKU {sku!r}; its stock was not set.",
                    sku_number=sku,
                )
                for sku in result["unknown"]
            ]
        )

    # --- order import ---------------------------------------------------------------

    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        if request.specific_orders:
            return await self._pull_specific([s.channel_refnum for s in request.specific_orders])
        after = decode_page_token(request.page_token)
        if after is None:
            event = make_event(
                "error", "UNKNOWN_PAGE_TOKEN", "page_token was not issued by this channel."
            )
            return rs.OrderPullResponse(events=[event])
        page = await self.client.call(
            "GET",
            "/orders",
            params={"exported": "false", "after_id": after, "limit": self.settings.page_size},
        )
        orders, events = self._map(page["orders"])
        last_id = page["orders"][-1]["id"] if page["orders"] else after
        return rs.OrderPullResponse(
            orders=orders,
            next_page_token=encode_page_token(last_id) if page["has_more"] else "",
            events=events or None,
        )

    async def _pull_specific(self, refnums: list[str]) -> rs.OrderPullResponse:
        found: list[dict[str, object]] = []
        events: list[Event] = []
        for refnum in refnums:
            shop_id = order_id(refnum)
            try:
                if shop_id is None:
                    raise NotFound(404, "not a JSON Shop order id")
                found.append(await self.client.call("GET", f"/orders/{shop_id}"))
            except NotFound:
                events.append(_unknown_order(refnum))
        orders, mapping_events = self._map(found)
        return rs.OrderPullResponse(orders=orders, events=(events + mapping_events) or None)

    @staticmethod
    def _map(raw_orders: list[dict[str, object]]) -> tuple[list[Order], list[Event]]:
        orders: list[Order] = []
        events: list[Event] = []
        for raw in raw_orders:
            try:
                orders.append(order_to_contract(raw))
            except (KeyError, TypeError, ValueError) as exc:
                events.append(
                    make_event(
                        "error",
                        "UNMAPPABLE_ORDER",
                        f"JSON Shop order {raw.get('id')!r} could not be read: {exc}",
                        order_refnum=str(raw.get("id")),
                    )
                )
        return orders, events

    async def order_acknowledge(
        self, request: rq.OrderAcknowledgeRequest
    ) -> rs.OrderAcknowledgeResponse:
        refnums = [o.channel_order_refnum for o in request.orders]
        ids = [shop_id for shop_id in map(order_id, refnums) if shop_id is not None]
        unknown = {refnum for refnum in refnums if order_id(refnum) is None}
        if ids:
            result = await self.client.call("POST", "/orders/exported", json={"ids": ids})
            unknown |= {str(shop_id) for shop_id in result["unknown"]}
        return rs.OrderAcknowledgeResponse(
            events=[_unknown_order(r, "warning") for r in refnums if r in unknown]
        )

    # --- shipments --------------------------------------------------------------------

    async def order_shipment_submit(
        self, request: rq.OrderShipmentSubmitRequest
    ) -> rs.OrderShipmentSubmitResponse:
        refnum = request.channel_order_refnum
        shop_id = order_id(refnum)
        try:
            if shop_id is None:
                raise NotFound(404, "not a JSON Shop order id")
            order = await self.client.call("GET", f"/orders/{shop_id}")
        except NotFound:
            return rs.OrderShipmentSubmitResponse(events=[_unknown_order(refnum)])

        shipment_id = request.shipment.retailops_shipment_id
        recorded = {s["reference"] for s in order["shipments"]}
        # Check every package first: a shipment with one bad item is refused whole.
        to_send: list[dict[str, object]] = []
        events: list[Event] = []
        for index, package in enumerate(request.shipment.packages, start=1):
            lines, unmatched = shipment_lines(package, order["lines"])
            events += [
                make_event(
                    "error",
                    "UNKNOWN_ITEM",
                    f"Order {refnum} has no line for this item, or its quantity is missing.",
                    order_refnum=refnum,
                    orderitem_refnum=item.channel_item_refnum,
                    sku_number=item.sku,
                    shipment_id=shipment_id,
                )
                for item in unmatched
            ]
            reference = shipment_reference(shipment_id, index)
            if reference not in recorded:
                to_send.append(shipment_payload(reference, package, lines))
        if events:
            return rs.OrderShipmentSubmitResponse(events=events)
        for payload in to_send:
            try:
                await self.client.call("POST", f"/orders/{shop_id}/shipments", json=payload)
            except JsonShopError as exc:
                if exc.status == 409:  # recorded by an earlier try whose answer was lost
                    continue
                events.append(
                    make_event(
                        "error",
                        "SHIPMENT_REFUSED",
                        f"JSON Shop refused package {payload['reference']}: {exc}",
                        order_refnum=refnum,
                        shipment_id=shipment_id,
                    )
                )
        if not to_send and not events:
            events.append(
                make_event(
                    "info",
                    "SHIPMENT_ALREADY_RECORDED",
                    f"Shipment {shipment_id} was already recorded; nothing changed.",
                    order_refnum=refnum,
                    shipment_id=shipment_id,
                )
            )
        return rs.OrderShipmentSubmitResponse(events=events)
