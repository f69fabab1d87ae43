"""The conformance suite over the in-memory adapter, seeded through its public store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.memory import (
    MemoryAdapter,
    MemorySettings,
    StoredItem,
    StoredOrder,
)
from adapters.memory_store import StoredPayment
from gateway.adapter import ChannelAdapter
from gateway.contract import Address, CustomerInfo
from gateway.feed import FeedProduct
from gateway.testing import (
    AdapterConformanceSuite,
    AdapterHarness,
    SeedOrder,
    SeedProduct,
)
from tests.official_contract import assert_official_response, sdk_available

PLACED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class MemoryHarness(AdapterHarness):
    async def make_adapter(self) -> MemoryAdapter:
        return MemoryAdapter(MemorySettings(page_size=3))

    async def seed(
        self,
        adapter: ChannelAdapter,  # type: ignore[type-arg]
        products: Sequence[SeedProduct],
        orders: Sequence[SeedOrder],
    ) -> list[str]:
        assert isinstance(adapter, MemoryAdapter)
        store = adapter.store
        for product in products:
            store.add_product(
                FeedProduct(sku=product.sku, title=product.title, price=product.price),
                quantity_available=product.quantity,
            )
        for number, order in enumerate(orders, start=1):
            refnum = f"MEM-{number}"
            first, _, last = order.customer_name.partition(" ")
            address = Address(first_name=first, last_name=last, city="Springfield")
            store.add_order(
                StoredOrder(
                    refnum=refnum,
                    items=[
                        StoredItem(f"{refnum}-{i}", line.sku, line.quantity, line.unit_price)
                        for i, line in enumerate(order.lines, start=1)
                    ],
                    created_at=PLACED + timedelta(minutes=number),
                    currency_code=order.currency_code,  # type: ignore[arg-type]
                    billing_address=address,
                    shipping_address=address,
                    customer=CustomerInfo(email_address=order.email, full_name=order.customer_name),
                    shipping_amt=order.shipping_amount,
                    payments=(StoredPayment("channel_payment", "auth", "Visa", order.total),),
                )
            )
        return [f"MEM-{number}" for number in range(1, len(orders) + 1)]

    async def snapshot(self, adapter: ChannelAdapter) -> object:  # type: ignore[type-arg]
        assert isinstance(adapter, MemoryAdapter)
        return repr(
            [
                (
                    order.refnum,
                    order.status,
                    order.acknowledged,
                    order.shipments,
                    order.captures,
                    order.returns,
                    order.items,
                )
                for order in adapter.store.orders()
            ]
        )

    def check_answer(self, action: str, body: dict[str, Any]) -> None:
        if sdk_available():  # the official files are reference data outside the project
            assert_official_response(action, body)


class TestMemoryAdapterConforms(AdapterConformanceSuite):
    @pytest.fixture
    def harness(self) -> AdapterHarness:
        return MemoryHarness()
