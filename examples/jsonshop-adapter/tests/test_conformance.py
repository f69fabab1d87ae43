"""The RetailOps contract rules, run over the jsonshop adapter against the local fake.

``shop`` (tests/conftest.py) is a fresh fake JSON Shop on 127.0.0.1 for each check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from gateway import ChannelAdapter
from gateway.testing import AdapterConformanceSuite, AdapterHarness, SeedOrder, SeedProduct

from retailops_jsonshop import JsonShopAdapter, JsonShopSettings


class JsonShopHarness(AdapterHarness):
    def __init__(self, shop: Any) -> None:
        self.shop = shop.fake
        self.settings: JsonShopSettings = shop.settings()

    async def make_adapter(self) -> JsonShopAdapter:
        return JsonShopAdapter(self.settings)

    async def seed(
        self,
        adapter: ChannelAdapter,  # type: ignore[type-arg]
        products: Sequence[SeedProduct],
        orders: Sequence[SeedOrder],
    ) -> Sequence[str]:
        for product in products:
            self.shop.add_product(product.sku, product.title, product.quantity)
        return [
            str(
                self.shop.add_order(
                    customer_name=order.customer_name,
                    email=order.email,
                    lines=[(line.sku, line.quantity, line.unit_price) for line in order.lines],
                    shipping_total=order.shipping_amount,
                    currency=order.currency_code,
                )
            )
            for order in orders
        ]

    async def snapshot(self, adapter: ChannelAdapter) -> object:  # type: ignore[type-arg]
        return self.shop.state()


class TestJsonShopConformance(AdapterConformanceSuite):
    @pytest.fixture
    def harness(self, shop: Any) -> AdapterHarness:
        return JsonShopHarness(shop)
