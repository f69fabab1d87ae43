"""The WooCommerce adapter: a WooCommerce store (REST API wc/v3) as a RetailOps channel."""

from adapters.woocommerce.adapter import WooCommerceAdapter
from adapters.woocommerce.settings import WooCommerceSettings

__all__ = ["WooCommerceAdapter", "WooCommerceSettings"]
