"""The catalog feed shape read by every adapter's catalog_push."""

from __future__ import annotations

from gateway.feed import parse_feed


def test_products_and_variants_are_read() -> None:
    products, events = parse_feed(
        {
            "products": [
                {
                    "sku": "TEE",
                    "title": "Tee",
                    "price": 20,
                    "variants": [{"sku": "TEE-S", "options": {"Size": "S"}}],
                    "unknown": "ignored",
                },
                {"sku": "MUG", "title": "Mug", "price": 8.5},
            ]
        }
    )
    assert events == []
    assert [v.sku for v in products[0].sellable_variants()] == ["TEE-S"]
    assert [(v.sku, v.price) for v in products[1].sellable_variants()] == [("MUG", 8.5)]


def test_unknown_shape_is_a_warning_and_imports_nothing() -> None:
    products, events = parse_feed({"items": []})
    assert products == []
    assert [(e.event_type, e.code) for e in events] == [("warning", "UNRECOGNISED_FEED")]


def test_a_bad_product_is_reported_by_sku_and_the_rest_go_through() -> None:
    products, events = parse_feed(
        {"products": [{"sku": "BAD", "price": -1}, {"sku": "OK", "title": "Fine"}, "junk"]}
    )
    assert [p.sku for p in products] == ["OK"]
    assert [e.code for e in events] == ["INVALID_PRODUCT", "INVALID_PRODUCT"]
    first = events[0]
    assert first.associations is not None
    assert first.associations[0].identifier == "BAD"
    assert "title" in first.message and "price" in first.message
    assert events[1].associations is None
