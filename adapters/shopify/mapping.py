"""Pure translations between RetailOps' models and Shopify's GraphQL inputs and answers.

No I/O here: every function takes plain data and returns plain data, so each
rule of the mapping (docs/shopify.md has the table) is tested on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from adapters.shopify.settings import ShopifySettings
from gateway.contract import (
    TAGS_MAX,
    Address,
    CustomerInfo,
    InventoryUpdate,
    ItemCurrencyValues,
    Order,
    OrderCurrencyValues,
    OrderItem,
    PackageItem,
    PaymentTransaction,
    Return,
    WritebackOrderItem,
)
from gateway.feed import FeedProduct

JSON = dict[str, Any]

# --- ids -----------------------------------------------------------------------


def gid(kind: str, number: str | int) -> str:
    """Shopify's global id, e.g. gid("Order", 42) == "gid://shopify/Order/42"."""
    return f"gid://shopify/{kind}/{number}"


def numeric_id(global_id: str) -> str:
    """The number at the end of a global id (query strings such as ``?x=`` dropped)."""
    return global_id.rsplit("/", 1)[-1].split("?", 1)[0]


def order_gid(refnum: str | None) -> str | None:
    """The order's global id from the refnum order_pull gave it, or None if it is not one."""
    if refnum is None or not refnum.strip().isdigit():
        return None
    return gid("Order", refnum.strip())


# --- search queries ------------------------------------------------------------


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def sku_search(skus: Iterable[str]) -> str:
    """A productVariants search for any of these SKUs."""
    return " OR ".join(f"sku:{_quoted(sku)}" for sku in skus)


def orders_to_pull_search(settings: ShopifySettings, after_id: int) -> str:
    """Open, paid or authorised orders not tagged as acknowledged, after a position."""
    statuses = " OR ".join(f"financial_status:{s}" for s in settings.pull_financial_statuses)
    terms = [
        "status:open",
        f"-tag:{_quoted(settings.acknowledged_tag)}",
        f"({statuses})",
        f"id:>{after_id}",
    ]
    if settings.pull_created_after:
        terms.append(f"created_at:>={settings.pull_created_after}")
    return " AND ".join(terms)


def specific_orders_search(refnums: Sequence[str]) -> str:
    """A search for the orders RetailOps names, whatever their state."""
    return " OR ".join(f"id:{refnum.strip()}" for refnum in refnums)


# --- order_pull position token -------------------------------------------------

_TOKEN_PREFIX = "after:"


def encode_page_token(last_order_id: int) -> str:
    """A position, not a Shopify cursor: the last order id offered (at most 26 characters)."""
    return f"{_TOKEN_PREFIX}{last_order_id}"


def decode_page_token(token: str) -> int:
    """The position in a token; 0 for a blank token; ValueError for anything else."""
    if not token:
        return 0
    number = token.removeprefix(_TOKEN_PREFIX)
    if number == token or not number.isdigit():
        raise ValueError("not a page token this channel issued")
    return int(number)


# --- catalog -------------------------------------------------------------------


_CENT = Decimal("0.01")


def _money(value: float | None) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(_CENT))


def product_handle(product: FeedProduct) -> str:
    """A URL handle from the product's SKU, used to find the product again on the next push."""
    cleaned = "".join(c if c.isalnum() else "-" for c in product.sku.lower())
    return "-".join(part for part in cleaned.split("-") if part) or "product"


def product_set_variables(
    product: FeedProduct, existing: Mapping[str, tuple[str, str]], location_id: str
) -> JSON:
    """productSet variables for one feed product.

    ``existing`` maps a SKU already in the shop to (variant id, product id): the
    product is then updated in place and its variants kept (with their stock),
    otherwise it is created under a handle derived from its SKU. A new variant
    is tracked and stocked (at 0) at the location, so inventory_push can set it.
    """
    variants = product.sellable_variants()
    option_names = sorted({name for v in product.variants for name in v.options}) or ["Title"]
    variant_inputs: list[JSON] = []
    for position, variant in enumerate(variants, start=1):
        if product.variants:
            option_values = [
                {"optionName": name, "name": variant.options.get(name, "Default")}
                for name in option_names
            ]
        else:
            option_values = [{"optionName": "Title", "name": "Default Title"}]
        item: JSON = {
            "sku": variant.sku,
            "optionValues": option_values,
            "position": position,
            "price": _money(variant.price if variant.price is not None else product.price),
            "compareAtPrice": _money(variant.compare_at_price),
            "barcode": variant.barcode,
        }
        if variant.sku in existing:
            item["id"] = existing[variant.sku][0]
        else:
            item["inventoryItem"] = {"tracked": True}
            item["inventoryQuantities"] = [
                {"locationId": location_id, "name": "available", "quantity": 0}
            ]
        variant_inputs.append({k: v for k, v in item.items() if v is not None})
    product_options = [
        {
            "name": name,
            "position": index,
            "values": [
                {"name": value}
                for value in dict.fromkeys(
                    opt["name"]
                    for v in variant_inputs
                    for opt in v["optionValues"]
                    if opt["optionName"] == name
                )
            ],
        }
        for index, name in enumerate(option_names, start=1)
    ]
    product_input: JSON = {
        "title": product.title,
        "descriptionHtml": product.description,
        "vendor": product.vendor,
        "productType": product.product_type,
        "status": product.status.upper(),
        "tags": list(product.tags),
        "productOptions": product_options,
        "variants": variant_inputs,
    }
    product_ids = {existing[v.sku][1] for v in variants if v.sku in existing}
    identifier = (
        {"id": next(iter(product_ids))}
        if len(product_ids) == 1
        else {"handle": product_handle(product)}
    )
    return {
        "identifier": identifier,
        "input": {k: v for k, v in product_input.items() if v is not None},
    }


# --- stock ---------------------------------------------------------------------


def inventory_set_variables(
    updates: Sequence[InventoryUpdate], item_ids: Mapping[str, str], location_id: str
) -> JSON:
    """inventorySetQuantities variables: absolute ``available`` quantities, no compare check."""
    quantities = [
        {
            "inventoryItemId": item_ids[update.sku],
            "locationId": location_id,
            "quantity": update.quantity_available,
            "changeFromQuantity": None,
        }
        for update in updates
    ]
    return {
        "input": {
            "name": "available",
            "reason": "correction",
            "referenceDocumentUri": "gid://retailops-gateway/InventoryPush/stock",
            "quantities": quantities,
        },
        "key": idempotency_key("inventory", location_id, quantities),
    }


def idempotency_key(kind: str, *parts: Any) -> str:
    """A stable key for Shopify's @idempotent directive, derived from what is sent."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return f"retailops-{kind}-{digest}"


# --- order_pull ----------------------------------------------------------------


def _amount(bag: Mapping[str, Any] | None) -> float | None:
    if not bag:
        return None
    return float(bag["shopMoney"]["amount"])


def address_from_shopify(address: Mapping[str, Any] | None) -> Address:
    if not address:
        return Address()
    return Address(
        first_name=address.get("firstName"),
        last_name=address.get("lastName"),
        company=address.get("company"),
        address1=address.get("address1"),
        address2=address.get("address2"),
        city=address.get("city"),
        state_match=address.get("provinceCode") or address.get("province"),
        postal_code=address.get("zip"),
        country_match=address.get("countryCodeV2"),
        phone_number=address.get("phone"),
    )


_TRANSACTION_TYPES = {"AUTHORIZATION": "auth", "SALE": "charge", "CAPTURE": "capture"}


def payment_transactions_from_shopify(
    transactions: Sequence[Mapping[str, Any]],
) -> list[PaymentTransaction]:
    """Successful authorisations, sales and captures; gift cards as RetailOps gift certificates."""
    mapped: list[PaymentTransaction] = []
    for transaction in transactions:
        kind = _TRANSACTION_TYPES.get(transaction.get("kind", ""))
        if kind is None or transaction.get("status") != "SUCCESS":
            continue
        gateway = transaction.get("gateway") or "unknown"
        gift_card = gateway == "gift_card"
        mapped.append(
            PaymentTransaction(
                payment_processing_type="channel_giftcert" if gift_card else "channel_payment",
                transaction_type="giftcard" if gift_card else kind,
                payment_type=gateway,
                amount=_amount(transaction["amountSet"]) or 0.0,
            )
        )
    return mapped


def order_item_from_shopify(line: Mapping[str, Any]) -> OrderItem:
    return OrderItem(
        channel_item_refnum=numeric_id(line["id"]),
        sku=line.get("sku"),
        sku_description=line.get("name"),
        quantity=line["currentQuantity"],
        item_type="ship",
        currency_values=ItemCurrencyValues(
            unit_price=_amount(line.get("originalUnitPriceSet")),
            discount_amt=_amount(line.get("totalDiscountSet")),
        ),
    )


NO_SHIPPING_LINE = "no_shipping_line"


def order_from_shopify(
    node: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], *, acknowledged_tag: str
) -> Order:
    """The RetailOps order for a Shopify order and all its line items.

    Raises pydantic's ValidationError when Shopify holds something the contract
    cannot carry (a currency outside its list, for one).
    """
    shipping_line = node.get("shippingLine") or {}
    billing = node.get("billingAddress") or node.get("shippingAddress")
    shipping = node.get("shippingAddress") or node.get("billingAddress")
    names = [a.get("name") for a in (billing, shipping) if a and a.get("name")]
    return Order(
        channel_order_refnum=str(node["legacyResourceId"]),
        ship_service_code=shipping_line.get("code")
        or shipping_line.get("title")
        or NO_SHIPPING_LINE,
        currency_code=node["currencyCode"],
        billing_address=address_from_shopify(billing),
        shipping_address=address_from_shopify(shipping),
        channel_date_created=node["createdAt"],
        currency_values=OrderCurrencyValues(
            shipping_amt=_amount(node.get("totalShippingPriceSet")),
            tax_amt=_amount(node.get("totalTaxSet")),
            discount_amt=_amount(node.get("totalDiscountsSet")),
        ),
        order_items=[order_item_from_shopify(line) for line in lines if line["currentQuantity"]],
        payment_transactions=payment_transactions_from_shopify(node.get("transactions") or []),
        customer_info=CustomerInfo(
            email_address=node.get("email"),
            full_name=names[0] if names else None,
            phone_number=node.get("phone") or (billing or {}).get("phone"),
        ),
        tags=[tag for tag in node.get("tags") or [] if tag != acknowledged_tag][:TAGS_MAX],
        ip_address=node.get("clientIp"),
    )


# --- write-backs ---------------------------------------------------------------


def find_line(
    lines: Sequence[Mapping[str, Any]], refnum: str | None, sku: str | None
) -> Mapping[str, Any] | None:
    """The order line RetailOps means: by the refnum order_pull gave it, else by SKU."""
    if refnum:
        for line in lines:
            if numeric_id(line["id"]) == refnum.strip():
                return line
    if sku:
        for line in lines:
            if line.get("sku") == sku:
                return line
    return None


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A RetailOps item that has no counterpart in the Shopify order."""

    refnum: str | None
    sku: str | None
    reason: str


def quantity_changes(
    items: Sequence[WritebackOrderItem], lines: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, int], list[Unmatched]]:
    """New quantity per line item number for the items whose quantity differs."""
    changes: dict[str, int] = {}
    unmatched: list[Unmatched] = []
    for item in items:
        line = find_line(lines, item.channel_item_refnum, item.sku)
        if line is None:
            unmatched.append(Unmatched(item.channel_item_refnum, item.sku, "not in the order"))
            continue
        target = 0 if item.removed else item.quantity
        if target is None:
            continue
        if target != line["currentQuantity"]:
            changes[numeric_id(line["id"])] = target
    return changes, unmatched


@dataclass(slots=True)
class FulfillmentPlan:
    """Fulfillment order line items to fulfil, grouped by fulfillment order."""

    by_fulfillment_order: dict[str, list[JSON]] = field(default_factory=dict)
    unmatched: list[Unmatched] = field(default_factory=list)

    def as_input(self) -> list[JSON]:
        return [
            {"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": items}
            for fo_id, items in self.by_fulfillment_order.items()
        ]


_FULFILLABLE = {"OPEN", "IN_PROGRESS"}


def plan_fulfillment(
    items: Sequence[PackageItem],
    fulfillment_orders: Sequence[Mapping[str, Any]],
    remaining: dict[str, int],
) -> FulfillmentPlan:
    """Spread a package's items over the order's open fulfillment order lines.

    ``remaining`` (fulfillment order line id -> quantity still to fulfil) is
    updated, so that several packages of one shipment do not claim the same units.
    """
    plan = FulfillmentPlan()
    candidates = [
        (fo["id"], line)
        for fo in fulfillment_orders
        if fo["status"] in _FULFILLABLE
        for line in fo["lineItems"]["nodes"]
    ]
    for item in items:
        need = item.quantity or 0
        if need <= 0:
            plan.unmatched.append(Unmatched(item.channel_item_refnum, item.sku, "no quantity"))
            continue
        refnum = (item.channel_item_refnum or "").strip()
        matching = [
            (fo_id, line)
            for fo_id, line in candidates
            if (refnum and numeric_id(line["lineItem"]["id"]) == refnum)
            or (not refnum and item.sku and line.get("sku") == item.sku)
        ]
        for fo_id, line in matching:
            take = min(need, remaining.get(line["id"], 0))
            if take <= 0:
                continue
            remaining[line["id"]] -= take
            need -= take
            plan.by_fulfillment_order.setdefault(fo_id, []).append(
                {"id": line["id"], "quantity": take}
            )
            if need == 0:
                break
        if need:
            reason = "not in the order" if not matching else f"{need} more than left to ship"
            plan.unmatched.append(Unmatched(item.channel_item_refnum, item.sku, reason))
    return plan


def refund_variables(
    order_id: str,
    refund: Return,
    lines: Sequence[Mapping[str, Any]],
    transactions: Sequence[Mapping[str, Any]],
    *,
    location_id: str,
    restock: bool,
    notify: bool,
) -> tuple[JSON, list[Unmatched]]:
    """refundCreate variables for a RetailOps return, keyed by its retailops_return_id."""
    refund_lines: list[JSON] = []
    unmatched: list[Unmatched] = []
    for item in refund.items:
        line = find_line(lines, item.channel_item_refnum, item.sku)
        reason = None
        if line is None:
            reason = "not in the order"
        elif not item.quantity or item.quantity < 0:
            reason = "no quantity"
        elif item.quantity > line["currentQuantity"]:
            reason = f"{item.quantity} returned but the line holds {line['currentQuantity']}"
        if reason is not None or line is None:
            unmatched.append(Unmatched(item.channel_item_refnum, item.sku, reason or ""))
            continue
        entry: JSON = {"lineItemId": line["id"], "quantity": item.quantity}
        if restock:
            entry.update(restockType="RETURN", locationId=location_id)
        else:
            entry["restockType"] = "NO_RESTOCK"
        refund_lines.append(entry)
    money: list[JSON] = []
    left = Decimal(str(refund.refund_amt or 0))
    for transaction in transactions:
        if left <= 0:
            break
        if transaction["kind"] not in ("SALE", "CAPTURE") or transaction["status"] != "SUCCESS":
            continue
        take = min(left, Decimal(transaction["amountSet"]["shopMoney"]["amount"]))
        money.append(
            {
                "orderId": order_id,
                "parentId": transaction["id"],
                "gateway": transaction.get("gateway") or "manual",
                "kind": "REFUND",
                "amount": str(take.quantize(_CENT)),
            }
        )
        left -= take
    refund_input: JSON = {
        "orderId": order_id,
        "note": f"RetailOps return {refund.retailops_return_id}",
        "notify": notify,
        "refundLineItems": refund_lines,
        "transactions": money,
    }
    if refund.shipping_amt:
        refund_input["shipping"] = {"amount": _money(refund.shipping_amt)}
    return {"input": refund_input, "key": f"retailops-return-{refund.retailops_return_id}"}, (
        unmatched
    )


def authorisations_to_capture(transactions: Sequence[Mapping[str, Any]]) -> list[JSON]:
    """Successful authorisations that no successful capture has settled yet."""
    captured = {
        (t.get("parentTransaction") or {}).get("id")
        for t in transactions
        if t["kind"] == "CAPTURE" and t["status"] == "SUCCESS"
    }
    return [
        dict(t)
        for t in transactions
        if t["kind"] == "AUTHORIZATION" and t["status"] == "SUCCESS" and t["id"] not in captured
    ]


def user_error_text(errors: Sequence[Mapping[str, Any]]) -> str:
    """Shopify's userErrors as one line: ``field.path: message; ...``."""
    return "; ".join(
        f"{'.'.join(e.get('field') or []) or 'input'}: {e.get('message', '')}" for e in errors
    )
