"""Upstream calls of the WooCommerce adapter for a large catalog and stock push.

Pushes a catalog of simple products and variable products with variations to
the local fake store (127.0.0.1), then the stock of every sellable SKU, once
with the SKU cache the catalog push filled and once from a fresh process. It
counts the calls the store receives and sets them against one call per SKU.

    .venv/bin/python -m benchmarks.woocommerce_upstream_calls
    .venv/bin/python -m benchmarks.woocommerce_upstream_calls --parents 50 --variations 100

Needs ../shared/woocommerce-reference (the fake builds its records from it).
The seconds printed are for orientation only: they measure the fake as much as
the adapter.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from typing import Any

from aiohttp import web

from adapters.woocommerce import WooCommerceAdapter, WooCommerceSettings
from gateway.contract import CatalogPushRequest, InventoryPushRequest
from tests.woocommerce.fake_woocommerce import REFERENCE_DIR, SKIP_REASON, FakeWooCommerce

KEY, SECRET = "ck_benchmark", "cs_benchmark"
ENVELOPE = {"version": 1, "client_id": 1, "channel_info": {"id": 1}}


def catalog(simple: int, parents: int, variations: int) -> list[dict[str, Any]]:
    products: list[dict[str, Any]] = [
        {"sku": f"S-{n}", "title": f"Simple {n}", "price": 5} for n in range(simple)
    ]
    products += [
        {
            "sku": f"P-{p}",
            "title": f"Variable {p}",
            "price": 9,
            "variants": [
                {"sku": f"P-{p}-{v}", "options": {"Size": f"{v}"}} for v in range(variations)
            ],
        }
        for p in range(parents)
    ]
    return products


def sellable_skus(products: list[dict[str, Any]]) -> list[str]:
    return [v["sku"] for p in products for v in p.get("variants") or [p]]


async def adapter_for(url: str) -> WooCommerceAdapter:
    settings = WooCommerceSettings.model_validate(
        {
            "store_url": url,
            "consumer_key": KEY,
            "consumer_secret": SECRET,
            "request_timeout": 60,
            "retry": {"attempts": 1},
        }
    )
    adapter = WooCommerceAdapter(settings)
    await adapter.start()
    return adapter


def calls_since(fake: FakeWooCommerce, before: Counter[str]) -> tuple[int, int]:
    """(look-ups, writes) received since ``before``."""
    delta = fake.calls - before
    lookups = sum(n for call, n in delta.items() if call.startswith("GET "))
    return lookups, sum(delta.values()) - lookups


def report(name: str, skus: int, lookups: int, writes: int, seconds: float) -> None:
    per_100 = writes / skus * 100
    print(
        f"{name:<28} {skus:>6} SKUs  {lookups:>5} look-ups  {writes:>5} writes "
        f"({per_100:.2f} per 100 SKUs)  vs {skus} calls one per SKU: "
        f"{skus / max(1, lookups + writes):.0f}x fewer  [{seconds:.1f} s]"
    )


async def run(simple: int, parents: int, variations: int) -> int:
    fake = FakeWooCommerce(consumer_key=KEY, consumer_secret=SECRET)
    runner = web.AppRunner(fake.app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.base_url = f"http://127.0.0.1:{port}"
    products = catalog(simple, parents, variations)
    skus = sellable_skus(products)
    print(
        f"catalog: {simple} simple products, {parents} variable products x {variations} "
        f"variations = {len(skus)} sellable SKUs ({simple + parents} product records)"
    )
    adapter = await adapter_for(fake.base_url)
    try:
        before, started = fake.calls.copy(), time.perf_counter()
        push = CatalogPushRequest.model_validate(
            {**ENVELOPE, "action": "catalog_push", "template_output": {"products": products}}
        )
        answer = await adapter.catalog_push(push)
        assert not answer.events, answer.events[:3]
        report("catalog_push", len(skus), *calls_since(fake, before), time.perf_counter() - started)

        stock = InventoryPushRequest.model_validate(
            {
                **ENVELOPE,
                "action": "inventory_push",
                "inventory_updates": [{"sku": s, "quantity_available": 5} for s in skus],
            }
        )
        before, started = fake.calls.copy(), time.perf_counter()
        answer = await adapter.inventory_push(stock)
        assert not answer.events, answer.events[:3]
        report(
            "inventory_push (warm cache)",
            len(skus),
            *calls_since(fake, before),
            time.perf_counter() - started,
        )

        cold = await adapter_for(fake.base_url)
        try:
            before, started = fake.calls.copy(), time.perf_counter()
            answer = await cold.inventory_push(stock)
            assert not answer.events, answer.events[:3]
            report(
                "inventory_push (cold cache)",
                len(skus),
                *calls_since(fake, before),
                time.perf_counter() - started,
            )
        finally:
            await cold.close()
    finally:
        await adapter.close()
        await runner.cleanup()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--simple", type=int, default=5000, help="simple products")
    parser.add_argument("--parents", type=int, default=500, help="variable products")
    parser.add_argument("--variations", type=int, default=10, help="variations per product")
    args = parser.parse_args()
    if not REFERENCE_DIR.is_dir():
        print(SKIP_REASON, file=sys.stderr)
        return 2
    return asyncio.run(run(args.simple, args.parents, args.variations))


if __name__ == "__main__":
    sys.exit(main())
