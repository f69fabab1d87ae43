"""order_pull on the memory adapter: pages, tokens, passes, acknowledgement, specific_orders."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapters.memory import MemoryAdapter, MemorySettings, decode_page_token, encode_page_token
from gateway.contract import PAGE_TOKEN_MAX_LENGTH
from tests.memory_support import (
    adapter_with,
    associations,
    call,
    codes,
    only_event,
    pulled_refnums,
    seeded_order,
)


def orders(count: int, start: int = 1) -> list:
    return [seeded_order(f"R{n:04d}", ("SKU-A", 1, 10.0)) for n in range(start, start + count)]


async def one_pass(adapter: MemoryAdapter) -> list[list[str]]:
    """Follow next_page_token from a blank token to the end; the refnums of each page."""
    pages: list[list[str]] = []
    token = ""
    for _ in range(1000):  # bounded: a channel whose tokens never end fails below
        answer = await call(adapter, "order_pull", page_token=token)
        assert len(answer.next_page_token) <= PAGE_TOKEN_MAX_LENGTH
        pages.append(pulled_refnums(answer))
        token = answer.next_page_token
        if not token:
            return pages
    raise AssertionError("order_pull never answered an empty next_page_token")


async def acknowledge(adapter: MemoryAdapter, *refnums: str) -> None:
    answer = await call(
        adapter, "order_acknowledge", orders=[{"channel_order_refnum": r} for r in refnums]
    )
    assert answer.events == []


async def test_a_pass_offers_every_order_once_oldest_first_in_pages_of_page_size() -> None:
    adapter = adapter_with(*orders(23), page_size=5)
    pages = await one_pass(adapter)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    offered = [refnum for page in pages for refnum in page]
    assert offered == [f"R{n:04d}" for n in range(1, 24)]


async def test_an_exact_number_of_pages_ends_without_an_empty_page() -> None:
    adapter = adapter_with(*orders(10), page_size=5)
    assert [len(page) for page in await one_pass(adapter)] == [5, 5]


async def test_an_empty_store_answers_no_orders_and_no_token() -> None:
    answer = await call(adapter_with(), "order_pull", page_token="")
    assert answer.orders == []
    assert answer.next_page_token == ""


async def test_acknowledged_orders_are_gone_and_the_rest_offered_again_next_pass() -> None:
    adapter = adapter_with(*orders(12), page_size=4)
    first = [r for page in await one_pass(adapter) for r in page]
    await acknowledge(adapter, *first[::2])
    second = [r for page in await one_pass(adapter) for r in page]
    assert second == first[1::2]
    # Not acknowledged yet: offered again, in the same order.
    assert [r for page in await one_pass(adapter) for r in page] == second


async def test_acknowledging_between_pages_skips_nothing_and_repeats_nothing() -> None:
    # A token that were an index into the pending list would skip orders here.
    adapter = adapter_with(*orders(12), page_size=4)
    first = await call(adapter, "order_pull", page_token="")
    await acknowledge(adapter, *pulled_refnums(first))
    second = await call(adapter, "order_pull", page_token=first.next_page_token)
    assert pulled_refnums(second) == ["R0005", "R0006", "R0007", "R0008"]
    third = await call(adapter, "order_pull", page_token=second.next_page_token)
    assert pulled_refnums(third) == ["R0009", "R0010", "R0011", "R0012"]
    assert third.next_page_token == ""


async def test_an_order_arriving_during_a_pass_comes_at_its_end_once() -> None:
    adapter = adapter_with(*orders(6), page_size=4)
    first = await call(adapter, "order_pull", page_token="")
    adapter.store.add_order(orders(1, start=99)[0])
    rest = await call(adapter, "order_pull", page_token=first.next_page_token)
    offered = pulled_refnums(first) + pulled_refnums(rest)
    assert offered == ["R0001", "R0002", "R0003", "R0004", "R0005", "R0006", "R0099"]


async def test_a_full_page_holds_one_hundred_orders() -> None:
    adapter = adapter_with(*orders(250), page_size=100)
    assert [len(page) for page in await one_pass(adapter)] == [100, 100, 50]


async def test_an_unreadable_token_is_an_error_event_with_no_orders() -> None:
    adapter = adapter_with(*orders(3))
    for token in ("garbage", "after-", "after-x1", "after--3", "AFTER-1"):
        answer = await call(adapter, "order_pull", page_token=token)
        assert answer.orders == []
        assert answer.next_page_token == ""
        event = only_event(answer, "INVALID_PAGE_TOKEN")
        assert event.event_type == "error"
        assert token in event.message


def test_tokens_are_short_positions() -> None:
    assert decode_page_token("") == 0
    largest = encode_page_token(10**20 - 1)
    assert len(largest) <= PAGE_TOKEN_MAX_LENGTH
    assert decode_page_token(largest) == 10**20 - 1
    assert decode_page_token(encode_page_token(42)) == 42
    assert decode_page_token("after-1x") is None


async def test_specific_orders_are_answered_whatever_their_state() -> None:
    adapter = adapter_with(
        seeded_order("OPEN", ("A", 1, 5.0)),
        seeded_order("ACKED", ("A", 1, 5.0)),
        seeded_order("CANCELLED", ("A", 1, 5.0)),
        seeded_order("DONE", ("A", 1, 5.0)),
        page_size=1,
    )
    await acknowledge(adapter, "ACKED", "CANCELLED", "DONE")
    assert (
        await call(adapter, "order_cancel", order={"channel_order_refnum": "CANCELLED"})
    ).status == "success"
    assert (
        await call(adapter, "order_complete", order={"channel_order_refnum": "DONE"})
    ).status == "success"
    wanted = ["DONE", "ACKED", "CANCELLED", "OPEN"]
    answer = await call(
        adapter, "order_pull", specific_orders=[{"channel_refnum": r} for r in wanted]
    )
    assert pulled_refnums(answer) == wanted  # all of them, despite page_size 1
    assert answer.next_page_token == ""
    assert answer.events is None
    cancelled = {o.channel_order_refnum: o.cancel for o in answer.orders}
    assert cancelled == {"DONE": None, "ACKED": None, "CANCELLED": True, "OPEN": None}


async def test_specific_orders_override_the_page_token_and_skip_unknown_ones_with_a_warning() -> (
    None
):
    adapter = adapter_with(*orders(3))
    answer = await call(
        adapter,
        "order_pull",
        page_token="not a token",
        specific_orders=[{"channel_refnum": "R0002"}, {"channel_refnum": "NOPE"}],
    )
    assert pulled_refnums(answer) == ["R0002"]
    event = only_event(answer, "UNKNOWN_ORDER")
    assert event.event_type == "warning"
    assert associations(event) == {"order_refnum": "NOPE"}


async def test_specific_orders_named_twice_come_once_and_at_most_a_page() -> None:
    adapter = adapter_with(*orders(120))
    twice = await call(adapter, "order_pull", specific_orders=[{"channel_refnum": "R0001"}] * 2)
    assert pulled_refnums(twice) == ["R0001"]
    many = await call(
        adapter,
        "order_pull",
        specific_orders=[{"channel_refnum": f"R{n:04d}"} for n in range(1, 121)],
    )
    assert len(many.orders) == 100
    assert codes(many) == ["TOO_MANY_SPECIFIC_ORDERS"]


@pytest.mark.parametrize("wrong", [0, 101])
def test_page_size_is_a_setting_between_one_and_one_hundred(wrong: int) -> None:
    with pytest.raises(ValidationError, match="page_size"):
        MemorySettings(page_size=wrong)
    assert MemorySettings().page_size == 50


async def test_an_order_seeded_as_acknowledged_is_not_offered() -> None:
    imported = seeded_order("OLD", ("SKU-A", 1, 10.0))
    imported.acknowledged = True
    adapter = adapter_with(imported, *orders(2))
    assert [r for page in await one_pass(adapter) for r in page] == ["R0001", "R0002"]
    assert adapter.store.unacknowledged_count == 2


def test_the_store_refuses_a_refnum_twice_and_two_lines_with_one_refnum() -> None:
    adapter = adapter_with(*orders(1))
    with pytest.raises(ValueError, match="already exists"):
        adapter.store.add_order(orders(1)[0])
    twin_lines = seeded_order("TWINS", ("A", 1, 1.0), ("B", 1, 1.0))
    twin_lines.items[1].refnum = "1"
    with pytest.raises(ValueError, match="two lines"):
        adapter.store.add_order(twin_lines)
    assert adapter.store.order_count == 1
