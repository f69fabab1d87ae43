"""The conformance suite on itself: a correct adapter passes, and each rule, broken, is named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gateway.contract import make_event
from gateway.contract import requests as rq
from gateway.contract import responses as rs
from gateway.testing import (
    CHECKS,
    RULES,
    AdapterConformanceSuite,
    AdapterHarness,
    CheckSkipped,
    ConformanceFailure,
    run_check,
)
from tests.conformance_reference import ReferenceAdapter, ReferenceHarness

CHECKS_BY_ID = {check.id: check for check in CHECKS}
PROJECT = Path(__file__).resolve().parents[1]


class TestReferenceAdapterConforms(AdapterConformanceSuite):
    @pytest.fixture
    def harness(self) -> AdapterHarness:
        return ReferenceHarness()


# --- adapters that each break one rule ------------------------------------------


class InvalidOrder(ReferenceAdapter):
    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        answer = await super().order_pull(request)
        broken = [o.model_copy(update={"currency_code": "XXX"}) for o in answer.orders]
        return rs.OrderPullResponse.model_construct(orders=broken, next_page_token="")


class WrongAnswerType(ReferenceAdapter):
    async def inventory_push(self, request: rq.InventoryPushRequest) -> Any:
        return rs.CatalogPushResponse()


class Raises(ReferenceAdapter):
    async def catalog_get_config(
        self, request: rq.CatalogGetConfigRequest
    ) -> rs.CatalogGetConfigResponse:
        raise KeyError("sku_fanout")


class OversizedPage(ReferenceAdapter):
    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        orders = [self.to_contract(o) for o in self.orders.values()] * 15
        return rs.OrderPullResponse.model_construct(orders=orders, next_page_token="")


class LongToken(ReferenceAdapter):
    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        answer = await super().order_pull(request)
        token = answer.next_page_token and f"cursor:{answer.next_page_token}:" + "x" * 40
        return rs.OrderPullResponse.model_construct(orders=answer.orders, next_page_token=token)


class OverlappingPages(ReferenceAdapter):
    """Each page starts at the last order of the page before (an off-by-one cursor)."""

    def unacknowledged_after(self, token: str) -> list[Any]:
        refnums = list(self.orders)
        start = refnums.index(token) if token in self.orders else 0
        return [self.orders[r] for r in refnums[start:] if not self.orders[r].acknowledged]


class EndlessPages(ReferenceAdapter):
    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        page = int(request.page_token or 0)
        return rs.OrderPullResponse(next_page_token=str(page + 1))


class SameTokenAgain(ReferenceAdapter):
    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        return rs.OrderPullResponse(next_page_token="again")


class PullCountsAsImport(ReferenceAdapter):
    """Treats an order as imported once pulled, not once acknowledged."""

    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        answer = await super().order_pull(request)
        for order in answer.orders:
            self.orders[order.channel_order_refnum].acknowledged = True
        return answer


class AcknowledgeForgotten(ReferenceAdapter):
    async def order_acknowledge(
        self, request: rq.OrderAcknowledgeRequest
    ) -> rs.OrderAcknowledgeResponse:
        return rs.OrderAcknowledgeResponse()


class SpecificOrdersIgnored(ReferenceAdapter):
    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        return await super().order_pull(request.model_copy(update={"specific_orders": []}))


class UnknownSpecificOrderSilent(ReferenceAdapter):
    async def order_pull(self, request: rq.OrderPullRequest) -> rs.OrderPullResponse:
        answer = await super().order_pull(request)
        return rs.OrderPullResponse(orders=answer.orders, next_page_token=answer.next_page_token)


class UnknownSkuSilent(ReferenceAdapter):
    async def inventory_push(self, request: rq.InventoryPushRequest) -> rs.InventoryPushResponse:
        return rs.InventoryPushResponse()


class UnknownSkuWrongAssociation(ReferenceAdapter):
    async def inventory_push(self, request: rq.InventoryPushRequest) -> rs.InventoryPushResponse:
        unknown = [u.sku for u in request.inventory_updates if u.sku not in self.stock]
        return rs.InventoryPushResponse(
            events=[make_event("error", "UNKNOWN_SKU", "unknown", product_id=s) for s in unknown]
        )


class KnownSkuReported(ReferenceAdapter):
    async def inventory_push(self, request: rq.InventoryPushRequest) -> rs.InventoryPushResponse:
        return rs.InventoryPushResponse(
            events=[
                make_event("error", "STOCK", "could not set", sku_number=u.sku)
                for u in request.inventory_updates
            ]
        )


class FeedProblemDropped(ReferenceAdapter):
    async def catalog_push(self, request: rq.CatalogPushRequest) -> rs.CatalogPushResponse:
        await super().catalog_push(request)
        return rs.CatalogPushResponse()


class CancelUnknownSucceeds(ReferenceAdapter):
    async def order_cancel(self, request: rq.OrderCancelRequest) -> rs.OrderCancelResponse:
        answer = await super().order_cancel(request)
        return rs.OrderCancelResponse(status="success", events=answer.events)


class UnknownOrderWrongAssociation(ReferenceAdapter):
    async def order_returned(self, request: rq.OrderReturnedRequest) -> rs.OrderReturnedResponse:
        refnum = request.order.channel_order_refnum
        return rs.OrderReturnedResponse(
            events=[make_event("error", "UNKNOWN_ORDER", "no such order", order_id=refnum)]
        )


class ShipsTwice(ReferenceAdapter):
    async def order_shipment_submit(
        self, request: rq.OrderShipmentSubmitRequest
    ) -> rs.OrderShipmentSubmitResponse:
        order = self.orders[request.channel_order_refnum or ""]
        order.shipments.add(len(order.shipments) + 1)
        return rs.OrderShipmentSubmitResponse()


class ShipmentResendIsError(ReferenceAdapter):
    async def order_shipment_submit(
        self, request: rq.OrderShipmentSubmitRequest
    ) -> rs.OrderShipmentSubmitResponse:
        order = self.orders[request.channel_order_refnum or ""]
        if request.shipment.retailops_shipment_id in order.shipments:
            return rs.OrderShipmentSubmitResponse(
                events=[make_event("error", "DUPLICATE", "already shipped")]
            )
        return await super().order_shipment_submit(request)


class CapturesTwice(ReferenceAdapter):
    async def order_settle_payment(
        self, request: rq.OrderSettlePaymentRequest
    ) -> rs.OrderSettlePaymentResponse:
        order = self.orders[request.order.channel_order_refnum or ""]
        order.captures.add(len(order.captures) + 1)
        return rs.OrderSettlePaymentResponse()


class RefundsTwice(ReferenceAdapter):
    async def order_returned(self, request: rq.OrderReturnedRequest) -> rs.OrderReturnedResponse:
        order = self.orders.get(request.order.channel_order_refnum or "")
        if order is None:
            return await super().order_returned(request)
        order.returns.add(len(order.returns) + 1)
        return rs.OrderReturnedResponse()


class CompleteListedButUnsupported(ReferenceAdapter):
    async def order_complete(self, request: rq.OrderCompleteRequest) -> rs.OrderCompleteResponse:
        return self._unsupported("order_complete")  # type: ignore[return-value]


class CancelHiddenFromCapabilities(ReferenceAdapter):
    """Implements order_cancel but leaves it out of capabilities()."""

    @classmethod
    def capabilities(cls) -> frozenset[str]:
        return super().capabilities() - {"order_cancel"}


class BlindSnapshotHarness(ReferenceHarness):
    async def snapshot(self, adapter: Any) -> object:
        return "always the same"


BROKEN: list[tuple[str, AdapterHarness, str, str]] = [
    # (check, harness, rule expected, text expected in the message)
    ("specific-orders", ReferenceHarness(InvalidOrder), "valid-answer", "currency_code"),
    (
        "unknown-sku",
        ReferenceHarness(WrongAnswerType),
        "valid-answer",
        "not a InventoryPushResponse",
    ),
    ("catalog_get_config", ReferenceHarness(Raises), "valid-answer", "raised KeyError"),
    ("pull-offers-unacknowledged", ReferenceHarness(OversizedPage), "page-size", "105 orders"),
    ("pull-offers-unacknowledged", ReferenceHarness(LongToken), "page-token-length", "characters"),
    ("pull-offers-unacknowledged", ReferenceHarness(OverlappingPages), "pull-no-repeat", "page 2"),
    ("pull-offers-unacknowledged", ReferenceHarness(EndlessPages), "pull-ends", "50 pages"),
    ("pull-offers-unacknowledged", ReferenceHarness(SameTokenAgain), "pull-ends", "loops"),
    (
        "pull-offers-unacknowledged",
        ReferenceHarness(PullCountsAsImport),
        "pull-offers-unacknowledged",
        "second pass",
    ),
    ("acknowledged-gone", ReferenceHarness(AcknowledgeForgotten), "acknowledged-gone", "R1001"),
    ("specific-orders", ReferenceHarness(SpecificOrdersIgnored), "specific-orders", "R1006"),
    (
        "unknown-order[order_pull]",
        ReferenceHarness(UnknownSpecificOrderSilent),
        "unknown-order",
        "order_refnum 987654321",
    ),
    ("unknown-sku", ReferenceHarness(UnknownSkuSilent), "unknown-sku", "CONF-NO-SUCH-SKU"),
    ("unknown-sku", ReferenceHarness(UnknownSkuWrongAssociation), "unknown-sku", "product_id="),
    (
        "unknown-sku",
        ReferenceHarness(KnownSkuReported),
        "unknown-sku",
        "sku_number CONF-MUG was reported too",
    ),
    (
        "feed-problem-reported",
        ReferenceHarness(FeedProblemDropped),
        "feed-problem-reported",
        "CONF-BAD-PRICE",
    ),
    (
        "unknown-order[order_cancel]",
        ReferenceHarness(CancelUnknownSucceeds),
        "unknown-order",
        "status is 'success'",
    ),
    (
        "unknown-order[order_returned]",
        ReferenceHarness(UnknownOrderWrongAssociation),
        "unknown-order",
        "order_id=987654321",
    ),
    ("shipment-once", ReferenceHarness(ShipsTwice), "shipment-once", "the backend changed"),
    ("shipment-once", ReferenceHarness(ShipmentResendIsError), "shipment-once", "DUPLICATE"),
    ("shipment-once", BlindSnapshotHarness(), "shipment-once", "snapshot() shows no change"),
    ("capture-once", ReferenceHarness(CapturesTwice), "capture-once", "the backend changed"),
    ("return-once", ReferenceHarness(RefundsTwice), "return-once", "the backend changed"),
    (
        "unknown-order[order_complete]",
        ReferenceHarness(CompleteListedButUnsupported),
        "capability-honest",
        "listed in capabilities()",
    ),
    (
        "unsupported-action[order_cancel]",
        ReferenceHarness(CancelHiddenFromCapabilities),
        "unsupported-action",
        "order_cancel, which capabilities() leaves out",
    ),
]


def _culprit(harness: AdapterHarness) -> str:
    """The broken part: the adapter, or the harness itself when its adapter is sound."""
    if type(harness) is ReferenceHarness:
        return harness.adapter_class.__name__
    return type(harness).__name__


@pytest.mark.parametrize(
    ("check_id", "harness", "rule", "detail"),
    BROKEN,
    ids=[f"{rule}-by-{_culprit(harness)}" for _, harness, rule, _ in BROKEN],
)
async def test_broken_adapter_fails_the_rule_with_its_message(
    check_id: str, harness: AdapterHarness, rule: str, detail: str
) -> None:
    with pytest.raises(ConformanceFailure) as failure:
        await run_check(CHECKS_BY_ID[check_id], harness)
    assert failure.value.rule == rule, str(failure.value)
    message = str(failure.value)
    assert message.startswith(f"[{rule}] "), message
    assert detail in message, message
    assert RULES[rule] in message  # the rule itself is spelled out for the author


def test_every_rule_is_broken_by_some_adapter_here() -> None:
    assert {rule for _, _, rule, _ in BROKEN} == set(RULES)


async def test_checks_for_missing_actions_are_skipped_with_the_reason() -> None:
    class PullOnly(ReferenceAdapter):
        @classmethod
        def capabilities(cls) -> frozenset[str]:
            return frozenset({"catalog_get_config", "order_pull"})

    with pytest.raises(CheckSkipped, match="does not implement inventory_push"):
        await run_check(CHECKS_BY_ID["unknown-sku"], ReferenceHarness(PullOnly))
    with pytest.raises(CheckSkipped, match="implements order_pull"):
        await run_check(CHECKS_BY_ID["unsupported-action[order_pull]"], ReferenceHarness(PullOnly))


async def test_seed_must_return_one_refnum_per_order() -> None:
    class ShortSeed(ReferenceHarness):
        async def seed(self, adapter: Any, products: Any, orders: Any) -> list[str]:
            return (await super().seed(adapter, products, orders))[:2]

    with pytest.raises(AssertionError, match="one distinct channel_order_refnum"):
        await run_check(CHECKS_BY_ID["specific-orders"], ShortSeed())


async def test_the_harness_can_check_each_answer_further() -> None:
    class StricterHarness(ReferenceHarness):
        def check_answer(self, action: str, body: dict[str, Any]) -> None:
            assert body.get("sku_fanout") == "related_skus", f"{action}: {body}"

    with pytest.raises(ConformanceFailure) as failure:
        await run_check(CHECKS_BY_ID["catalog_get_config"], StricterHarness())
    assert str(failure.value).startswith(
        "[valid-answer] catalog_get_config: catalog_get_config: {'sku_fanout': 'no_fanout'}"
    )


def test_a_pytest_session_ends_with_a_conformance_summary_per_suite(tmp_path: Path) -> None:
    # Loaded through the pytest11 entry point, as in any project that installs the gateway.
    (tmp_path / "test_two_adapters.py").write_text(
        "import pytest\n"
        "from gateway.testing import AdapterConformanceSuite\n"
        "from tests.conformance_reference import ReferenceHarness\n"
        "from tests.test_conformance_rules import KnownSkuReported\n\n"
        "class TestGood(AdapterConformanceSuite):\n"
        "    @pytest.fixture\n"
        "    def harness(self):\n"
        "        return ReferenceHarness()\n\n"
        "class TestKnownSkuReported(AdapterConformanceSuite):\n"
        "    @pytest.fixture\n"
        "    def harness(self):\n"
        "        return ReferenceHarness(KnownSkuReported)\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", tmp_path, tmp_path],
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    summary = done.stdout.partition("= adapter conformance =")[2]
    assert "test_two_adapters.py::TestGood: 17 passed, 0 failed, 10 skipped" in summary, done.stdout
    assert "TestKnownSkuReported: 16 passed, 1 failed, 10 skipped (of 27 checks)" in summary
