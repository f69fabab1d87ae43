"""The Shopify adapter against an Admin API failing a fifth of its requests.

520 mixed calls through the gateway while the fake Shopify answers 429 with Retry-After,
500, 503, THROTTLED, answers too slowly (after doing the work, or before), or drops the
connection before or after executing the mutation. In the end every stock level,
acknowledgement, shipment, capture and refund RetailOps was told about is in the shop
exactly once.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import Answer, GatewayClient
from tests.faults.support import (
    FAST_RETRY,
    REQUEST_TIMEOUT,
    Ledger,
    Plan,
    check_once,
    check_run,
    inject_at_random,
    play,
)
from tests.shopify.fake_shopify import FakeShopify, schema_file
from tests.shopify.gateway_support import body, gateway_client

FAULT_KINDS = ("429", "500", "503", "throttled", "timeout", "timeout_after", "drop", "drop_after")
ACKNOWLEDGED_TAG = "retailops-imported"


def inject(fake: FakeShopify, kind: str) -> None:
    """Shopify's faults as the fake gives them, for its next request."""
    late = REQUEST_TIMEOUT * 1.5
    if kind == "429":
        fake.inject("429", retry_after=0.01)
    elif kind == "timeout":
        fake.inject("slow", delay=late)
    elif kind == "timeout_after":
        fake.inject("slow", delay=late, after_execute=True)
    elif kind == "drop_after":
        fake.inject("drop", after_execute=True)
    else:
        fake.inject(kind)  # type: ignore[arg-type]


@pytest.fixture
def fake() -> tuple[FakeShopify, Counter[str]]:
    if not schema_file().is_file():
        pytest.skip(f"Shopify's schema not found at {schema_file()}: Shopify tests need it")
    shopify = FakeShopify(bucket_size=20_000, restore_rate=20_000)
    faults = inject_at_random(
        shopify.app, lambda kind: inject(shopify, kind), FAULT_KINDS, random.Random(21)
    )
    return shopify, faults


async def test_520_calls_under_faults_apply_each_change_exactly_once(
    aiohttp_client: Any, aiohttp_server: Any, fake: tuple[FakeShopify, Counter[str]]
) -> None:
    shopify, faults = fake
    shop = shopify.shop
    skus = [f"STOCK-{n}" for n in range(1, 41)]
    shop.add_product("Stocked", skus)
    # Orders sell SKUs of their own, so restocks from refunds leave the pushed SKUs alone.
    paid = [
        shop.add_order([(f"SOLD-{n}", 2, "10.00"), (f"SOLD-{n}-B", 2, "10.00")]) for n in range(30)
    ]
    authorised = [
        shop.add_order([(f"AUTH-{n}", 2, "10.00")], financial_status="authorized")
        for n in range(30)
    ]
    orders = {str(order.id): order for order in paid + authorised}
    server: TestServer = await aiohttp_server(shopify.app, host="127.0.0.1")
    client: TestClient = await gateway_client(
        aiohttp_client, server, request_timeout=REQUEST_TIMEOUT, connect_timeout=1, retry=FAST_RETRY
    )
    checked = GatewayClient(client)

    async def send(action: str, fields: dict[str, Any]) -> Answer:
        return await checked.call(action, body(action, **fields))

    plan = Plan.build(
        random.Random(8),
        skus,
        list(orders),
        lines=lambda refnum: [str(line.id) for line in orders[refnum].lines],
        capture_orders=[str(order.id) for order in authorised],
        refund_orders=[str(order.id) for order in paid],
    )
    ledger = await play(plan, send)
    assert shopify.rejected == [], "every document and variable set valid for Shopify"
    check_run(plan, ledger, faults, FAULT_KINDS)

    stock = ledger.stock()
    assert {sku: shop.stock(sku) for sku in stock} == stock

    acknowledged: Counter[tuple[Any, ...]] = Counter()
    shipped: Counter[tuple[Any, ...]] = Counter()
    recorded: Counter[tuple[Any, ...]] = Counter()
    captured: Counter[tuple[Any, ...]] = Counter()
    refunds: Counter[str] = Counter()
    for refnum, order in orders.items():
        if ACKNOWLEDGED_TAG in order.tags:
            acknowledged[(refnum,)] += 1
        for fulfillment in order.fulfillments:
            for number in fulfillment["numbers"]:
                shipped[(refnum, int(number.removeprefix("1ZTRACK")))] += 1
        metafield = order.metafields.get(("retailops", "shipments"))
        for shipment_id in json.loads(metafield[1]) if metafield else []:
            recorded[(refnum, int(shipment_id))] += 1
        for transaction in order.transactions:
            if transaction.kind == "CAPTURE":
                captured[(refnum,)] += 1
            if transaction.kind == "REFUND":
                assert str(transaction.amount) == "5.00"
                refunds[refnum] += 1

    check_once("acknowledge", acknowledged, ledger)
    check_once("shipment", shipped, ledger)  # one fulfilment per shipment
    check_once("shipment", recorded, ledger)  # its id in the order's metafield, once
    check_once("capture", captured, ledger)
    check_refund_counts(refunds, ledger, lambda refnum: orders[refnum].refunds)


def check_refund_counts(
    found: Counter[str], ledger: Ledger, refund_records: Callable[[str], list[int]]
) -> None:
    """Refund transactions carry no return id: each order holds one per applied return,
    plus at most one per return still reported, and one refund record per transaction."""
    must, may = ledger.keys("refund")
    for refnum in {key[0] for key in must | may} | set(found):
        least = sum(key[0] == refnum for key in must)
        most = least + sum(key[0] == refnum for key in may)
        assert least <= found[refnum] <= most, (refnum, found[refnum], least, most)
        assert len(refund_records(refnum)) == found[refnum]
