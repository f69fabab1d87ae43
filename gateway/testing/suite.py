"""Running the checks: one function for any caller, one pytest base class for adapter tests."""

from __future__ import annotations

import pytest

from gateway.testing.checks import CHECKS, Check, Seeded
from gateway.testing.harness import SEED_ORDERS, SEED_PRODUCTS, AdapterHarness
from gateway.testing.probe import Probe


class CheckSkipped(Exception):
    """The check does not apply to this adapter; the message says why."""


async def run_check(check: Check, harness: AdapterHarness) -> None:
    """Run one check on a fresh adapter from ``harness``.

    Raises ConformanceFailure when a rule breaks, CheckSkipped when the check
    does not apply to what the adapter implements.
    """
    adapter = await harness.make_adapter()
    reason = check.skip_reason(type(adapter).capabilities())
    if reason is not None:
        raise CheckSkipped(reason)
    await adapter.start()
    try:
        refnums: list[str] = []
        if check.seeded:
            refnums = list(await harness.seed(adapter, SEED_PRODUCTS, SEED_ORDERS))
            if len(refnums) != len(SEED_ORDERS) or len(set(refnums)) != len(refnums):
                raise AssertionError(
                    f"harness.seed() returned {refnums!r}: it must return one distinct "
                    f"channel_order_refnum for each of the {len(SEED_ORDERS)} orders"
                )
        await check.run(Seeded(Probe(adapter, harness.check_answer), harness, refnums))
    finally:
        await adapter.close()


class AdapterConformanceSuite:
    """Subclass it in a ``Test...`` class and give it a ``harness`` fixture::

        class TestMyShopConformance(AdapterConformanceSuite):
            @pytest.fixture
            def harness(self) -> AdapterHarness:
                return MyShopHarness()

    Each check becomes a test, ``test_conformance[<check>]``; checks for
    actions the adapter does not implement are skipped with the reason.
    Needs pytest-asyncio (``asyncio_mode = "auto"`` or this class's own mark).
    """

    @pytest.fixture
    def harness(self) -> AdapterHarness:
        raise NotImplementedError(
            f"{type(self).__name__} must define a 'harness' fixture returning an AdapterHarness"
        )

    @pytest.mark.asyncio
    @pytest.mark.parametrize("check", CHECKS, ids=str)
    async def test_conformance(self, check: Check, harness: AdapterHarness) -> None:
        try:
            await run_check(check, harness)
        except CheckSkipped as skipped:
            pytest.skip(str(skipped))
