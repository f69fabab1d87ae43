"""The memory adapter passes the adapter conformance suite."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from adapters.memory import MemoryAdapter, MemorySettings
from adapters.memory_store import StoredItem, StoredOrder, StoredPayment
from gateway.adapter import ChannelAdapter
from gateway.contract import Address, CustomerInfo
from gateway.feed import FeedProduct
from gateway.testing import AdapterConformanceSuite, AdapterHarness, SeedOrder, SeedProduct


class MemoryHarness(AdapterHarness):
    def __init__(self) -> None:
        self.skus: list[str] = []

    async def make_adapter(self) -> MemoryAdapter:
        return MemoryAdapter(MemorySettings(page_size=3))

    async def seed(
        self,
        adapter: ChannelAdapter,  # type: ignore[type-arg]
        products: Sequence[SeedProduct],
        orders: Sequence[SeedOrder],
    ) -> list[str]:
        assert isinstance(adapter, MemoryAdapter)
        self.skus = [product.sku for product in products]
        for product in products:
            adapter.store.add_product(
                FeedProduct(sku=product.sku, title=product.title, price=product.price),
                quantity_available=product.quantity,
            )
        refnums = []
        for number, seed in enumerate(orders, start=1):
            address = Address(first_name=seed.customer_name, city="Springfield")
            order = adapter.store.add_order(
                StoredOrder(
                    refnum=f"M{number:04d}",
                    items=[
                        StoredItem(str(n), line.sku, line.quantity, line.unit_price)
                        for n, line in enumerate(seed.lines, start=1)
                    ],
                    currency_code=seed.currency_code,  # type: ignore[arg-type]
                    billing_address=address,
                    shipping_address=address,
                    customer=CustomerInfo(full_name=seed.customer_name, email_address=seed.email),
                    shipping_amt=seed.shipping_amount,
                    payments=(StoredPayment("channel_payment", "auth", "Visa", seed.total),),
                )
            )
            refnums.append(order.refnum)
        return refnums

    async def snapshot(self, adapter: ChannelAdapter) -> object:  # type: ignore[type-arg]
        assert isinstance(adapter, MemoryAdapter)
        store = adapter.store
        return repr(list(store.orders())), [store.stock(sku) for sku in self.skus]


class TestMemoryAdapterConforms(AdapterConformanceSuite):
    @pytest.fixture
    def harness(self) -> AdapterHarness:
        return MemoryHarness()
