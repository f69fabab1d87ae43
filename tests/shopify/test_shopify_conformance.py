"""The adapter conformance suite over the Shopify adapter and the fake Shopify."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from aiohttp.test_utils import TestServer

from adapters.shopify import ShopifyAdapter
from gateway.adapter import ChannelAdapter
from gateway.testing import AdapterConformanceSuite, AdapterHarness, SeedOrder, SeedProduct
from tests.shopify.conftest import shopify_settings
from tests.shopify.fake_shopify import FakeShopify


class ShopifyHarness(AdapterHarness):
    """Seeds the fake shop directly, as the admin and checkout would."""

    def __init__(self, fake: FakeShopify, server: TestServer) -> None:
        self.fake = fake
        self.server = server

    async def make_adapter(self) -> ShopifyAdapter:
        return ShopifyAdapter(shopify_settings(self.server, page_size=3))

    async def seed(
        self,
        adapter: ChannelAdapter,  # type: ignore[type-arg]
        products: Sequence[SeedProduct],
        orders: Sequence[SeedOrder],
    ) -> list[str]:
        shop = self.fake.shop
        location = shop.locations[0]["id"]
        for product in products:
            shop.add_product(product.title, [product.sku], price=f"{product.price:.2f}")
            variant = shop.variants[shop.variants_by_sku[product.sku][-1]]
            shop.inventory[(variant.inventory_item_id, location)] = product.quantity
        placed = [
            shop.add_order(
                [(line.sku, line.quantity, f"{line.unit_price:.2f}") for line in order.lines],
                financial_status="authorized",
                currency=order.currency_code,
                shipping=f"{order.shipping_amount:.2f}",
                email=order.email,
                customer_name=order.customer_name,
            )
            for order in orders
        ]
        return [str(order.id) for order in placed]

    async def snapshot(self, adapter: ChannelAdapter) -> object:  # type: ignore[type-arg]
        shop = self.fake.shop
        return repr(
            (
                [
                    (
                        o.id,
                        sorted(o.tags),
                        o.closed,
                        o.cancelled_at,
                        sorted(o.metafields.items()),
                        o.fulfillments,
                        o.refunds,
                        [(li.quantity, li.fulfilled, li.refunded) for li in o.lines],
                        [(t.kind, t.status, t.amount, t.parent_id) for t in o.transactions],
                    )
                    for o in shop.orders.values()
                ],
                sorted(shop.inventory.items()),
                [(v.sku, v.price) for v in shop.variants.values()],
            )
        )


class TestShopifyAdapterConforms(AdapterConformanceSuite):
    @pytest.fixture
    def harness(self, shop_server: TestServer, fake: FakeShopify) -> AdapterHarness:
        return ShopifyHarness(fake, shop_server)
