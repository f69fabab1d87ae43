"""The adapter conformance suite over the WooCommerce adapter and the fake store."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from aiohttp.test_utils import TestServer

from adapters.woocommerce import WooCommerceAdapter, WooCommerceSettings
from gateway.adapter import ChannelAdapter
from gateway.testing import AdapterConformanceSuite, AdapterHarness, SeedOrder, SeedProduct
from tests.woocommerce.conftest import woo_settings
from tests.woocommerce.fake_woocommerce import CAPTURE_NAMESPACE, FakeWooCommerce


class WooCommerceHarness(AdapterHarness):
    """Seeds the fake store directly, as checkout and the admin would."""

    def __init__(self, fake: FakeWooCommerce) -> None:
        self.fake = fake

    async def make_adapter(self) -> WooCommerceAdapter:
        settings = woo_settings(
            self.fake.base_url,
            page_size=3,
            settle={
                "policy": "capture_endpoint",
                "capture_namespace": CAPTURE_NAMESPACE,
                "capture_path": "orders/{order_id}/capture",
            },
        )
        return WooCommerceAdapter(WooCommerceSettings.model_validate(settings))

    async def seed(
        self,
        adapter: ChannelAdapter,  # type: ignore[type-arg]
        products: Sequence[SeedProduct],
        orders: Sequence[SeedOrder],
    ) -> list[str]:
        records = {}
        for product in products:
            record = self.fake.add_product(product.sku, name=product.title, price=product.price)
            record.update(manage_stock=True, stock_quantity=product.quantity)
            records[product.sku] = record
        refnums = []
        for order in orders:
            first, _, _ = order.customer_name.partition(" ")
            placed = self.fake.add_order(
                [(records[line.sku], line.quantity) for line in order.lines],
                currency=order.currency_code,
                first_name=first,
                email=order.email,
                shipping=order.shipping_amount,
                paid=False,
            )
            refnums.append(str(placed["id"]))
        return refnums

    async def snapshot(self, adapter: ChannelAdapter) -> object:  # type: ignore[type-arg]
        fake = self.fake
        return repr(
            (
                [
                    (o["id"], o["status"], o["meta_data"], o["line_items"], o["date_paid"])
                    for o in fake.orders.values()
                ],
                fake.notes,
                fake.refunds,
                fake.trackings,
                sorted(fake.captures.items()),
                [(p["sku"], p["stock_quantity"]) for p in fake.products.values()],
            )
        )


class TestWooCommerceAdapterConforms(AdapterConformanceSuite):
    @pytest.fixture
    def harness(self, store: TestServer, fake: FakeWooCommerce) -> AdapterHarness:
        return WooCommerceHarness(fake)
