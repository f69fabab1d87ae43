"""The ``settings`` block of a Shopify channel, validated when the gateway starts."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from gateway.adapter import AdapterSettings
from gateway.upstream import RetrySettings

DEFAULT_API_VERSION = "2026-10"

CancelReason = Literal["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"]
FinancialStatus = Literal["paid", "authorized", "partially_paid", "pending"]


class ShopifySettings(AdapterSettings):
    """How to reach one shop and how to translate RetailOps calls for it."""

    shop_domain: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$",
        description="The shop's permanent domain, e.g. my-shop.myshopify.com.",
    )
    access_token: SecretStr = Field(
        min_length=1, description="Admin API access token; put ${SHOPIFY_ACCESS_TOKEN} here."
    )
    api_version: str = Field(default=DEFAULT_API_VERSION, pattern=r"^\d{4}-(01|04|07|10)$")
    # Only for tests and local fakes: send the calls to this loopback base URL
    # instead of https://{shop_domain}.
    api_base_url: str | None = None

    location: str | None = Field(
        default=None,
        description="Location for stock, restocks and fulfilment: its name, numeric id or "
        "gid. Empty: the shop's first active location.",
    )
    acknowledged_tag: str = Field(default="retailops-imported", min_length=1, max_length=40)
    pull_financial_statuses: list[FinancialStatus] = Field(
        default=["paid", "authorized"], min_length=1
    )
    pull_created_after: str | None = Field(
        default=None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="Ignore orders created before this date (YYYY-MM-DD).",
    )
    notify_customer: bool = Field(
        default=False,
        description="Let Shopify e-mail the customer on edits, cancels, shipments and refunds.",
    )
    cancel_reason: CancelReason = "OTHER"
    cancel_restock: bool = True
    cancel_refund: bool = True
    return_restock: bool = True
    unshipped_items: Literal["refuse", "close"] = Field(
        default="refuse",
        description="order_complete with unshipped items: refuse (status fail) or close anyway.",
    )
    page_size: int = Field(default=50, ge=1, le=100, description="Orders per order_pull page.")
    request_timeout: float = Field(default=30.0, gt=0, le=300, description="Seconds per call.")
    connect_timeout: float = Field(default=10.0, gt=0, le=60)
    max_concurrency: int = Field(default=4, ge=1, le=32, description="Calls in flight per shop.")
    retry: RetrySettings = Field(default_factory=RetrySettings)

    @field_validator("api_base_url")
    @classmethod
    def _loopback_only(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        host = parts.hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if parts.scheme not in ("http", "https") or not loopback:
            raise ValueError("api_base_url is for local test servers only (http://127.0.0.1:PORT)")
        return value.rstrip("/")
