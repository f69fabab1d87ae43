"""The memory adapter's demo data set: deterministic, contract-valid, realistic; and the
adapter as an installed plugin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.memory import MemoryAdapter, MemorySettings
from gateway.contract import ACTIONS
from gateway.plugins import load_adapter
from tests.memory_support import body, call


def demo(**settings: Any) -> MemoryAdapter:
    return MemoryAdapter(MemorySettings(page_size=100, demo={"enabled": True, **settings}))


async def pull_all(adapter: MemoryAdapter) -> list[dict[str, Any]]:
    """Every order of one pass, as RetailOps reads them (each page checked by call())."""
    orders: list[dict[str, Any]] = []
    token = ""
    for _ in range(100):
        answer = await call(adapter, "order_pull", page_token=token)
        orders.extend(body(answer)["orders"])
        token = answer.next_page_token
        if not token:
            return orders
    raise AssertionError("the demo pass did not end")


async def test_the_default_demo_is_250_valid_orders_oldest_first() -> None:
    adapter = demo()
    await adapter.start()
    orders = await pull_all(adapter)
    assert len(orders) == 250
    assert len({o["channel_order_refnum"] for o in orders}) == 250
    created = [datetime.fromisoformat(o["channel_date_created"]) for o in orders]
    assert created == sorted(created)
    assert created[0] >= datetime(2026, 1, 1, tzinfo=UTC)


async def test_demo_orders_carry_what_a_real_order_does_and_add_up() -> None:
    adapter = demo()
    await adapter.start()
    orders = await pull_all(adapter)
    for order in orders:
        assert order["billing_address"]["address1"] and order["shipping_address"]["city"]
        assert "@" in order["customer_info"]["email_address"]
        assert "demo" in order["tags"]
        lines = order["order_items"]
        assert lines and all(line["currency_values"]["unit_price"] > 0 for line in lines)
        values = order["currency_values"]
        total = (
            sum(
                line["quantity"]
                * (line["currency_values"]["unit_price"] + line["currency_values"]["unit_tax"])
                - line["currency_values"]["discount_amt"]
                for line in lines
            )
            + values["shipping_amt"]
            + values["tax_amt"]
            - values["discount_amt"]
        )
        paid = sum(t["amount"] for t in order["payment_transactions"])
        assert paid == pytest.approx(total, abs=0.011), order["channel_order_refnum"]
    # Variety a newcomer should meet within the first 250.
    assert {o["ship_service_code"] for o in orders} >= {"Ground (5-7 days)", "Overnight"}
    kinds = {t["transaction_type"] for o in orders for t in o["payment_transactions"]}
    assert kinds == {"auth", "charge", "giftcard"}
    assert any(o["currency_values"]["discount_amt"] > 0 for o in orders)
    assert any(li["currency_values"]["discount_amt"] > 0 for o in orders for li in o["order_items"])
    assert any("gift_message" in o for o in orders)


async def test_the_same_settings_give_the_same_data_and_another_seed_other_data() -> None:
    first, second, other = demo(orders=60), demo(orders=60), demo(orders=60, seed=2)
    for adapter in (first, second, other):
        await adapter.start()
    assert await pull_all(first) == await pull_all(second)
    assert await pull_all(first) != await pull_all(other)
    assert first.store.stock("DEMO-000001-S") == second.store.stock("DEMO-000001-S")


async def test_the_demo_catalog_sells_what_the_orders_hold() -> None:
    adapter = demo(products=10, variants_per_product=2)
    await adapter.start()
    assert (adapter.store.product_count, adapter.store.sku_count) == (10, 20)
    for order in await pull_all(adapter):
        for line in order["order_items"]:
            assert adapter.store.stocked_sku(line["sku"]) is not None, line["sku"]
    single = demo(products=5, variants_per_product=1, orders=5)
    await single.start()
    assert single.store.sku_count == 5
    assert single.store.stock("DEMO-000001") is not None


async def test_start_loads_the_demo_once_and_only_when_enabled() -> None:
    adapter = demo(orders=30)
    await adapter.start()
    await adapter.start()
    assert adapter.store.order_count == 30
    assert await adapter.check() == [
        "40 products, 120 SKUs",
        "30 orders, 30 not yet acknowledged",
    ]
    plain = MemoryAdapter(MemorySettings())
    await plain.start()
    assert plain.store.order_count == 0


def test_demo_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="need at least one demo product"):
        MemorySettings(demo={"orders": 5, "products": 0})
    with pytest.raises(ValidationError, match="extra"):
        MemorySettings(demo={"order": 5})
    with pytest.raises(ValidationError):
        MemorySettings(demo={"start_date": "2026-01-01T00:00:00"})  # no time zone
    assert MemorySettings().demo.orders >= 250


def test_the_memory_adapter_is_installed_and_implements_every_call() -> None:
    adapter_class = load_adapter("memory")
    assert adapter_class is MemoryAdapter
    assert MemoryAdapter.capabilities() == frozenset(ACTIONS)
