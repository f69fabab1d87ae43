"""The conformance checks: each one exercises a rule of the contract on a fresh adapter.

A check runs only when the adapter implements what it needs; the
``unsupported`` checks run exactly for the actions it leaves out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.contract import ACTIONS, UNSUPPORTED_ACTION, Event
from gateway.testing.harness import (
    SEED_ORDERS,
    SEED_PRODUCTS,
    UNKNOWN_ORDER,
    UNKNOWN_SKU,
    AdapterHarness,
    SeedOrder,
)
from gateway.testing.probe import Probe, describe_events, events_of
from gateway.testing.rules import ConformanceFailure

# The calls that name an order RetailOps has imported.
ORDER_ACTIONS = (
    "order_acknowledge",
    "order_update",
    "order_cancel",
    "order_shipment_submit",
    "order_complete",
    "order_settle_payment",
    "order_returned",
)


@dataclass(frozen=True, slots=True)
class Seeded:
    """What a check works on: the probe, and the refnums of SEED_ORDERS in the backend."""

    probe: Probe
    harness: AdapterHarness
    refnums: Sequence[str]

    async def snapshot(self) -> object:
        return await self.harness.snapshot(self.probe.adapter)


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    needs: frozenset[str]
    run: Callable[[Seeded], Awaitable[None]]
    seeded: bool = True
    # For the unsupported-action checks: run only when the action is NOT implemented.
    absent: str | None = None

    def skip_reason(self, capabilities: frozenset[str]) -> str | None:
        if self.absent is not None:
            if self.absent in capabilities:
                return f"the adapter implements {self.absent}"
            return None
        missing = sorted(self.needs - capabilities)
        if missing:
            return f"the adapter does not implement {', '.join(missing)}"
        return None

    def __str__(self) -> str:
        return self.id


# --- requests ----------------------------------------------------------------


def _order_ref(refnum: str) -> dict[str, Any]:
    return {"channel_order_refnum": refnum, "retailops_order_id": 1}


def _shipment(shipment_id: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "retailops_shipment_id": shipment_id,
        "packages": [
            {
                "retailops_package_id": shipment_id,
                "carrier_name": "UPS",
                "carrier_class_name": "Ground",
                "tracking_number": f"1ZCONF{shipment_id}",
                "weight_kg": 0.5,
                "date_shipped": "2026-01-05T10:00:00Z",
                "package_items": items,
            }
        ],
    }


def _payment(order: SeedOrder) -> dict[str, Any]:
    return {
        "currency_code": order.currency_code,
        "payment_series_id": 7001,
        "payment_transactions": [
            {
                "payment_processing_type": "channel_payment",
                "transaction_type": "auth",
                "payment_type": "Visa",
                "amount": order.total,
            }
        ],
    }


def _return(order: SeedOrder) -> dict[str, Any]:
    line = order.lines[0]
    return {
        "retailops_return_id": 8001,
        "product_amt": line.unit_price,
        "subtotal_amt": line.unit_price,
        "refund_amt": line.unit_price,
        "refund_action": "refund",
        "items": [
            {
                "retailops_item_id": 1,
                "sku": line.sku,
                "quantity": 1,
                "reason": "CustomerReturn",
                "product_amt": line.unit_price,
                "subtotal_amt": line.unit_price,
                "credit_amt": line.unit_price,
            }
        ],
    }


def request_naming(action: str, refnum: str, order: SeedOrder = SEED_ORDERS[0]) -> dict[str, Any]:
    """An ordinary request of ``action`` about the order ``refnum``."""
    match action:
        case "order_acknowledge":
            return {"orders": [_order_ref(refnum)]}
        case "order_shipment_submit":
            items = [{"sku": line.sku, "quantity": line.quantity} for line in order.lines]
            return {**_order_ref(refnum), "shipment": _shipment(5001, items)}
        case "order_settle_payment":
            return {"order": _order_ref(refnum), "payment": _payment(order)}
        case "order_returned":
            return {"order": _order_ref(refnum), "return": _return(order)}
        case "order_update":
            items = [
                {"sku": line.sku, "quantity": line.quantity, "unit_price": line.unit_price}
                for line in order.lines
            ]
            return {"order": {**_order_ref(refnum), "order_items": items}}
        case _:
            return {"order": _order_ref(refnum)}


def _any_request(action: str) -> dict[str, Any]:
    """A plain, valid request of any action, for the unsupported-action checks."""
    match action:
        case "catalog_push":
            return {"template_output": {"products": []}}
        case "inventory_push":
            return {"inventory_updates": [{"sku": SEED_PRODUCTS[0].sku, "quantity_available": 1}]}
        case "order_pull":
            return {}
        case _:
            return request_naming(action, UNKNOWN_ORDER)


def _associated(events: Sequence[Event], kind: str, identifier: str) -> list[Event]:
    return [
        e
        for e in events
        if any(
            a.identifier_type == kind and a.identifier == identifier for a in e.associations or []
        )
    ]


def _problems(events: Sequence[Event]) -> list[Event]:
    return [e for e in events if e.event_type in ("error", "warning")]


def _require_reported(rule: str, where: str, answer: Any, kind: str, identifier: str) -> None:
    events = events_of(answer)
    if not _problems(_associated(events, kind, identifier)):
        raise ConformanceFailure(
            rule,
            where,
            f"no error or warning associated with {kind} {identifier} ({describe_events(events)})",
        )


def _require_not_reported(rule: str, where: str, answer: Any, kind: str, identifier: str) -> None:
    events = events_of(answer)
    if _problems(_associated(events, kind, identifier)):
        raise ConformanceFailure(
            rule, where, f"{kind} {identifier} was reported too ({describe_events(events)})"
        )


def _require_fail_status(rule: str, action: str, where: str, answer: Any) -> None:
    if "status" in ACTIONS[action].response.model_fields and answer.status != "fail":
        raise ConformanceFailure(rule, where, f"status is {answer.status!r}, not 'fail'")


# --- the checks -------------------------------------------------------------


async def _catalog_get_config(ctx: Seeded) -> None:
    await ctx.probe.call("catalog_get_config", "catalog_get_config")


async def _feed_problem(ctx: Seeded) -> None:
    good = SEED_PRODUCTS[0]
    feed = {
        "products": [
            {"sku": good.sku, "title": good.title, "price": good.price},
            {"sku": "CONF-BAD-PRICE", "title": "Negative price", "price": -1},
        ]
    }
    where = "catalog_push of one good product and one with a negative price"
    answer = await ctx.probe.call("catalog_push", where, template_output=feed)
    _require_reported("feed-problem-reported", where, answer, "sku_number", "CONF-BAD-PRICE")
    _require_not_reported("feed-problem-reported", where, answer, "sku_number", good.sku)


async def _unknown_sku(ctx: Seeded) -> None:
    known = SEED_PRODUCTS[2].sku
    where = f"inventory_push of the known SKU {known} and the unknown SKU {UNKNOWN_SKU}"
    answer = await ctx.probe.call(
        "inventory_push",
        where,
        inventory_updates=[
            {"sku": known, "quantity_available": 7},
            {"sku": UNKNOWN_SKU, "quantity_available": 3},
        ],
    )
    _require_reported("unknown-sku", where, answer, "sku_number", UNKNOWN_SKU)
    _require_not_reported("unknown-sku", where, answer, "sku_number", known)


def _missing(seeded: Sequence[str], offered: Sequence[str]) -> list[str]:
    offered_set = set(offered)
    return [refnum for refnum in seeded if refnum not in offered_set]


async def _offered_until_acknowledged(ctx: Seeded) -> None:
    for label in ("first pass", "second pass, nothing acknowledged"):
        offered = await ctx.probe.pull_pass(label)
        missing = _missing(ctx.refnums, offered)
        if missing:
            raise ConformanceFailure(
                "pull-offers-unacknowledged",
                f"order_pull, {label}",
                f"unacknowledged orders {missing} were not offered (offered: {offered})",
            )


async def _acknowledged_gone(ctx: Seeded) -> None:
    await ctx.probe.pull_pass("first pass")
    # Orders from the first, second and last page when three go on a page.
    acknowledged = [ctx.refnums[i] for i in (0, 4, len(ctx.refnums) - 1)]
    where = f"order_acknowledge of {acknowledged}"
    answer = await ctx.probe.call(
        "order_acknowledge", where, orders=[_order_ref(r) for r in acknowledged]
    )
    errors = [e for e in events_of(answer) if e.event_type == "error"]
    if errors:
        raise ConformanceFailure(
            "acknowledged-gone", where, f"known orders answered errors: {describe_events(errors)}"
        )
    offered = await ctx.probe.pull_pass("pass after acknowledging three orders")
    again = [r for r in acknowledged if r in offered]
    if again:
        raise ConformanceFailure(
            "acknowledged-gone",
            "order_pull, pass after acknowledging three orders",
            f"acknowledged orders {again} were offered again",
        )
    missing = _missing([r for r in ctx.refnums if r not in acknowledged], offered)
    if missing:
        raise ConformanceFailure(
            "pull-offers-unacknowledged",
            "order_pull, pass after acknowledging three orders",
            f"unacknowledged orders {missing} were not offered (offered: {offered})",
        )


async def _specific_orders(ctx: Seeded) -> None:
    wanted = [ctx.refnums[5], ctx.refnums[1]]
    if "order_acknowledge" in ctx.probe.capabilities:
        await ctx.probe.call(
            "order_acknowledge", f"order_acknowledge of {wanted[1]}", orders=[_order_ref(wanted[1])]
        )
        label = f"specific_orders {wanted} (the second acknowledged)"
    else:
        label = f"specific_orders {wanted}"
    # Sent with the token of the first page: specific_orders overrides paging.
    first = await ctx.probe.pull_page("order_pull, first page (page_token='')")
    token = first.next_page_token
    where = f"order_pull with {label} and page_token={token!r}"
    answer = await ctx.probe.pull_page(
        where, token, specific_orders=[{"channel_refnum": refnum} for refnum in wanted]
    )
    got = [order.channel_order_refnum for order in answer.orders]
    if sorted(got) != sorted(wanted):
        raise ConformanceFailure("specific-orders", where, f"answered orders {got}")


async def _unknown_specific_order(ctx: Seeded) -> None:
    where = f"order_pull with specific_orders [{UNKNOWN_ORDER!r}]"
    answer = await ctx.probe.pull_page(where, specific_orders=[{"channel_refnum": UNKNOWN_ORDER}])
    if answer.orders:
        got = [order.channel_order_refnum for order in answer.orders]
        raise ConformanceFailure("specific-orders", where, f"answered orders {got}")
    _require_unknown_order_event("order_pull", where, answer)


def _require_unknown_order_event(action: str, where: str, answer: Any) -> None:
    _require_reported("unknown-order", where, answer, "order_refnum", UNKNOWN_ORDER)
    _require_fail_status("unknown-order", action, where, answer)


def _unknown_order(action: str) -> Callable[[Seeded], Awaitable[None]]:
    async def run(ctx: Seeded) -> None:
        where = f"{action} naming the unknown order {UNKNOWN_ORDER}"
        answer = await ctx.probe.call(action, where, **request_naming(action, UNKNOWN_ORDER))
        _require_unknown_order_event(action, where, answer)

    return run


async def _order_items(ctx: Seeded, refnum: str, order: SeedOrder) -> list[dict[str, Any]]:
    """Every line of the order, with the channel's own item refnums when order_pull gives them."""
    if "order_pull" not in ctx.probe.capabilities:
        return [{"sku": line.sku, "quantity": line.quantity} for line in order.lines]
    where = f"order_pull with specific_orders [{refnum!r}] (to learn its items)"
    answer = await ctx.probe.pull_page(where, specific_orders=[{"channel_refnum": refnum}])
    return [
        {
            "sku": item.sku,
            "quantity": item.quantity,
            "channel_item_refnum": item.channel_item_refnum,
        }
        for pulled in answer.orders
        for item in pulled.order_items or []
    ]


# What RetailOps has done to an order before it sends each call: a return comes
# after the goods were shipped and the payment captured.
_LIFE_BEFORE: dict[str, tuple[str, ...]] = {
    "order_shipment_submit": (),
    "order_settle_payment": (),
    "order_returned": ("order_shipment_submit", "order_settle_payment"),
}


async def _send_once(ctx: Seeded, rule: str, action: str, refnum: str, where: str) -> None:
    """Send ``action`` about the seeded order ``refnum``; any error event breaks ``rule``."""
    order = SEED_ORDERS[list(ctx.refnums).index(refnum)]
    request = request_naming(action, refnum, order)
    if action in ("order_shipment_submit", "order_returned"):
        items = await _order_items(ctx, refnum, order)
        if action == "order_shipment_submit":
            request["shipment"] = _shipment(5001, items)
        else:
            request["return"]["items"][0].update(items[0], quantity=1)
    answer = await ctx.probe.call(action, where, **request)
    errors = [e for e in events_of(answer) if e.event_type == "error"]
    if errors:
        raise ConformanceFailure(rule, where, f"answered errors: {describe_events(errors)}")


def _sent_twice(rule: str, action: str) -> Callable[[Seeded], Awaitable[None]]:
    async def run(ctx: Seeded) -> None:
        refnum = ctx.refnums[2]
        for earlier in _LIFE_BEFORE[action]:
            if earlier in ctx.probe.capabilities:
                where = f"{earlier} for order {refnum}, before {action}"
                await _send_once(ctx, rule, earlier, refnum, where)
        before = await ctx.snapshot()
        first = f"{action} for order {refnum}, first time"
        await _send_once(ctx, rule, action, refnum, first)
        after_first = await ctx.snapshot()
        if after_first == before:
            raise ConformanceFailure(
                rule,
                first,
                "the harness's snapshot() shows no change, so the re-send cannot be judged "
                "(does snapshot() include what this call records?)",
            )
        again = f"{action} for order {refnum}, sent again unchanged"
        await _send_once(ctx, rule, action, refnum, again)
        if await ctx.snapshot() != after_first:
            raise ConformanceFailure(rule, again, "the backend changed")

    return run


def _unsupported(action: str) -> Callable[[Seeded], Awaitable[None]]:
    async def run(ctx: Seeded) -> None:
        where = f"{action}, which capabilities() leaves out"
        answer = await ctx.probe.call(action, where, **_any_request(action))
        codes = [e.code for e in events_of(answer) if e.event_type == "error"]
        if UNSUPPORTED_ACTION not in codes:
            raise ConformanceFailure(
                "unsupported-action", where, f"answered {describe_events(events_of(answer))}"
            )
        _require_fail_status("unsupported-action", action, where, answer)

    return run


def _needs(*actions: str) -> frozenset[str]:
    return frozenset(actions)


CHECKS: tuple[Check, ...] = (
    Check("catalog_get_config", _needs("catalog_get_config"), _catalog_get_config, seeded=False),
    Check("feed-problem-reported", _needs("catalog_push"), _feed_problem, seeded=False),
    Check("unknown-sku", _needs("inventory_push"), _unknown_sku),
    Check("pull-offers-unacknowledged", _needs("order_pull"), _offered_until_acknowledged),
    Check("acknowledged-gone", _needs("order_pull", "order_acknowledge"), _acknowledged_gone),
    Check("specific-orders", _needs("order_pull"), _specific_orders),
    Check("unknown-order[order_pull]", _needs("order_pull"), _unknown_specific_order, seeded=False),
    *(
        Check(f"unknown-order[{action}]", _needs(action), _unknown_order(action), seeded=False)
        for action in ORDER_ACTIONS
    ),
    Check(
        "shipment-once",
        _needs("order_shipment_submit"),
        _sent_twice("shipment-once", "order_shipment_submit"),
    ),
    Check(
        "capture-once",
        _needs("order_settle_payment"),
        _sent_twice("capture-once", "order_settle_payment"),
    ),
    Check("return-once", _needs("order_returned"), _sent_twice("return-once", "order_returned")),
    *(
        Check(
            f"unsupported-action[{action}]",
            frozenset(),
            _unsupported(action),
            seeded=False,
            absent=action,
        )
        for action in ACTIONS
        if action != "catalog_get_config"
    ),
)
