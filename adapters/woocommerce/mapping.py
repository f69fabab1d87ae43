"""Pure translations between RetailOps' words and WooCommerce's (wc/v3 JSON).

No I/O here: every function takes and returns plain data, so the mapping can be
read, and tested, on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, get_args

from gateway.contract import (
    Address,
    CustomerInfo,
    ItemCurrencyValues,
    Order,
    OrderAttribute,
    OrderCurrencyValues,
    OrderItem,
    OrderItemOption,
    Package,
    PaymentTransaction,
    Return,
    WritebackLineItem,
    WritebackOrderItem,
)
from gateway.contract.base import CurrencyCode
from gateway.feed import FeedProduct, FeedVariant

T = TypeVar("T")

CURRENCIES = frozenset(get_args(CurrencyCode))
FINAL_STATUSES = frozenset({"completed", "refunded"})
_ATTRIBUTE_TEXT_MAX = 100


class MappingError(ValueError):
    """A WooCommerce record that cannot be said in RetailOps' terms; the message says why."""


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def sku_lookup_groups(skus: Sequence[str], size: int, max_chars: int = 1500) -> Iterator[list[str]]:
    """SKUs in comma lists of at most ``size`` entries and ``max_chars`` characters.

    The list travels in the query string (twice, with the package's OAuth signing),
    so long SKUs make shorter lists.
    """
    group: list[str] = []
    length = 0
    for sku in skus:
        if group and (len(group) >= size or length + len(sku) + 1 > max_chars):
            yield group
            group, length = [], 0
        group.append(sku)
        length += len(sku) + 1
    if group:
        yield group


def money(value: Any) -> float:
    """WooCommerce sends amounts as strings ("29.35"); empty means zero."""
    if value in (None, ""):
        return 0.0
    return round(float(value), 4)


def price_text(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def gmt_datetime(value: str | None) -> datetime | None:
    """A ``*_gmt`` field ("2017-03-22T19:28:02", no zone) as an aware UTC datetime."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# --- order meta --------------------------------------------------------------


def meta_value(record: dict[str, Any], key: str) -> Any:
    """The value of a meta_data entry, or None when the record has no such key."""
    for entry in record.get("meta_data") or []:
        if entry.get("key") == key:
            return entry.get("value")
    return None


def recorded_ids(record: dict[str, Any], key: str) -> list[str]:
    """The ids kept in a list-valued meta key (shipments, returns), as text."""
    value = meta_value(record, key)
    if isinstance(value, list):
        return [str(item) for item in value]
    if value in (None, ""):
        return []
    return [str(value)]


def meta_update(key: str, value: Any) -> dict[str, Any]:
    """One meta_data entry for a write; without an id WooCommerce replaces the key's value."""
    return {"key": key, "value": value}


# --- order_pull: the position token ------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class PullPosition:
    """The last order looked at in one pass: its creation time (UTC seconds) and id.

    Orders are read oldest first; acknowledged ones stay in WooCommerce's list,
    so a position (not a page number) says where the next page starts.
    """

    created: int
    order_id: int

    def token(self) -> str:
        return f"{self.created}.{self.order_id}"  # at most 11 + 1 + 20 characters

    @classmethod
    def from_token(cls, token: str) -> PullPosition:
        match = re.fullmatch(r"(\d{1,11})\.(\d{1,20})", token)
        if match is None:
            raise MappingError(f"page_token {token!r} is not one this channel issued")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, order: dict[str, Any]) -> PullPosition:
        created = gmt_datetime(order.get("date_created_gmt"))
        return cls(int(created.timestamp()) if created else 0, int(order["id"]))

    def after_param(self) -> str:
        """The ``after`` filter (exclusive) that still includes this position's second."""
        return datetime.fromtimestamp(self.created - 1, UTC).strftime("%Y-%m-%dT%H:%M:%S")


# --- order_pull: the order ---------------------------------------------------


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def address(wc_address: dict[str, Any]) -> Address:
    return Address(
        first_name=_text(wc_address.get("first_name")),
        last_name=_text(wc_address.get("last_name")),
        company=_text(wc_address.get("company")),
        address1=_text(wc_address.get("address_1")),
        address2=_text(wc_address.get("address_2")),
        city=_text(wc_address.get("city")),
        state_match=_text(wc_address.get("state")),
        postal_code=_text(wc_address.get("postcode")),
        country_match=_text(wc_address.get("country")),
        phone_number=_text(wc_address.get("phone")),
    )


def _has_address(wc_address: dict[str, Any]) -> bool:
    return any(wc_address.get(field) for field in ("address_1", "city", "postcode", "country"))


def _item_options(line_item: dict[str, Any]) -> list[OrderItemOption] | None:
    options = [
        OrderItemOption(
            type="text",
            name=str(entry.get("display_key") or entry["key"]),
            value=str(entry.get("display_value") or entry.get("value")),
        )
        for entry in line_item.get("meta_data") or []
        if entry.get("key")
        and not str(entry["key"]).startswith("_")
        and isinstance(entry.get("value"), str | int | float)
    ]
    return options or None


def order_item(line_item: dict[str, Any]) -> OrderItem:
    quantity = int(line_item.get("quantity") or 0)
    subtotal = money(line_item.get("subtotal"))
    total = money(line_item.get("total"))
    divisor = quantity or 1
    return OrderItem(
        channel_item_refnum=str(line_item["id"]),
        sku=_text(line_item.get("sku")),
        sku_description=_text(line_item.get("name")),
        quantity=quantity,
        item_type="ship",
        currency_values=ItemCurrencyValues(
            unit_price=round(subtotal / divisor, 4),
            unit_tax=round(money(line_item.get("subtotal_tax")) / divisor, 4),
            discount_amt=round(subtotal - total, 4),
        ),
        options=_item_options(line_item),
    )


def _payment(order: dict[str, Any]) -> list[PaymentTransaction] | None:
    total = money(order.get("total"))
    if total <= 0:
        return None
    paid = bool(order.get("date_paid_gmt") or order.get("date_paid"))
    return [
        PaymentTransaction(
            payment_processing_type="channel_payment",
            transaction_type="charge" if paid else "auth",
            payment_type=_text(order.get("payment_method_title"))
            or _text(order.get("payment_method"))
            or "unknown",
            amount=total,
            message=_text(order.get("transaction_id")),
        )
    ]


def _attributes(order: dict[str, Any]) -> list[OrderAttribute] | None:
    note = _text(order.get("customer_note"))
    if note is None or len(note) < 2:
        return None
    return [
        OrderAttribute(
            attribute_type="text", handle="customer_note", value=note[:_ATTRIBUTE_TEXT_MAX]
        )
    ]


def retailops_order(order: dict[str, Any], *, default_ship_service_code: str) -> Order:
    """A WooCommerce order as the order RetailOps imports; MappingError when it cannot be."""
    refnum = str(order["id"])
    currency = order.get("currency")
    if currency not in CURRENCIES:
        raise MappingError(f"order {refnum}: currency {currency!r} is not one RetailOps accepts")
    billing = order.get("billing") or {}
    shipping = order.get("shipping") or {}
    shipping_lines = order.get("shipping_lines") or []
    ship_code = next(
        (
            _text(line.get("method_id")) or _text(line.get("method_title"))
            for line in shipping_lines
            if _text(line.get("method_id")) or _text(line.get("method_title"))
        ),
        default_ship_service_code,
    )
    full_name = _text(f"{billing.get('first_name') or ''} {billing.get('last_name') or ''}")
    coupons = [str(line["code"]) for line in order.get("coupon_lines") or [] if line.get("code")]
    return Order(
        channel_order_refnum=refnum,
        channel_date_created=gmt_datetime(order.get("date_created_gmt")),
        ship_service_code=ship_code,
        currency_code=currency,
        billing_address=address(billing),
        # Virtual-only orders carry no shipping address; RetailOps requires one.
        shipping_address=address(shipping if _has_address(shipping) else billing),
        currency_values=OrderCurrencyValues(
            shipping_amt=money(order.get("shipping_total")),
            tax_amt=money(order.get("total_tax")),
            discount_amt=money(order.get("discount_total")),
        ),
        cancel=True if order.get("status") == "cancelled" else None,
        order_items=[order_item(line) for line in order.get("line_items") or []],
        payment_transactions=_payment(order),
        customer_info=CustomerInfo(
            email_address=_text(billing.get("email")),
            full_name=full_name,
            phone_number=_text(billing.get("phone")),
        ),
        tags=[f"coupon:{code}" for code in coupons][:100] or None,
        attributes=_attributes(order),
        ip_address=_text(order.get("customer_ip_address")),
    )


# --- order_update ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineItemChanges:
    """What order_update sends to WooCommerce and what it writes back to RetailOps."""

    line_items: list[dict[str, Any]]
    written_back: list[WritebackLineItem]
    unmatched: list[WritebackOrderItem]


class _ItemReference(Protocol):
    """How RetailOps names an order line: its channel refnum, else its SKU."""

    @property
    def channel_item_refnum(self) -> str | None: ...

    @property
    def sku(self) -> str | None: ...


def _find_line(lines: Sequence[dict[str, Any]], item: _ItemReference) -> dict[str, Any] | None:
    for line in lines:
        if item.channel_item_refnum and str(line["id"]) == item.channel_item_refnum:
            return line
    if item.channel_item_refnum is None and item.sku:
        return next((line for line in lines if line.get("sku") == item.sku), None)
    return None


def line_item_changes(
    order: dict[str, Any], items: Sequence[WritebackOrderItem]
) -> LineItemChanges:
    """Quantity, price and removal changes, as WooCommerce line item updates.

    WooCommerce removes a line item sent with quantity 0.
    """
    lines = order.get("line_items") or []
    changes: list[dict[str, Any]] = []
    written_back: list[WritebackLineItem] = []
    unmatched: list[WritebackOrderItem] = []
    for item in items:
        line = _find_line(lines, item)
        if line is None and item.removed and item.channel_item_refnum:
            # Removed by an earlier send of the same update: nothing left to do.
            if item.order_item_id is not None:
                written_back.append(
                    WritebackLineItem(
                        order_item_id=item.order_item_id,
                        refnum=item.channel_item_refnum,
                        quantity=0,
                    )
                )
            continue
        if line is None:
            unmatched.append(item)
            continue
        quantity = 0 if item.removed else item.quantity
        if quantity is None:
            quantity = int(line.get("quantity") or 0)
        change: dict[str, Any] = {"id": line["id"], "quantity": quantity}
        if quantity and item.unit_price is not None:
            amount = price_text(item.unit_price * quantity)
            change.update(subtotal=amount, total=amount)
        changes.append(change)
        if item.order_item_id is not None:
            written_back.append(
                WritebackLineItem(
                    order_item_id=item.order_item_id, refnum=str(line["id"]), quantity=quantity
                )
            )
    return LineItemChanges(changes, written_back, unmatched)


# --- order_shipment_submit ---------------------------------------------------


def shipment_marker(shipment_id: int | str) -> str:
    """The text that identifies a shipment's order note, found again before writing twice."""
    return f"[RetailOps shipment {shipment_id}]"


def shipment_note(shipment_id: int | str | None, packages: Sequence[Package]) -> str:
    """The order note that tells the shipment: carrier, service, tracking, items."""
    lines = ["Shipped" + (f" {shipment_marker(shipment_id)}" if shipment_id is not None else "")]
    for package in packages:
        carrier = " ".join(
            part for part in (package.carrier_name, package.carrier_class_name) if part
        )
        items = ", ".join(
            f"{item.quantity or 0} x {item.sku or item.channel_item_refnum}"
            for item in package.package_items
        )
        tracking = f"tracking {package.tracking_number}" if package.tracking_number else ""
        lines.append(" - ".join(part for part in (carrier, tracking, items) if part))
    return "\n".join(lines)


def tracking_payload(package: Package) -> dict[str, Any]:
    """A Shipment Tracking extension entry for one package."""
    payload: dict[str, Any] = {
        "tracking_provider": package.carrier_name or "",
        "tracking_number": package.tracking_number,
    }
    if package.date_shipped:
        payload["date_shipped"] = str(package.date_shipped)[:10]
    return payload


# --- order_returned ----------------------------------------------------------


def refund_amount(ret: Return) -> float:
    """The money to refund for a return: its refund amount, else what its parts add up to."""
    if ret.refund_amt is not None:
        return round(float(ret.refund_amt), 2)
    credits = [item.credit_amt for item in ret.items if item.credit_amt is not None]
    if credits:
        return round(sum(credits), 2)
    parts = (ret.product_amt, ret.shipping_amt, ret.tax_amt)
    return round(sum(part or 0.0 for part in parts) - (ret.discount_amt or 0.0), 2)


def refund_line_items(order: dict[str, Any], ret: Return) -> list[dict[str, Any]]:
    """The returned items as refund line items, so WooCommerce can restock them."""
    lines = order.get("line_items") or []
    refund_lines = []
    for item in ret.items:
        line = _find_line(lines, item)
        if line is None or not item.quantity:
            continue
        entry: dict[str, Any] = {"id": line["id"], "quantity": item.quantity}
        amount = item.credit_amt if item.credit_amt is not None else item.product_amt
        if amount is not None:
            entry["refund_total"] = round(amount, 2)
        refund_lines.append(entry)
    return refund_lines


# --- catalog_push ------------------------------------------------------------

_STATUS = {"active": "publish", "draft": "draft", "archived": "private"}


def _prices(price: float | None, compare_at: float | None) -> dict[str, str]:
    """WooCommerce's regular and sale price from a price and a higher "compare at" price."""
    if price is None:
        return {}
    if compare_at is not None and compare_at > price:
        return {
            "regular_price": price_text(compare_at) or "",
            "sale_price": price_text(price) or "",
        }
    return {"regular_price": price_text(price) or "", "sale_price": ""}


def _weight(weight_kg: float | None) -> dict[str, str]:
    return {} if weight_kg is None else {"weight": f"{weight_kg:g}"}


def option_names(product: FeedProduct) -> list[str]:
    """The option names of a product's variants, in the order first seen."""
    names: dict[str, None] = {}
    for variant in product.variants:
        names.update(dict.fromkeys(variant.options))
    return list(names)


def product_payload(product: FeedProduct) -> dict[str, Any]:
    """A product for /products/batch: simple when it sells itself, variable with variants."""
    payload: dict[str, Any] = {
        "sku": product.sku,
        "name": product.title,
        "status": _STATUS[product.status],
    }
    if product.description is not None:
        payload["description"] = product.description
    if product.variants:
        payload["type"] = "variable"
        payload["attributes"] = [
            {
                "name": name,
                "variation": True,
                "visible": True,
                "options": list(
                    dict.fromkeys(v.options[name] for v in product.variants if name in v.options)
                ),
            }
            for name in option_names(product)
        ]
    else:
        payload["type"] = "simple"
        payload.update(_prices(product.price, product.compare_at_price))
        payload.update(_weight(product.weight_kg))
    return payload


def variation_payload(product: FeedProduct, variant: FeedVariant) -> dict[str, Any]:
    """A variation for /products/<id>/variations/batch."""
    payload: dict[str, Any] = {
        "sku": variant.sku,
        "attributes": [{"name": name, "option": value} for name, value in variant.options.items()],
    }
    payload.update(
        _prices(
            variant.price if variant.price is not None else product.price,
            variant.compare_at_price
            if variant.compare_at_price is not None
            else product.compare_at_price,
        )
    )
    payload.update(_weight(variant.weight_kg))
    return payload


# --- batch answers -----------------------------------------------------------


def batch_item_error(entry: dict[str, Any]) -> tuple[str, str] | None:
    """(code, message) of a failed batch item; None when the item went through."""
    error = entry.get("error")
    if not isinstance(error, dict):
        return None
    return str(error.get("code") or "woocommerce_error"), str(error.get("message") or "")
