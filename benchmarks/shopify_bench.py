"""Upstream efficiency of the Shopify adapter against the fake Shopify (not a test).

Pushes stock for N SKUs and pulls M orders through the adapter, with the fake
metering cost like Shopify (leaky bucket, default 100 points/s as on a
Standard plan), and reports for each phase the upstream calls and the wall
time against the throttle-bound minimum: the time the bucket needs to restore
the points the phase really spent beyond what it held at the start.

    .venv/bin/python -m benchmarks.shopify_bench                 # 10,000 SKUs, 2,000 orders
    .venv/bin/python -m benchmarks.shopify_bench --skus 1000 --orders 200 --restore 1000

Targets: time at most 1.2x the minimum; stock push at least 100x fewer calls
than one call per SKU. Needs ../shared/shopify-reference (Shopify's schema).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass

import structlog
from aiohttp import web

from adapters.shopify import ShopifyAdapter, ShopifySettings
from gateway.contract import requests as rq
from tests.shopify.fake_shopify import TOKEN, FakeShopify, schema_file

REQUEST = {"action": "bench", "version": 1, "client_id": 1, "channel_info": {"id": 1}}
VARIANTS_PER_PRODUCT = 5


@dataclass
class Phase:
    name: str
    calls: int
    points: float
    seconds: float
    minimum: float

    @property
    def ratio(self) -> float:
        return self.seconds / self.minimum if self.minimum else float("nan")

    def line(self) -> str:
        return (
            f"{self.name:<16} {self.calls:>7} {self.points:>10.0f} {self.seconds:>9.1f} "
            f"{self.minimum:>9.1f} {self.ratio:>6.2f}x"
        )


def seed(fake: FakeShopify, skus: int, orders: int) -> list[str]:
    names = [f"SKU-{n:06d}" for n in range(skus)]
    for start in range(0, skus, VARIANTS_PER_PRODUCT):
        group = names[start : start + VARIANTS_PER_PRODUCT]
        fake.shop.add_product(f"Product {start}", group)
    for n in range(orders):
        lines = [(names[n % skus], 1, "12.50")]
        if n % 2:
            lines.append((names[(n * 7) % skus], 2, "3.00"))
        fake.shop.add_order(lines, financial_status="authorized" if n % 3 == 0 else "paid")
    return names


async def measure(name: str, fake: FakeShopify, work: object) -> Phase:
    """Run ``work`` and compare its time with the bucket's restore time for its points."""
    calls, points = fake.total_requests, fake.points_spent
    level = fake.bucket.available()
    started = time.perf_counter()
    await work  # type: ignore[misc]
    seconds = time.perf_counter() - started
    spent = fake.points_spent - points
    minimum = max(0.0, spent - level) / fake.bucket.restore_rate
    return Phase(name, fake.total_requests - calls, spent, seconds, minimum)


async def pull_everything(adapter: ShopifyAdapter, expected: int) -> None:
    token, pulled = "", 0
    for _ in range(expected // adapter.settings.page_size + 2):
        answer = await adapter.order_pull(
            rq.OrderPullRequest.model_validate({**REQUEST, "page_token": token})
        )
        pulled += len(answer.orders)
        token = answer.next_page_token
        if not token:
            break
    if pulled != expected:
        raise SystemExit(f"pulled {pulled} orders, expected {expected}")


async def run(skus: int, orders: int, restore: float, bucket: float) -> int:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    fake = FakeShopify(bucket_size=bucket, restore_rate=restore)
    names = seed(fake, skus, orders)
    runner = web.AppRunner(fake.app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    settings = ShopifySettings.model_validate(
        {
            "shop_domain": "bench.myshopify.com",
            "access_token": TOKEN,
            "api_base_url": f"http://127.0.0.1:{port}",
            "page_size": 100,
        }
    )
    adapter = ShopifyAdapter(settings)
    push = rq.InventoryPushRequest.model_validate(
        {
            **REQUEST,
            "inventory_updates": [
                {"sku": sku, "quantity_available": n % 100} for n, sku in enumerate(names)
            ],
        }
    )
    try:
        await adapter.start()  # resolves the location: one call, counted in no phase
        phases = [
            await measure("inventory_push", fake, adapter.inventory_push(push)),
            await measure("order_pull", fake, pull_everything(adapter, orders)),
        ]
    finally:
        await adapter.close()
        await runner.cleanup()
    wrong = [sku for n, sku in enumerate(names) if fake.shop.stock(sku) != n % 100]
    total = Phase(
        "total",
        sum(p.calls for p in phases),
        sum(p.points for p in phases),
        sum(p.seconds for p in phases),
        sum(p.minimum for p in phases),
    )
    print(
        f"fake Shopify: bucket {bucket:g} points, restore {restore:g} points/s; "
        f"{skus} SKUs, {orders} orders"
    )
    print(f"{'phase':<16} {'calls':>7} {'points':>10} {'seconds':>9} {'minimum':>9} {'ratio':>7}")
    for phase in [*phases, total]:
        print(phase.line())
    fewer = skus / phases[0].calls
    print(
        f"stock push: {phases[0].calls} calls for {skus} SKUs, {fewer:.0f}x fewer than one "
        f"call per SKU; throttled answers: {fake.throttled}; stock wrong for {len(wrong)} SKUs"
    )
    ok = total.ratio <= 1.2 and fewer >= 100 and not wrong and not fake.rejected
    print("targets (<= 1.2x the minimum, >= 100x fewer calls):", "met" if ok else "NOT met")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--restore", type=float, default=100.0, help="points restored a second")
    parser.add_argument("--bucket", type=float, default=2000.0, help="bucket size in points")
    args = parser.parse_args()
    if not schema_file().is_file():
        print(f"Shopify's schema not found at {schema_file()}", file=sys.stderr)
        return 2
    return asyncio.run(run(args.skus, args.orders, args.restore, args.bucket))


if __name__ == "__main__":
    sys.exit(main())
