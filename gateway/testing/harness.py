"""What the conformance suite needs from an adapter's author: a harness and the seed data.

The suite knows nothing of any backend. A harness makes a configured adapter
over an empty backend (or a local fake of it), puts the suite's catalog and
orders into that backend, and shows the backend's state so the suite can tell
whether a re-sent call changed anything.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.adapter import ChannelAdapter


@dataclass(frozen=True, slots=True)
class SeedProduct:
    """A sellable SKU with its stock."""

    sku: str
    title: str
    price: float
    quantity: int


@dataclass(frozen=True, slots=True)
class SeedLine:
    sku: str
    quantity: int
    unit_price: float


@dataclass(frozen=True, slots=True)
class SeedOrder:
    """A paid-by-authorisation order, placed in the order given (oldest first)."""

    lines: tuple[SeedLine, ...]
    customer_name: str
    email: str
    currency_code: str = "USD"
    shipping_amount: float = 5.0

    @property
    def total(self) -> float:
        return round(
            sum(line.quantity * line.unit_price for line in self.lines) + self.shipping_amount, 2
        )


class AdapterHarness(ABC):
    """How the suite gets a fresh adapter holding known data.

    Configure the adapter with a small page size (three orders a page, say) so
    that the paging rules are really exercised over :data:`SEED_ORDERS`.
    """

    @abstractmethod
    async def make_adapter(self) -> ChannelAdapter:  # type: ignore[type-arg]
        """A configured adapter over an empty backend; the suite starts and closes it."""

    @abstractmethod
    async def seed(
        self,
        adapter: ChannelAdapter,  # type: ignore[type-arg]
        products: Sequence[SeedProduct],
        orders: Sequence[SeedOrder],
    ) -> Sequence[str]:
        """Put the products and the orders into the backend, the orders in the order given.

        Returns each order's ``channel_order_refnum``, in the same order.
        Called after ``start()``.
        """

    @abstractmethod
    async def snapshot(self, adapter: ChannelAdapter) -> object:  # type: ignore[type-arg]
        """A comparable picture of what the backend holds (orders, shipments, payments,
        returns): two calls must compare equal exactly when nothing changed in between."""

    def check_answer(self, action: str, body: dict[str, Any]) -> None:  # noqa: B027 (optional)
        """Further checks of each answer, as the JSON body the gateway would send.

        None by default; raise AssertionError to fail. The project's own tests
        validate the body against the official RetailOps schema files here.
        """


SEED_PRODUCTS: tuple[SeedProduct, ...] = (
    SeedProduct("CONF-TEE-S", "Conformance tee, small", 20.0, 40),
    SeedProduct("CONF-TEE-M", "Conformance tee, medium", 20.0, 35),
    SeedProduct("CONF-MUG", "Conformance mug", 12.5, 50),
    SeedProduct("CONF-CAP", "Conformance cap", 15.0, 25),
)

# Seven orders: with three a page that is three pages, the last one short.
SEED_ORDERS: tuple[SeedOrder, ...] = tuple(
    SeedOrder(
        lines=(
            SeedLine(SEED_PRODUCTS[n % 4].sku, 1 + n % 3, SEED_PRODUCTS[n % 4].price),
            *((SeedLine("CONF-MUG", 1, 12.5),) if n % 2 else ()),
        ),
        customer_name=f"Customer {n + 1}",
        email=f"customer{n + 1}@example.com",
    )
    for n in range(7)
)

# Identifiers that no seeded backend knows.
UNKNOWN_SKU = "CONF-NO-SUCH-SKU"
# Numeric, so that an adapter looking orders up by backend id takes its real path.
UNKNOWN_ORDER = "987654321"
