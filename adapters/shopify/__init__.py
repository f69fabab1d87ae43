"""The Shopify adapter: a Shopify shop as a RetailOps channel, over the GraphQL Admin API."""

from adapters.shopify.adapter import ShopifyAdapter
from adapters.shopify.settings import ShopifySettings

__all__ = ["ShopifyAdapter", "ShopifySettings"]
