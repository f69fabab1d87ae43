"""Between JSON Shop's words and RetailOps': pure functions over plain data."""

from __future__ import annotations

import re
from typing import Any

from gateway.contract import Address, CustomerInfo, Order, OrderItem, PaymentTransaction
from gateway.contract import requests as rq
from gateway.contract.responses import ItemCurrencyValues, OrderCurrencyValues

# A page token is a position, "after-<last order id>": short (the contract allows
# 35 characters) and unchanged by orders acknowledged between two pages.
_TOKEN = re.compile(r"after-(\d{1,18})")


def encode_page_token(last_order_id: int) -> str:
    return f"after-{last_order_id}"


def decode_page_token(token: str) -> int | None:
    """The order id a page continues after: 0 for a blank token, None when unreadable."""
    if not token:
        return 0
    match = _TOKEN.fullmatch(token)
    return int(match.group(1)) if match else None


def order_id(refnum: str | None) -> int | None:
    """JSON Shop's order id for a channel_order_refnum, or None when it cannot be one."""
    return int(refnum) if refnum is not None and refnum.isdigit() else None


def _address(data: dict[str, Any]) -> Address:
    first, _, last = str(data.get("name", "")).partition(" ")
    return Address(
        first_name=first or None,
        last_name=last or None,
        address1=data.get("street"),
        city=data.get("city"),
        postal_code=data.get("postcode"),
        country_match=data.get("country"),
    )


def order_to_contract(data: dict[str, Any]) -> Order:
    """A JSON Shop order as order_pull offers it; ValueError when it does not map."""
    payment = data.get("payment") or {}
    return Order.model_validate(
        {
            "channel_order_refnum": str(data["id"]),
            "channel_date_created": data["placed_at"],
            "currency_code": data["currency"],
            "ship_service_code": data.get("shipping_method") or "standard",
            "billing_address": _address(data.get("bill_to") or {}),
            "shipping_address": _address(data.get("ship_to") or {}),
            "customer_info": CustomerInfo(
                email_address=data["customer"].get("email"),
                full_name=data["customer"].get("name"),
            ),
            "currency_values": OrderCurrencyValues(shipping_amt=data.get("shipping_total", 0)),
            "order_items": [
                OrderItem(
                    channel_item_refnum=str(line["id"]),
                    sku=line["sku"],
                    sku_description=line.get("title"),
                    quantity=line["quantity"],
                    item_type="ship",
                    currency_values=ItemCurrencyValues(unit_price=line["unit_price"]),
                )
                for line in data["lines"]
            ],
            "payment_transactions": [
                PaymentTransaction(
                    payment_processing_type="channel_payment",
                    transaction_type="auth" if payment.get("status") == "authorized" else "charge",
                    payment_type=payment.get("method", "card"),
                    amount=payment.get("amount", 0),
                )
            ]
            if payment
            else None,
        }
    )


def shipment_reference(shipment_id: int | None, package_index: int) -> str:
    """The reference JSON Shop keeps for one RetailOps package: it makes a re-send a no-op."""
    return f"retailops-{shipment_id}-{package_index}"


def shipment_lines(
    package: rq.Package, lines: list[dict[str, Any]]
) -> tuple[list[dict[str, int]], list[rq.PackageItem]]:
    """A package's items as JSON Shop shipment lines, and the items no line matches.

    An item is matched by its channel_item_refnum (JSON Shop's line id) or, when
    RetailOps sent none, by SKU.
    """
    by_id = {str(line["id"]): line for line in lines}
    by_sku = {line["sku"]: line for line in lines}
    matched: list[dict[str, int]] = []
    unmatched: list[rq.PackageItem] = []
    for item in package.package_items:
        line = (
            by_id.get(item.channel_item_refnum)
            if item.channel_item_refnum
            else by_sku.get(item.sku or "")
        )
        if line is None or not item.quantity:
            unmatched.append(item)
        else:
            matched.append({"line_id": line["id"], "quantity": item.quantity})
    return matched, unmatched


def shipment_payload(
    reference: str, package: rq.Package, lines: list[dict[str, int]]
) -> dict[str, Any]:
    return {
        "reference": reference,
        "carrier": package.carrier_name,
        "service": package.carrier_class_name,
        "tracking": package.tracking_number,
        "shipped_at": package.date_shipped,
        "lines": lines,
    }
