"""The pure mapping rules and settings validation, without any server."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from adapters.shopify import ShopifySettings
from adapters.shopify.adapter import missing_scopes, required_scopes
from adapters.shopify.mapping import (
    authorisations_to_capture,
    decode_page_token,
    encode_page_token,
    inventory_set_variables,
    orders_to_pull_search,
    plan_fulfillment,
    product_set_variables,
    sku_search,
)
from gateway.config import load_config
from gateway.contract import PAGE_TOKEN_MAX_LENGTH, InventoryUpdate, PackageItem
from gateway.feed import FeedProduct

SETTINGS = {"shop_domain": "my-shop.myshopify.com", "access_token": "shpat_x"}


def test_page_token_is_a_short_position() -> None:
    token = encode_page_token(2**64 - 1)  # the largest Shopify id
    assert len(token) <= PAGE_TOKEN_MAX_LENGTH
    assert decode_page_token(token) == 2**64 - 1
    assert decode_page_token("") == 0
    for foreign in ("eyJsYXN0X2lkIjo1fQ==", "after:", "after:-3", "5"):
        with pytest.raises(ValueError):
            decode_page_token(foreign)


def test_searches_quote_values() -> None:
    assert sku_search(['A "B"', "C\\D"]) == 'sku:"A \\"B\\"" OR sku:"C\\\\D"'
    settings = ShopifySettings.model_validate(
        {**SETTINGS, "pull_created_after": "2026-01-31", "acknowledged_tag": "done"}
    )
    assert orders_to_pull_search(settings, 42) == (
        'status:open AND -tag:"done" AND (financial_status:paid OR financial_status:authorized)'
        " AND id:>42 AND created_at:>=2026-01-31"
    )


def test_settings_refuse_wrong_values() -> None:
    for wrong in (
        {"shop_domain": "shop.example.com"},
        {"api_version": "2026-05"},
        {"api_base_url": "https://evil.example.com"},
        {"page_size": 101},
        {"unknown_key": 1},
    ):
        with pytest.raises(ValidationError):
            ShopifySettings.model_validate({**SETTINGS, **wrong})
    settings = ShopifySettings.model_validate(SETTINGS)
    assert settings.api_version == "2026-10"
    assert "shpat_x" not in repr(settings)


def test_scopes_needed_write_includes_read() -> None:
    needed = required_scopes(["order_pull", "inventory_push"])
    assert needed["read_orders"] == ["order_pull"]
    assert missing_scopes(["write_orders", "write_products", "write_inventory"], needed) == [
        "read_locations"
    ]


def test_product_set_keeps_existing_variants_and_product() -> None:
    product = FeedProduct.model_validate(
        {
            "sku": "TEE",
            "title": "Tee",
            "price": 20,
            "variants": [
                {"sku": "TEE-S", "options": {"Size": "S"}},
                {"sku": "TEE-M", "options": {"Size": "M"}, "price": 21.5},
            ],
        }
    )
    existing = {"TEE-S": ("gid://shopify/ProductVariant/7", "gid://shopify/Product/3")}
    variables = product_set_variables(product, existing, "gid://shopify/Location/1")
    assert variables["identifier"] == {"id": "gid://shopify/Product/3"}
    variants = variables["input"]["variants"]
    assert variants[0]["id"] == "gid://shopify/ProductVariant/7"
    assert "id" not in variants[1] and "inventoryQuantities" not in variants[0]
    assert variants[1]["inventoryQuantities"] == [
        {"locationId": "gid://shopify/Location/1", "name": "available", "quantity": 0}
    ]
    assert [v["price"] for v in variants] == ["20.00", "21.50"]
    assert variables["input"]["productOptions"] == [
        {"name": "Size", "position": 1, "values": [{"name": "S"}, {"name": "M"}]}
    ]
    new = product_set_variables(FeedProduct.model_validate({"sku": "Mug 1", "title": "M"}), {}, "L")
    assert new["identifier"] == {"handle": "mug-1"}
    assert new["input"]["variants"][0]["optionValues"] == [
        {"optionName": "Title", "name": "Default Title"}
    ]


def test_inventory_key_follows_the_request() -> None:
    items = {"A": "gid://shopify/InventoryItem/1"}
    one = inventory_set_variables([InventoryUpdate(sku="A", quantity_available=3)], items, "L")
    same = inventory_set_variables([InventoryUpdate(sku="A", quantity_available=3)], items, "L")
    other = inventory_set_variables([InventoryUpdate(sku="A", quantity_available=4)], items, "L")
    assert one["key"] == same["key"] != other["key"]
    assert one["input"]["quantities"][0]["changeFromQuantity"] is None


def test_fulfillment_plan_spreads_over_fulfillment_orders() -> None:
    def fo(fo_id: str, lines: list[tuple[str, str, int]]) -> dict[str, object]:
        return {
            "id": fo_id,
            "status": "OPEN",
            "lineItems": {
                "nodes": [
                    {
                        "id": f"{fo_id}-{line}",
                        "sku": sku,
                        "remainingQuantity": left,
                        "lineItem": {"id": f"gid://shopify/LineItem/{line}"},
                    }
                    for line, sku, left in lines
                ]
            },
        }

    orders = [fo("F1", [("10", "A", 1)]), fo("F2", [("10", "A", 2), ("11", "B", 1)])]
    remaining = {"F1-10": 1, "F2-10": 2, "F2-11": 1}
    plan = plan_fulfillment(
        [PackageItem(channel_item_refnum="10", quantity=2), PackageItem(sku="B", quantity=3)],
        orders,
        remaining,
    )
    assert plan.by_fulfillment_order == {
        "F1": [{"id": "F1-10", "quantity": 1}],
        "F2": [{"id": "F2-10", "quantity": 1}, {"id": "F2-11", "quantity": 1}],
    }
    assert [(u.sku, u.reason) for u in plan.unmatched] == [("B", "2 more than left to ship")]
    assert remaining == {"F1-10": 0, "F2-10": 1, "F2-11": 0}


def test_only_uncaptured_authorisations_are_captured() -> None:
    def txn(id_: str, kind: str, parent: str | None = None) -> dict[str, object]:
        return {
            "id": id_,
            "kind": kind,
            "status": "SUCCESS",
            "parentTransaction": {"id": parent} if parent else None,
        }

    transactions = [txn("1", "AUTHORIZATION"), txn("2", "AUTHORIZATION"), txn("3", "CAPTURE", "1")]
    assert [t["id"] for t in authorisations_to_capture(transactions)] == ["2"]


def test_example_config_is_valid() -> None:
    path = Path(__file__).resolve().parents[2] / "config" / "shopify.example.yaml"
    config = load_config(path, environ={"RETAILOPS_AUTH_TOKEN": "k", "SHOPIFY_ACCESS_TOKEN": "t"})
    [channel] = config.channels
    assert isinstance(channel.settings, ShopifySettings)
    assert channel.settings.api_version == "2026-10"
    assert channel.settings.access_token.get_secret_value() == "t"
