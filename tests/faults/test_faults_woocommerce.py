"""The WooCommerce adapter against a store failing a fifth of its requests.

520 mixed calls through the gateway while the fake store answers 429 with Retry-After,
500, 503, answers too slowly (and does the work anyway), or drops the connection before
or after doing the work. In the end every stock level, acknowledgement, shipment,
capture and refund RetailOps was told about is in the store exactly once.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from adapters.woocommerce.mapping import meta_value, recorded_ids, shipment_marker
from adapters.woocommerce.settings import MetaKeys
from gateway.config import Config
from tests.conftest import Answer, GatewayClient, GatewayFactory
from tests.faults.support import (
    FAST_RETRY,
    REQUEST_TIMEOUT,
    Plan,
    Send,
    check_once,
    check_run,
    inject_at_random,
    play,
    problem,
)
from tests.woocommerce.conftest import KEY, SECRET, WooGateway, gateway_config
from tests.woocommerce.fake_woocommerce import CAPTURE_NAMESPACE, FakeWooCommerce

META = MetaKeys()
FAULT_KINDS = ("429", "500", "503", "timeout", "drop", "drop_after")
# The marker the adapter writes in a shipment's order note, with the shipment id.
NOTE_MARKER = re.compile(re.escape(shipment_marker(999)).replace("999", r"(\d+)"))


def inject(fake: FakeWooCommerce, kind: str) -> None:
    """The store's own faults, for its next request."""
    if kind == "429":
        fake.inject("status", status=429, retry_after="0.01")  # honoured in full: keep it short
    elif kind in ("500", "503"):
        fake.inject("status", status=int(kind))
    elif kind == "timeout":
        fake.inject("slow", delay=REQUEST_TIMEOUT * 1.5)
    else:
        fake.inject(kind)  # "drop" before the work, "drop_after" it


@asynccontextmanager
async def serving(fake: FakeWooCommerce) -> AsyncIterator[FakeWooCommerce]:
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await server.close()


@pytest.fixture
async def faulty_store() -> AsyncIterator[tuple[FakeWooCommerce, Counter[str]]]:
    """The fake store failing a fifth of its requests."""
    fake = FakeWooCommerce(consumer_key=KEY, consumer_secret=SECRET)
    faults = inject_at_random(
        fake.app, lambda kind: inject(fake, kind), FAULT_KINDS, random.Random(20)
    )
    async with serving(fake):
        yield fake, faults


@pytest.fixture
async def store() -> AsyncIterator[FakeWooCommerce]:
    """The fake store, failing only where a test asks."""
    async with serving(FakeWooCommerce(consumer_key=KEY, consumer_secret=SECRET)) as fake:
        yield fake


def channel_config(fake: FakeWooCommerce, **settings: Any) -> Config:
    """One WooCommerce channel with tiny timeouts and backoffs, capturing payments."""
    return gateway_config(
        fake.base_url,
        request_timeout=REQUEST_TIMEOUT,
        retry=FAST_RETRY,
        settle={
            "policy": "capture_endpoint",
            "capture_namespace": CAPTURE_NAMESPACE,
            "capture_path": "orders/{order_id}/capture",
        },
        **settings,
    )


def retailops(client: GatewayClient) -> Send:
    """Send a call the way RetailOps does, to the test channel."""

    async def send(action: str, fields: dict[str, Any]) -> Answer:
        return await WooGateway(client).call(action, **fields)

    return send


async def test_520_calls_under_faults_apply_each_change_exactly_once(
    faulty_store: tuple[FakeWooCommerce, Counter[str]], gateway: GatewayFactory
) -> None:
    fake, faults = faulty_store
    skus = [f"STOCK-{n}" for n in range(1, 41)]
    products = {sku: fake.add_product(sku) for sku in skus}
    # Orders sell products of their own, so restocks from refunds leave the pushed SKUs alone.
    orders = {
        str(order["id"]): order
        for order in (
            fake.add_order(
                [(fake.add_product(f"SOLD-{n}-A"), 2), (fake.add_product(f"SOLD-{n}-B"), 2)]
            )
            for n in range(60)
        )
    }
    client = await gateway(channel_config(fake, tracking={"shipment_tracking_extension": True}))

    plan = Plan.build(
        random.Random(7),
        skus,
        list(orders),
        lines=lambda refnum: [str(line["id"]) for line in orders[refnum]["line_items"]],
    )
    ledger = await play(plan, retailops(client))
    await fake.quiet()

    check_run(plan, ledger, faults, FAULT_KINDS)

    # Stock: the last level RetailOps set for each SKU.
    stock = ledger.stock()
    assert {sku: products[sku]["stock_quantity"] for sku in stock} == stock

    acknowledged: Counter[tuple[Any, ...]] = Counter()
    shipped: Counter[tuple[Any, ...]] = Counter()
    tracked: Counter[tuple[Any, ...]] = Counter()
    recorded: Counter[tuple[Any, ...]] = Counter()
    captured: Counter[tuple[Any, ...]] = Counter()
    refunded: Counter[tuple[Any, ...]] = Counter()
    for refnum, order in orders.items():
        order_id = order["id"]
        if meta_value(order, META.acknowledged):
            acknowledged[(refnum,)] += 1
        for note in fake.notes.get(order_id, []):
            shipment_id = int(NOTE_MARKER.search(note["note"])[1])  # type: ignore[index]
            shipped[(refnum, shipment_id)] += 1
        for tracking in fake.trackings.get(order_id, []):
            tracked[(refnum, int(tracking["tracking_number"].removeprefix("1ZTRACK")))] += 1
        for shipment_id in recorded_ids(order, META.shipments):
            recorded[(refnum, int(shipment_id))] += 1
        if fake.captures[order_id]:
            captured[(refnum,)] += fake.captures[order_id]
        for refund in fake.refunds.get(order_id, []):
            assert refund["amount"] == "5.00"
            refunded[(refnum, int(meta_value(refund, META.refund_return_id)))] += 1

    check_once("acknowledge", acknowledged, ledger)
    check_once("shipment", shipped, ledger)  # one order note per shipment
    check_once("shipment", tracked, ledger)  # one tracking number per package
    check_once("shipment", recorded, ledger)  # its id in the order's meta, once
    check_once("capture", captured, ledger)
    check_once("refund", refunded, ledger)


async def test_a_capture_whose_answer_was_lost_settles_on_resend(
    store: FakeWooCommerce, gateway: GatewayFactory
) -> None:
    order = store.add_order([(store.add_product("SOLD"), 1)])
    send = retailops(await gateway(channel_config(store)))
    settle = {"order": {"channel_order_refnum": str(order["id"])}}
    store.inject("drop_after", path="/capture")
    first = await send("order_settle_payment", settle)
    again = await send("order_settle_payment", settle)
    assert store.captures[order["id"]] == 1
    assert problem(first) is None or problem(again) is None, (first.body, again.body)
