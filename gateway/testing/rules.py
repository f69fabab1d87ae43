"""The contract rules every channel must meet, and the failure that names the broken one."""

from __future__ import annotations

RULES: dict[str, str] = {
    "valid-answer": "every answer is the action's response model and validates against it",
    "capability-honest": "an action listed in capabilities() does not answer UNSUPPORTED_ACTION",
    "unsupported-action": (
        "an action not listed in capabilities() answers an error event UNSUPPORTED_ACTION "
        "(and status fail where the answer has a status)"
    ),
    "page-size": "an order_pull page carries at most 100 orders",
    "page-token-length": "next_page_token is at most 35 characters",
    "pull-ends": "following next_page_token from a blank token reaches an empty token",
    "pull-no-repeat": "no order is offered twice in one pass over the pages",
    "pull-offers-unacknowledged": (
        "every order not yet acknowledged is offered in a pass, and offered again in the next"
    ),
    "acknowledged-gone": "an acknowledged order is not offered by later passes",
    "specific-orders": (
        "specific_orders returns exactly the orders asked for, acknowledged or not, "
        "whatever the paging"
    ),
    "feed-problem-reported": (
        "a catalog_push product that cannot be read is reported as an event associated "
        "with its sku_number, and the readable products beside it are not"
    ),
    "unknown-sku": (
        "an unknown SKU is reported as an error or warning event associated with its "
        "sku_number, and known SKUs beside it are not"
    ),
    "unknown-order": (
        "an unknown order is reported as an error or warning event associated with its "
        "order_refnum (and status fail where the answer has a status)"
    ),
    "shipment-once": (
        "a re-sent shipment (same retailops_shipment_id) changes nothing and is not an error"
    ),
    "capture-once": "a re-sent payment capture changes nothing and is not an error",
    "return-once": (
        "a re-sent return (same retailops_return_id) changes nothing and is not an error"
    ),
}


class ConformanceFailure(AssertionError):
    """A broken rule: ``[rule] where: what was seen``, then the rule itself."""

    def __init__(self, rule: str, where: str, detail: str) -> None:
        self.rule = rule
        self.where = where
        self.detail = detail
        super().__init__(f"[{rule}] {where}: {detail}\n  rule: {RULES[rule]}")
