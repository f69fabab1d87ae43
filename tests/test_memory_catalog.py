"""catalog_push and inventory_push on the memory adapter."""

from __future__ import annotations

from typing import Any

from adapters.memory import MemoryAdapter, MemorySettings
from tests.memory_support import associations, call, codes, only_event

TEE = {
    "sku": "TEE",
    "title": "Organic tee",
    "price": 20,
    "variants": [
        {"sku": "TEE-S", "options": {"Size": "S"}},
        {"sku": "TEE-M", "options": {"Size": "M"}, "price": 22},
    ],
}
MUG = {"sku": "MUG", "title": "Mug", "price": 12.5}


def feed(*products: Any) -> dict[str, Any]:
    return {"template_output": {"products": list(products)}}


async def test_catalog_push_adds_every_sku_of_the_feed() -> None:
    adapter = MemoryAdapter(MemorySettings())
    answer = await call(adapter, "catalog_push", **feed(TEE, MUG))
    assert answer.events == []
    store = adapter.store
    assert (store.product_count, store.sku_count) == (2, 3)
    medium = store.stocked_sku("TEE-M")
    assert medium is not None
    assert (medium.product_sku, medium.variant.price, medium.variant.options) == (
        "TEE",
        22,
        {"Size": "M"},
    )
    # A product without variants is sold as one SKU, its own.
    assert store.stock("MUG") == 0
    assert store.stock("TEE") is None


async def test_catalog_push_upserts_keeping_stock_and_dropping_variants_no_longer_sent() -> None:
    adapter = MemoryAdapter(MemorySettings())
    await call(adapter, "catalog_push", **feed(TEE))
    await call(
        adapter,
        "inventory_push",
        inventory_updates=[
            {"sku": "TEE-S", "quantity_available": 4},
            {"sku": "TEE-M", "quantity_available": 6},
        ],
    )
    renamed = {**TEE, "title": "Organic tee, new cut", "variants": [TEE["variants"][0]]}
    await call(adapter, "catalog_push", **feed(renamed))
    product = adapter.store.product("TEE")
    assert product is not None and product.title == "Organic tee, new cut"
    assert adapter.store.stock("TEE-S") == 4
    assert adapter.store.stocked_sku("TEE-M") is None


async def test_the_template_output_spelling_of_the_hyper_schema_is_read_too() -> None:
    adapter = MemoryAdapter(MemorySettings())
    answer = await call(adapter, "catalog_push", TemplateOutput={"products": [MUG]})
    assert answer.events == []
    assert adapter.store.stock("MUG") == 0


async def test_an_unknown_feed_shape_is_a_warning_and_imports_nothing() -> None:
    adapter = MemoryAdapter(MemorySettings())
    for unknown in ({}, {"items": [MUG]}, {"products": {"MUG": MUG}}):
        answer = await call(adapter, "catalog_push", template_output=unknown)
        event = only_event(answer, "UNRECOGNISED_FEED")
        assert event.event_type == "warning"
        assert "docs/catalog-feed.md" in event.message
    assert adapter.store.sku_count == 0


async def test_an_unreadable_product_is_named_and_the_others_imported() -> None:
    adapter = MemoryAdapter(MemorySettings())
    broken = {"sku": "BAD", "price": -1}
    answer = await call(adapter, "catalog_push", **feed(MUG, broken, TEE))
    event = only_event(answer, "INVALID_PRODUCT")
    assert event.event_type == "error"
    assert associations(event) == {"sku_number": "BAD"}
    assert "products[1]" in event.message
    assert adapter.store.sku_count == 3
    assert adapter.store.stocked_sku("BAD") is None


async def test_inventory_push_sets_known_skus_and_names_unknown_ones() -> None:
    adapter = MemoryAdapter(MemorySettings())
    await call(adapter, "catalog_push", **feed(MUG, TEE))
    answer = await call(
        adapter,
        "inventory_push",
        inventory_updates=[
            {"sku": "MUG", "quantity_available": 7},
            {"sku": "GHOST", "quantity_available": 3},
            {"sku": "TEE-S", "quantity_available": 0},
            {"sku": "TEE", "quantity_available": 9},
        ],
    )
    assert codes(answer) == ["UNKNOWN_SKU", "UNKNOWN_SKU"]
    assert [associations(e) for e in answer.events] == [
        {"sku_number": "GHOST"},
        {"sku_number": "TEE"},  # a parent with variants is not itself sold
    ]
    assert all(e.event_type == "error" for e in answer.events)
    assert (adapter.store.stock("MUG"), adapter.store.stock("TEE-S")) == (7, 0)
    assert adapter.store.stock("GHOST") is None


async def test_catalog_get_config_answers_the_configured_fanout() -> None:
    adapter = MemoryAdapter(MemorySettings(sku_fanout="related_skus"))
    answer = await call(adapter, "catalog_get_config")
    assert answer.sku_fanout == "related_skus"
