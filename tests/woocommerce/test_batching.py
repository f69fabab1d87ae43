"""Catalogs and stock move in batches: the calls the store receives, counted."""

from __future__ import annotations

from typing import Any

from tests.woocommerce.conftest import WooGatewayFactory
from tests.woocommerce.fake_woocommerce import FakeWooCommerce


def catalog(simple: int, variations: int) -> list[dict[str, Any]]:
    """``simple`` simple products and one variable product with ``variations`` variants."""
    products: list[dict[str, Any]] = [
        {"sku": f"S-{n}", "title": f"Simple {n}", "price": 5} for n in range(simple)
    ]
    products.append(
        {
            "sku": "V",
            "title": "Variable",
            "price": 9,
            "variants": [{"sku": f"V-{n}", "options": {"Size": str(n)}} for n in range(variations)],
        }
    )
    return products


async def test_catalog_and_stock_move_100_items_a_call(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    gw = await woo_gateway()
    body = await gw.ok("catalog_push", template_output={"products": catalog(249, 150)})
    assert body["events"] == []
    assert len(fake.products) == 400
    # 400 SKUs: 4 comma-list look-ups, 3 product batches, 2 variation batches.
    assert fake.count("GET", "/products") == 4
    assert fake.count("POST", "/products/batch") == 3
    assert fake.count("POST", "/products/{id}/variations/batch") == 2

    stock = [{"sku": p["sku"], "quantity_available": 3} for p in fake.products.values()]
    calls = sum(fake.calls.values())
    body = await gw.ok("inventory_push", inventory_updates=stock)
    assert body["events"] == []
    # The catalog push taught the cache every SKU: no look-up; 3 product batches
    # (249 simple products and the parent), 2 variation batches (150 variations).
    assert sum(fake.calls.values()) - calls == 3 + 2
    assert all(p["stock_quantity"] == 3 and p["manage_stock"] for p in fake.products.values())


async def test_a_fresh_process_looks_skus_up_in_comma_lists(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    simple = [fake.add_product(f"S-{n}") for n in range(150)]
    parent = fake.add_product("V", variable=True)
    for n in range(60):
        fake.add_variation(parent, f"V-{n}", options={"Size": str(n)})
    gw = await woo_gateway(batch_size=50)
    updates = [{"sku": p["sku"], "quantity_available": 1} for p in simple]
    updates += [{"sku": f"V-{n}", "quantity_available": 2} for n in range(60)]
    body = await gw.ok("inventory_push", inventory_updates=updates)
    assert body["events"] == []
    assert fake.count("GET", "/products") == 5  # 210 SKUs, 50 a look-up
    assert fake.count("POST", "/products/batch") == 3
    assert fake.count("POST", "/products/{id}/variations/batch") == 2


async def test_calls_in_flight_are_bounded_by_concurrency(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    for n in range(8):
        fake.add_product(f"S-{n}")
    gw = await woo_gateway(concurrency=2, batch_size=1)
    fake.inject("slow", delay=0.05, method="POST", path="/products/batch", times=8)
    updates = [{"sku": f"S-{n}", "quantity_available": n} for n in range(8)]
    body = await gw.ok("inventory_push", inventory_updates=updates)
    await fake.quiet()
    assert body["events"] == []
    assert fake.count("POST", "/products/batch") == 8
    assert fake.most_in_flight == 2
