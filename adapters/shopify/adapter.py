"""The Shopify channel: the 11 RetailOps calls over the GraphQL Admin API.

The glue between the client (transport, throttling, retries) and the mapping
(pure translations). State that must survive a re-sent call lives in the shop
itself: the acknowledgement tag on the order, the RetailOps shipment ids in an
order metafield, @idempotent keys on stock pushes and refunds, and the order's
own transactions for captures. Writes that Shopify cannot de-duplicate
(fulfilments, captures, cancels, closes, edit commits) are retried only after
re-reading the order shows they did not happen.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any, ClassVar, TypeVar

import structlog
from pydantic import ValidationError

from adapters.shopify import documents as doc
from adapters.shopify import mapping
from adapters.shopify.client import BACKEND, JSON, ShopifyClient, ShopifyError
from adapters.shopify.mapping import Unmatched, gid, numeric_id, order_gid
from adapters.shopify.settings import ShopifySettings
from gateway.adapter import BackendUnavailable, ChannelAdapter, CheckFailed
from gateway.contract import ACTIONS, ORDERS_PER_PAGE_MAX, Event, ResponseModel, make_event
from gateway.contract import requests as rq
from gateway.contract import responses as rs
from gateway.feed import FeedProduct, parse_feed
from gateway.upstream import call_with_retries

log = structlog.get_logger("adapters.shopify")

METAFIELD_NAMESPACE = "retailops"
SHIPMENTS_KEY = "shipments"

# The access scopes each call needs; every call needs read_locations as well,
# since the location is resolved at start.
SCOPES_BY_ACTION: dict[str, tuple[str, ...]] = {
    "catalog_push": ("write_products",),
    "inventory_push": ("read_products", "write_inventory"),
    "order_pull": ("read_orders",),
    "order_acknowledge": ("write_orders",),
    "order_update": ("write_order_edits",),
    "order_cancel": ("write_orders",),
    "order_shipment_submit": ("write_merchant_managed_fulfillment_orders", "write_orders"),
    "order_complete": ("write_orders",),
    "order_settle_payment": ("write_orders",),
    "order_returned": ("write_orders",),
}
ALWAYS_NEEDED = ("read_locations",)


def required_scopes(actions: Iterable[str]) -> dict[str, list[str]]:
    """Scope -> the calls that need it."""
    needed: dict[str, list[str]] = {scope: ["start-up"] for scope in ALWAYS_NEEDED}
    for action in sorted(actions):
        for scope in SCOPES_BY_ACTION.get(action, ()):
            needed.setdefault(scope, []).append(action)
    return needed


def missing_scopes(granted: Iterable[str], needed: Iterable[str]) -> list[str]:
    """Needed scopes not granted; a write_ scope includes its read_ scope."""
    have = set(granted)
    have |= {"read_" + s.removeprefix("write_") for s in have if s.startswith("write_")}
    return sorted(set(needed) - have)


def _item_event(problem: Unmatched, code: str, *, order_refnum: str | None) -> Event:
    what = problem.refnum or problem.sku or "an item without refnum or SKU"
    return make_event(
        "error",
        code,
        f"Item {what}: {problem.reason}.",
        order_refnum=order_refnum,
        orderitem_refnum=problem.refnum,
        sku_number=problem.sku,
    )


RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT", bound=ResponseModel)


def answers_refusals(
    method: Callable[[Any, RequestT], Coroutine[Any, Any, ResponseT]],
) -> Callable[[Any, RequestT], Coroutine[Any, Any, ResponseT]]:
    """Turn a refusal of the whole call by Shopify (a missing scope, say) into an error event."""
    action = ACTIONS[method.__name__]

    @functools.wraps(method)
    async def answer(self: Any, request: RequestT) -> ResponseT:
        try:
            return await method(self, request)
        except ShopifyError as exc:
            log.error("shopify_refused", action=action.name, error=str(exc))
            fields: dict[str, Any] = {
                "events": [make_event("error", "SHOPIFY_REFUSED", f"Shopify refused it: {exc}")]
            }
            if "status" in action.response.model_fields:
                fields["status"] = "fail"
            return action.response.model_validate(fields)  # type: ignore[return-value]

    return answer


class ShopifyAdapter(ChannelAdapter[ShopifySettings]):
    """A Shopify shop as a RetailOps channel."""

    name: ClassVar[str] = "shopify"
    Settings: ClassVar[type[ShopifySettings]] = ShopifySettings

    def __init__(self, settings: ShopifySettings) -> None:
        super().__init__(settings)
        self.client = ShopifyClient(settings)
        # SKU -> inventory item id; per process, filled on demand and by catalog_push.
        self.inventory_items: dict[str, str] = {}
        self.location_id: str | None = None
        self.location_name: str | None = None

    # --- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        await self.client.start()
        try:
            await self._resolve_location()
        except BackendUnavailable as exc:
            # The shop may be down while the gateway starts: resolve on first use.
            log.warning("shopify_location_unresolved", error=str(exc))
        except ShopifyError:
            await self.client.close()
            raise

    async def close(self) -> None:
        await self.client.close()

    async def _resolve_location(self) -> str:
        if self.location_id is not None:
            return self.location_id
        data = await self.client.execute(doc.LOCATIONS, operation="locations")
        locations = [loc for loc in data["locations"]["nodes"] if loc["isActive"]]
        wanted = (self.settings.location or "").strip()
        for location in locations:
            if (
                not wanted
                or wanted in (location["id"], str(location["legacyResourceId"]))
                or location["name"].casefold() == wanted.casefold()
            ):
                self.location_id = str(location["id"])
                self.location_name = str(location["name"])
                return self.location_id
        names = ", ".join(repr(loc["name"]) for loc in locations) or "none"
        raise ShopifyError(f"location {wanted!r} not found among active locations: {names}")

    async def check(self) -> list[str]:
        try:
            data = await self.client.execute(doc.SHOP_CHECK, operation="shopCheck")
        except ShopifyError as exc:
            raise CheckFailed(str(exc)) from exc
        shop = data["shop"]
        granted = [s["handle"] for s in data["currentAppInstallation"]["accessScopes"]]
        lines = [
            f"shop: {shop['name']} ({shop['myshopifyDomain']}), currency {shop['currencyCode']}, "
            f"API version {self.settings.api_version}",
            "access token: accepted",
            f"access scopes granted: {', '.join(sorted(granted)) or 'none'}",
        ]
        needed = required_scopes(self.capabilities())
        missing = missing_scopes(granted, needed)
        try:
            await self._resolve_location()
            lines.append(f"location: {self.location_name} ({self.location_id})")
        except ShopifyError as exc:
            raise CheckFailed(str(exc), lines=lines) from exc
        if "read_all_orders" not in granted:
            lines.append("note: without read_all_orders only the last 60 days of orders are seen")
        if missing:
            detail = "; ".join(f"{s} (for {', '.join(needed[s])})" for s in missing)
            raise CheckFailed(f"access scopes missing: {detail}", lines=lines)
        lines.append(f"access scopes: all {len(needed)} needed by the enabled calls are granted")
        return lines

    # --- catalog ---------------------------------------------------------------

    @answers_refusals
    async def catalog_push(self, request: rq.CatalogPushRequest) -> rs.CatalogPushResponse:
        products, events = parse_feed(request.feed)
        too_big = [p for p in products if len(p.sellable_variants()) > doc.PRODUCT_VARIANTS_MAX]
        events += [
            make_event(
                "error",
                "TOO_MANY_VARIANTS",
                f"Product {p.sku} has more than {doc.PRODUCT_VARIANTS_MAX} variants.",
                sku_number=p.sku,
            )
            for p in too_big
        ]
        products = [p for p in products if p not in too_big]
        skus = [v.sku for p in products for v in p.sellable_variants()]
        existing = await self._variants_by_sku(skus)
        results = await asyncio.gather(*(self._set_product(p, existing) for p in products))
        events += [event for event in results if event is not None]
        return rs.CatalogPushResponse(events=events)

    async def _set_product(
        self, product: FeedProduct, existing: dict[str, tuple[str, str]]
    ) -> Event | None:
        location_id = await self._resolve_location()
        variables = mapping.product_set_variables(product, existing, location_id)
        if "handle" in variables["identifier"]:
            variables["input"]["handle"] = variables["identifier"]["handle"]
        data = await self.client.execute(doc.PRODUCT_SET, variables, operation="productSet")
        payload = data["productSet"]
        if payload["userErrors"]:
            return make_event(
                "error",
                "PRODUCT_REJECTED",
                f"Shopify refused product {product.sku}: "
                + mapping.user_error_text(payload["userErrors"]),
                sku_number=product.sku,
            )
        for variant in (payload.get("product") or {}).get("variants", {}).get("nodes", []):
            if variant.get("sku"):
                self.inventory_items[variant["sku"]] = variant["inventoryItem"]["id"]
        return None

    async def _variants_by_sku(self, skus: Sequence[str]) -> dict[str, tuple[str, str]]:
        """SKU -> (variant id, product id) for the SKUs already in the shop."""
        found: dict[str, tuple[str, str]] = {}
        for nodes in await self._lookup(doc.VARIANTS_BY_SKU, "variantsBySku", skus):
            for node in nodes:
                found[node["sku"]] = (node["id"], node["product"]["id"])
                self.inventory_items[node["sku"]] = node["inventoryItem"]["id"]
        return found

    async def _lookup(self, document: str, operation: str, skus: Sequence[str]) -> list[list[JSON]]:
        """Batched productVariants searches, 250 SKUs each; only exact SKU matches kept."""
        unique = list(dict.fromkeys(skus))
        chunks = [unique[i : i + doc.MAX_ITEMS] for i in range(0, len(unique), doc.MAX_ITEMS)]

        async def search(chunk: list[str]) -> list[JSON]:
            variables: JSON = {"first": doc.MAX_ITEMS, "query": mapping.sku_search(chunk)}
            nodes: list[JSON] = []
            # More than one page only when variants share SKUs; 20 pages is 5,000 variants.
            for _ in range(20):
                data = await self.client.execute(document, variables, operation=operation)
                nodes += data["productVariants"]["nodes"]
                page = data["productVariants"]["pageInfo"]
                if not page["hasNextPage"]:
                    break
                variables["after"] = page["endCursor"]
            wanted = set(chunk)
            return [n for n in nodes if n.get("sku") in wanted]

        return list(await asyncio.gather(*(search(chunk) for chunk in chunks)))

    # --- stock -----------------------------------------------------------------

    @answers_refusals
    async def inventory_push(self, request: rq.InventoryPushRequest) -> rs.InventoryPushResponse:
        updates = list({u.sku: u for u in request.inventory_updates}.values())
        missing = [u.sku for u in updates if u.sku not in self.inventory_items]
        if missing:
            for nodes in await self._lookup(
                doc.INVENTORY_ITEMS_BY_SKU, "inventoryItemsBySku", missing
            ):
                for node in nodes:
                    self.inventory_items.setdefault(node["sku"], node["inventoryItem"]["id"])
        events = [
            make_event(
                "error",
                "UNKNOWN_SKU",
                f"SKU {u.sku} is not in the Shopify shop.",
                sku_number=u.sku,
            )
            for u in updates
            if u.sku not in self.inventory_items
        ]
        known = [u for u in updates if u.sku in self.inventory_items]
        location_id = await self._resolve_location()
        chunks = [known[i : i + doc.MAX_ITEMS] for i in range(0, len(known), doc.MAX_ITEMS)]
        results = await asyncio.gather(*(self._set_stock(c, location_id) for c in chunks))
        return rs.InventoryPushResponse(events=events + [e for r in results for e in r])

    async def _set_stock(self, chunk: list[rq.InventoryUpdate], location_id: str) -> list[Event]:
        variables = mapping.inventory_set_variables(chunk, self.inventory_items, location_id)
        data = await self.client.execute(
            doc.INVENTORY_SET, variables, operation="inventorySetQuantities"
        )
        errors = data["inventorySetQuantities"]["userErrors"]
        if not errors:
            return []
        # Shopify applies all of a call or none of it: every SKU in it gets the reason.
        reason = mapping.user_error_text(errors)
        return [
            make_event(
                "error",
                "STOCK_REJECTED",
                f"Shopify refused the stock of {u.sku}: {reason}",
                sku_number=u.sku,
            )
            for u in chunk
        ]

    # --- order_pull and order_acknowledge ---------------------------------------

    @answers_refusals
    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        if request.specific_orders:
            return await self._pull_specific([o.channel_refnum for o in request.specific_orders])
        events: list[Event] = []
        try:
            position = mapping.decode_page_token(request.page_token)
        except ValueError:
            position = 0
            events.append(
                make_event(
                    "warning",
                    "UNKNOWN_PAGE_TOKEN",
                    "The page_token was not issued by this channel; pulling from the start.",
                )
            )
        orders: list[rs.Order] = []
        more = False
        # Each pass adds at least one order or stops, so at most page_size passes.
        for _ in range(self.settings.page_size):
            first = min(doc.ORDERS_PER_QUERY, self.settings.page_size - len(orders))
            variables = {
                "first": first,
                "query": mapping.orders_to_pull_search(self.settings, position),
            }
            data = await self.client.execute(doc.ORDERS, variables, operation="orders")
            nodes = data["orders"]["nodes"]
            for node in nodes:
                position = max(position, int(node["legacyResourceId"]))
                await self._add_order(node, orders, events)
            more = bool(nodes) and data["orders"]["pageInfo"]["hasNextPage"]
            if not more or len(orders) >= self.settings.page_size:
                break
        token = mapping.encode_page_token(position) if more else ""
        return rs.OrderPullResponse(orders=orders, next_page_token=token, events=events or None)

    async def _pull_specific(self, refnums: list[str]) -> rs.OrderPullResponse:
        events = [
            make_event(
                "warning",
                "UNKNOWN_ORDER",
                f"Order {r} is not a Shopify order id.",
                order_refnum=r,
            )
            for r in refnums
            if order_gid(r) is None
        ]
        wanted = list(dict.fromkeys(r.strip() for r in refnums if order_gid(r) is not None))
        orders: list[rs.Order] = []
        found: set[str] = set()
        for start in range(0, len(wanted), doc.ORDERS_PER_QUERY):
            chunk = wanted[start : start + doc.ORDERS_PER_QUERY]
            variables = {"first": len(chunk), "query": mapping.specific_orders_search(chunk)}
            data = await self.client.execute(doc.ORDERS, variables, operation="orders")
            for node in data["orders"]["nodes"]:
                found.add(str(node["legacyResourceId"]))
                await self._add_order(node, orders, events)
        events += [
            make_event("warning", "UNKNOWN_ORDER", f"Order {r} was not found.", order_refnum=r)
            for r in wanted
            if r not in found
        ]
        if len(orders) > ORDERS_PER_PAGE_MAX:
            events.append(
                make_event(
                    "warning",
                    "TOO_MANY_ORDERS",
                    f"{len(orders)} orders were asked for; the first {ORDERS_PER_PAGE_MAX} "
                    "are answered, ask again for the others.",
                )
            )
        return rs.OrderPullResponse(orders=orders[:ORDERS_PER_PAGE_MAX], events=events or None)

    async def _add_order(self, node: JSON, orders: list[rs.Order], events: list[Event]) -> None:
        refnum = str(node["legacyResourceId"])
        lines = list(node["lineItems"]["nodes"])
        page = node["lineItems"]["pageInfo"]
        for _ in range(100):  # at most 100 pages of 100 further line items
            if not page["hasNextPage"]:
                break
            data = await self.client.execute(
                doc.ORDER_LINE_ITEMS,
                {"id": node["id"], "after": page["endCursor"]},
                operation="orderLineItems",
            )
            lines += data["order"]["lineItems"]["nodes"]
            page = data["order"]["lineItems"]["pageInfo"]
        try:
            orders.append(
                mapping.order_from_shopify(
                    node, lines, acknowledged_tag=self.settings.acknowledged_tag
                )
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3]
            )
            events.append(
                make_event(
                    "error",
                    "ORDER_NOT_MAPPABLE",
                    f"Order {refnum} cannot be offered to RetailOps: {problems}",
                    order_refnum=refnum,
                )
            )

    @answers_refusals
    async def order_acknowledge(
        self, request: rq.OrderAcknowledgeRequest
    ) -> rs.OrderAcknowledgeResponse:
        refnums = [o.channel_order_refnum for o in request.orders]
        events = [
            make_event(
                "warning",
                "UNKNOWN_ORDER",
                f"Order {r} is not a Shopify order id.",
                order_refnum=r,
            )
            for r in refnums
            if order_gid(r) is None
        ]
        ids = list(dict.fromkeys(order_gid(r) for r in refnums if order_gid(r) is not None))
        for start in range(0, len(ids), doc.TAGS_PER_REQUEST):
            chunk = [i for i in ids[start : start + doc.TAGS_PER_REQUEST] if i is not None]
            variables: JSON = {f"id{n}": order_id for n, order_id in enumerate(chunk)}
            variables["tags"] = [self.settings.acknowledged_tag]
            # Adding a tag twice changes nothing, so this write may be retried.
            data = await self.client.execute(
                doc.tags_add_document(len(chunk)), variables, operation="tagsAdd"
            )
            for n, order_id in enumerate(chunk):
                errors = data[f"o{n}"]["userErrors"]
                if errors:
                    events.append(
                        make_event(
                            "warning",
                            "ACKNOWLEDGE_FAILED",
                            f"Order {numeric_id(order_id)} was not tagged: "
                            + mapping.user_error_text(errors),
                            order_refnum=numeric_id(order_id),
                        )
                    )
        return rs.OrderAcknowledgeResponse(events=events)

    # --- write-backs: shared steps ---------------------------------------------

    async def _order_state(self, order_id: str, *, retry: bool = True) -> JSON | None:
        variables = {"id": order_id, "namespace": METAFIELD_NAMESPACE, "key": SHIPMENTS_KEY}
        send = self.client.execute if retry else self.client.execute_once
        data = await send(doc.ORDER_STATE, variables, operation="orderState")
        order: JSON | None = data.get("order")
        return order

    async def _find_order(self, refnum: str | None, events: list[Event]) -> tuple[str, JSON] | None:
        """The order's id and state, or None with an error event saying why."""
        order_id = order_gid(refnum)
        state = await self._order_state(order_id) if order_id else None
        if order_id is None or state is None:
            events.append(
                make_event(
                    "error",
                    "UNKNOWN_ORDER",
                    f"Order {refnum} was not found in Shopify.",
                    order_refnum=refnum,
                )
            )
            return None
        return order_id, state

    async def _guarded_write(
        self,
        operation: str,
        document: str,
        variables: JSON,
        already_done: Callable[[JSON], bool],
        order_id: str,
    ) -> JSON | None:
        """Send a write that Shopify does not de-duplicate, retrying only when safe.

        Before each retry the order is read again; if ``already_done`` says the
        earlier attempt took effect after all, nothing is sent and None is returned.
        """
        attempts = 0

        async def attempt() -> JSON | None:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                state = await self._order_state(order_id, retry=False)
                if state is not None and already_done(state):
                    return None
            return await self.client.execute_once(document, variables, operation=operation)

        return await call_with_retries(
            attempt, self.settings.retry, backend=BACKEND, operation=operation
        )

    def _rejected(self, code: str, refnum: str | None, errors: Sequence[JSON], **ids: Any) -> Event:
        return make_event(
            "error",
            code,
            f"Shopify refused it for order {refnum}: " + mapping.user_error_text(errors),
            order_refnum=refnum,
            **ids,
        )

    # --- order_update ------------------------------------------------------------

    @answers_refusals
    async def order_update(self, request: rq.OrderUpdateRequest) -> rs.OrderUpdateResponse:
        order = request.order
        refnum = order.channel_order_refnum
        events: list[Event] = []
        if request.rmas:
            events.append(
                make_event(
                    "warning",
                    "RMAS_NOT_APPLIED",
                    "RMAs sent with order_update are not applied in Shopify; refunds are made "
                    "when order_returned reports the return.",
                    order_refnum=refnum,
                )
            )
        found = await self._find_order(refnum, events)
        if found is None:
            return rs.OrderUpdateResponse(events=events)
        order_id, state = found
        lines = state["lineItems"]["nodes"]
        changes, unmatched = mapping.quantity_changes(order.order_items, lines)
        events += [_item_event(u, "UNKNOWN_ITEM", order_refnum=refnum) for u in unmatched]
        if changes:
            error = await self._edit_quantities(order_id, refnum, changes)
            if error is not None:
                return rs.OrderUpdateResponse(events=[*events, error])
        written = [
            rs.WritebackLineItem(
                order_item_id=item.order_item_id,
                refnum=item.channel_item_refnum or item.sku or "",
                quantity=0 if item.removed else item.quantity,
            )
            for item in order.order_items
            if item.order_item_id is not None and (item.channel_item_refnum or item.sku)
        ]
        return rs.OrderUpdateResponse(events=events, line_items=written or None)

    async def _edit_quantities(
        self, order_id: str, refnum: str | None, changes: dict[str, int]
    ) -> Event | None:
        """orderEditBegin, one orderEditSetQuantity per change, orderEditCommit."""
        begun = (
            await self.client.execute(
                doc.ORDER_EDIT_BEGIN, {"id": order_id}, operation="orderEditBegin"
            )
        )["orderEditBegin"]
        if begun["userErrors"]:
            return self._rejected("EDIT_REJECTED", refnum, begun["userErrors"])
        calculated = begun["calculatedOrder"]
        calc_lines = {
            numeric_id(line["id"]): line["id"] for line in calculated["lineItems"]["nodes"]
        }
        for line_number, quantity in changes.items():
            # A calculated line shares its line item's number; the begin answer lists the
            # first 100. Setting a quantity is absolute: a retried call changes nothing more.
            payload = (
                await self.client.execute(
                    doc.ORDER_EDIT_SET_QUANTITY,
                    {
                        "id": calculated["id"],
                        "lineItemId": calc_lines.get(
                            line_number, gid("CalculatedLineItem", line_number)
                        ),
                        "quantity": quantity,
                        "restock": True,
                    },
                    operation="orderEditSetQuantity",
                )
            )["orderEditSetQuantity"]
            if payload["userErrors"]:
                return self._rejected(
                    "EDIT_REJECTED", refnum, payload["userErrors"], orderitem_refnum=line_number
                )

        def committed(state: JSON) -> bool:
            current = {
                numeric_id(li["id"]): li["currentQuantity"] for li in state["lineItems"]["nodes"]
            }
            return all(current.get(n) == q for n, q in changes.items())

        result = await self._guarded_write(
            "orderEditCommit",
            doc.ORDER_EDIT_COMMIT,
            {
                "id": calculated["id"],
                "notifyCustomer": self.settings.notify_customer,
                "staffNote": "Edited by RetailOps",
            },
            committed,
            order_id,
        )
        if result and result["orderEditCommit"]["userErrors"]:
            return self._rejected("EDIT_REJECTED", refnum, result["orderEditCommit"]["userErrors"])
        return None

    # --- order_cancel ------------------------------------------------------------

    @answers_refusals
    async def order_cancel(self, request: rq.OrderCancelRequest) -> rs.OrderCancelResponse:
        refnum = request.order.channel_order_refnum
        events: list[Event] = []
        found = await self._find_order(refnum, events)
        if found is None:
            return rs.OrderCancelResponse(status="fail", events=events)
        order_id, state = found
        if state["cancelledAt"]:
            events.append(
                make_event(
                    "info",
                    "ALREADY_CANCELLED",
                    f"Order {refnum} was already cancelled.",
                    order_refnum=refnum,
                )
            )
            return rs.OrderCancelResponse(status="success", events=events)
        settings = self.settings
        result = await self._guarded_write(
            "orderCancel",
            doc.ORDER_CANCEL,
            {
                "orderId": order_id,
                "reason": settings.cancel_reason,
                "restock": settings.cancel_restock,
                # Refund to the original payment methods, or no refund at all.
                "refundMethod": {"originalPaymentMethodsRefund": True}
                if settings.cancel_refund
                else None,
                "notifyCustomer": settings.notify_customer,
            },
            lambda s: bool(s["cancelledAt"]),
            order_id,
        )
        errors = result["orderCancel"]["orderCancelUserErrors"] if result else []
        if errors:
            return rs.OrderCancelResponse(
                status="fail", events=[self._rejected("CANCEL_REJECTED", refnum, errors)]
            )
        return rs.OrderCancelResponse(status="success", events=events)

    # --- order_shipment_submit ----------------------------------------------------

    @answers_refusals
    async def order_shipment_submit(
        self, request: rq.OrderShipmentSubmitRequest
    ) -> rs.OrderShipmentSubmitResponse:
        refnum = request.channel_order_refnum
        shipment = request.shipment
        shipment_id = shipment.retailops_shipment_id
        events: list[Event] = []
        found = await self._find_order(refnum, events)
        if found is None:
            return rs.OrderShipmentSubmitResponse(events=events)
        order_id, state = found
        recorded = _recorded_shipments(state)
        if shipment_id is not None and str(shipment_id) in recorded:
            events.append(
                make_event(
                    "info",
                    "SHIPMENT_ALREADY_RECORDED",
                    f"Shipment {shipment_id} was already recorded; nothing was changed.",
                    order_refnum=refnum,
                    shipment_id=shipment_id,
                )
            )
            return rs.OrderShipmentSubmitResponse(events=events)
        fulfillment_orders = state["fulfillmentOrders"]["nodes"]
        remaining = _remaining(state)
        failed = False
        for package in shipment.packages:
            plan = mapping.plan_fulfillment(package.package_items, fulfillment_orders, remaining)
            events += [
                _item_event(u, "ITEM_NOT_SHIPPABLE", order_refnum=refnum) for u in plan.unmatched
            ]
            failed |= bool(plan.unmatched)
            if plan.by_fulfillment_order:
                error = await self._fulfil(
                    order_id, refnum, shipment_id, package, plan, state, remaining
                )
                if error is not None:
                    events.append(error)
                    failed = True
        if shipment_id is not None and not failed:
            await self._record_shipment(order_id, [*recorded, str(shipment_id)])
        return rs.OrderShipmentSubmitResponse(events=events)

    async def _fulfil(
        self,
        order_id: str,
        refnum: str | None,
        shipment_id: int | None,
        package: rq.Package,
        plan: mapping.FulfillmentPlan,
        state: JSON,
        remaining: dict[str, int],
    ) -> Event | None:
        """fulfillmentCreate for one package; ``remaining`` is what is left after it."""
        tracking = package.tracking_number
        if tracking and tracking in _tracking_numbers(state):
            return None  # this package's fulfilment exists already
        fulfillment: JSON = {
            "lineItemsByFulfillmentOrder": plan.as_input(),
            "notifyCustomer": self.settings.notify_customer,
        }
        if tracking:
            fulfillment["trackingInfo"] = {"number": tracking, "company": package.carrier_name}
        # What is left to ship of each of its lines once this package is fulfilled.
        expected = {
            item["id"]: remaining[item["id"]]
            for items in plan.by_fulfillment_order.values()
            for item in items
        }

        def fulfilled(now: JSON) -> bool:
            if tracking and tracking in _tracking_numbers(now):
                return True
            now_left = _remaining(now)
            return all(now_left.get(line, 0) <= left for line, left in expected.items())

        result = await self._guarded_write(
            "fulfillmentCreate",
            doc.FULFILLMENT_CREATE,
            {"fulfillment": fulfillment},
            fulfilled,
            order_id,
        )
        if result and result["fulfillmentCreate"]["userErrors"]:
            return self._rejected(
                "FULFILLMENT_REJECTED",
                refnum,
                result["fulfillmentCreate"]["userErrors"],
                shipment_id=shipment_id,
            )
        return None

    async def _record_shipment(self, order_id: str, shipment_ids: list[str]) -> None:
        variables = {
            "metafields": [
                {
                    "ownerId": order_id,
                    "namespace": METAFIELD_NAMESPACE,
                    "key": SHIPMENTS_KEY,
                    "type": "json",
                    "value": json.dumps(shipment_ids),
                }
            ]
        }
        data = await self.client.execute(doc.METAFIELDS_SET, variables, operation="metafieldsSet")
        if data["metafieldsSet"]["userErrors"]:
            raise ShopifyError(
                "recording the shipment failed: "
                + mapping.user_error_text(data["metafieldsSet"]["userErrors"])
            )

    # --- order_complete ----------------------------------------------------------

    @answers_refusals
    async def order_complete(self, request: rq.OrderCompleteRequest) -> rs.OrderCompleteResponse:
        order = request.order
        refnum = order.channel_order_refnum
        events: list[Event] = []
        found = await self._find_order(refnum, events)
        if found is None:
            return rs.OrderCompleteResponse(status="fail", events=events)
        order_id, state = found
        if state["closed"]:
            events.append(
                make_event(
                    "info",
                    "ALREADY_CLOSED",
                    f"Order {refnum} was already closed.",
                    order_refnum=refnum,
                )
            )
            return rs.OrderCompleteResponse(status="success", events=events)
        unshipped = [u for u in order.unshipped_items if (u.unshipped_quantity or 0) > 0]
        if unshipped:
            listed = ", ".join(
                f"{u.sku or u.channel_item_refnum} x{u.unshipped_quantity}" for u in unshipped
            )
            refuse = self.settings.unshipped_items == "refuse"
            events.append(
                make_event(
                    "error" if refuse else "warning",
                    "UNSHIPPED_ITEMS",
                    f"Order {refnum} has unshipped items ({listed}); "
                    + (
                        "it was left open (unshipped_items: refuse)."
                        if refuse
                        else "it was closed anyway (unshipped_items: close)."
                    ),
                    order_refnum=refnum,
                )
            )
            if refuse:
                return rs.OrderCompleteResponse(status="fail", events=events)
        result = await self._guarded_write(
            "orderClose",
            doc.ORDER_CLOSE,
            {"input": {"id": order_id}},
            lambda s: bool(s["closed"]),
            order_id,
        )
        if result and result["orderClose"]["userErrors"]:
            events.append(
                self._rejected("CLOSE_REJECTED", refnum, result["orderClose"]["userErrors"])
            )
            return rs.OrderCompleteResponse(status="fail", events=events)
        return rs.OrderCompleteResponse(status="success", events=events)

    # --- order_settle_payment ----------------------------------------------------

    @answers_refusals
    async def order_settle_payment(
        self, request: rq.OrderSettlePaymentRequest
    ) -> rs.OrderSettlePaymentResponse:
        refnum = request.order.channel_order_refnum
        events: list[Event] = []
        found = await self._find_order(refnum, events)
        if found is None:
            return rs.OrderSettlePaymentResponse(events=events)
        order_id, state = found
        pending = mapping.authorisations_to_capture(state["transactions"])
        if not pending:
            events.append(
                make_event(
                    "info",
                    "NOTHING_TO_CAPTURE",
                    f"Order {refnum} has no uncaptured authorisation; nothing was captured.",
                    order_refnum=refnum,
                )
            )
        for auth in pending:
            amount = auth["amountSet"]["shopMoney"]["amount"]

            def captured(state: JSON, auth_id: str = auth["id"]) -> bool:
                still_open = mapping.authorisations_to_capture(state["transactions"])
                return auth_id not in {t["id"] for t in still_open}

            result = await self._guarded_write(
                "orderCapture",
                doc.ORDER_CAPTURE,
                {"input": {"id": order_id, "parentTransactionId": auth["id"], "amount": amount}},
                captured,
                order_id,
            )
            if result and result["orderCapture"]["userErrors"]:
                events.append(
                    self._rejected("CAPTURE_REJECTED", refnum, result["orderCapture"]["userErrors"])
                )
        return rs.OrderSettlePaymentResponse(events=events)

    # --- order_returned ------------------------------------------------------------

    @answers_refusals
    async def order_returned(self, request: rq.OrderReturnedRequest) -> rs.OrderReturnedResponse:
        refund = request.return_
        refnum = request.order.channel_order_refnum
        events: list[Event] = []
        if refund.retailops_return_id is None:
            events.append(
                make_event(
                    "error",
                    "MISSING_RETURN_ID",
                    "The return has no retailops_return_id; nothing was refunded.",
                    order_refnum=refnum,
                )
            )
            return rs.OrderReturnedResponse(events=events)
        found = await self._find_order(refnum, events)
        if found is None:
            return rs.OrderReturnedResponse(events=events)
        order_id, state = found
        location_id = await self._resolve_location()
        variables, unmatched = mapping.refund_variables(
            order_id,
            refund,
            state["lineItems"]["nodes"],
            state["transactions"],
            location_id=location_id,
            restock=self.settings.return_restock,
            notify=self.settings.notify_customer,
        )
        events += [_item_event(u, "ITEM_NOT_REFUNDABLE", order_refnum=refnum) for u in unmatched]
        if unmatched:
            return rs.OrderReturnedResponse(events=events)
        # @idempotent keyed by the return id: a re-sent return refunds nothing more.
        data = await self.client.execute(doc.REFUND_CREATE, variables, operation="refundCreate")
        errors = data["refundCreate"]["userErrors"]
        if errors:
            events.append(self._rejected("REFUND_REJECTED", refnum, errors))
        return rs.OrderReturnedResponse(events=events)


def _recorded_shipments(state: JSON) -> list[str]:
    metafield = state.get("metafield")
    if not metafield:
        return []
    try:
        value = json.loads(metafield["value"])
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _remaining(state: JSON) -> dict[str, int]:
    """Fulfillment order line id -> quantity still to fulfil."""
    return {
        line["id"]: line["remainingQuantity"]
        for fulfillment_order in state["fulfillmentOrders"]["nodes"]
        for line in fulfillment_order["lineItems"]["nodes"]
    }


def _tracking_numbers(state: JSON) -> set[str]:
    return {
        info["number"]
        for fulfillment in state["fulfillments"]
        for info in fulfillment["trackingInfo"]
        if info.get("number")
    }
