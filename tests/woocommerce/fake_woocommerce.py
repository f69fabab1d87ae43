"""A local fake of a WooCommerce store's REST API (wc/v3), for the adapter's tests.

An aiohttp application served on 127.0.0.1 only. Its records are built, at run
time, from the documented response examples in ``../shared/woocommerce-reference``
(never copied into the project), and it behaves as WooCommerce's controllers do
where the adapter depends on it:

- OAuth 1.0a on plain http, verified as WooCommerce verifies it (HMAC-SHA1 or
  HMAC-SHA256 over PHP's ``rawurlencode``; timestamp window; nonces used once),
  and key permissions (read, write, read_write);
- paging with ``X-WP-Total``, ``X-WP-TotalPages`` and ``Link``; ``per_page``
  over 100 is a 400 ``rest_invalid_param``; repeated query keys keep the last;
- ``/batch`` endpoints with at most 100 items (413 beyond) and per-item errors
  in a 200 answer; comma-list ``sku``, ``include`` and ``status`` filters;
- errors as ``{code, message, data: {status}}``;
- faults on demand (429 with ``Retry-After``, 5xx, slow answers, dropped
  connections before or after the change is applied), and a count of every call.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import hmac
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from aiohttp import web

REFERENCE_DIR = Path(__file__).resolve().parents[3] / "shared" / "woocommerce-reference"
SKIP_REASON = f"WooCommerce reference responses not found at {REFERENCE_DIR}"

PAGE_MAX = 100
BATCH_MAX = 100
OAUTH_WINDOW_S = 15 * 60
ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
CAPTURE_NAMESPACE = "fake-pay/v1"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def require_reference() -> Path:
    """The reference folder, or skip the calling test with the reason."""
    if not (REFERENCE_DIR / "README.md").is_file():
        pytest.skip(SKIP_REASON)
    return REFERENCE_DIR


@cache
def documented(name: str) -> Any:
    """The documented response body of one reference file (``orders__retrieve-an-order__02``)."""
    path = require_reference() / f"{name}.json"
    return json.loads(path.read_text())["json"]


def template(name: str) -> Any:
    return copy.deepcopy(documented(name))


class WooError(Exception):
    """An error answer in WooCommerce's shape."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


@dataclass
class Fault:
    """One injected misbehaviour, for calls whose method and path match."""

    kind: str  # "status", "slow", "drop", "drop_after"
    method: str | None
    path: str
    times: int
    status: int = 503
    retry_after: str | None = None
    delay: float = 0.0

    def matches(self, request: web.Request) -> bool:
        return (self.method is None or request.method == self.method) and self.path in (
            request.path
        )


def php_rawurlencode(value: str) -> str:
    """PHP's rawurlencode: everything but the RFC 3986 unreserved characters is encoded."""
    return quote(value, safe="")


def _money(value: float) -> str:
    return f"{value:.2f}"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _page_params(request: web.Request) -> tuple[int, int]:
    query = _query(request)
    try:
        per_page = int(query.get("per_page", "10"))
        page = int(query.get("page", "1"))
    except ValueError as exc:
        raise WooError(400, "rest_invalid_param", "Invalid parameter(s): per_page, page") from exc
    if not 1 <= per_page <= PAGE_MAX:
        raise WooError(
            400,
            "rest_invalid_param",
            "Invalid parameter(s): per_page",
            params={
                "per_page": f"per_page must be between 1 (inclusive) and {PAGE_MAX} (inclusive)"
            },
        )
    if page < 1:
        raise WooError(400, "rest_invalid_param", "Invalid parameter(s): page")
    return per_page, page


def _query(request: web.Request) -> dict[str, str]:
    """The query as PHP reads it: a repeated key keeps its last value."""
    return {key: request.query.getall(key)[-1] for key in request.query}


def _comma_list(value: str | None) -> list[str]:
    return [part for part in (value or "").split(",") if part != ""]


class FakeWooCommerce:
    """The store's state and its REST routes. ``app`` is the aiohttp application."""

    def __init__(
        self,
        *,
        consumer_key: str = "ck_test_0123456789",
        consumer_secret: str = "cs_test_abcdefghij",
        permissions: str = "read_write",
    ) -> None:
        require_reference()
        self.keys: dict[str, tuple[str, str]] = {consumer_key: (consumer_secret, permissions)}
        self.products: dict[int, dict[str, Any]] = {}
        self.orders: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.refunds: dict[int, list[dict[str, Any]]] = {}
        self.trackings: dict[int, list[dict[str, Any]]] = {}
        self.captures: Counter[int] = Counter()
        # Every call received, faulted ones included, as "METHOD /route".
        self.calls: Counter[str] = Counter()
        self.faults: list[Fault] = []
        # SKUs that batch writes refuse, item by item: sku -> (code, message).
        self.refused_skus: dict[str, tuple[str, str]] = {}
        self.base_url = "http://127.0.0.1"
        self._ids = iter(range(1000, 10_000_000))
        self._nonces: set[tuple[str, str]] = set()
        self._clock = datetime(2024, 1, 1, tzinfo=UTC)
        self._in_flight = 0
        # The most calls handled at once, to check a client's concurrency bound.
        self.most_in_flight = 0
        self._by_sku: dict[str, int] = {}
        self._late_calls: set[asyncio.Future[web.StreamResponse]] = set()
        self.app = self._make_app()

    # --- set-up helpers for tests -------------------------------------------

    def inject(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str = "",
        times: int = 1,
        status: int = 503,
        retry_after: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Misbehave on the next ``times`` calls matching ``method`` and ``path``."""
        self.faults.append(Fault(kind, method, path, times, status, retry_after, delay))

    async def quiet(self, timeout: float = 5.0) -> None:
        """Wait until no call is being handled (a slow one finishes even if its client left)."""
        deadline = time.monotonic() + timeout
        while (self._in_flight or self._late_calls) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        running = self._in_flight + len(self._late_calls)
        assert not running, f"{running} calls still running after {timeout}s"

    def count(self, method: str, route: str) -> int:
        return self.calls[f"{method} {route}"]

    def writes(self) -> int:
        return sum(n for call, n in self.calls.items() if not call.startswith("GET "))

    def add_product(
        self, sku: str, *, name: str | None = None, price: float = 10.0, variable: bool = False
    ) -> dict[str, Any]:
        record = self._new_product(
            {"sku": sku, "name": name or sku, "regular_price": _money(price)}
        )
        if variable:
            record["type"] = "variable"
        return record

    def delete_product(self, record: dict[str, Any]) -> None:
        """Delete a product for good, as the admin's "delete permanently" does."""
        del self.products[record["id"]]
        self._by_sku.pop(record["sku"], None)

    def add_variation(
        self, parent: dict[str, Any], sku: str, *, options: dict[str, str], price: float = 10.0
    ) -> dict[str, Any]:
        return self._new_variation(
            parent,
            {
                "sku": sku,
                "regular_price": _money(price),
                "attributes": [{"name": k, "option": v} for k, v in options.items()],
            },
        )

    def add_order(
        self,
        lines: Iterable[tuple[dict[str, Any], int]],
        *,
        status: str = "processing",
        currency: str = "USD",
        first_name: str = "John",
        email: str | None = None,
        shipping: float | None = None,
        created: datetime | None = None,
        paid: bool = True,
    ) -> dict[str, Any]:
        """An order of (product or variation, quantity) lines, as checkout makes one."""
        order = template("orders__retrieve-an-order__02")
        line_template = order["line_items"][0]
        order_id = next(self._ids)
        if created is None:
            created = self._clock + timedelta(seconds=1)
        self._clock = max(self._clock, created)
        order.update(
            id=order_id,
            number=str(order_id),
            order_key=f"wc_order_{order_id:013x}",
            status=status,
            currency=currency,
            date_created=_iso(created),
            date_created_gmt=_iso(created),
            date_modified=_iso(created),
            date_modified_gmt=_iso(created),
            date_paid=_iso(created) if paid else None,
            date_paid_gmt=_iso(created) if paid else None,
            meta_data=[],
            refunds=[],
            line_items=[],
        )
        order["billing"]["first_name"] = order["shipping"]["first_name"] = first_name
        if email is not None:
            order["billing"]["email"] = email
        if shipping is not None:
            order["shipping_lines"][0]["total"] = _money(shipping)
        for record, quantity in lines:
            line = copy.deepcopy(line_template)
            price = float(record["price"] or 0)
            line.update(
                id=next(self._ids),
                name=record["name"],
                product_id=record["parent_id"] if record["type"] == "variation" else record["id"],
                variation_id=record["id"] if record["type"] == "variation" else 0,
                quantity=quantity,
                sku=record["sku"],
                price=price,
                subtotal=_money(price * quantity),
                total=_money(price * quantity),
                subtotal_tax="0.00",
                total_tax="0.00",
                taxes=[],
                meta_data=[],
            )
            order["line_items"].append(line)
        order["tax_lines"] = []
        self._recalculate(order)
        order["_links"] = self._links(f"orders/{order_id}", "orders")
        self.orders[order_id] = order
        return order

    # --- the application ------------------------------------------------------

    def _make_app(self) -> web.Application:
        app = web.Application(
            middlewares=[self._count, self._inject_faults, self._errors, self._auth]
        )
        wc = "/wp-json/wc/v3"
        routes = [
            web.get(f"{wc}/products", self._list_products),
            web.post(f"{wc}/products/batch", self._batch_products),
            web.get(f"{wc}/products/{{id:\\d+}}", self._get_product),
            web.get(f"{wc}/products/{{id:\\d+}}/variations", self._list_variations),
            web.post(f"{wc}/products/{{id:\\d+}}/variations/batch", self._batch_variations),
            web.get(f"{wc}/orders", self._list_orders),
            web.post(f"{wc}/orders/batch", self._batch_orders),
            web.get(f"{wc}/orders/{{id:\\d+}}", self._get_order),
            web.put(f"{wc}/orders/{{id:\\d+}}", self._put_order),
            web.get(f"{wc}/orders/{{id:\\d+}}/notes", self._list_notes),
            web.post(f"{wc}/orders/{{id:\\d+}}/notes", self._create_note),
            web.get(f"{wc}/orders/{{id:\\d+}}/refunds", self._list_refunds),
            web.post(f"{wc}/orders/{{id:\\d+}}/refunds", self._create_refund),
            web.get(
                "/wp-json/wc-shipment-tracking/v3/orders/{id:\\d+}/shipment-trackings",
                self._list_trackings,
            ),
            web.post(
                "/wp-json/wc-shipment-tracking/v3/orders/{id:\\d+}/shipment-trackings",
                self._create_tracking,
            ),
            web.post(f"/wp-json/{CAPTURE_NAMESPACE}/orders/{{id:\\d+}}/capture", self._capture),
        ]
        app.add_routes(routes)
        return app

    @web.middleware
    async def _count(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else request.path
        self.calls[f"{request.method} {route.removeprefix('/wp-json/wc/v3')}"] += 1
        self._in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self._in_flight)
        try:
            return await handler(request)
        finally:
            self._in_flight -= 1

    @web.middleware
    async def _inject_faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        fault = next((f for f in self.faults if f.times > 0 and f.matches(request)), None)
        if fault is None:
            return await handler(request)
        fault.times -= 1
        if fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            error = WooError(fault.status, "fake_fault", f"injected {fault.status}")
            return web.json_response(error.body(), status=fault.status, headers=headers)
        if fault.kind == "drop":
            return self._drop(request)
        if fault.kind == "slow":
            # Like PHP, the store finishes the work even when the client has given up.
            late = asyncio.ensure_future(self._late(handler, request, fault.delay))
            self._late_calls.add(late)
            late.add_done_callback(self._late_calls.discard)
            return await asyncio.shield(late)
        # drop_after: the change is made, then the answer is lost.
        await handler(request)
        return self._drop(request)

    @staticmethod
    async def _late(handler: Handler, request: web.Request, delay: float) -> web.StreamResponse:
        await request.read()  # kept by the request, so the work goes on if the client leaves
        await asyncio.sleep(delay)
        return await handler(request)

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=200)

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except WooError as error:
            return web.json_response(error.body(), status=error.status)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            body = documented("intro__errors__01")
            return web.json_response(body, status=404)

    # --- authentication ------------------------------------------------------

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        params = _query(request)
        if "oauth_signature" not in params:
            raise WooError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        permissions = self._verify_oauth(request, params)
        needed = "read" if request.method in ("GET", "HEAD") else "write"
        if needed not in permissions:
            raise WooError(
                401,
                "woocommerce_rest_authentication_error",
                f"The API key provided does not have {needed} permissions.",
            )
        return await handler(request)

    def _verify_oauth(self, request: web.Request, params: dict[str, str]) -> str:
        """WooCommerce's check of an OAuth 1.0a signed request; the key's permissions."""
        required = (
            "oauth_consumer_key",
            "oauth_timestamp",
            "oauth_nonce",
            "oauth_signature",
            "oauth_signature_method",
        )
        missing = [name for name in required if not params.get(name)]
        if missing:
            raise WooError(
                401,
                "woocommerce_rest_authentication_missing_parameter",
                f"Missing OAuth parameter {', '.join(missing)}",
            )
        key = self.keys.get(params["oauth_consumer_key"])
        if key is None:
            raise WooError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        secret, permissions = key
        method = params["oauth_signature_method"]
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            raise WooError(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid signature - signature method is invalid.",
            )
        signed = {k: v for k, v in params.items() if k != "oauth_signature"}
        normalized = [
            (
                php_rawurlencode(unquote(k)).replace("%", "%25"),
                php_rawurlencode(unquote(v)).replace("%", "%25"),
            )
            for k, v in sorted(signed.items())
        ]
        query_string = "%26".join(f"{k}%3D{v}" for k, v in normalized)
        base_uri = php_rawurlencode(str(request.url.with_query(None)))
        string_to_sign = f"{request.method}&{base_uri}&{query_string}"
        algorithm = hashlib.sha1 if method == "HMAC-SHA1" else hashlib.sha256
        expected = base64.b64encode(
            hmac.new(f"{secret}&".encode(), string_to_sign.encode(), algorithm).digest()
        ).decode()
        given = params["oauth_signature"].replace(" ", "+")
        if not hmac.compare_digest(expected, given):
            raise WooError(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid signature - provided signature does not match.",
            )
        try:
            timestamp = int(params["oauth_timestamp"])
        except ValueError:
            timestamp = 0
        if abs(time.time() - timestamp) > OAUTH_WINDOW_S:
            raise WooError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.")
        nonce = (params["oauth_consumer_key"], params["oauth_nonce"])
        if nonce in self._nonces:
            raise WooError(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid nonce - nonce has already been used.",
            )
        self._nonces.add(nonce)
        return permissions

    # --- shared helpers -------------------------------------------------------

    def _links(self, path: str, collection: str, up: str | None = None) -> dict[str, Any]:
        base = f"{self.base_url}/wp-json/wc/v3"
        links = {
            "self": [{"href": f"{base}/{path}"}],
            "collection": [{"href": f"{base}/{collection}"}],
        }
        if up is not None:
            links["up"] = [{"href": f"{base}/{up}"}]
        return links

    def _paged(self, request: web.Request, records: list[dict[str, Any]]) -> web.Response:
        per_page, page = _page_params(request)
        total = len(records)
        pages = max(1, -(-total // per_page)) if total else 0
        if total and page > pages:
            raise WooError(
                400,
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            )
        start = (page - 1) * per_page
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        query = dict(_query(request))
        if page > 1:
            links.append(
                f'<{request.url.with_query({**query, "page": str(page - 1)})}>; rel="prev"'
            )
        if page < pages:
            links.append(
                f'<{request.url.with_query({**query, "page": str(page + 1)})}>; rel="next"'
            )
        if links:
            headers["Link"] = ", ".join(links)
        return web.json_response(records[start : start + per_page], headers=headers)

    async def _json(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError as exc:
            raise WooError(400, "rest_invalid_json", "Invalid JSON body passed.") from exc
        if not isinstance(body, dict):
            raise WooError(400, "rest_invalid_json", "Invalid JSON body passed.")
        return body

    @staticmethod
    def _batch_size_guard(body: dict[str, Any]) -> None:
        count = sum(len(body.get(action) or []) for action in ("create", "update", "delete"))
        if count > BATCH_MAX:
            raise WooError(
                413,
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {BATCH_MAX} items for this request.",
            )

    async def _run_batch(
        self,
        request: web.Request,
        create: Callable[[dict[str, Any]], dict[str, Any]],
        update: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> web.Response:
        body = await self._json(request)
        self._batch_size_guard(body)
        answer: dict[str, list[dict[str, Any]]] = {}
        for action, apply in (("create", create), ("update", update)):
            if action not in body:
                continue
            answer[action] = []
            for item in body[action] or []:
                try:
                    answer[action].append(apply(item))
                except WooError as error:
                    item_id = item.get("id", 0) if isinstance(item, dict) else 0
                    answer[action].append({"id": item_id, "error": error.body()})
        if "delete" in body:
            answer["delete"] = [
                {"id": item_id, "error": WooError(400, "fake_not_supported", "not served").body()}
                for item_id in body["delete"] or []
            ]
        return web.json_response(answer)

    # --- products and variations ---------------------------------------------

    def _sku_taken(self, sku: str, by: int | None = None) -> bool:
        owner = self._by_sku.get(sku)
        return owner is not None and owner != by

    def _check_sku(self, data: dict[str, Any], by: int | None = None) -> None:
        sku = data.get("sku")
        if sku is None:
            return
        if sku in self.refused_skus:
            code, message = self.refused_skus[sku]
            raise WooError(400, code, message)
        if sku and self._sku_taken(sku, by):
            raise WooError(400, "product_invalid_sku", "Invalid or duplicated SKU.")

    def _apply_product_fields(self, record: dict[str, Any], data: dict[str, Any]) -> None:
        if data.get("sku") is not None and data["sku"] != record["sku"]:
            self._by_sku.pop(record["sku"], None)
            if data["sku"]:
                self._by_sku[data["sku"]] = record["id"]
        for field in ("name", "type", "status", "sku", "description", "weight", "attributes"):
            if field in data:
                record[field] = data[field]
        for field in ("regular_price", "sale_price"):
            if field in data:
                record[field] = data[field]
        record["price"] = record.get("sale_price") or record.get("regular_price") or ""
        if "manage_stock" in data:
            record["manage_stock"] = bool(data["manage_stock"])
        # WooCommerce applies a quantity only to a product that manages its stock.
        if "stock_quantity" in data and record["manage_stock"]:
            record["stock_quantity"] = int(data["stock_quantity"])
            record["stock_status"] = "instock" if record["stock_quantity"] > 0 else "outofstock"
        record["date_modified"] = record["date_modified_gmt"] = _iso(datetime.now(UTC))

    def _new_product(self, data: dict[str, Any]) -> dict[str, Any]:
        self._check_sku(data)
        record = template("products__retrieve-a-product__03")
        product_id = next(self._ids)
        record.update(
            id=product_id,
            slug=f"product-{product_id}",
            permalink=f"{self.base_url}/product/product-{product_id}/",
            sku="",
            related_ids=[],
            images=[],
            categories=[],
            variations=[],
            meta_data=[],
            _links=self._links(f"products/{product_id}", "products"),
        )
        self._apply_product_fields(record, data)
        self.products[product_id] = record
        return record

    def _product(self, product_id: int) -> dict[str, Any]:
        record = self.products.get(product_id)
        if record is None or record["type"] == "variation":
            raise WooError(400, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return record

    def _update_product(self, data: dict[str, Any]) -> dict[str, Any]:
        record = self._product(int(data.get("id") or 0))
        self._check_sku(data, by=record["id"])
        self._apply_product_fields(record, data)
        return record

    def _new_variation(self, parent: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        self._check_sku(data)
        record = template("variations__retrieve-a-product-variation__02")
        variation_id = next(self._ids)
        record.update(
            id=variation_id,
            sku="",
            meta_data=[],
            permalink=f"{parent['permalink']}?variation={variation_id}",
            _links=self._links(
                f"products/{parent['id']}/variations/{variation_id}",
                f"products/{parent['id']}/variations",
                f"products/{parent['id']}",
            ),
        )
        # The products endpoint shows a variation with these fields.
        record.update(type="variation", parent_id=parent["id"], name=f"{parent['name']} variation")
        self._apply_product_fields(record, {k: v for k, v in data.items() if k != "type"})
        self.products[variation_id] = record
        parent["variations"].append(variation_id)
        return record

    async def _list_products(self, request: web.Request) -> web.Response:
        query = _query(request)
        records = list(self.products.values())
        if "sku" in query:
            found = (self._by_sku.get(sku) for sku in _comma_list(query["sku"]))
            records = [self.products[i] for i in found if i is not None]
        else:
            records = [r for r in records if r["type"] != "variation"]
        if "include" in query:
            wanted = {int(i) for i in _comma_list(query["include"])}
            records = [r for r in records if r["id"] in wanted]
        records.sort(key=lambda r: r["id"], reverse=query.get("order", "desc") == "desc")
        return self._paged(request, records)

    async def _get_product(self, request: web.Request) -> web.Response:
        record = self.products.get(int(request.match_info["id"]))
        if record is None:
            raise WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return web.json_response(record)

    def _parent(self, request: web.Request) -> dict[str, Any]:
        record = self.products.get(int(request.match_info["id"]))
        if record is None or record["type"] != "variable":
            raise WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return record

    async def _list_variations(self, request: web.Request) -> web.Response:
        parent = self._parent(request)
        return self._paged(request, [self.products[i] for i in parent["variations"]])

    async def _batch_products(self, request: web.Request) -> web.Response:
        return await self._run_batch(
            request,
            lambda item: self._new_product(item),
            self._update_product,
        )

    async def _batch_variations(self, request: web.Request) -> web.Response:
        parent = self._parent(request)

        def update(item: dict[str, Any]) -> dict[str, Any]:
            record = self.products.get(int(item.get("id") or 0))
            if record is None or record.get("parent_id") != parent["id"]:
                raise WooError(400, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
            self._check_sku(item, by=record["id"])
            self._apply_product_fields(record, {k: v for k, v in item.items() if k != "type"})
            return record

        return await self._run_batch(
            request, lambda item: self._new_variation(parent, item), update
        )

    # --- orders ---------------------------------------------------------------

    def _order(self, order_id: int, status: int = 404) -> dict[str, Any]:
        order = self.orders.get(order_id)
        if order is None:
            raise WooError(status, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        return order

    @staticmethod
    def _recalculate(order: dict[str, Any]) -> None:
        items = sum(float(line["total"]) for line in order["line_items"])
        shipping = sum(float(line["total"]) for line in order["shipping_lines"])
        order["shipping_total"] = _money(shipping)
        order["discount_total"] = _money(
            sum(float(line["subtotal"]) - float(line["total"]) for line in order["line_items"])
        )
        order["cart_tax"] = order["total_tax"] = "0.00"
        order["total"] = _money(items + shipping)

    @staticmethod
    def _set_meta(record: dict[str, Any], entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            existing = next((m for m in record["meta_data"] if m["key"] == entry["key"]), None)
            if existing is None:
                record["meta_data"].append(
                    {
                        "id": len(record["meta_data"]) + 1,
                        "key": entry["key"],
                        "value": entry["value"],
                    }
                )
            else:
                existing["value"] = entry["value"]

    def _apply_order(self, order: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        if "status" in data:
            status = str(data["status"]).removeprefix("wc-")
            if status not in ORDER_STATUSES:
                raise WooError(400, "rest_invalid_param", "Invalid parameter(s): status")
            order["status"] = status
            if status == "completed":
                order["date_completed"] = order["date_completed_gmt"] = _iso(datetime.now(UTC))
        if data.get("set_paid"):
            now = _iso(datetime.now(UTC))
            order["date_paid"] = order["date_paid_gmt"] = now
            if order["status"] in ("pending", "on-hold", "failed"):
                order["status"] = "processing"
        if "meta_data" in data:
            self._set_meta(order, data["meta_data"])
        for change in data.get("line_items") or []:
            line = next((li for li in order["line_items"] if li["id"] == change.get("id")), None)
            if line is None:
                raise WooError(
                    400,
                    "woocommerce_rest_invalid_item_id",
                    "Order item ID provided is not associated with order.",
                )
            if change.get("quantity") in (0, "0", None) and "quantity" in change:
                order["line_items"].remove(line)
                continue
            if "quantity" in change:
                line["quantity"] = int(change["quantity"])
                line["subtotal"] = line["total"] = _money(line["price"] * line["quantity"])
            for field in ("subtotal", "total"):
                if field in change:
                    line[field] = change[field]
        if data.get("line_items"):
            self._recalculate(order)
        order["date_modified"] = order["date_modified_gmt"] = _iso(datetime.now(UTC))
        return order

    async def _list_orders(self, request: web.Request) -> web.Response:
        query = _query(request)
        records = list(self.orders.values())
        statuses = _comma_list(query.get("status", "any"))
        if "any" not in statuses:
            records = [o for o in records if o["status"] in statuses]
        if "include" in query:
            wanted = {int(i) for i in _comma_list(query["include"])}
            records = [o for o in records if o["id"] in wanted]
        if "after" in query:
            field = "date_created_gmt" if query.get("dates_are_gmt") == "true" else "date_created"
            records = [o for o in records if o[field] > query["after"]]
        orderby = query.get("orderby", "date")
        if orderby not in ("date", "id", "include", "modified"):
            raise WooError(400, "rest_invalid_param", "Invalid parameter(s): orderby")
        field = {"date": "date_created_gmt", "modified": "date_modified_gmt"}.get(orderby, "id")
        records.sort(key=lambda o: o[field], reverse=query.get("order", "desc") == "desc")
        return self._paged(request, records)

    async def _get_order(self, request: web.Request) -> web.Response:
        return web.json_response(self._order(int(request.match_info["id"])))

    async def _put_order(self, request: web.Request) -> web.Response:
        order = self._order(int(request.match_info["id"]), status=400)
        return web.json_response(self._apply_order(order, await self._json(request)))

    async def _batch_orders(self, request: web.Request) -> web.Response:
        def create(item: dict[str, Any]) -> dict[str, Any]:
            raise WooError(400, "fake_not_supported", "The fake does not create orders by batch.")

        def update(item: dict[str, Any]) -> dict[str, Any]:
            return self._apply_order(self._order(int(item.get("id") or 0), status=400), item)

        return await self._run_batch(request, create, update)

    # --- notes, refunds, tracking, capture -----------------------------------

    async def _list_notes(self, request: web.Request) -> web.Response:
        order_id = self._order(int(request.match_info["id"]))["id"]
        return web.json_response(list(reversed(self.notes.get(order_id, []))))

    async def _create_note(self, request: web.Request) -> web.Response:
        order_id = self._order(int(request.match_info["id"]))["id"]
        body = await self._json(request)
        if not body.get("note"):
            raise WooError(400, "rest_missing_callback_param", "Missing parameter(s): note")
        note = template("notes__retrieve-an-order-note__02")
        note_id = next(self._ids)
        note.update(
            id=note_id,
            note=body["note"],
            customer_note=bool(body.get("customer_note")),
            date_created=_iso(datetime.now(UTC)),
            date_created_gmt=_iso(datetime.now(UTC)),
            _links=self._links(
                f"orders/{order_id}/notes/{note_id}",
                f"orders/{order_id}/notes",
                f"orders/{order_id}",
            ),
        )
        self.notes.setdefault(order_id, []).append(note)
        return web.json_response(note, status=201)

    async def _list_refunds(self, request: web.Request) -> web.Response:
        order_id = self._order(int(request.match_info["id"]))["id"]
        return web.json_response(list(reversed(self.refunds.get(order_id, []))))

    async def _create_refund(self, request: web.Request) -> web.Response:
        order = self._order(int(request.match_info["id"]))
        body = await self._json(request)
        refunded = sum(float(r["amount"]) for r in self.refunds.get(order["id"], []))
        try:
            amount = float(body.get("amount") or 0)
        except (TypeError, ValueError):
            amount = 0.0
        if amount <= 0 or amount > float(order["total"]) - refunded + 1e-9:
            raise WooError(
                400, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount."
            )
        refund = template("refunds__retrieve-a-refund__02")
        refund_id = next(self._ids)
        refund.update(
            id=refund_id,
            amount=_money(amount),
            reason=str(body.get("reason") or ""),
            refunded_payment=body.get("api_refund", True) is not False,
            meta_data=[
                {"id": n + 1, "key": m["key"], "value": m["value"]}
                for n, m in enumerate(body.get("meta_data") or [])
            ],
            line_items=body.get("line_items") or [],
            _links=self._links(
                f"orders/{order['id']}/refunds/{refund_id}",
                f"orders/{order['id']}/refunds",
                f"orders/{order['id']}",
            ),
        )
        self.refunds.setdefault(order["id"], []).append(refund)
        order["refunds"].append(
            {"id": refund_id, "reason": refund["reason"], "total": f"-{_money(amount)}"}
        )
        if body.get("api_restock", True):
            self._restock(order, refund["line_items"])
        if refunded + amount >= float(order["total"]) - 1e-9:
            order["status"] = "refunded"
        return web.json_response(refund, status=201)

    def _restock(self, order: dict[str, Any], refund_lines: list[dict[str, Any]]) -> None:
        for refund_line in refund_lines:
            line = next(
                (li for li in order["line_items"] if li["id"] == refund_line.get("id")), None
            )
            if line is None:
                continue
            record = self.products.get(line["variation_id"] or line["product_id"])
            if record is not None and record["manage_stock"]:
                record["stock_quantity"] += int(refund_line.get("quantity") or 0)

    async def _list_trackings(self, request: web.Request) -> web.Response:
        order_id = self._order(int(request.match_info["id"]))["id"]
        return web.json_response(self.trackings.get(order_id, []))

    async def _create_tracking(self, request: web.Request) -> web.Response:
        order_id = self._order(int(request.match_info["id"]))["id"]
        body = await self._json(request)
        if not body.get("tracking_number"):
            raise WooError(
                400, "rest_missing_callback_param", "Missing parameter(s): tracking_number"
            )
        tracking = {
            "tracking_id": f"{next(self._ids):x}",
            "tracking_provider": body.get("tracking_provider", ""),
            "tracking_link": "",
            "tracking_number": body["tracking_number"],
            "date_shipped": body.get("date_shipped", ""),
        }
        self.trackings.setdefault(order_id, []).append(tracking)
        return web.json_response(tracking, status=201)

    async def _capture(self, request: web.Request) -> web.Response:
        order = self._order(int(request.match_info["id"]))
        if self.captures[order["id"]]:
            raise WooError(400, "already_captured", "The payment was captured already.")
        self.captures[order["id"]] += 1
        return web.json_response({"order_id": order["id"], "captured": True})
