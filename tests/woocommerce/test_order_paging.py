"""order_pull's paging over the fake store: oldest first, acknowledged ones gone, tokens short."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.woocommerce.conftest import WooGateway, WooGatewayFactory
from tests.woocommerce.fake_woocommerce import FakeWooCommerce

MAX_PULLS = 50  # every paging loop below stops here at the latest


async def pull_pass(gw: WooGateway, *, acknowledge: bool, token: str = "") -> tuple[list[str], int]:
    """Pull from ``token`` (blank: a new pass) to the end; (refnums in order, pulls made)."""
    refnums: list[str] = []
    for pulls in range(1, MAX_PULLS + 1):
        body = await gw.ok("order_pull", page_token=token)
        page = [order["channel_order_refnum"] for order in body["orders"]]
        assert len(page) <= 100 and len(body["next_page_token"]) <= 35
        refnums += page
        if acknowledge and page:
            ack = await gw.ok(
                "order_acknowledge", orders=[{"channel_order_refnum": r} for r in page]
            )
            assert ack["events"] == []
        token = body["next_page_token"]
        if not token:
            return refnums, pulls
    raise AssertionError(f"no end of the pass after {MAX_PULLS} pulls")


def orders_of(fake: FakeWooCommerce, count: int, **kwargs: Any) -> list[str]:
    mug = fake.products.get(1000) or fake.add_product("MUG")
    return [str(fake.add_order([(mug, 1)], **kwargs)["id"]) for _ in range(count)]


async def test_paging_through_1000_orders_with_acknowledgements_in_between(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    expected = orders_of(fake, 1000)
    orders_of(fake, 5, status="completed")  # never offered
    # Pages of 100 full orders: a roomier timeout than the fault tests' keeps a
    # busy machine from turning a slow page into a retry.
    gw = await woo_gateway(request_timeout=3.0)

    offered, pulls = await pull_pass(gw, acknowledge=True)
    assert offered == expected, "each order once, oldest first"
    # A page after the first repeats the last order seen (its second is re-read), so
    # 100 orders, then 99 a page.
    assert pulls == 11
    assert fake.count("GET", "/orders") == pulls, "one list call a page"
    assert fake.count("POST", "/orders/batch") == pulls, "one acknowledgement batch a page"

    again, _ = await pull_pass(gw, acknowledge=False)
    assert again == [], "acknowledged orders are not offered again"


async def test_unacknowledged_orders_are_offered_again_on_the_next_pass(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    expected = orders_of(fake, 7)
    gw = await woo_gateway(page_size=3)
    first, pulls = await pull_pass(gw, acknowledge=False)
    assert (first, pulls) == (expected, 3)
    await gw.ok("order_acknowledge", orders=[{"channel_order_refnum": r} for r in first[:4]])
    second, _ = await pull_pass(gw, acknowledge=False)
    assert second == expected[4:]


async def test_orders_of_the_same_second_across_a_page_boundary(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    moment = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
    expected = orders_of(fake, 5) + orders_of(fake, 7, created=moment) + orders_of(fake, 2)
    gw = await woo_gateway(page_size=4)
    offered, _ = await pull_pass(gw, acknowledge=False)
    assert offered == expected


async def test_orders_placed_during_a_pass_come_at_its_end(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    expected = orders_of(fake, 4)
    gw = await woo_gateway(page_size=3)
    first = await gw.ok("order_pull", page_token="")
    later = orders_of(fake, 2)
    rest, _ = await pull_pass(gw, acknowledge=False, token=first["next_page_token"])
    refnums = [o["channel_order_refnum"] for o in first["orders"]] + rest
    assert refnums == expected + later


async def test_a_pull_skipping_many_acknowledged_orders_stops_and_goes_on_later(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    acknowledged = orders_of(fake, 9)
    fresh = orders_of(fake, 2)
    gw = await woo_gateway(page_size=3, pull_scan_pages=2)
    await gw.ok("order_acknowledge", orders=[{"channel_order_refnum": r} for r in acknowledged])
    first = await gw.ok("order_pull", page_token="")
    assert first["orders"] == [] and first["next_page_token"], "6 scanned, none new"
    offered, _ = await pull_pass(gw, acknowledge=False)
    assert offered == fresh


async def test_a_token_this_channel_did_not_issue_starts_over_with_a_warning(
    woo_gateway: WooGatewayFactory, fake: FakeWooCommerce
) -> None:
    expected = orders_of(fake, 2)
    gw = await woo_gateway()
    body = await gw.ok("order_pull", page_token="eyJjdXJzb3IiOiJhYmMifQ")
    assert [o["channel_order_refnum"] for o in body["orders"]] == expected
    assert [e["code"] for e in body["events"]] == ["BAD_PAGE_TOKEN"]
