"""The catalog feed shape that ``catalog_push`` understands.

RetailOps leaves the content of ``template_output`` to the feed template the
merchant configures. The gateway documents one shape (docs/catalog-feed.md)
and every built-in adapter reads it through :func:`parse_feed`, so a merchant
sets the template up once, whatever the backend::

    {"products": [{"sku": "TEE", "title": "Tee", "price": 20,
                   "variants": [{"sku": "TEE-S", "options": {"Size": "S"}}]}]}

A product without variants is sold as one SKU, its own. A product that does
not match the shape is skipped with an event naming it; the rest go through.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.contract import Event, make_event

Sku = str


class _FeedModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FeedVariant(_FeedModel):
    sku: Sku = Field(min_length=1, max_length=255)
    title: str | None = None
    price: float | None = Field(default=None, ge=0)
    compare_at_price: float | None = Field(default=None, ge=0)
    barcode: str | None = None
    weight_kg: float | None = Field(default=None, ge=0)
    # Option name to value, e.g. {"Size": "M", "Colour": "Red"}.
    options: dict[str, str] = Field(default_factory=dict)


class FeedProduct(_FeedModel):
    sku: Sku = Field(min_length=1, max_length=255)
    title: str = Field(min_length=1)
    description: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    status: Literal["active", "draft", "archived"] = "active"
    tags: list[str] = Field(default_factory=list)
    price: float | None = Field(default=None, ge=0)
    compare_at_price: float | None = Field(default=None, ge=0)
    barcode: str | None = None
    weight_kg: float | None = Field(default=None, ge=0)
    variants: list[FeedVariant] = Field(default_factory=list)

    def sellable_variants(self) -> list[FeedVariant]:
        """The SKUs this product sells: its variants, or itself when it has none."""
        if self.variants:
            return list(self.variants)
        return [
            FeedVariant(
                sku=self.sku,
                title=self.title,
                price=self.price,
                compare_at_price=self.compare_at_price,
                barcode=self.barcode,
                weight_kg=self.weight_kg,
            )
        ]


def parse_feed(template_output: dict[str, Any]) -> tuple[list[FeedProduct], list[Event]]:
    """Read the products of a feed; every product that cannot be read becomes an event."""
    raw_products = template_output.get("products")
    if not isinstance(raw_products, list):
        return [], [
            make_event(
                "warning",
                "UNRECOGNISED_FEED",
                "template_output has no 'products' list; nothing was imported. "
                "See docs/catalog-feed.md for the feed shape this channel reads.",
            )
        ]
    products: list[FeedProduct] = []
    events: list[Event] = []
    for index, raw in enumerate(raw_products):
        try:
            products.append(FeedProduct.model_validate(raw))
        except ValidationError as error:
            sku = raw.get("sku") if isinstance(raw, dict) else None
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'product'}: {e['msg']}"
                for e in error.errors()
            )
            events.append(
                make_event(
                    "error",
                    "INVALID_PRODUCT",
                    f"products[{index}] was not imported: {problems}",
                    sku_number=sku if isinstance(sku, str) else None,
                )
            )
    return products, events
