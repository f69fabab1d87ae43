"""The in-memory channel's state: catalog, stock and orders, and the indexes over them.

Pure state, no contract rules: the adapter (adapters/memory.py) decides what a
call may change and reports problems as events; this module keeps the records
and makes every lookup cheap whatever the store's size: SKUs and orders are
found by key, and the orders not yet acknowledged are kept in a sorted index
by creation sequence, so a page of them costs O(log n + page size).

Records are slotted dataclasses rather than contract models: a store of
100,000 orders must stay small and quick to build. Contract models are made
only for what an answer carries (:meth:`StoredOrder.to_contract`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sortedcontainers import SortedDict

from gateway.contract import Address, CustomerInfo, Order
from gateway.contract.base import CurrencyCode
from gateway.feed import FeedProduct, FeedVariant

OrderStatus = Literal["open", "cancelled", "completed"]
ItemType = Literal["ship", "advisory", "instore"]


# --- catalog -------------------------------------------------------------------


@dataclass(slots=True)
class StockedSku:
    """One sellable SKU: the feed variant it came from and its stock level."""

    sku: str
    product_sku: str
    variant: FeedVariant
    quantity_available: int = 0


# --- orders --------------------------------------------------------------------


@dataclass(slots=True)
class StoredItem:
    """One order line, with what has happened to it since the order was placed."""

    refnum: str
    sku: str
    quantity: int
    unit_price: float
    description: str | None = None
    item_type: ItemType = "ship"
    unit_tax: float = 0.0
    discount_amt: float = 0.0
    ship_amt: float = 0.0
    # State written by RetailOps' calls.
    shipped: int = 0
    returned: int = 0
    removed: bool = False
    retailops_item_id: int | None = None

    @property
    def left_to_ship(self) -> int:
        return 0 if self.removed else max(self.quantity - self.shipped, 0)

    def contract_fields(self) -> dict[str, Any]:
        """The line as an order's ``order_items`` entry (validated with its order)."""
        return {
            "channel_item_refnum": self.refnum,
            "sku": self.sku,
            "sku_description": self.description,
            "quantity": self.quantity,
            "item_type": self.item_type,
            "currency_values": {
                "unit_price": self.unit_price,
                "unit_tax": self.unit_tax,
                "discount_amt": self.discount_amt,
                "ship_amt": self.ship_amt,
            },
        }


@dataclass(frozen=True, slots=True)
class StoredPayment:
    """A payment transaction taken when the order was placed."""

    processing_type: Literal[
        "channel_payment", "channel_storecredit", "channel_giftcert", "authorize.net"
    ]
    transaction_type: Literal["auth", "charge", "capture", "giftcard"]
    payment_type: str
    amount: float

    def contract_fields(self) -> dict[str, Any]:
        """The payment as a ``payment_transactions`` entry (validated with its order)."""
        return {
            "payment_processing_type": self.processing_type,
            "transaction_type": self.transaction_type,
            "payment_type": self.payment_type,
            "amount": self.amount,
        }


@dataclass(frozen=True, slots=True)
class ShippedPackage:
    """A package of a recorded shipment: tracking and what it held (item refnum, quantity)."""

    tracking_number: str | None
    carrier_name: str | None
    carrier_class_name: str | None
    date_shipped: str | None
    items: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class RecordedShipment:
    shipment_id: int
    packages: tuple[ShippedPackage, ...]


@dataclass(frozen=True, slots=True)
class RecordedCapture:
    """A payment capture; ``payment_series_id`` is None when RetailOps sent none."""

    payment_series_id: int | None
    amount: float
    currency_code: str | None


@dataclass(frozen=True, slots=True)
class RecordedReturn:
    return_id: int
    items: tuple[tuple[str, int], ...]
    refund_amt: float | None
    refund_action: str | None
    store_credit_amount: float | None


@dataclass(slots=True, eq=False)
class StoredOrder:
    """An order as the channel holds it. ``sequence`` is set by the store on arrival."""

    refnum: str
    items: list[StoredItem]
    created_at: datetime | None = None
    currency_code: CurrencyCode = "USD"
    ship_service_code: str = "Ground"
    billing_address: Address = field(default_factory=Address)
    shipping_address: Address = field(default_factory=Address)
    customer: CustomerInfo | None = None
    shipping_amt: float = 0.0
    tax_amt: float = 0.0
    discount_amt: float = 0.0
    payments: tuple[StoredPayment, ...] = ()
    tags: tuple[str, ...] = ()
    gift_message: str | None = None
    # State written by RetailOps' calls.
    sequence: int = 0
    status: OrderStatus = "open"
    acknowledged: bool = False
    retailops_order_id: int | None = None
    shipments: dict[int, RecordedShipment] = field(default_factory=dict)
    captures: dict[int | None, RecordedCapture] = field(default_factory=dict)
    returns: dict[int, RecordedReturn] = field(default_factory=dict)

    def item(self, refnum: str | None, sku: str | None = None) -> StoredItem | None:
        """The line named by its refnum or, when RetailOps sent no refnum, by its SKU."""
        for item in self.items:
            if (refnum is not None and item.refnum == refnum) or (
                refnum is None and sku is not None and item.sku == sku
            ):
                return item
        return None

    @property
    def shipped_anything(self) -> bool:
        return bool(self.shipments)

    @property
    def authorised_amount(self) -> float:
        return round(sum(p.amount for p in self.payments), 2)

    @property
    def captured_amount(self) -> float:
        return round(sum(c.amount for c in self.captures.values()), 2)

    def to_contract(self) -> Order:
        """The order as order_pull offers it: its lines as they are now.

        Built as plain data and validated in one go: one model_validate call costs
        a third less than constructing each nested model in Python, which was
        half of an order_pull's time.
        """
        return Order.model_validate(
            {
                "channel_order_refnum": self.refnum,
                "ship_service_code": self.ship_service_code,
                "currency_code": self.currency_code,
                "billing_address": self.billing_address,
                "shipping_address": self.shipping_address,
                "channel_date_created": self.created_at,
                "currency_values": {
                    "shipping_amt": self.shipping_amt,
                    "tax_amt": self.tax_amt,
                    "discount_amt": self.discount_amt,
                },
                "cancel": True if self.status == "cancelled" else None,
                "order_items": [item.contract_fields() for item in self.items if not item.removed],
                "payment_transactions": [p.contract_fields() for p in self.payments] or None,
                "customer_info": self.customer,
                "gift_message": self.gift_message,
                "tags": list(self.tags) or None,
            }
        )


class MemoryStore:
    """Catalog, stock and orders of one in-memory channel."""

    def __init__(self) -> None:
        self._products: dict[str, FeedProduct] = {}
        self._skus: dict[str, StockedSku] = {}
        self._orders: dict[str, StoredOrder] = {}
        # Orders not yet acknowledged, by creation sequence: the order_pull queue.
        self._unacknowledged: SortedDict[int, StoredOrder] = SortedDict()
        self._last_sequence = 0

    # --- catalog and stock ---------------------------------------------------

    def upsert_product(self, product: FeedProduct) -> None:
        """Add or replace a product; stock of SKUs it keeps is kept, SKUs it dropped go."""
        previous = self._products.get(product.sku)
        variants = product.sellable_variants()
        if previous is not None:
            kept = {variant.sku for variant in variants}
            for variant in previous.sellable_variants():
                stocked = self._skus.get(variant.sku)
                if variant.sku not in kept and stocked and stocked.product_sku == product.sku:
                    del self._skus[variant.sku]
        self._products[product.sku] = product
        for variant in variants:
            stocked = self._skus.get(variant.sku)
            quantity = stocked.quantity_available if stocked else 0
            self._skus[variant.sku] = StockedSku(variant.sku, product.sku, variant, quantity)

    def add_product(self, product: FeedProduct, *, quantity_available: int = 0) -> None:
        """Seed a product, every SKU of it stocked at ``quantity_available``."""
        self.upsert_product(product)
        for variant in product.sellable_variants():
            self._skus[variant.sku].quantity_available = quantity_available

    def product(self, sku: str) -> FeedProduct | None:
        """The product whose own (parent) SKU is ``sku``."""
        return self._products.get(sku)

    def stocked_sku(self, sku: str) -> StockedSku | None:
        """The sellable SKU ``sku`` (a variant, or a product sold on its own)."""
        return self._skus.get(sku)

    def stock(self, sku: str) -> int | None:
        """Quantity available of ``sku``, or None when the catalog does not have it."""
        stocked = self._skus.get(sku)
        return stocked.quantity_available if stocked else None

    def set_stock(self, sku: str, quantity_available: int) -> bool:
        """Set the quantity of a known SKU; False (and nothing changed) when it is unknown."""
        stocked = self._skus.get(sku)
        if stocked is None:
            return False
        stocked.quantity_available = quantity_available
        return True

    @property
    def product_count(self) -> int:
        return len(self._products)

    @property
    def sku_count(self) -> int:
        return len(self._skus)

    # --- orders ----------------------------------------------------------------

    def add_order(self, order: StoredOrder) -> StoredOrder:
        """Store a new order, after every order already stored, and queue it for order_pull.

        Raises ValueError when the refnum is taken or two lines share a refnum.
        """
        if order.refnum in self._orders:
            raise ValueError(f"order {order.refnum!r} already exists")
        if len({item.refnum for item in order.items}) != len(order.items):
            raise ValueError(f"order {order.refnum!r} has two lines with one refnum")
        self._last_sequence += 1
        order.sequence = self._last_sequence
        self._orders[order.refnum] = order
        if not order.acknowledged:
            self._unacknowledged[order.sequence] = order
        return order

    def order(self, refnum: str | None) -> StoredOrder | None:
        """The order ``refnum``, whatever its state."""
        return self._orders.get(refnum) if refnum is not None else None

    def orders(self) -> Iterator[StoredOrder]:
        """Every order, oldest first: for tests and tools, never for a channel call."""
        return iter(self._orders.values())

    def acknowledge(self, order: StoredOrder) -> None:
        """Mark an order imported: order_pull stops offering it."""
        order.acknowledged = True
        self._unacknowledged.pop(order.sequence, None)

    def unacknowledged_after(self, sequence: int) -> Iterator[StoredOrder]:
        """Orders not yet acknowledged created after ``sequence``, oldest first (lazy)."""
        for key in self._unacknowledged.irange(minimum=sequence, inclusive=(False, False)):
            yield self._unacknowledged[key]

    @property
    def order_count(self) -> int:
        return len(self._orders)

    @property
    def unacknowledged_count(self) -> int:
        return len(self._unacknowledged)
