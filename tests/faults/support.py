"""What the fault suites share: faults injected at random into a fake backend, a plan of
mixed RetailOps calls, and RetailOps' side of the run (send, re-send, keep the ledger).

A suite seeds its fake with products and orders, builds a :class:`Plan` (at least 500
calls: stock pushes, acknowledgements, shipments, captures, refunds, some of them sent
twice as RetailOps does when an answer is lost), and plays it through the gateway with
:func:`play` while :func:`inject_at_random` makes the fake fail a fifth of its requests.
The :class:`Ledger` then says what the fake's final state must be: every call that was
answered without an error is applied exactly once.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.conftest import Answer

FAULT_RATE = 0.2
# How often the suite sends a call again after a 503 or an error event, as RetailOps
# would on its next run; beyond that the call counts as failed and the suite fails.
MAX_SENDS = 6
CALLS = 520
# Tiny timeouts and backoffs, so that thousands of faults cost seconds.
REQUEST_TIMEOUT = 0.2
FAST_RETRY = {
    "attempts": 4,
    "initial_backoff": 0.005,
    "max_backoff": 0.02,
    "total_timeout": 5.0,
    "retry_after_on_give_up": 2.0,
}
# Write-backs still refused after MAX_SENDS sends are allowed (RetailOps shows them to
# the merchant), but only as rare exceptions.
MAX_REPORTED_SHARE = 0.03

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def inject_at_random(
    app: web.Application,
    inject: Callable[[str], None],
    kinds: Sequence[str],
    rng: random.Random,
    *,
    rate: float = FAULT_RATE,
    counts: Counter[str] | None = None,
) -> Counter[str]:
    """Make a share ``rate`` of the fake's requests fail, with a kind drawn from ``kinds``.

    A middleware put first on the fake's (not yet started) ``app`` calls ``inject(kind)``,
    the fake's own fault injection for its next request, just before the request goes
    on. Returns the counter of faults injected (by kind) and of requests (``"requests"``).
    """
    injected = Counter[str]() if counts is None else counts

    @web.middleware
    async def fail_some(request: web.Request, handler: Handler) -> web.StreamResponse:
        injected["requests"] += 1
        if rng.random() < rate:
            kind = rng.choice(kinds)
            injected[kind] += 1
            inject(kind)
        return await handler(request)

    app.middlewares.insert(0, fail_some)
    return injected


# --- the calls RetailOps makes --------------------------------------------------


KINDS = ("inventory", "acknowledge", "shipment", "capture", "refund")


@dataclass(frozen=True)
class Call:
    """One RetailOps call; ``key`` names what it changes, for the ledger."""

    kind: str  # inventory, acknowledge, shipment, capture, refund
    action: str
    fields: dict[str, Any]
    key: tuple[Any, ...]
    resent: bool = False


@dataclass
class Plan:
    """The calls of one run, built from the fake's SKUs and orders (refnums)."""

    calls: list[Call] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        rng: random.Random,
        skus: Sequence[str],
        orders: Sequence[str],
        *,
        lines: Callable[[str], Sequence[str]],
        capture_orders: Sequence[str] | None = None,
        refund_orders: Sequence[str] | None = None,
        count: int = CALLS,
    ) -> Plan:
        """``count`` calls mixed at random; ``lines(refnum)`` gives an order's line refnums.

        Captures go to ``capture_orders`` and refunds to ``refund_orders`` when given (a
        backend may capture only authorised orders and refund only paid ones), else to
        any order.

        Each order is shipped at most twice (one unit of a line a shipment), captured at
        most once and refunded at most twice (5.00 a return); about one call in ten sends
        an earlier write-back again, as RetailOps does when it did not see the answer.
        """
        plan = cls()
        shipments: Counter[str] = Counter()
        returns: Counter[str] = Counter()
        captured: set[str] = set()
        next_id = iter(range(7001, 1_000_000))
        writebacks: list[Call] = []
        while len(plan.calls) < count:
            roll = rng.random()
            call: Call | None = None
            if roll < 0.3:
                updates = [
                    {"sku": sku, "quantity_available": rng.randrange(0, 500)}
                    for sku in rng.sample(list(skus), rng.randint(1, 4))
                ]
                call = Call(
                    "inventory",
                    "inventory_push",
                    {"inventory_updates": updates},
                    tuple(u["sku"] for u in updates),
                )
            elif roll < 0.45:
                chosen = rng.sample(list(orders), rng.randint(1, 3))
                call = Call(
                    "acknowledge",
                    "order_acknowledge",
                    {
                        "orders": [
                            {"channel_order_refnum": r, "retailops_order_id": 900} for r in chosen
                        ]
                    },
                    tuple(chosen),
                )
            elif roll < 0.9:
                kind = rng.choice(("shipment", "capture", "refund"))
                candidates = {"capture": capture_orders, "refund": refund_orders}.get(kind)
                order = rng.choice(list(candidates or orders))
                if kind == "shipment" and shipments[order] < 2:
                    shipments[order] += 1
                    shipment_id = next(next_id)
                    line = lines(order)[0]
                    shipment = {
                        "retailops_shipment_id": shipment_id,
                        "packages": [
                            {
                                "retailops_package_id": shipment_id,
                                "carrier_name": "UPS",
                                "tracking_number": f"1ZTRACK{shipment_id}",
                                "package_items": [{"channel_item_refnum": line, "quantity": 1}],
                            }
                        ],
                    }
                    call = Call(
                        "shipment",
                        "order_shipment_submit",
                        {"channel_order_refnum": order, "shipment": shipment},
                        (order, shipment_id),
                    )
                elif kind == "capture" and order not in captured:
                    captured.add(order)
                    call = Call(
                        "capture",
                        "order_settle_payment",
                        {"order": {"channel_order_refnum": order}},
                        (order,),
                    )
                elif kind == "refund" and returns[order] < 2:
                    returns[order] += 1
                    return_id = next(next_id)
                    line = lines(order)[-1]
                    ret = {
                        "retailops_return_id": return_id,
                        "refund_amt": 5.0,
                        "items": [{"channel_item_refnum": line, "quantity": 1}],
                    }
                    call = Call(
                        "refund",
                        "order_returned",
                        {"order": {"channel_order_refnum": order}, "return": ret},
                        (order, return_id),
                    )
                if call is not None:
                    writebacks.append(call)
            elif writebacks:
                earlier = rng.choice(writebacks)
                call = Call(earlier.kind, earlier.action, earlier.fields, earlier.key, True)
            if call is not None:
                plan.calls.append(call)
        return plan

    def kinds(self) -> Counter[str]:
        return Counter(call.kind for call in self.calls)


# --- RetailOps' side -------------------------------------------------------------

Send = Callable[[str, dict[str, Any]], Awaitable[Answer]]


@dataclass
class Ledger:
    """What RetailOps was told: the calls answered without error (``applied``), and those
    still answered with a 503 or an error after MAX_SENDS sends (``reported``)."""

    applied: list[Call] = field(default_factory=list)
    reported: list[tuple[Call, str]] = field(default_factory=list)
    sends: Counter[str] = field(default_factory=Counter)

    def stock(self) -> dict[str, int]:
        """The last quantity RetailOps set for each SKU."""
        levels: dict[str, int] = {}
        for call in self.applied:
            if call.kind == "inventory":
                for update in call.fields["inventory_updates"]:
                    levels[update["sku"]] = update["quantity_available"]
        return levels

    def keys(self, kind: str) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
        """The changes of ``kind`` that must be in the backend exactly once (applied), and
        those that may be there at most once (reported, never applied)."""
        must = {key for call in self.applied if call.kind == kind for key in _changes(call)}
        may = {key for call, _ in self.reported if call.kind == kind for key in _changes(call)}
        return must, may - must


def _changes(call: Call) -> list[tuple[Any, ...]]:
    # An acknowledgement changes each of its orders; the other write-backs one thing.
    return [(refnum,) for refnum in call.key] if call.kind == "acknowledge" else [call.key]


def check_run(plan: Plan, ledger: Ledger, faults: Counter[str], kinds: Sequence[str]) -> None:
    """The run was what the suite claims: 500+ mixed calls, about a fifth of the backend's
    requests faulted with each kind of fault, and few calls left reported."""
    assert len(plan.calls) >= 500
    assert min(plan.kinds()[kind] for kind in KINDS) >= 30, plan.kinds()
    faulted = sum(faults[kind] for kind in kinds)
    assert 0.15 <= faulted / faults["requests"] <= 0.25, faults
    assert min(faults[kind] for kind in kinds) >= 5, faults
    assert len(ledger.reported) <= MAX_REPORTED_SHARE * len(plan.calls), ledger.reported


def check_once(kind: str, found: Counter[tuple[Any, ...]], ledger: Ledger) -> None:
    """``found`` counts the changes of ``kind`` the backend holds: each applied change once,
    each reported one at most once, nothing else."""
    must, may = ledger.keys(kind)
    missing = sorted(key for key in must if found[key] != 1)
    twice = sorted(key for key in may if found[key] > 1)
    unknown = sorted(key for key in found if key not in must | may)
    assert not (missing or twice or unknown), (
        f"{kind}: not exactly once {[(k, found[k]) for k in missing]}, "
        f"reported but applied more than once {twice}, never sent or refused {unknown}"
    )


def problem(answer: Answer) -> str | None:
    """Why RetailOps would send the call again: a status other than 200, or an error or
    warning event (info events, such as "already recorded", are success)."""
    if answer.status != 200:
        return f"HTTP {answer.status}"
    bad = [
        f"{event['event_type']} {event['code']}: {event['message']}"
        for event in answer.json().get("events") or []
        if event["event_type"] in ("error", "warning")
    ]
    return "; ".join(bad) or None


async def play(plan: Plan, send: Send) -> Ledger:
    """Send every call of ``plan``; each one that fails is sent again, up to MAX_SENDS.

    Stock pushes must end applied: a SKU's level is set again by the next push anyway,
    so a push RetailOps cannot get through is a failure of the run.
    """
    ledger = Ledger()
    for call in plan.calls:
        reason: str | None = None
        for _ in range(MAX_SENDS):
            ledger.sends[call.kind] += 1
            answer = await send(call.action, call.fields)
            assert answer.status in (200, 503), (call, answer.status, answer.body[:300])
            if answer.status == 503:
                assert "Retry-After" in answer.headers
            reason = problem(answer)
            if reason is None:
                ledger.applied.append(call)
                break
        else:
            assert call.kind != "inventory", f"stock push failed {MAX_SENDS} times: {reason}"
            ledger.reported.append((call, reason or ""))
    return ledger
