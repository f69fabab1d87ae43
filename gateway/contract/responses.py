"""What the gateway answers: the response of each of the 11 channel calls.

Strict: only contract fields, with the contract's enums and limits, so an
adapter that builds a wrong answer fails where it builds it, not at RetailOps.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, AwareDatetime, Field

from gateway.contract.base import (
    ORDERS_PER_PAGE_MAX,
    TAGS_MAX,
    CurrencyCode,
    PageToken,
    PaymentProcessingType,
    ResponseModel,
)
from gateway.contract.events import Event, EventsResponse

Status = Literal["success", "fail"]
AttributeText = Annotated[str, Field(min_length=2, max_length=100)]


class CatalogGetConfigResponse(ResponseModel):
    sku_fanout: Literal["related_skus", "no_fanout"] | None = None


class CatalogPushResponse(EventsResponse):
    pass


class InventoryPushResponse(EventsResponse):
    pass


# --- the pulled order --------------------------------------------------------


class Address(ResponseModel):
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state_match: str | None = None
    postal_code: str | None = None
    country_match: str | None = None
    phone_number: str | None = None


class OrderCurrencyValues(ResponseModel):
    shipping_amt: float | None = None
    tax_amt: float | None = None
    discount_amt: float | None = None


class ItemCurrencyValues(ResponseModel):
    unit_price: float | None = None
    unit_tax: float | None = None
    unit_tax_pct: float | None = None
    discount_amt: float | None = None
    discount_pct: float | None = None
    ship_amt: float | None = None
    shiptax_amt: float | None = None
    recycling_amt: float | None = None
    vat_pct: float | None = None


class OrderItemOption(ResponseModel):
    type: Literal["text", "bool", "image"] | None = None
    name: str | None = None
    value: str | None = None
    code: str | None = None


class OrderItem(ResponseModel):
    channel_item_refnum: str | None = None
    sku: str | None = None
    sku_description: str | None = None
    quantity: int | None = None
    item_type: Literal["ship", "advisory", "instore"] | None = None
    currency_values: ItemCurrencyValues | None = None
    options: list[OrderItemOption] | None = None
    facility_id: int | None = None
    vendor_id: int | None = None
    fulfillment_actor_id: int | None = None


class PaymentTransaction(ResponseModel):
    payment_processing_type: PaymentProcessingType
    transaction_type: Literal["auth", "charge", "capture", "giftcard"]
    payment_type: str
    amount: float
    message: str | None = None


class CustomerInfo(ResponseModel):
    email_address: str | None = None
    full_name: str | None = None
    phone_number: str | None = None


class OrderAttribute(ResponseModel):
    attribute_type: Literal["text", "number", "select", "multiselect"] | None = None
    handle: AttributeText | None = None
    value: AttributeText | None = None


class Order(ResponseModel):
    channel_order_refnum: str
    ship_service_code: Annotated[str, Field(min_length=1)]
    currency_code: CurrencyCode
    billing_address: Address
    shipping_address: Address
    channel_date_created: AwareDatetime | None = None
    currency_values: OrderCurrencyValues | None = None
    cancel: bool | None = None
    order_items: list[OrderItem] | None = None
    payment_transactions: list[PaymentTransaction] | None = None
    customer_info: CustomerInfo | None = None
    gift_message: str | None = None
    tags: Annotated[list[str], Field(max_length=TAGS_MAX)] | None = None
    attributes: list[OrderAttribute] | None = None
    ip_address: str | None = None


class OrderPullResponse(ResponseModel):
    orders: Annotated[list[Order], Field(max_length=ORDERS_PER_PAGE_MAX)] = Field(
        default_factory=list
    )
    # Empty when there are no more pages. Limited like the page_token it becomes.
    next_page_token: PageToken = ""
    # Not among the schema's properties (which allow more): how a pull reports an
    # order it could not map. Left out of the answer when there are none.
    events: list[Event] | None = None


# --- the write-back calls ----------------------------------------------------


class OrderAcknowledgeResponse(EventsResponse):
    pass


class WritebackLineItem(ResponseModel):
    order_item_id: int
    refnum: str
    quantity: int | None = None
    discount_amt: float | None = None
    discount_pct: float | None = None
    ship_amt: float | None = None
    shiptax_amt: float | None = None
    unit_tax: float | None = None
    unit_tax_pct: float | None = None


class WritebackValues(ResponseModel):
    discount_amt: float | None = None
    discount_pct: float | None = None
    shipping_amt: float | None = None
    tax_amt: float | None = None
    tax_pct: float | None = None


class OrderUpdateResponse(EventsResponse):
    line_items: list[WritebackLineItem] | None = None
    values: WritebackValues | None = None


class OrderCancelResponse(EventsResponse):
    status: Status


class OrderShipmentSubmitResponse(EventsResponse):
    pass


class OrderCompleteResponse(EventsResponse):
    status: Status


class OrderSettlePaymentResponse(EventsResponse):
    pass


class ReturnCredit(ResponseModel):
    channel_store_credit_amount: float | None = None


class OrderReturnedResponse(EventsResponse):
    # "return" is a Python keyword: the field is return_ in code, "return" on the wire,
    # and reads back from either.
    return_: ReturnCredit | None = Field(
        default=None,
        validation_alias=AliasChoices("return", "return_"),
        serialization_alias="return",
    )
