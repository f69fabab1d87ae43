"""The WooCommerce adapter: the 11 RetailOps calls over the WooCommerce REST API (wc/v3).

Catalogs and stock move through the ``/batch`` endpoints, at most ``batch_size``
items a call. State the gateway needs (acknowledged orders, recorded shipments,
returns and payments) lives in order meta in the store itself, so any number of
gateway processes can serve one store. Every write is either idempotent (a set
of values by id) or guarded: a check runs before each attempt of a write that
would otherwise be done twice when an answer is lost.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

from adapters.woocommerce import mapping
from adapters.woocommerce.client import WooCommerceClient, WooCommerceError
from adapters.woocommerce.settings import WooCommerceSettings
from gateway.adapter import ChannelAdapter, CheckFailed
from gateway.contract import ACTIONS, Event, ResponseModel, make_event
from gateway.contract import requests as rq
from gateway.contract import responses as rs
from gateway.feed import FeedProduct, parse_feed

# Batch item errors WooCommerce gives when a created SKU already exists.
_DUPLICATE_SKU_CODES = frozenset({"product_invalid_sku", "woocommerce_rest_product_invalid_sku"})
_INVALID_ID_CODES = frozenset(
    {"woocommerce_rest_product_invalid_id", "woocommerce_rest_product_variation_invalid_id"}
)


@dataclass(frozen=True, slots=True)
class SkuRef:
    """Where a SKU lives in WooCommerce: a product, or a variation of ``parent_id``."""

    product_id: int
    parent_id: int | None = None


@dataclass(slots=True)
class BatchItem:
    """One item of a /batch call; ``key`` (a SKU or an order id) names it in events."""

    key: str
    action: Literal["create", "update"]
    payload: dict[str, Any]


@dataclass(slots=True)
class BatchOutcome:
    item: BatchItem
    record: dict[str, Any] | None = None
    error: tuple[str, str] | None = None


@dataclass(slots=True)
class _Pass:
    """What one order_pull collected while reading WooCommerce's list."""

    orders: list[dict[str, Any]] = field(default_factory=list)
    last_seen: mapping.PullPosition | None = None
    exhausted: bool = False


def _refused(error: WooCommerceError, what: str, **identifiers: str | None) -> Event:
    """A WooCommerce refusal as an error event carrying its own code and message."""
    return make_event(
        "error", error.code, f"WooCommerce refused {what}: {error.message}", **identifiers
    )


ActionT = TypeVar("ActionT", bound=rq.BaseRequest)
AnswerT = TypeVar("AnswerT", bound=ResponseModel)
AdapterT = TypeVar("AdapterT", bound="WooCommerceAdapter")


def _refusals_answered(
    method: Callable[[AdapterT, ActionT], Coroutine[Any, Any, AnswerT]],
) -> Callable[[AdapterT, ActionT], Coroutine[Any, Any, AnswerT]]:
    """Answer a refusal the call did not handle itself as an error event (and ``fail``)."""
    action = ACTIONS[method.__name__]

    @functools.wraps(method)
    async def answer(self: AdapterT, request: ActionT) -> AnswerT:
        try:
            return await method(self, request)
        except WooCommerceError as error:
            fields: dict[str, Any] = {"events": [_refused(error, action.name)]}
            if "status" in action.response.model_fields:
                fields["status"] = "fail"
            return action.response.model_validate(fields)  # type: ignore[return-value]

    return answer


def _unknown_order(event_type: Literal["error", "warning"], refnum: str | None) -> Event:
    return make_event(
        event_type,
        "UNKNOWN_ORDER",
        f"There is no WooCommerce order {refnum!r}.",
        order_refnum=refnum,
    )


def _order_id(refnum: str | None) -> int | None:
    """WooCommerce order ids are the channel refnums; anything else names no order."""
    if refnum is None or not refnum.strip().isdigit():
        return None
    return int(refnum.strip())


class WooCommerceAdapter(ChannelAdapter[WooCommerceSettings]):
    """A WooCommerce store as a RetailOps channel."""

    name: ClassVar[str] = "woocommerce"
    Settings: ClassVar[type[WooCommerceSettings]] = WooCommerceSettings

    def __init__(self, settings: WooCommerceSettings) -> None:
        super().__init__(settings)
        self._client: WooCommerceClient | None = None
        # SKU -> where it lives; per process, rebuilt from look-ups, dropped when stale.
        self._skus: dict[str, SkuRef] = {}

    # --- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        s = self.settings
        self._client = WooCommerceClient(
            store_url=s.store_url,
            consumer_key=s.consumer_key.get_secret_value(),
            consumer_secret=s.consumer_secret.get_secret_value(),
            timeout=s.request_timeout,
            retry=s.retry,
            concurrency=s.concurrency,
            verify_tls=s.verify_tls,
        )

    async def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> WooCommerceClient:
        if self._client is None:
            raise RuntimeError("the WooCommerce adapter is used before start()")
        return self._client

    async def check(self) -> list[str]:
        """Keys accepted, API reachable, orders and products readable and writable.

        Writing is proven with empty batch calls, which change nothing.
        """
        facts = [f"store {self.settings.store_url}, REST API wc/v3"]
        probes: list[tuple[str, str, str]] = [
            ("GET", "orders", "read orders"),
            ("GET", "products", "read products"),
            ("POST", "orders/batch", "write orders"),
            ("POST", "products/batch", "write products"),
        ]
        for method, endpoint, permission in probes:
            try:
                if method == "GET":
                    reply = await self.client.request(method, endpoint, params={"per_page": 1})
                    facts.append(f"can {permission} ({reply.total or 0} in the store)")
                else:
                    await self.client.request(method, endpoint, data={})
                    facts.append(f"can {permission}")
            except WooCommerceError as error:
                raise CheckFailed(
                    f"WooCommerce refused to let these keys {permission}: "
                    f"{error.code}: {error.message}",
                    lines=facts,
                ) from error
        return facts

    # --- SKUs ------------------------------------------------------------------

    def _remember(self, record: dict[str, Any]) -> SkuRef | None:
        sku = record.get("sku")
        if not sku:
            return None
        parent = record.get("parent_id") if record.get("type") == "variation" else None
        ref = SkuRef(int(record["id"]), int(parent) if parent else None)
        self._skus[str(sku)] = ref
        return ref

    async def _resolve_skus(self, skus: Sequence[str]) -> dict[str, SkuRef]:
        """Where each SKU lives, from the cache or comma-list look-ups; unknown ones left out."""
        wanted = list(dict.fromkeys(skus))
        missing = [sku for sku in wanted if sku not in self._skus and "," not in sku]
        groups = list(mapping.sku_lookup_groups(missing, self.settings.batch_size))
        replies = await asyncio.gather(
            *(
                self.client.request(
                    "GET",
                    "products",
                    params={"sku": ",".join(group), "per_page": len(group)},
                    operation="look up SKUs",
                )
                for group in groups
            )
        )
        for reply in replies:
            for record in reply.body:
                self._remember(record)
        return {sku: self._skus[sku] for sku in wanted if sku in self._skus}

    def _forget(self, skus: Sequence[str]) -> None:
        for sku in skus:
            self._skus.pop(sku, None)

    # --- batches ---------------------------------------------------------------

    async def _batch(self, endpoint: str, items: Sequence[BatchItem]) -> list[BatchOutcome]:
        """Send items through a /batch endpoint, ``batch_size`` a call, calls in parallel."""
        chunks = list(mapping.chunked(items, self.settings.batch_size))
        results = await asyncio.gather(*(self._batch_call(endpoint, chunk) for chunk in chunks))
        return [outcome for chunk in results for outcome in chunk]

    async def _batch_call(self, endpoint: str, items: list[BatchItem]) -> list[BatchOutcome]:
        body: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            body.setdefault(item.action, []).append(item.payload)
        try:
            reply = await self.client.request("POST", endpoint, data=body)
        except WooCommerceError as error:
            return [BatchOutcome(item, error=(error.code, error.message)) for item in items]
        answered = reply.body if isinstance(reply.body, dict) else {}
        answers = {action: iter(answered.get(action) or []) for action in body}
        outcomes = []
        for item in items:
            entry = next(answers[item.action], None)
            if entry is None:
                outcomes.append(BatchOutcome(item, error=("missing_answer", "no answer")))
                continue
            problem = mapping.batch_item_error(entry)
            outcomes.append(BatchOutcome(item, record=None if problem else entry, error=problem))
        return outcomes

    async def _write_catalog(
        self, endpoint: str, items: list[BatchItem], *, parent_id: int | None = None
    ) -> tuple[list[BatchOutcome], list[Event]]:
        """Create or update by SKU; a create refused as a duplicate SKU becomes an update.

        That happens when a SKU was created by an earlier try whose answer was
        lost. Only a SKU found under the same parent (``parent_id``; None for
        products) is updated; any other stays an error.
        """
        outcomes = await self._batch(endpoint, items)
        duplicates = {
            index: o.item
            for index, o in enumerate(outcomes)
            if o.item.action == "create" and o.error and o.error[0] in _DUPLICATE_SKU_CODES
        }
        if duplicates:
            skus = [item.key for item in duplicates.values()]
            self._forget(skus)
            found = await self._resolve_skus(skus)
            again = {
                index: BatchItem(item.key, "update", {**item.payload, "id": ref.product_id})
                for index, item in duplicates.items()
                if (ref := found.get(item.key)) is not None and ref.parent_id == parent_id
            }
            retried = await self._batch(endpoint, list(again.values()))
            outcomes = [*outcomes]
            for index, outcome in zip(again, retried, strict=True):
                outcomes[index] = outcome
        events = []
        for outcome in outcomes:
            if outcome.record is not None:
                self._remember(outcome.record)
            elif outcome.error is not None:
                code, message = outcome.error
                events.append(
                    make_event(
                        "error",
                        code,
                        f"WooCommerce refused SKU {outcome.item.key}: {message}",
                        sku_number=outcome.item.key,
                    )
                )
        return outcomes, events

    # --- catalog ---------------------------------------------------------------

    @_refusals_answered
    async def catalog_push(self, request: rq.CatalogPushRequest) -> rs.CatalogPushResponse:
        products, events = parse_feed(request.feed)
        all_skus = [p.sku for p in products] + [v.sku for p in products for v in p.variants]
        refs = await self._resolve_skus(all_skus)

        product_items: list[BatchItem] = []
        for product in products:
            ref = refs.get(product.sku)
            if ref is not None and ref.parent_id is not None:
                events.append(
                    make_event(
                        "error",
                        "SKU_IS_A_VARIATION",
                        f"SKU {product.sku} is a variation of product {ref.parent_id} in "
                        "WooCommerce and cannot be pushed as a product.",
                        sku_number=product.sku,
                    )
                )
                continue
            payload = mapping.product_payload(product)
            if ref is None:
                product_items.append(BatchItem(product.sku, "create", payload))
            else:
                product_items.append(
                    BatchItem(product.sku, "update", {**payload, "id": ref.product_id})
                )
        outcomes, product_events = await self._write_catalog("products/batch", product_items)
        events.extend(product_events)

        parents = {o.item.key: int(o.record["id"]) for o in outcomes if o.record is not None}
        by_sku = {p.sku: p for p in products}
        variation_calls = [
            self._push_variations(by_sku[sku], parent_id, refs)
            for sku, parent_id in parents.items()
            if by_sku[sku].variants
        ]
        for variation_events in await asyncio.gather(*variation_calls):
            events.extend(variation_events)
        return rs.CatalogPushResponse(events=events)

    async def _push_variations(
        self, product: FeedProduct, parent_id: int, refs: dict[str, SkuRef]
    ) -> list[Event]:
        events: list[Event] = []
        items: list[BatchItem] = []
        for variant in product.variants:
            payload = mapping.variation_payload(product, variant)
            ref = refs.get(variant.sku)
            if ref is None:
                items.append(BatchItem(variant.sku, "create", payload))
            elif ref.parent_id == parent_id:
                items.append(BatchItem(variant.sku, "update", {**payload, "id": ref.product_id}))
            else:
                events.append(
                    make_event(
                        "error",
                        "SKU_ELSEWHERE",
                        f"SKU {variant.sku} already belongs to WooCommerce product "
                        f"{ref.parent_id or ref.product_id}, not to {product.sku}.",
                        sku_number=variant.sku,
                    )
                )
        _, write_events = await self._write_catalog(
            f"products/{parent_id}/variations/batch", items, parent_id=parent_id
        )
        return events + write_events

    @_refusals_answered
    async def inventory_push(self, request: rq.InventoryPushRequest) -> rs.InventoryPushResponse:
        # The last quantity given for a SKU wins.
        quantities = {update.sku: update.quantity_available for update in request.inventory_updates}
        refs = await self._resolve_skus(list(quantities))
        events = [
            make_event(
                "error",
                "UNKNOWN_SKU",
                f"SKU {sku} is not in the WooCommerce store.",
                sku_number=sku,
            )
            for sku in quantities
            if sku not in refs
        ]
        by_endpoint: dict[str, list[BatchItem]] = {}
        for sku, ref in refs.items():
            endpoint = (
                "products/batch"
                if ref.parent_id is None
                else f"products/{ref.parent_id}/variations/batch"
            )
            payload = {
                "id": ref.product_id,
                "manage_stock": True,
                "stock_quantity": quantities[sku],
            }
            by_endpoint.setdefault(endpoint, []).append(BatchItem(sku, "update", payload))
        results = await asyncio.gather(
            *(self._batch(endpoint, items) for endpoint, items in by_endpoint.items())
        )
        for outcome in (o for chunk in results for o in chunk):
            if outcome.error is None:
                continue
            code, message = outcome.error
            if code in _INVALID_ID_CODES:
                # Deleted since it was cached: the next push looks it up again.
                self._forget([outcome.item.key])
            events.append(
                make_event(
                    "error",
                    code,
                    f"WooCommerce refused the stock of SKU {outcome.item.key}: {message}",
                    sku_number=outcome.item.key,
                )
            )
        return rs.InventoryPushResponse(events=events)

    # --- orders: reading -------------------------------------------------------

    async def _fetch_order(self, refnum: str | None) -> dict[str, Any] | Event:
        """The order, or an error event naming the refnum when there is none."""
        order_id = _order_id(refnum)
        if order_id is not None:
            try:
                reply = await self.client.request(
                    "GET", f"orders/{order_id}", operation="GET order"
                )
                return dict(reply.body)
            except WooCommerceError as error:
                if error.status != 404:
                    return _refused(error, f"order {refnum}", order_refnum=refnum)
        return _unknown_order("error", refnum)

    def _map_orders(self, orders: Sequence[dict[str, Any]]) -> tuple[list[rs.Order], list[Event]]:
        mapped, events = [], []
        for order in orders:
            try:
                mapped.append(
                    mapping.retailops_order(
                        order, default_ship_service_code=self.settings.ship_service_code_default
                    )
                )
            except (mapping.MappingError, ValueError) as error:
                events.append(
                    make_event(
                        "error", "ORDER_NOT_MAPPED", str(error), order_refnum=str(order["id"])
                    )
                )
        return mapped, events

    @_refusals_answered
    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        if request.specific_orders:
            return await self._pull_specific([o.channel_refnum for o in request.specific_orders])
        events: list[Event] = []
        start: mapping.PullPosition | None = None
        if request.page_token:
            try:
                start = mapping.PullPosition.from_token(request.page_token)
            except mapping.MappingError as error:
                events.append(make_event("warning", "BAD_PAGE_TOKEN", f"{error}; started over."))
        found = await self._scan_orders(start)
        orders, map_events = self._map_orders(found.orders)
        events.extend(map_events)
        token = "" if found.exhausted or found.last_seen is None else found.last_seen.token()
        return rs.OrderPullResponse(orders=orders, next_page_token=token, events=events or None)

    async def _scan_orders(self, start: mapping.PullPosition | None) -> _Pass:
        """Unacknowledged orders after ``start``, oldest first, from one WooCommerce page.

        Pages holding only acknowledged orders are skipped, ``pull_scan_pages`` at
        most; the first page with new orders is offered whole (it holds at most
        ``page_size``), so each pull costs one list call while there is work.
        """
        s = self.settings
        params: dict[str, str | int] = {
            "status": ",".join(s.pull_statuses),
            "orderby": "date",
            "order": "asc",
            "per_page": s.page_size,
            "dates_are_gmt": "true",
        }
        if start is not None:
            params["after"] = start.after_param()
        found = _Pass(last_seen=start)
        for page in range(1, s.pull_scan_pages + 1):
            reply = await self.client.request(
                "GET", "orders", params={**params, "page": page}, operation="list orders"
            )
            listed = sorted(reply.body, key=mapping.PullPosition.of)
            for order in listed:
                position = mapping.PullPosition.of(order)
                if start is not None and position <= start:
                    continue  # seen on the previous page: the `after` filter keeps its second
                found.last_seen = position
                if not mapping.meta_value(order, s.meta_keys.acknowledged):
                    found.orders.append(order)
            found.exhausted = len(listed) < s.page_size or (
                reply.total_pages is not None and page >= reply.total_pages
            )
            if found.exhausted or found.orders:
                break
        return found

    async def _pull_specific(self, refnums: Sequence[str]) -> rs.OrderPullResponse:
        ids = {refnum: _order_id(refnum) for refnum in dict.fromkeys(refnums)}
        wanted = sorted({i for i in ids.values() if i is not None})
        replies = await asyncio.gather(
            *(
                self.client.request(
                    "GET",
                    "orders",
                    params={"include": ",".join(map(str, group)), "per_page": len(group)},
                    operation="get orders",
                )
                for group in mapping.chunked(wanted, self.settings.page_size)
            )
        )
        found = {int(o["id"]): o for reply in replies for o in reply.body}
        orders, events = self._map_orders(
            [found[i] for i in (ids[r] for r in ids) if i is not None and i in found][
                : self.settings.page_size
            ]
        )
        events.extend(
            _unknown_order("warning", refnum)
            for refnum, order_id in ids.items()
            if order_id not in found
        )
        return rs.OrderPullResponse(orders=orders, next_page_token="", events=events or None)

    # --- orders: writing -------------------------------------------------------

    @_refusals_answered
    async def order_acknowledge(
        self, request: rq.OrderAcknowledgeRequest
    ) -> rs.OrderAcknowledgeResponse:
        key = self.settings.meta_keys.acknowledged
        events: list[Event] = []
        items: list[BatchItem] = []
        for reference in request.orders:
            refnum = reference.channel_order_refnum
            order_id = _order_id(refnum)
            if order_id is None:
                events.append(_unknown_order("warning", refnum))
                continue
            value = str(reference.retailops_order_id or int(time.time()))
            items.append(
                BatchItem(
                    str(order_id),
                    "update",
                    {"id": order_id, "meta_data": [mapping.meta_update(key, value)]},
                )
            )
        for outcome in await self._batch("orders/batch", items):
            if outcome.error is not None:
                code, message = outcome.error
                events.append(
                    make_event(
                        "warning",
                        code,
                        f"Order {outcome.item.key} was not acknowledged: {message}",
                        order_refnum=outcome.item.key,
                    )
                )
        return rs.OrderAcknowledgeResponse(events=events)

    async def _update_order(self, order_id: int, data: dict[str, Any]) -> dict[str, Any]:
        reply = await self.client.request(
            "PUT", f"orders/{order_id}", data=data, operation="update order"
        )
        return dict(reply.body)

    @_refusals_answered
    async def order_update(self, request: rq.OrderUpdateRequest) -> rs.OrderUpdateResponse:
        refnum = request.order.channel_order_refnum
        order = await self._fetch_order(refnum)
        if isinstance(order, Event):
            return rs.OrderUpdateResponse(events=[order])
        changes = mapping.line_item_changes(order, request.order.order_items)
        events = [
            make_event(
                "warning",
                "UNKNOWN_ORDER_ITEM",
                f"Order {refnum} has no line item {item.channel_item_refnum or item.sku!r}.",
                order_refnum=refnum,
                orderitem_refnum=item.channel_item_refnum,
                sku_number=item.sku,
            )
            for item in changes.unmatched
        ]
        if changes.line_items:
            try:
                await self._update_order(order["id"], {"line_items": changes.line_items})
            except WooCommerceError as error:
                events.append(
                    _refused(error, f"the changes to order {refnum}", order_refnum=refnum)
                )
                return rs.OrderUpdateResponse(events=events)
        return rs.OrderUpdateResponse(events=events, line_items=changes.written_back or None)

    async def _set_status(
        self, refnum: str | None, status: str, refuse_from: frozenset[str]
    ) -> tuple[Literal["success", "fail"], list[Event]]:
        order = await self._fetch_order(refnum)
        if isinstance(order, Event):
            return "fail", [order]
        current = order.get("status")
        if current == status:
            return "success", [
                make_event(
                    "info",
                    "ALREADY_DONE",
                    f"Order {refnum} is already {status}.",
                    order_refnum=refnum,
                )
            ]
        if current in refuse_from:
            return "fail", [
                make_event(
                    "error",
                    "ORDER_STATUS_FORBIDS",
                    f"Order {refnum} is {current} in WooCommerce and cannot become {status}.",
                    order_refnum=refnum,
                )
            ]
        try:
            await self._update_order(order["id"], {"status": status})
        except WooCommerceError as error:
            return "fail", [
                _refused(error, f"status {status} for order {refnum}", order_refnum=refnum)
            ]
        return "success", []

    @_refusals_answered
    async def order_cancel(self, request: rq.OrderCancelRequest) -> rs.OrderCancelResponse:
        status, events = await self._set_status(
            request.order.channel_order_refnum, "cancelled", mapping.FINAL_STATUSES
        )
        return rs.OrderCancelResponse(status=status, events=events)

    @_refusals_answered
    async def order_complete(self, request: rq.OrderCompleteRequest) -> rs.OrderCompleteResponse:
        status, events = await self._set_status(
            request.order.channel_order_refnum, "completed", frozenset({"cancelled", "refunded"})
        )
        return rs.OrderCompleteResponse(status=status, events=events)

    async def _guarded_create(
        self,
        operation: str,
        list_endpoint: str,
        exists: Any,
        create_endpoint: str,
        data: dict[str, Any],
        namespace: str = "wc/v3",
    ) -> bool:
        """POST ``data`` unless ``exists`` finds it among the listed records; True if created.

        Each try looks first, so a create whose answer was lost is not made twice.
        """

        async def attempt() -> bool:
            listed = await self.client.attempt(
                "GET", list_endpoint, params={"per_page": 100}, namespace=namespace
            )
            if any(exists(record) for record in listed.body):
                return False
            await self.client.attempt("POST", create_endpoint, data=data, namespace=namespace)
            return True

        return bool(await self.client.guarded(operation, attempt))

    @_refusals_answered
    async def order_shipment_submit(
        self, request: rq.OrderShipmentSubmitRequest
    ) -> rs.OrderShipmentSubmitResponse:
        refnum = request.channel_order_refnum
        shipment = request.shipment
        order = await self._fetch_order(refnum)
        if isinstance(order, Event):
            return rs.OrderShipmentSubmitResponse(events=[order])
        key = self.settings.meta_keys.shipments
        shipment_id = shipment.retailops_shipment_id
        recorded = mapping.recorded_ids(order, key)
        if shipment_id is not None and str(shipment_id) in recorded:
            return rs.OrderShipmentSubmitResponse(
                events=[
                    make_event(
                        "info",
                        "SHIPMENT_ALREADY_RECORDED",
                        f"Shipment {shipment_id} is already recorded on order {refnum}.",
                        order_refnum=refnum,
                        shipment_id=shipment_id,
                    )
                ]
            )
        order_id = order["id"]
        tracking = self.settings.tracking
        note = mapping.shipment_note(shipment_id, shipment.packages)
        marker = mapping.shipment_marker(shipment_id) if shipment_id is not None else note
        try:
            await self._guarded_create(
                "add shipment note",
                f"orders/{order_id}/notes",
                lambda record: marker in str(record.get("note", "")),
                f"orders/{order_id}/notes",
                {"note": note, "customer_note": tracking.customer_visible_note},
            )
            if tracking.shipment_tracking_extension:
                for package in shipment.packages:
                    if not package.tracking_number:
                        continue
                    number = package.tracking_number
                    await self._guarded_create(
                        "add shipment tracking",
                        f"orders/{order_id}/shipment-trackings",
                        lambda record, number=number: record.get("tracking_number") == number,
                        f"orders/{order_id}/shipment-trackings",
                        mapping.tracking_payload(package),
                        namespace=tracking.shipment_tracking_namespace,
                    )
            if shipment_id is not None:
                await self._update_order(
                    order_id,
                    {"meta_data": [mapping.meta_update(key, [*recorded, str(shipment_id)])]},
                )
        except WooCommerceError as error:
            return rs.OrderShipmentSubmitResponse(
                events=[_refused(error, f"shipment of order {refnum}", order_refnum=refnum)]
            )
        events = []
        if shipment_id is None:
            events.append(
                make_event(
                    "warning",
                    "SHIPMENT_WITHOUT_ID",
                    f"A shipment of order {refnum} came without retailops_shipment_id; "
                    "it was added but cannot be recognised if sent again.",
                    order_refnum=refnum,
                )
            )
        return rs.OrderShipmentSubmitResponse(events=events)

    @_refusals_answered
    async def order_settle_payment(
        self, request: rq.OrderSettlePaymentRequest
    ) -> rs.OrderSettlePaymentResponse:
        refnum = request.order.channel_order_refnum
        order = await self._fetch_order(refnum)
        if isinstance(order, Event):
            return rs.OrderSettlePaymentResponse(events=[order])
        settle = self.settings.settle
        key = self.settings.meta_keys.settled

        def info(code: str, message: str) -> rs.OrderSettlePaymentResponse:
            return rs.OrderSettlePaymentResponse(
                events=[make_event("info", code, message, order_refnum=refnum)]
            )

        if settle.policy == "none":
            return info(
                "SETTLE_POLICY_NONE",
                f"Nothing was captured for order {refnum}: core WooCommerce has no capture, "
                "and this channel's settle policy is none (the payment gateway settles it).",
            )
        if mapping.meta_value(order, key):
            return info(
                "PAYMENT_ALREADY_SETTLED",
                f"The payment of order {refnum} was settled before ({settle.policy}); "
                "nothing was done again.",
            )
        amount = sum(
            t.amount or 0.0 for t in request.payment.payment_transactions
        ) or mapping.money(order.get("total"))
        settled = mapping.meta_update(key, settle.policy)
        try:
            if settle.policy == "mark_paid":
                await self._update_order(order["id"], {"set_paid": True, "meta_data": [settled]})
                return info(
                    "PAYMENT_MARKED_PAID",
                    f"Order {refnum} was marked as paid in WooCommerce (no money was moved).",
                )
            path = (settle.capture_path or "").format(order_id=order["id"])
            await self.client.request(
                "POST",
                path,
                data={"amount": mapping.price_text(amount)},
                namespace=settle.capture_namespace or "",
                operation="capture payment",
            )
            await self._update_order(order["id"], {"meta_data": [settled]})
        except WooCommerceError as error:
            if error.code not in settle.already_captured_codes:
                return rs.OrderSettlePaymentResponse(
                    events=[_refused(error, f"settling order {refnum}", order_refnum=refnum)]
                )
            await self._update_order(order["id"], {"meta_data": [settled]})
            return info(
                "PAYMENT_ALREADY_SETTLED",
                f"The payment of order {refnum} had been captured before "
                f"({error.code}); nothing was captured again.",
            )
        return info(
            "PAYMENT_CAPTURED",
            f"{mapping.price_text(amount)} was captured for order {refnum} through "
            f"{settle.capture_namespace}.",
        )

    @_refusals_answered
    async def order_returned(self, request: rq.OrderReturnedRequest) -> rs.OrderReturnedResponse:
        refnum = request.order.channel_order_refnum
        ret = request.return_
        order = await self._fetch_order(refnum)
        if isinstance(order, Event):
            return rs.OrderReturnedResponse(events=[order])
        keys = self.settings.meta_keys
        return_id = ret.retailops_return_id
        recorded = mapping.recorded_ids(order, keys.returns)
        if return_id is not None and str(return_id) in recorded:
            return rs.OrderReturnedResponse(
                events=[
                    make_event(
                        "info",
                        "RETURN_ALREADY_RECORDED",
                        f"Return {return_id} of order {refnum} was refunded before.",
                        order_refnum=refnum,
                    )
                ]
            )
        amount = mapping.refund_amount(ret)
        refunds = self.settings.refunds
        refund: dict[str, Any] = {
            "amount": mapping.price_text(amount),
            "reason": f"RetailOps return {return_id}"
            if return_id is not None
            else "RetailOps return",
            "api_refund": refunds.api_refund,
            "api_restock": refunds.api_restock,
            "line_items": mapping.refund_line_items(order, ret),
        }
        if return_id is not None:
            refund["meta_data"] = [mapping.meta_update(keys.refund_return_id, str(return_id))]
        order_id = order["id"]
        try:
            await self._guarded_create(
                "create refund",
                f"orders/{order_id}/refunds",
                lambda record: (
                    return_id is not None
                    and str(mapping.meta_value(record, keys.refund_return_id)) == str(return_id)
                ),
                f"orders/{order_id}/refunds",
                refund,
            )
            if return_id is not None:
                await self._update_order(
                    order_id,
                    {"meta_data": [mapping.meta_update(keys.returns, [*recorded, str(return_id)])]},
                )
        except WooCommerceError as error:
            return rs.OrderReturnedResponse(
                events=[_refused(error, f"the refund of order {refnum}", order_refnum=refnum)]
            )
        return rs.OrderReturnedResponse(
            events=[
                make_event(
                    "info",
                    "REFUNDED",
                    f"{mapping.price_text(amount)} refunded on order {refnum}"
                    + (
                        " through the payment gateway."
                        if refunds.api_refund
                        else " as a record only (api_refund is off: no money was moved)."
                    ),
                    order_refnum=refnum,
                )
            ]
        )
