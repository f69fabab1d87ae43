"""The adapter conformance suite: the contract rules every RetailOps channel must meet.

An adapter's tests subclass :class:`AdapterConformanceSuite` and give it an
:class:`AdapterHarness` (a configured adapter over an empty backend or a fake
of it, a way to seed it, a snapshot of its state). See
docs/writing-an-adapter.md.
"""

from gateway.testing.checks import CHECKS, Check
from gateway.testing.harness import (
    SEED_ORDERS,
    SEED_PRODUCTS,
    UNKNOWN_ORDER,
    UNKNOWN_SKU,
    AdapterHarness,
    SeedLine,
    SeedOrder,
    SeedProduct,
)
from gateway.testing.rules import RULES, ConformanceFailure
from gateway.testing.suite import AdapterConformanceSuite, CheckSkipped, run_check

__all__ = [
    "CHECKS",
    "RULES",
    "SEED_ORDERS",
    "SEED_PRODUCTS",
    "UNKNOWN_ORDER",
    "UNKNOWN_SKU",
    "AdapterConformanceSuite",
    "AdapterHarness",
    "Check",
    "CheckSkipped",
    "ConformanceFailure",
    "SeedLine",
    "SeedOrder",
    "SeedProduct",
    "run_check",
]
