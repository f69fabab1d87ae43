"""A deterministic demo data set for the in-memory channel.

The same settings always give the same catalog and orders, so a newcomer, a
test and a benchmark all see the same thing. Orders are spread over time from
``start_date``, oldest first, and carry everything a real one does: addresses,
customer, lines with prices, tax and discounts, shipping, payments and tags.

Customers come from a fixed pool (people do order twice), which also keeps a
store of 100,000 orders small: the orders share their address records.
"""

from __future__ import annotations

import gc
import random
from datetime import UTC, datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from adapters.memory_store import MemoryStore, StoredItem, StoredOrder, StoredPayment
from gateway.contract import Address, CustomerInfo
from gateway.feed import FeedProduct, FeedVariant

_ADJECTIVES = ("Classic", "Organic", "Everyday", "Trail", "Studio", "Coastal", "Heritage", "Urban")
_NOUNS = ("Tee", "Hoodie", "Cap", "Tote", "Mug", "Notebook", "Socks", "Scarf", "Backpack", "Apron")
_SIZES = ("S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL", "6XL", "7XL")
_FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon")
_LAST_NAMES = ("Garcia", "Smith", "Nguyen", "Okafor", "Rossi", "Kim", "Novak", "Silva", "Brown")
_STREETS = ("Main St", "Oak Ave", "Harbor Blvd", "Pine Rd", "Market St", "5th Ave")
_CITIES = (
    ("San Diego", "CA", "92101"),
    ("Austin", "TX", "78701"),
    ("Portland", "OR", "97205"),
    ("Denver", "CO", "80202"),
    ("Chicago", "IL", "60601"),
    ("Boston", "MA", "02108"),
)
# (ship_service_code, shipping charged), cheapest first.
_SHIP_SERVICES = (("Ground (5-7 days)", 5.95), ("Express (2 days)", 14.95), ("Overnight", 29.95))
_CARDS = ("Visa", "MasterCard", "American Express", "Discover")
_GIFT_MESSAGES = ("Happy birthday!", "Congratulations on the new job.", "Enjoy, love from us all.")

TAX_RATE = 0.0825
FREE_SHIPPING_OVER = 100.0
COUPON_AMOUNT = 5.0
GIFT_CARD_AMOUNT = 25.0
CUSTOMER_POOL_SIZE = 200
MINUTES_BETWEEN_ORDERS = 7


class DemoSettings(BaseModel):
    """The ``demo`` block of the memory adapter's settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    products: int = Field(default=40, ge=0, le=1_000_000)
    # Sizes per product; 1 sells each product as a single SKU of its own.
    variants_per_product: int = Field(default=3, ge=1, le=len(_SIZES))
    orders: int = Field(default=250, ge=0, le=1_000_000)
    seed: int = 1
    # The first order's creation time; later ones follow a few minutes apart.
    start_date: AwareDatetime = datetime(2026, 1, 1, tzinfo=UTC)

    @model_validator(mode="after")
    def _orders_need_products(self) -> DemoSettings:
        if self.orders and not self.products:
            raise ValueError("demo orders need at least one demo product")
        return self


def demo_refnum(index: int) -> str:
    """The refnum of the ``index``-th demo order (from 1)."""
    return f"DEMO-{index:07d}"


def generate_demo(store: MemoryStore, settings: DemoSettings) -> None:
    """Fill ``store`` with the demo catalog and orders that ``settings`` describe."""
    # Only long-lived objects are made here. The cyclic collector would walk
    # them over and over while loading (a third of the time at 100,000 orders)
    # and, afterwards, at every full collection a call's temporary objects set
    # off (order_pull then costs several times more at 100,000 orders than at
    # 1,000). So: no collection while loading, then the loaded objects frozen
    # out of its sight (gc.freeze), as CPython advises for data kept for good.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _generate(store, settings)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _generate(store: MemoryStore, settings: DemoSettings) -> None:
    rng = random.Random(settings.seed)
    products = _add_products(store, settings, rng)
    customers = _customer_pool(rng)
    sizes = _SIZES[: settings.variants_per_product]
    for index in range(1, settings.orders + 1):
        created_at = settings.start_date + timedelta(
            minutes=(index - 1) * MINUTES_BETWEEN_ORDERS + _below(rng, MINUTES_BETWEEN_ORDERS)
        )
        store.add_order(_demo_order(index, created_at, products, sizes, customers, rng))


def _add_products(
    store: MemoryStore, settings: DemoSettings, rng: random.Random
) -> list[tuple[str, float]]:
    """Add the demo catalog; returns each product's title and price, by product index."""
    products: list[tuple[str, float]] = []
    sizes = _SIZES[: settings.variants_per_product]
    for index in range(settings.products):
        sku = f"DEMO-{index + 1:06d}"
        title = f"{_ADJECTIVES[index % len(_ADJECTIVES)]} {_NOUNS[index % len(_NOUNS)]}"
        price = round(rng.uniform(8, 120), 2)
        products.append((title, price))
        variants = (
            [
                FeedVariant(sku=f"{sku}-{size}", title=f"{title} {size}", options={"Size": size})
                for size in sizes
            ]
            if len(sizes) > 1
            else []
        )
        store.upsert_product(FeedProduct(sku=sku, title=title, price=price, variants=variants))
        for variant_sku in [variant.sku for variant in variants] or [sku]:
            store.set_stock(variant_sku, _below(rng, 200))
    return products


def _customer_pool(rng: random.Random) -> list[tuple[CustomerInfo, Address]]:
    pool = []
    for index in range(CUSTOMER_POOL_SIZE):
        first = _FIRST_NAMES[index % len(_FIRST_NAMES)]
        last = _LAST_NAMES[(index // len(_FIRST_NAMES)) % len(_LAST_NAMES)]
        city, state, postal_code = rng.choice(_CITIES)
        phone = f"(555) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"
        address = Address(
            first_name=first,
            last_name=last,
            address1=f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}",
            city=city,
            state_match=state,
            postal_code=postal_code,
            country_match="US",
            phone_number=phone,
        )
        customer = CustomerInfo(
            email_address=f"{first}.{last}{index}@example.com".lower(),
            full_name=f"{first} {last}",
            phone_number=phone,
        )
        pool.append((customer, address))
    return pool


def _demo_order(
    index: int,
    created_at: datetime,
    products: list[tuple[str, float]],
    sizes: tuple[str, ...],
    customers: list[tuple[CustomerInfo, Address]],
    rng: random.Random,
) -> StoredOrder:
    discounted = index % 5 == 0  # every fifth order: 10% off its lines
    items = []
    for line in range(1, 2 + _below(rng, 4)):
        product = _below(rng, len(products))
        title, unit_price = products[product]
        sku = f"DEMO-{product + 1:06d}"
        if len(sizes) > 1:
            size = sizes[_below(rng, len(sizes))]
            sku, title = f"{sku}-{size}", f"{title} {size}"
        quantity = 1 + _below(rng, 3)
        items.append(
            StoredItem(
                refnum=str(line),
                sku=sku,
                quantity=quantity,
                unit_price=unit_price,
                description=title,
                unit_tax=round(unit_price * TAX_RATE, 2),
                discount_amt=round(unit_price * quantity * 0.1, 2) if discounted else 0.0,
            )
        )
    subtotal = sum(i.quantity * (i.unit_price + i.unit_tax) - i.discount_amt for i in items)
    # Most orders go by the cheapest service.
    service, charge = _SHIP_SERVICES[0 if rng.random() < 0.7 else 1 + _below(rng, 2)]
    shipping = 0.0 if service == _SHIP_SERVICES[0][0] and subtotal > FREE_SHIPPING_OVER else charge
    coupon = COUPON_AMOUNT if index % 7 == 0 else 0.0
    total = round(subtotal + shipping - coupon, 2)
    customer, address = customers[_below(rng, len(customers))]
    tags = ["demo"]
    if discounted:
        tags.append("sale")
    if coupon:
        tags.append("coupon:WELCOME5")
    gift = index % 12 == 0
    if gift:
        tags.append("gift")
    return StoredOrder(
        refnum=demo_refnum(index),
        items=items,
        created_at=created_at,
        ship_service_code=service,
        billing_address=address,
        shipping_address=address,
        customer=customer,
        shipping_amt=shipping,
        tax_amt=0.0,
        discount_amt=coupon,
        payments=_payments(index, total, rng),
        tags=tuple(tags),
        gift_message=_GIFT_MESSAGES[index % len(_GIFT_MESSAGES)] if gift else None,
    )


def _payments(index: int, total: float, rng: random.Random) -> tuple[StoredPayment, ...]:
    if index % 10 == 0 and total > GIFT_CARD_AMOUNT:
        return (
            StoredPayment("channel_giftcert", "giftcard", "Gift card", GIFT_CARD_AMOUNT),
            StoredPayment(
                "channel_payment", "auth", _card(rng), round(total - GIFT_CARD_AMOUNT, 2)
            ),
        )
    if index % 9 == 0:
        return (StoredPayment("channel_payment", "charge", "PayPal", total),)
    return (StoredPayment("channel_payment", "auth", _card(rng), total),)


def _card(rng: random.Random) -> str:
    return _CARDS[_below(rng, len(_CARDS))]


def _below(rng: random.Random, bound: int) -> int:
    """A whole number in [0, bound); several times quicker than randrange, as deterministic."""
    return int(rng.random() * bound)
