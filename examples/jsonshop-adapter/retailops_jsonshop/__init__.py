"""JSON Shop adapter for retailops-gateway: a worked example of an adapter plugin."""

from retailops_jsonshop.adapter import JsonShopAdapter
from retailops_jsonshop.settings import JsonShopSettings

__all__ = ["JsonShopAdapter", "JsonShopSettings"]
