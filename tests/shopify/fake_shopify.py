"""A local fake of Shopify's GraphQL Admin API that executes against the real schema.

``POST /admin/api/{version}/graphql.json`` is parsed, validated and executed by
graphql-core over Shopify's own published schema (from ../shared/shopify-reference),
so a document or variables Shopify would reject are rejected here too, and
recorded in :attr:`FakeShopify.rejected` for the tests to fail on. Around the
execution it does what Shopify does: checks ``X-Shopify-Access-Token``, meters
cost with a leaky bucket (THROTTLED when it cannot afford a query, the bucket
in ``extensions.cost`` of every answer) and refuses queries over the maximum
cost. Faults are injected on demand and every request is counted.

Loopback only: tests start it on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections import Counter, deque
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from aiohttp import web
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    build_client_schema,
    execute,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from tests.shopify.fake_shop import FakeShop
from tests.shopify.query_tools import CostCalculator

REFERENCE_DIR = Path(__file__).resolve().parents[3] / "shared" / "shopify-reference"
API_VERSION = "2026-10"
TOKEN = "shpat_fake_token_for_tests"
MAX_QUERY_COST = 1000

FaultKind = Literal["429", "500", "503", "throttled", "slow", "drop"]


def schema_file(version: str = API_VERSION) -> Path:
    return REFERENCE_DIR / f"admin_{version}.json.gz"


@cache
def load_schema(version: str = API_VERSION) -> GraphQLSchema:
    """Shopify's Admin API schema of ``version`` (about half a second, once per process)."""
    with gzip.open(schema_file(version), "rt", encoding="utf-8") as handle:
        return build_client_schema(json.load(handle)["data"])


class LeakyBucket:
    """Shopify's cost bucket: ``size`` points, refilled at ``restore_rate`` per second."""

    def __init__(self, size: float, restore_rate: float) -> None:
        self.size = size
        self.restore_rate = restore_rate
        self._level = size
        self._at = time.monotonic()

    def available(self) -> float:
        now = time.monotonic()
        self._level = min(self.size, self._level + (now - self._at) * self.restore_rate)
        self._at = now
        return self._level

    def take(self, points: float) -> None:
        self.available()
        self._level -= points

    def status(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.size,
            "currentlyAvailable": round(self.available(), 1),
            "restoreRate": self.restore_rate,
        }


@dataclass
class Fault:
    kind: FaultKind
    operation: str | None = None  # only requests for this operation name
    after_execute: bool = False  # slow/drop: the change is made, the answer is lost
    retry_after: float = 0.05
    delay: float = 1.0


class FakeShopify:
    """The fake API around a :class:`FakeShop`; ``app`` is the aiohttp application."""

    def __init__(
        self,
        shop: FakeShop | None = None,
        *,
        bucket_size: float = 2000,
        restore_rate: float = 1000,
        version: str = API_VERSION,
        token: str = TOKEN,
    ) -> None:
        self.shop = shop or FakeShop()
        self.bucket = LeakyBucket(bucket_size, restore_rate)
        self.version = version
        self.token = token
        self.schema = load_schema(version)
        self.faults: deque[Fault] = deque()
        #: Requests received, by GraphQL operation name (faulted ones included).
        self.requests: Counter[str] = Counter()
        #: Answers that were THROTTLED by the bucket (not injected).
        self.throttled = 0
        #: Documents or variables the schema refused: (operation, messages).
        self.rejected: list[tuple[str, list[str]]] = []
        #: Sum of the actual cost of every executed query.
        self.points_spent = 0
        self._documents: dict[str, tuple[DocumentNode, list[GraphQLError]]] = {}
        self.app = web.Application()
        self.app.router.add_post("/admin/api/{version}/graphql.json", self._handle)

    def inject(self, kind: FaultKind, *, count: int = 1, **options: Any) -> None:
        """Fail the next ``count`` matching requests this way."""
        self.faults.extend(Fault(kind, **options) for _ in range(count))

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    # --- the endpoint ---------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["version"] != self.version:
            return web.json_response({"errors": "Not Found"}, status=404)
        if request.headers.get("X-Shopify-Access-Token") != self.token:
            return web.json_response(
                {
                    "errors": "[API] Invalid API key or access token (unrecognized login or "
                    "wrong password)"
                },
                status=401,
            )
        try:
            body = await request.json()
            document, invalid = self._parsed(body["query"])
        except (ValueError, KeyError, TypeError, GraphQLError) as exc:
            return web.json_response({"errors": [{"message": f"Parse error: {exc}"}]})
        operation = _operation(document)
        name = operation.name.value if operation and operation.name else "anonymous"
        self.requests[name] += 1
        fault = self._take_fault(name)
        if fault and not fault.after_execute:
            early = await self._fail(request, fault)
            if early is not None:
                return early
        answer = self._run(document, invalid, operation, name, body.get("variables") or {})
        if fault and fault.after_execute:
            late = await self._fail(request, fault)
            if late is not None:
                return late
        return web.json_response(answer)

    def _take_fault(self, name: str) -> Fault | None:
        for fault in self.faults:
            if fault.operation in (None, name):
                self.faults.remove(fault)
                return fault
        return None

    async def _fail(self, request: web.Request, fault: Fault) -> web.StreamResponse | None:
        """Answer as the fault says; None when the fault only delays the real answer."""
        if fault.kind == "429":
            return web.json_response(
                {"errors": "Exceeded 2 calls per second for api client."},
                status=429,
                headers={"Retry-After": str(fault.retry_after)},
            )
        if fault.kind in ("500", "503"):
            return web.json_response({"errors": "Internal Server Error"}, status=int(fault.kind))
        if fault.kind == "throttled":
            return web.json_response(self._throttled(0))
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            return None
        # drop: close the connection without an answer
        assert request.transport is not None
        request.transport.close()
        raise asyncio.CancelledError

    def _throttled(self, requested: int) -> dict[str, Any]:
        return {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {
                        "code": "THROTTLED",
                        "documentation": "https://shopify.dev/api/usage/rate-limits",
                    },
                }
            ],
            "extensions": {
                "cost": {
                    "requestedQueryCost": requested,
                    "actualQueryCost": None,
                    "throttleStatus": self.bucket.status(),
                }
            },
        }

    def _parsed(self, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
        """The parsed document and the schema's validation errors, cached by its text."""
        if query not in self._documents:
            document = parse(query)
            self._documents[query] = (document, validate(self.schema, document))
        return self._documents[query]

    def _run(
        self,
        document: DocumentNode,
        invalid: list[GraphQLError],
        operation: OperationDefinitionNode | None,
        name: str,
        variables: dict[str, Any],
    ) -> dict[str, Any]:
        errors = list(invalid)
        coerced: Any = None
        if not errors and operation is not None:
            coerced = get_variable_values(
                self.schema, operation.variable_definitions or (), variables
            )
            if isinstance(coerced, list):
                errors = coerced
        if errors or operation is None:
            messages = [e.message for e in errors] or ["no operation in the document"]
            self.rejected.append((name, messages))
            return {
                "errors": [
                    {"message": m, "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}
                    for m in messages
                ]
            }
        mutation = operation.operation == OperationType.MUTATION
        root = self.schema.mutation_type if mutation else self.schema.query_type
        assert root is not None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        calculator = CostCalculator(self.schema, fragments, coerced)
        requested = calculator.operation(operation.selection_set, root, mutation=mutation)
        if requested > MAX_QUERY_COST:
            self.rejected.append((name, [f"cost {requested} over {MAX_QUERY_COST}"]))
            return {
                "errors": [
                    {
                        "message": f"Query cost is {requested}, which exceeds the "
                        f"single query max cost limit ({MAX_QUERY_COST}).",
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": requested,
                            "maxCost": MAX_QUERY_COST,
                        },
                    }
                ]
            }
        if self.bucket.available() < requested:
            self.throttled += 1
            return self._throttled(requested)
        self.bucket.take(requested)
        shop = self.shop
        result = execute(
            self.schema,
            document,
            root_value=shop.mutation_root() if mutation else shop.query_root(),
            variable_values=variables,
            operation_name=name,
        )
        assert not isinstance(result, asyncio.Future)
        actual = calculator.operation(
            operation.selection_set, root, mutation=mutation, data=result.data, actual=True
        )
        self.bucket.take(actual - requested)  # Shopify refunds what was not used
        self.points_spent += actual
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [e.formatted for e in result.errors]
        answer["extensions"] = {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self.bucket.status(),
            }
        }
        return answer


def _operation(document: Any) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return operations[0] if len(operations) == 1 else None
