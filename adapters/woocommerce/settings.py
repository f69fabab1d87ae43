"""The ``settings`` block of a WooCommerce channel, checked before the gateway listens."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from gateway.adapter import AdapterSettings
from gateway.upstream import RetrySettings

# The statuses core WooCommerce knows (without the "wc-" prefix of the database).
ORDER_STATUSES = frozenset(
    {
        "pending",
        "processing",
        "on-hold",
        "completed",
        "cancelled",
        "refunded",
        "failed",
        "checkout-draft",
    }
)
# WooCommerce refuses per_page above this and batches of more items than this.
WOOCOMMERCE_PAGE_MAX = 100


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetaKeys(_Block):
    """Order meta keys the gateway writes; a leading underscore hides them in the admin."""

    acknowledged: str = Field(default="_retailops_acknowledged", min_length=1)
    shipments: str = Field(default="_retailops_shipments", min_length=1)
    returns: str = Field(default="_retailops_returns", min_length=1)
    settled: str = Field(default="_retailops_payment_settled", min_length=1)
    # Written on each refund, so a refund that was created but whose answer was lost
    # is recognised before another one is made.
    refund_return_id: str = Field(default="_retailops_return_id", min_length=1)


class TrackingSettings(_Block):
    """Where order_shipment_submit puts the tracking numbers."""

    # Order notes marked as customer notes are e-mailed to the customer by WooCommerce.
    customer_visible_note: bool = False
    # Also POST to the Shipment Tracking extension's REST endpoint.
    shipment_tracking_extension: bool = False
    shipment_tracking_namespace: str = "wc-shipment-tracking/v3"


class SettleSettings(_Block):
    """What order_settle_payment does: core WooCommerce has no capture endpoint."""

    policy: Literal["none", "mark_paid", "capture_endpoint"] = "none"
    # For policy capture_endpoint: the payment plugin's REST namespace and route,
    # e.g. namespace "my-gateway/v1", path "orders/{order_id}/capture".
    capture_namespace: str | None = None
    capture_path: str | None = None
    # Error codes with which the plugin refuses a payment it captured before.
    # Such a refusal counts as settled: it is what a re-sent settlement meets
    # when the first capture went through but its answer was lost.
    already_captured_codes: list[str] = Field(default_factory=lambda: ["already_captured"])

    @model_validator(mode="after")
    def _endpoint_when_needed(self) -> Self:
        if self.policy == "capture_endpoint":
            if not self.capture_namespace or not self.capture_path:
                raise ValueError("policy capture_endpoint needs capture_namespace and capture_path")
            if "{order_id}" not in self.capture_path:
                raise ValueError("capture_path must contain {order_id}")
        return self


class RefundSettings(_Block):
    """How order_returned creates the WooCommerce refund."""

    # true asks the payment gateway to send the money back; off unless configured.
    api_refund: bool = False
    # true puts the returned items back in stock.
    api_restock: bool = True


class WooCommerceSettings(AdapterSettings):
    """One WooCommerce store; keys come from the environment through ``${VAR}``."""

    store_url: str = Field(
        min_length=1, description="The site's address, e.g. https://shop.example"
    )
    consumer_key: SecretStr = Field(min_length=1)
    consumer_secret: SecretStr = Field(min_length=1)
    verify_tls: bool = True
    pull_statuses: list[str] = Field(default_factory=lambda: ["processing"], min_length=1)
    meta_keys: MetaKeys = Field(default_factory=MetaKeys)
    tracking: TrackingSettings = Field(default_factory=TrackingSettings)
    settle: SettleSettings = Field(default_factory=SettleSettings)
    refunds: RefundSettings = Field(default_factory=RefundSettings)
    # Orders per order_pull answer and per WooCommerce list call.
    page_size: int = Field(default=100, ge=1, le=WOOCOMMERCE_PAGE_MAX)
    # Items per /batch call, and SKUs per comma-list look-up.
    batch_size: int = Field(default=100, ge=1, le=WOOCOMMERCE_PAGE_MAX)
    # The most WooCommerce list pages one order_pull reads while skipping
    # acknowledged orders; it answers what it found with a token to go on.
    pull_scan_pages: int = Field(default=10, ge=1, le=100)
    ship_service_code_default: str = Field(default="standard", min_length=1)
    # Seconds for one HTTP call (connect, then each read).
    request_timeout: float = Field(default=20.0, gt=0, le=300)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    # Threads running the blocking client: the most calls in flight to this store.
    concurrency: int = Field(default=4, ge=1, le=32)

    @field_validator("store_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a local test store)")
        return value.rstrip("/")

    @field_validator("pull_statuses")
    @classmethod
    def _known_statuses(cls, value: list[str]) -> list[str]:
        statuses = [status.removeprefix("wc-") for status in value]
        unknown = sorted(set(statuses) - ORDER_STATUSES)
        if unknown:
            raise ValueError(
                f"unknown order status {', '.join(unknown)}; "
                f"known: {', '.join(sorted(ORDER_STATUSES))}"
            )
        return statuses
