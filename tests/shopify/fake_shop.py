"""The in-memory shop behind the fake Shopify: its data and the GraphQL resolvers.

Resolvers are plain callables in dicts: graphql-core's default field resolver
reads a dict key and calls it with the field's arguments when it is callable,
so each object is a dict whose fields with arguments (connections, metafield
look-ups) are small functions. Only the fields and mutations the adapter uses
are implemented; asking for anything else fails the test loudly.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from graphql.execution.values import get_directive_values

from tests.shopify.query_tools import compare, parse_search

JSON = dict[str, Any]

ALL_SCOPES = (
    "read_locations",
    "write_products",
    "write_inventory",
    "read_orders",
    "write_orders",
    "write_order_edits",
    "write_merchant_managed_fulfillment_orders",
    "read_all_orders",
)
INVENTORY_REASONS = {
    "correction",
    "cycle_count_available",
    "damaged",
    "received",
    "restock",
    "safety_stock",
    "shrinkage",
    "other",
    "movement_created",
}


def gid(kind: str, number: int | str) -> str:
    return f"gid://shopify/{kind}/{number}"


def number_of(global_id: str, kind: str) -> int | None:
    prefix = f"gid://shopify/{kind}/"
    tail = global_id.removeprefix(prefix)
    return int(tail) if global_id.startswith(prefix) and tail.isdigit() else None


def money(amount: Decimal | str | float, currency: str = "USD") -> JSON:
    return {"shopMoney": {"amount": str(Decimal(str(amount))), "currencyCode": currency}}


def user_error(message: str, *path: str, code: str | None = None) -> JSON:
    return {"field": list(path) or None, "message": message, "code": code}


def connection(
    items: list[Any],
    first: int | None = None,
    after: str | None = None,
    view: Callable[[Any], Any] | None = None,
) -> JSON:
    """A page of ``items``; ``view`` turns only the items of the page into GraphQL objects."""
    start = int(after.removeprefix("c")) + 1 if after else 0
    page = items[start:] if first is None else items[start : start + first]
    end = start + len(page) - 1
    if view is not None:
        page = [view(item) for item in page]
    return {
        "nodes": page,
        "edges": [{"node": item, "cursor": f"c{start + i}"} for i, item in enumerate(page)],
        "pageInfo": {
            "hasNextPage": end + 1 < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": f"c{start}" if page else None,
            "endCursor": f"c{end}" if page else None,
        },
    }


def _args(**_: Any) -> None:
    """Swallow field arguments a resolver does not use."""


@dataclass
class Variant:
    id: int
    product_id: int
    inventory_item_id: int
    sku: str | None
    price: str = "0.00"
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class Product:
    id: int
    title: str
    handle: str
    status: str = "ACTIVE"
    variant_ids: list[int] = field(default_factory=list)


@dataclass
class Line:
    id: int
    sku: str | None
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal("0")
    fulfilled: int = 0
    refunded: int = 0


@dataclass
class Transaction:
    id: int
    kind: str
    status: str
    gateway: str
    amount: Decimal
    parent_id: int | None = None


@dataclass
class Order:
    id: int
    number: int
    created_at: str
    financial_status: str
    lines: list[Line]
    transactions: list[Transaction]
    currency: str = "USD"
    email: str | None = "buyer@example.com"
    phone: str | None = None
    tags: set[str] = field(default_factory=set)
    shipping_code: str | None = "STANDARD"
    shipping_price: Decimal = Decimal("5.00")
    tax: Decimal = Decimal("0")
    discounts: Decimal = Decimal("0")
    address: JSON = field(default_factory=dict)
    closed: bool = False
    cancelled_at: str | None = None
    metafields: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    fulfillments: list[JSON] = field(default_factory=list)
    refunds: list[int] = field(default_factory=list)


@dataclass
class EditSession:
    order_id: int
    changes: dict[int, int] = field(default_factory=dict)
    committed: bool = False


class FakeShop:
    """A shop's data plus the resolvers that read and change it."""

    def __init__(self, *, name: str = "Fake Shop", currency: str = "USD") -> None:
        self.name = name
        self.currency = currency
        self.scopes: list[str] = list(ALL_SCOPES)
        self._ids = itertools.count(1001)
        self._order_numbers = itertools.count(1001)
        location = next(self._ids)
        self.locations = [
            {
                "id": gid("Location", location),
                "legacyResourceId": str(location),
                "name": "Main Warehouse",
                "isActive": True,
            }
        ]
        self.products: dict[int, Product] = {}
        self.variants: dict[int, Variant] = {}
        self.variants_by_sku: dict[str, list[int]] = {}
        self.inventory: dict[tuple[int, str], int] = {}
        self.orders: dict[int, Order] = {}
        self.edits: dict[int, EditSession] = {}
        self.idempotency: dict[tuple[str, str], Any] = {}
        #: State changes really applied, by mutation (replays and no-ops excluded).
        self.applied: Counter[str] = Counter()

    # --- seeding (tests and benchmarks) ------------------------------------------

    def add_product(self, title: str, skus: list[str], *, price: str = "10.00") -> Product:
        product = Product(next(self._ids), title, title.lower().replace(" ", "-"))
        for sku in skus:
            self._new_variant(product, sku, price, {"Title": sku})
        self.products[product.id] = product
        return product

    def add_order(
        self,
        lines: list[tuple[str, int, str]],
        *,
        financial_status: str = "paid",
        currency: str = "USD",
        created_at: str | None = None,
        shipping: str = "5.00",
        email: str = "buyer@example.com",
        customer_name: str = "Ada Lovelace",
    ) -> Order:
        """An order for (sku, quantity, unit price) lines, paid or only authorised."""
        order_id = next(self._ids)
        number = next(self._order_numbers)
        order_lines = [
            Line(next(self._ids), sku, f"Item {sku}", qty, Decimal(price))
            for sku, qty, price in lines
        ]
        total = sum((line.unit_price * line.quantity for line in order_lines), Decimal(shipping))
        kind = "AUTHORIZATION" if financial_status == "authorized" else "SALE"
        order = Order(
            id=order_id,
            number=number,
            created_at=created_at or f"2026-11-{1 + number % 28:02d}T10:00:00Z",
            financial_status=financial_status,
            lines=order_lines,
            transactions=[Transaction(next(self._ids), kind, "SUCCESS", "shopify_payments", total)],
            currency=currency,
            email=email,
            shipping_price=Decimal(shipping),
            address={
                "firstName": customer_name.partition(" ")[0],
                "lastName": customer_name.partition(" ")[2],
                "address1": "1 Main St",
                "city": "Springfield",
                "provinceCode": "IL",
                "province": "Illinois",
                "zip": "62701",
                "countryCodeV2": "US",
                "phone": "+15555550100",
                "name": customer_name,
                "company": None,
                "address2": None,
            },
        )
        self.orders[order_id] = order
        return order

    def _new_variant(
        self, product: Product, sku: str | None, price: str, options: dict[str, str]
    ) -> Variant:
        variant = Variant(next(self._ids), product.id, next(self._ids), sku, price, options)
        self.variants[variant.id] = variant
        product.variant_ids.append(variant.id)
        if sku:
            self.variants_by_sku.setdefault(sku, []).append(variant.id)
        return variant

    def stock(self, sku: str) -> int | None:
        ids = self.variants_by_sku.get(sku)
        if not ids:
            return None
        item = self.variants[ids[0]].inventory_item_id
        return self.inventory.get((item, self.locations[0]["id"]))

    # --- roots ------------------------------------------------------------------------

    def query_root(self) -> JSON:
        return {
            "shop": {
                "name": self.name,
                "myshopifyDomain": "fake-shop.myshopify.com",
                "currencyCode": self.currency,
            },
            "currentAppInstallation": {"accessScopes": [{"handle": s} for s in self.scopes]},
            "locations": lambda info, first=None, after=None, **_: connection(
                self.locations, first, after
            ),
            "productVariants": self._product_variants,
            "orders": self._orders,
            "order": lambda info, id: self._order_view(self._order(id)),
        }

    def mutation_root(self) -> JSON:
        return {
            "productSet": self._product_set,
            "inventorySetQuantities": self._idempotent(self._inventory_set),
            "tagsAdd": self._tags_add,
            "orderEditBegin": self._edit_begin,
            "orderEditSetQuantity": self._edit_set_quantity,
            "orderEditCommit": self._edit_commit,
            "orderCancel": self._order_cancel,
            "fulfillmentCreate": self._fulfillment_create,
            "metafieldsSet": self._metafields_set,
            "orderClose": self._order_close,
            "orderCapture": self._order_capture,
            "refundCreate": self._idempotent(self._refund_create),
        }

    def _idempotent(self, resolver: Any) -> Any:
        """Shopify's @idempotent(key:): required, and a key seen before replays its answer."""

        def resolve(info: GraphQLResolveInfo, **args: Any) -> Any:
            directive = info.schema.get_directive("idempotent")
            assert directive is not None
            values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
            if not values or not values.get("key"):
                raise GraphQLError(f"{info.field_name} requires the @idempotent directive")
            slot = (info.field_name, values["key"])
            if slot not in self.idempotency:
                self.idempotency[slot] = resolver(info, **args)
            return self.idempotency[slot]

        return resolve

    # --- catalog ------------------------------------------------------------------

    def _product_variants(
        self,
        info: GraphQLResolveInfo,
        first: int | None = None,
        query: str | None = None,
        after: str | None = None,
        **_: Any,
    ) -> JSON:
        skus = _only_skus(query)
        if skus is not None:  # the adapter's batched look-up: answer from the index
            ids = [i for sku in dict.fromkeys(skus) for i in self.variants_by_sku.get(sku, [])]
        else:
            predicate = (
                parse_search(query or "", {"sku": lambda v, c, value: compare(v.sku, c, value)})
                if query
                else None
            )
            ids = [v.id for v in self.variants.values() if predicate is None or predicate(v)]
        return connection(ids, first, after, lambda i: self._variant_view(self.variants[i]))

    def _variant_view(self, variant: Variant) -> JSON:
        return {
            "id": gid("ProductVariant", variant.id),
            "sku": variant.sku,
            "price": variant.price,
            "product": {"id": gid("Product", variant.product_id)},
            "inventoryItem": {"id": gid("InventoryItem", variant.inventory_item_id)},
        }

    def _product_view(self, product: Product) -> JSON:
        return {
            "id": gid("Product", product.id),
            "title": product.title,
            "handle": product.handle,
            "variants": lambda info, first=None, after=None, **_: connection(
                [self._variant_view(self.variants[i]) for i in product.variant_ids], first, after
            ),
        }

    def _product_set(
        self,
        info: GraphQLResolveInfo,
        input: JSON,
        identifier: JSON | None = None,
        synchronous: bool = True,
    ) -> JSON:
        product: Product | None = None
        identifier = identifier or {}
        if identifier.get("id"):
            product = self.products.get(number_of(identifier["id"], "Product") or -1)
            if product is None:
                return {
                    "product": None,
                    "userErrors": [
                        user_error("Product does not exist", "identifier", "id", code="NOT_FOUND")
                    ],
                }
        elif identifier.get("handle"):
            product = next(
                (p for p in self.products.values() if p.handle == identifier["handle"]), None
            )
        option_names = [o["name"] for o in input.get("productOptions") or []]
        for index, variant in enumerate(input.get("variants") or []):
            for value in variant["optionValues"]:
                if value.get("optionName") not in option_names:
                    return {
                        "product": None,
                        "userErrors": [
                            user_error(
                                "Option does not exist",
                                "input",
                                "variants",
                                str(index),
                                code="OPTION_DOES_NOT_EXIST",
                            )
                        ],
                    }
        if product is None:
            product = Product(
                next(self._ids),
                input.get("title") or "Untitled",
                input.get("handle") or identifier.get("handle") or "product",
            )
            self.products[product.id] = product
        product.title = input.get("title", product.title)
        product.status = input.get("status", product.status)
        keep: list[int] = []
        for variant_input in input.get("variants") or []:
            options = {o["optionName"]: o["name"] for o in variant_input["optionValues"]}
            existing_id = number_of(variant_input.get("id") or "", "ProductVariant")
            if existing_id is not None:
                variant = self.variants.get(existing_id)
                if variant is None or variant.product_id != product.id:
                    return {
                        "product": None,
                        "userErrors": [
                            user_error(
                                "Variant does not exist on this product",
                                "input",
                                "variants",
                                code="PRODUCT_VARIANT_DOES_NOT_EXIST",
                            )
                        ],
                    }
                variant.price = variant_input.get("price", variant.price)
                variant.options = options
            else:
                variant = self._new_variant(
                    product, variant_input.get("sku"), variant_input.get("price") or "0.00", options
                )
                for stocked in variant_input.get("inventoryQuantities") or []:
                    slot = (variant.inventory_item_id, stocked["locationId"])
                    self.inventory[slot] = stocked["quantity"]
            keep.append(variant.id)
        for removed in set(product.variant_ids) - set(keep):
            gone = self.variants.pop(removed)
            if gone.sku:
                self.variants_by_sku[gone.sku].remove(removed)
        product.variant_ids = keep
        self.applied["productSet"] += 1
        return {"product": self._product_view(product), "userErrors": []}

    def _inventory_set(self, info: GraphQLResolveInfo, input: JSON) -> JSON:
        errors = []
        if input["name"] not in ("available", "on_hand"):
            errors.append(user_error("Invalid quantity name", "input", "name"))
        if input["reason"] not in INVENTORY_REASONS:
            errors.append(user_error("Invalid reason", "input", "reason", code="INVALID_REASON"))
        quantities = input["quantities"]
        if len(quantities) > 250:
            errors.append(user_error("Too many quantities", "input", "quantities"))
        location_ids = {loc["id"] for loc in self.locations}
        items = {v.inventory_item_id for v in self.variants.values()}
        for index, quantity in enumerate(quantities):
            path = ("input", "quantities", str(index))
            if "changeFromQuantity" not in quantity:
                errors.append(
                    user_error(
                        "changeFromQuantity is required (null skips the check)",
                        *path,
                        "changeFromQuantity",
                    )
                )
            if number_of(quantity["inventoryItemId"], "InventoryItem") not in items:
                errors.append(
                    user_error(
                        "The specified inventory item could not be found.",
                        *path,
                        "inventoryItemId",
                        code="INVALID_INVENTORY_ITEM",
                    )
                )
            if quantity["locationId"] not in location_ids:
                errors.append(
                    user_error(
                        "The specified location could not be found.",
                        *path,
                        "locationId",
                        code="INVALID_LOCATION",
                    )
                )
        if errors:
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        for quantity in quantities:
            item = number_of(quantity["inventoryItemId"], "InventoryItem")
            assert item is not None
            self.inventory[(item, quantity["locationId"])] = quantity["quantity"]
        self.applied["inventorySetQuantities"] += 1
        return {
            "inventoryAdjustmentGroup": {"id": gid("InventoryAdjustmentGroup", next(self._ids))},
            "userErrors": [],
        }

    # --- orders ---------------------------------------------------------------------

    def _order(self, order_gid: str) -> Order | None:
        number = number_of(order_gid, "Order")
        return self.orders.get(number) if number is not None else None

    def _orders(
        self,
        info: GraphQLResolveInfo,
        first: int | None = None,
        query: str | None = None,
        sortKey: str | None = None,
        after: str | None = None,
        reverse: bool = False,
        **_: Any,
    ) -> JSON:
        predicate = parse_search(query, _ORDER_MATCHERS) if query else None
        found = (o for o in self.orders.values() if predicate is None or predicate(o))
        if reverse:  # orders are kept oldest (lowest id) first
            found = reversed(list(found))
        if first is not None:  # the page and one more, to know whether there is a next page
            start = int(after.removeprefix("c")) + 1 if after else 0
            found = itertools.islice(found, start + first + 1)
        return connection(list(found), first, after, self._order_view)

    def _order_view(self, order: Order | None) -> JSON | None:
        if order is None:
            return None
        currency = order.currency
        address = dict(order.address)
        return {
            "id": gid("Order", order.id),
            "legacyResourceId": str(order.id),
            "name": f"#{order.number}",
            "createdAt": order.created_at,
            "currencyCode": currency,
            "email": order.email,
            "phone": order.phone,
            "tags": sorted(order.tags),
            "clientIp": "203.0.113.9",
            "closed": order.closed,
            "cancelledAt": order.cancelled_at,
            "displayFinancialStatus": order.financial_status.upper(),
            "billingAddress": address,
            "shippingAddress": address,
            "shippingLine": {"code": order.shipping_code, "title": "Standard"}
            if order.shipping_code
            else None,
            "totalShippingPriceSet": money(order.shipping_price, currency),
            "totalTaxSet": money(order.tax, currency),
            "totalDiscountsSet": money(order.discounts, currency),
            "transactions": lambda info, first=None, **_: [
                self._transaction_view(t, currency) for t in order.transactions
            ][:first],
            "lineItems": lambda info, first=None, after=None, **_: connection(
                [self._line_view(line, currency) for line in order.lines], first, after
            ),
            "metafield": lambda info, key, namespace=None: self._metafield(order, namespace, key),
            "fulfillmentOrders": lambda info, first=None, after=None, **_: connection(
                [self._fulfillment_order_view(order)], first, after
            ),
            "fulfillments": lambda info, first=None, **_: [
                {
                    "id": f["id"],
                    "status": "SUCCESS",
                    "trackingInfo": lambda info, first=None, f=f, **_: [
                        {"number": n} for n in f["numbers"]
                    ][:first],
                }
                for f in order.fulfillments
            ][:first],
        }

    @staticmethod
    def _metafield(order: Order, namespace: str | None, key: str) -> JSON | None:
        found = order.metafields.get((namespace or "app", key))
        return {"value": found[1], "type": found[0]} if found else None

    @staticmethod
    def _transaction_view(t: Transaction, currency: str) -> JSON:
        return {
            "id": gid("OrderTransaction", t.id),
            "kind": t.kind,
            "status": t.status,
            "gateway": t.gateway,
            "amountSet": money(t.amount, currency),
            "parentTransaction": {"id": gid("OrderTransaction", t.parent_id)}
            if t.parent_id
            else None,
        }

    @staticmethod
    def _line_view(line: Line, currency: str) -> JSON:
        return {
            "id": gid("LineItem", line.id),
            "sku": line.sku,
            "name": line.name,
            "quantity": line.quantity,
            "currentQuantity": line.quantity - line.refunded,
            "originalUnitPriceSet": money(line.unit_price, currency),
            "totalDiscountSet": money(line.discount, currency),
        }

    def _fulfillment_order_view(self, order: Order) -> JSON:
        open_lines = [line for line in order.lines if line.quantity - line.fulfilled > 0]
        status = "CANCELLED" if order.cancelled_at else ("OPEN" if open_lines else "CLOSED")
        return {
            "id": gid("FulfillmentOrder", order.id),
            "status": status,
            "lineItems": lambda info, first=None, after=None, **_: connection(
                [
                    {
                        "id": gid("FulfillmentOrderLineItem", line.id),
                        "remainingQuantity": line.quantity - line.fulfilled,
                        "sku": line.sku,
                        "lineItem": {"id": gid("LineItem", line.id)},
                    }
                    for line in order.lines
                    if line.quantity > 0
                ],
                first,
                after,
            ),
        }

    def _tags_add(self, info: GraphQLResolveInfo, id: str, tags: list[str]) -> JSON:
        order = self._order(id)
        if order is None:
            return {"node": None, "userErrors": [user_error("Order does not exist", "id")]}
        if not set(tags) <= order.tags:
            order.tags |= set(tags)
            self.applied["tagsAdd"] += 1
        return {"node": {"__typename": "Order", "id": id}, "userErrors": []}

    def _edit_begin(self, info: GraphQLResolveInfo, id: str, **_: Any) -> JSON:
        order = self._order(id)
        if order is None or order.cancelled_at:
            return {
                "calculatedOrder": None,
                "userErrors": [user_error("The order cannot be edited", "id")],
            }
        session_id = next(self._ids)
        self.edits[session_id] = EditSession(order.id)
        return {
            "calculatedOrder": {
                "id": gid("CalculatedOrder", session_id),
                "lineItems": lambda info, first=None, **_: connection(
                    [
                        {
                            "id": gid("CalculatedLineItem", line.id),
                            "sku": line.sku,
                            "quantity": line.quantity,
                        }
                        for line in order.lines
                    ],
                    first,
                ),
            },
            "orderEditSession": {"id": gid("OrderEditSession", session_id)},
            "userErrors": [],
        }

    def _edit_session(self, calculated_id: str) -> EditSession | None:
        number = number_of(calculated_id, "CalculatedOrder")
        session = self.edits.get(number) if number is not None else None
        return None if session is None or session.committed else session

    def _edit_set_quantity(
        self, info: GraphQLResolveInfo, id: str, lineItemId: str, quantity: int, **_: Any
    ) -> JSON:
        session = self._edit_session(id)
        line_id = number_of(lineItemId, "CalculatedLineItem")
        order = self.orders[session.order_id] if session else None
        line = next((li for li in order.lines if li.id == line_id), None) if order else None
        if session is None or line is None:
            return {
                "calculatedLineItem": None,
                "userErrors": [user_error("Line item or edit not found", "lineItemId")],
            }
        if quantity < line.fulfilled:
            return {
                "calculatedLineItem": None,
                "userErrors": [user_error("Cannot go below the fulfilled quantity", "quantity")],
            }
        session.changes[line.id] = quantity
        return {"calculatedLineItem": {"id": lineItemId, "quantity": quantity}, "userErrors": []}

    def _edit_commit(self, info: GraphQLResolveInfo, id: str, **_: Any) -> JSON:
        session = self._edit_session(id)
        if session is None:
            return {
                "order": None,
                "userErrors": [
                    user_error("The edit does not exist or was already committed", "id")
                ],
            }
        order = self.orders[session.order_id]
        for line in order.lines:
            line.quantity = session.changes.get(line.id, line.quantity)
        session.committed = True
        self.applied["orderEditCommit"] += 1
        return {"order": {"id": gid("Order", order.id)}, "userErrors": []}

    def _order_cancel(self, info: GraphQLResolveInfo, orderId: str, **options: Any) -> JSON:
        order = self._order(orderId)
        errors = []
        if order is None:
            errors.append(user_error("Order not found", "orderId", code="NOT_FOUND"))
        elif order.cancelled_at:
            errors.append(user_error("Order has already been cancelled", "orderId", code="INVALID"))
        elif order.fulfillments:
            errors.append(
                user_error("Cannot cancel an order with fulfillments", "orderId", code="INVALID")
            )
        if errors or order is None:
            return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
        if (options.get("refundMethod") or {}).get("originalPaymentMethodsRefund"):
            order.financial_status = "refunded"
        order.cancelled_at = "2026-12-01T12:00:00Z"
        order.closed = True
        self.applied["orderCancel"] += 1
        return {
            "job": {"id": gid("Job", next(self._ids))},
            "orderCancelUserErrors": [],
            "userErrors": [],
        }

    def _fulfillment_create(self, info: GraphQLResolveInfo, fulfillment: JSON, **_: Any) -> JSON:
        planned: list[tuple[Line, int]] = []
        order: Order | None = None
        for group in fulfillment["lineItemsByFulfillmentOrder"]:
            order = self.orders.get(
                number_of(group["fulfillmentOrderId"], "FulfillmentOrder") or -1
            )
            if order is None or order.cancelled_at:
                return {
                    "fulfillment": None,
                    "userErrors": [
                        user_error("Fulfillment order is not fulfillable", "fulfillment")
                    ],
                }
            wanted = group.get("fulfillmentOrderLineItems")
            lines = {line.id: line for line in order.lines}
            if wanted is None:
                planned += [(li, li.quantity - li.fulfilled) for li in order.lines]
                continue
            for item in wanted:
                line = lines.get(number_of(item["id"], "FulfillmentOrderLineItem") or -1)
                if line is None or item["quantity"] > line.quantity - line.fulfilled:
                    return {
                        "fulfillment": None,
                        "userErrors": [
                            user_error(
                                "Invalid fulfillment order line item quantity requested",
                                "fulfillment",
                                "lineItemsByFulfillmentOrder",
                            )
                        ],
                    }
                planned.append((line, item["quantity"]))
        assert order is not None
        for line, quantity in planned:
            line.fulfilled += quantity
        tracking = fulfillment.get("trackingInfo") or {}
        numbers = tracking.get("numbers") or (
            [tracking["number"]] if tracking.get("number") else []
        )
        record = {"id": gid("Fulfillment", next(self._ids)), "numbers": numbers}
        order.fulfillments.append(record)
        self.applied["fulfillmentCreate"] += 1
        return {"fulfillment": {"id": record["id"], "status": "SUCCESS"}, "userErrors": []}

    def _metafields_set(self, info: GraphQLResolveInfo, metafields: list[JSON]) -> JSON:
        errors = []
        for index, metafield in enumerate(metafields):
            order = self._order(metafield["ownerId"])
            if order is None:
                errors.append(user_error("Owner not found", "metafields", str(index), "ownerId"))
            elif not metafield.get("type"):
                errors.append(
                    user_error(
                        "Type is required without a definition", "metafields", str(index), "type"
                    )
                )
            elif metafield["type"] == "json":
                try:
                    json.loads(metafield["value"])
                except ValueError:
                    errors.append(user_error("Value is not JSON", "metafields", str(index)))
        if errors:
            return {"metafields": None, "userErrors": errors}
        for metafield in metafields:
            order = self._order(metafield["ownerId"])
            assert order is not None
            slot = (metafield.get("namespace") or "app", metafield["key"])
            order.metafields[slot] = (metafield["type"], metafield["value"])
        self.applied["metafieldsSet"] += 1
        return {
            "metafields": [{"id": gid("Metafield", next(self._ids))} for _ in metafields],
            "userErrors": [],
        }

    def _order_close(self, info: GraphQLResolveInfo, input: JSON) -> JSON:
        order = self._order(input["id"])
        if order is None:
            return {"order": None, "userErrors": [user_error("Order not found", "id")]}
        if not order.closed:
            order.closed = True
            self.applied["orderClose"] += 1
        return {"order": {"id": input["id"], "closed": True}, "userErrors": []}

    def _order_capture(self, info: GraphQLResolveInfo, input: JSON) -> JSON:
        order = self._order(input["id"])
        parent_id = number_of(input["parentTransactionId"], "OrderTransaction")
        parent = next((t for t in order.transactions if t.id == parent_id), None) if order else None
        if order is None or parent is None or parent.kind != "AUTHORIZATION":
            return {
                "transaction": None,
                "userErrors": [user_error("Authorization not found", "parentTransactionId")],
            }
        captured = sum(
            (
                t.amount
                for t in order.transactions
                if t.parent_id == parent.id and t.kind == "CAPTURE"
            ),
            Decimal(0),
        )
        amount = Decimal(input["amount"])
        if captured + amount > parent.amount:
            return {
                "transaction": None,
                "userErrors": [user_error("Amount exceeds the authorized amount", "amount")],
            }
        capture = Transaction(
            next(self._ids), "CAPTURE", "SUCCESS", parent.gateway, amount, parent.id
        )
        order.transactions.append(capture)
        order.financial_status = "paid"
        self.applied["orderCapture"] += 1
        return {
            "transaction": {"id": gid("OrderTransaction", capture.id), "status": "SUCCESS"},
            "userErrors": [],
        }

    def _refund_create(self, info: GraphQLResolveInfo, input: JSON) -> JSON:
        order = self._order(input["orderId"])
        if order is None:
            return {
                "refund": None,
                "order": None,
                "userErrors": [user_error("Order not found", "orderId")],
            }
        lines = {gid("LineItem", line.id): line for line in order.lines}
        plan: list[tuple[Line, int, JSON]] = []
        for index, item in enumerate(input.get("refundLineItems") or []):
            line = lines.get(item["lineItemId"])
            if line is None or item["quantity"] > line.quantity - line.refunded:
                return {
                    "refund": None,
                    "order": None,
                    "userErrors": [
                        user_error(
                            "Quantity cannot refund more items than were purchased",
                            "refundLineItems",
                            str(index),
                            "quantity",
                        )
                    ],
                }
            if item.get("restockType") == "RETURN" and not item.get("locationId"):
                return {
                    "refund": None,
                    "order": None,
                    "userErrors": [
                        user_error("Location is required to restock", "refundLineItems", str(index))
                    ],
                }
            plan.append((line, item["quantity"], item))
        money_back: list[tuple[Transaction, Decimal]] = []
        for index, transaction in enumerate(input.get("transactions") or []):
            parent = next(
                (
                    t
                    for t in order.transactions
                    if gid("OrderTransaction", t.id) == transaction.get("parentId")
                ),
                None,
            )
            amount = Decimal(transaction["amount"])
            refunded = sum(
                (
                    t.amount
                    for t in order.transactions
                    if parent and t.parent_id == parent.id and t.kind == "REFUND"
                ),
                Decimal(0),
            )
            if parent is None or refunded + amount > parent.amount:
                return {
                    "refund": None,
                    "order": None,
                    "userErrors": [
                        user_error(
                            "Refund amount exceeds the refundable amount",
                            "transactions",
                            str(index),
                        )
                    ],
                }
            money_back.append((parent, amount))
        for line, quantity, item in plan:
            line.refunded += quantity
            if item.get("restockType") == "RETURN" and line.sku in self.variants_by_sku:
                variant = self.variants[self.variants_by_sku[line.sku][0]]
                slot = (variant.inventory_item_id, item["locationId"])
                self.inventory[slot] = self.inventory.get(slot, 0) + quantity
        for parent, amount in money_back:
            order.transactions.append(
                Transaction(next(self._ids), "REFUND", "SUCCESS", parent.gateway, amount, parent.id)
            )
        refund_id = next(self._ids)
        order.refunds.append(refund_id)
        self.applied["refundCreate"] += 1
        return {
            "refund": {"id": gid("Refund", refund_id)},
            "order": {"id": input["orderId"]},
            "userErrors": [],
        }


def _only_skus(query: str | None) -> list[str] | None:
    """The SKUs of a search made only of ``sku:"..."`` terms joined by OR, else None."""
    if not query:
        return None
    skus = []
    for term in query.split(" OR "):
        if not (term.startswith('sku:"') and term.endswith('"')) or "\\" in term:
            return None
        skus.append(term[5:-1])
    return skus


def _financial(order: Order, comparator: str, value: str) -> bool:
    return order.financial_status == value.lower()


def _status(order: Order, comparator: str, value: str) -> bool:
    state = "cancelled" if order.cancelled_at else ("closed" if order.closed else "open")
    return value == "any" or state == value


_ORDER_MATCHERS = {
    "id": lambda o, c, v: compare(o.id, c, int(v)),
    "tag": lambda o, c, v: v.casefold() in {t.casefold() for t in o.tags},
    "financial_status": _financial,
    "status": _status,
    "created_at": lambda o, c, v: compare(o.created_at[: len(v)], c, v),
    "name": lambda o, c, v: f"#{o.number}" == v or str(o.number) == v.lstrip("#"),
}
