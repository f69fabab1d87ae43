"""What RetailOps sends: the request of each of the 11 channel calls.

Faithful to ``swagger.json`` for types and required fields, lenient where the
published files disagree: money declared as integer is read as a number, and
``removed`` is read from a boolean or from the strings ``"true"``/``"false"``.
Free-text placeholders such as ``"null"`` or ``"string"`` are kept as text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from gateway.contract.base import CurrencyCode, PageToken, PaymentProcessingType, RequestModel


class ChannelInfo(RequestModel):
    id: int | None = None


class BaseRequest(RequestModel):
    integration_auth_token: str | None = None
    # Informational only: calls are routed by URL path, and the official
    # order_pull example sends "SDK.order_pull.order_fetch" here.
    action: str
    version: int
    client_id: int
    channel_info: ChannelInfo

    @property
    def order_refnum(self) -> str | None:
        """The one order this call is about, for calls about one order."""
        return None


# --- catalog and inventory -------------------------------------------------


class CatalogGetConfigRequest(BaseRequest):
    pass


class CatalogPushRequest(BaseRequest):
    # swagger.json says template_output, the hyper-schema says TemplateOutput.
    template_output: dict[str, Any] | None = None
    TemplateOutput: dict[str, Any] | None = None

    @property
    def feed(self) -> dict[str, Any]:
        """The feed under whichever of the two published spellings was sent."""
        return self.template_output or self.TemplateOutput or {}


class QuantityDetail(RequestModel):
    quantity_type: Literal["internal", "external", "inflight"] | None = None
    estimated_availability_date: str | None = None
    available_quantity: int | None = None
    total_quantity: int | None = None
    vendor_name: str | None = None
    po: str | None = None
    po_destination: str | None = None
    facility_name: str | None = None


class InventoryUpdate(RequestModel):
    sku: str
    quantity_available: int
    quantity_detail: list[QuantityDetail] | None = None


class InventoryPushRequest(BaseRequest):
    inventory_updates: list[InventoryUpdate] = Field(default_factory=list)


# --- orders: shapes RetailOps writes back ----------------------------------


class WritebackOrderItem(RequestModel):
    channel_item_refnum: str | None = None
    sku: str | None = None
    order_item_id: int | None = None
    quantity: int | None = None
    unit_price: float | None = None
    apportioned_ship_amt: float | None = None
    direct_ship_amt: float | None = None
    estimated_cost: float | None = None
    estimated_unit_cost: float | None = None
    estimated_extended_cost: float | None = None
    estimated_ship_date: str | None = None
    # Declared boolean in one place and a "true"/"false" string enum in another;
    # pydantic's bool reads both.
    removed: bool = False


class UnshippedItem(RequestModel):
    channel_item_refnum: str | None = None
    sku: str | None = None
    ordered_quantity: int | None = None
    unshipped_quantity: int | None = None
    effective_unit_price: float | None = None
    effective_extended_price: float | None = None


class PackageItem(RequestModel):
    sku: str | None = None
    retailops_order_item_id: int | None = None
    retailops_shipment_item_id: int | None = None
    channel_item_refnum: str | None = None
    quantity: int | None = None


class Package(RequestModel):
    retailops_package_id: int | None = None
    carrier_name: str | None = None
    carrier_class_name: str | None = None
    channel_ship_code: str | None = None
    tracking_number: str | None = None
    weight_kg: float | None = None
    date_shipped: str | None = None
    package_items: list[PackageItem] = Field(default_factory=list)


class Shipment(RequestModel):
    retailops_shipment_id: int | None = None
    packages: list[Package] = Field(default_factory=list)


class WritebackOrder(RequestModel):
    channel_order_refnum: str | None = None
    retailops_order_id: int | None = None
    grand_total: float | None = None
    order_items: list[WritebackOrderItem] = Field(default_factory=list)
    unshipped_items: list[UnshippedItem] = Field(default_factory=list)
    shipments: list[Shipment] = Field(default_factory=list)


class CreditItem(RequestModel):
    retailops_item_id: int | None = None
    channel_item_refnum: str | None = None
    sku: str | None = None
    quantity: int | None = None
    reason: str | None = None
    item_shipping_tax_amt: float | None = None
    tax_amt: float | None = None
    shipping_amt: float | None = None
    restock_fee_amt: float | None = None
    giftwrap_amt: float | None = None
    product_amt: float | None = None
    recycling_amt: float | None = None
    subtotal_amt: float | None = None
    credit_amt: float | None = None
    giftwrap_tax_amt: float | None = None


class Return(RequestModel):
    retailops_return_id: int | None = None
    retailops_rma_id: str | None = None
    product_amt: float | None = None
    subtotal_amt: float | None = None
    discount_amt: float | None = None
    # Declared integer, but it is money.
    shipping_amt: float | None = None
    tax_amt: float | None = None
    refund_amt: float | None = None
    refund_action: str | None = None
    items: list[CreditItem] = Field(default_factory=list)


class SettlementTransaction(RequestModel):
    payment_processing_type: PaymentProcessingType | None = None
    transaction_type: Literal["auth", "charge"] | None = None
    payment_type: str | None = None
    amount: float | None = None


class Payment(RequestModel):
    currency_code: CurrencyCode | None = None
    payment_series_id: int | None = None
    payment_transactions: list[SettlementTransaction] = Field(default_factory=list)


class OrderReference(RequestModel):
    channel_order_refnum: str | None = None
    retailops_order_id: int | None = None


# --- orders: the calls ------------------------------------------------------


class SpecificOrder(RequestModel):
    channel_refnum: str


class OrderPullRequest(BaseRequest):
    page_token: PageToken = ""
    specific_orders: list[SpecificOrder] = Field(default_factory=list)


class OrderAcknowledgeRequest(BaseRequest):
    orders: list[OrderReference] = Field(default_factory=list)


class _AboutOneOrder(BaseRequest):
    """A write-back call about the order in its ``order`` field."""

    order: WritebackOrder | OrderReference

    @property
    def order_refnum(self) -> str | None:
        return self.order.channel_order_refnum


# Where swagger.json does not require a nested object, it defaults to an empty
# one, so an adapter meets a missing order as an order without a refnum.


class OrderUpdateRequest(_AboutOneOrder):
    order: WritebackOrder = Field(default_factory=WritebackOrder)
    rmas: list[Return] = Field(default_factory=list)


class OrderCancelRequest(_AboutOneOrder):
    order: OrderReference


class OrderShipmentSubmitRequest(BaseRequest):
    channel_order_refnum: str | None = None
    retailops_order_id: int | None = None
    shipment: Shipment = Field(default_factory=Shipment)

    @property
    def order_refnum(self) -> str | None:
        return self.channel_order_refnum


class OrderCompleteRequest(_AboutOneOrder):
    order: WritebackOrder


class OrderSettlePaymentRequest(_AboutOneOrder):
    order: WritebackOrder = Field(default_factory=WritebackOrder)
    payment: Payment = Field(default_factory=Payment)


class OrderReturnedRequest(_AboutOneOrder):
    order: WritebackOrder = Field(default_factory=WritebackOrder)
    return_: Return = Field(default_factory=Return, alias="return")
