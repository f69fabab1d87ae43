"""A valid sample request for each of the 11 calls, as RetailOps' verifier sends them.

Modelled on the official examples, but naming orders, SKUs and ids that a real
shop does not have (``VERIFY-...``), so a verification run against a live
channel changes nothing there: the channel answers with events saying so.
"""

from __future__ import annotations

from typing import Any

SAMPLE_CLIENT_ID = 497
SAMPLE_ORDER = "VERIFY-ORDER-1"
SAMPLE_SKU = "VERIFY-SKU-1"

_PACKAGE: dict[str, Any] = {
    "retailops_package_id": 9001,
    "carrier_name": "UPS",
    "carrier_class_name": "Ground",
    "channel_ship_code": "ups_ground",
    "tracking_number": "1Z999AA10123456784",
    "weight_kg": 1.2,
    "date_shipped": "2024-04-08T21:13:11Z",
    "package_items": [
        {
            "sku": SAMPLE_SKU,
            "retailops_order_item_id": 7001,
            "retailops_shipment_item_id": 8001,
            "channel_item_refnum": "VERIFY-ITEM-1",
            "quantity": 1,
        }
    ],
}
_SHIPMENT: dict[str, Any] = {"retailops_shipment_id": 6001, "packages": [_PACKAGE]}
_ORDER: dict[str, Any] = {
    "channel_order_refnum": SAMPLE_ORDER,
    "retailops_order_id": 5001,
    "grand_total": 42.5,
    "unshipped_items": [
        {
            "channel_item_refnum": "VERIFY-ITEM-1",
            "sku": SAMPLE_SKU,
            "ordered_quantity": 2,
            "unshipped_quantity": 1,
            "effective_unit_price": 19.0,
            "effective_extended_price": 38.0,
        }
    ],
    "shipments": [_SHIPMENT],
}
_RETURN: dict[str, Any] = {
    "retailops_return_id": 4001,
    "retailops_rma_id": "VERIFY-RMA-1",
    "product_amt": 19.0,
    "subtotal_amt": 19.0,
    "discount_amt": 0,
    "shipping_amt": 0,
    "tax_amt": 0,
    "refund_amt": 19.0,
    "refund_action": "refund",
    "items": [
        {
            "retailops_item_id": 3001,
            "channel_item_refnum": "VERIFY-ITEM-1",
            "sku": SAMPLE_SKU,
            "quantity": 1,
            "reason": "CustomerReturn",
            "product_amt": 19.0,
            "subtotal_amt": 19.0,
            "credit_amt": 19.0,
        }
    ],
}

# The part of each call after the common header.
_CALL_BODIES: dict[str, dict[str, Any]] = {
    "catalog_get_config": {},
    "catalog_push": {"template_output": {}},
    "inventory_push": {
        "inventory_updates": [
            {
                "sku": SAMPLE_SKU,
                "quantity_available": 24,
                "quantity_detail": [
                    {"quantity_type": "internal", "available_quantity": 24, "total_quantity": 30}
                ],
            }
        ]
    },
    "order_pull": {"page_token": "", "specific_orders": []},
    "order_acknowledge": {
        "orders": [{"channel_order_refnum": SAMPLE_ORDER, "retailops_order_id": 5001}]
    },
    "order_update": {
        "order": {
            **_ORDER,
            "order_items": [
                {
                    "channel_item_refnum": "VERIFY-ITEM-1",
                    "order_item_id": 7001,
                    "sku": SAMPLE_SKU,
                    "quantity": 1,
                    "unit_price": 19.0,
                    "removed": False,
                }
            ],
        },
        "rmas": [_RETURN],
    },
    "order_cancel": {"order": {"channel_order_refnum": SAMPLE_ORDER, "retailops_order_id": 5001}},
    "order_shipment_submit": {
        "channel_order_refnum": SAMPLE_ORDER,
        "retailops_order_id": 5001,
        "shipment": _SHIPMENT,
    },
    "order_complete": {"order": _ORDER},
    "order_settle_payment": {
        "order": _ORDER,
        "payment": {
            "currency_code": "USD",
            "payment_series_id": 2001,
            "payment_transactions": [
                {
                    "payment_processing_type": "channel_payment",
                    "transaction_type": "auth",
                    "payment_type": "Visa",
                    "amount": 42.5,
                }
            ],
        },
    },
    "order_returned": {"order": _ORDER, "return": _RETURN},
}


def sample_request(action: str, *, auth_key: str, channel_id: int) -> dict[str, Any]:
    """The sample body of ``action`` carrying ``auth_key`` for channel ``channel_id``."""
    return {
        "integration_auth_token": auth_key,
        "action": action,
        "version": 1,
        "client_id": SAMPLE_CLIENT_ID,
        "channel_info": {"id": channel_id},
        **_CALL_BODIES[action],
    }
