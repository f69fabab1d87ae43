"""Prometheus metrics of one gateway application.

Each application owns its :class:`GatewayMetrics` and registry, so several
apps in one process (tests, embedding) never collide. Upstream calls are
counted through :func:`current_metrics`, a context variable the request
middleware sets, so ``gateway.upstream`` needs no reference to the app.

With several worker processes (``serve --workers N``) the values live in
prometheus-client's multiprocess files and ``/metrics`` answers the sum over
all workers, whichever worker takes the scrape.
"""

from __future__ import annotations

import os
from contextvars import ContextVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST

# RetailOps calls are mostly tens of milliseconds; backends can take seconds,
# and a call may run up to the configured deadline.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
UPSTREAM_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

_current: ContextVar[GatewayMetrics | None] = ContextVar("gateway_metrics", default=None)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_DIR_ENV) or None


class GatewayMetrics:
    """The gateway's metrics, registered in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "retailops_gateway_requests",
            "RetailOps calls answered, by action, channel and HTTP status.",
            ["action", "channel", "status"],
            registry=registry,
        )
        self.request_duration = Histogram(
            "retailops_gateway_request_duration_seconds",
            "Time from receiving a RetailOps call to its answer, by action and channel.",
            ["action", "channel"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge(
            "retailops_gateway_requests_in_flight",
            "RetailOps calls being handled right now.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        # Counted in a plain int; the gauge reads it when scraped, or, with
        # several workers, is set from it so the other workers can add it up.
        self.calls_in_flight = 0
        self._shared_dir = multiprocess_dir()
        self._shared = self._shared_dir is not None
        if not self._shared:
            self.in_flight.set_function(lambda: self.calls_in_flight)
        self.rejected = Counter(
            "retailops_gateway_rejected_calls",
            "Calls answered 503 by the gateway's own limits, by channel and reason.",
            ["channel", "reason"],
            registry=registry,
        )
        self.upstream_calls = Counter(
            "retailops_gateway_upstream_calls",
            "Calls to a backend under the retry policy (retries not counted), by adapter.",
            ["adapter"],
            registry=registry,
        )
        self.upstream_retries = Counter(
            "retailops_gateway_upstream_retries",
            "Upstream attempts that failed and were tried again, by adapter.",
            ["adapter"],
            registry=registry,
        )
        self.upstream_failures = Counter(
            "retailops_gateway_upstream_failures",
            "Upstream calls given up after every retry (answered 503), by adapter.",
            ["adapter"],
            registry=registry,
        )
        self.upstream_duration = Histogram(
            "retailops_gateway_upstream_call_duration_seconds",
            "Time of one upstream call including its retries and waits, by adapter.",
            ["adapter"],
            buckets=UPSTREAM_BUCKETS,
            registry=registry,
        )
        self.throttle_waits = Counter(
            "retailops_gateway_upstream_throttle_waits",
            "Pauses an adapter made because its backend asked it to slow down, by adapter.",
            ["adapter"],
            registry=registry,
        )
        self.throttle_wait_seconds = Counter(
            "retailops_gateway_upstream_throttle_wait_seconds",
            "Seconds spent in those pauses, by adapter.",
            ["adapter"],
            registry=registry,
        )
        if not self._shared:
            ProcessCollector(registry=registry)
        # Label children by their label values: .labels() takes a lock and
        # builds a key on every call, a dict lookup does not.
        self._request_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def activate(self) -> None:
        """Make these the metrics upstream calls in the current context count into."""
        _current.set(self)

    def call_started(self) -> None:
        self.calls_in_flight += 1
        if self._shared:
            self.in_flight.set(self.calls_in_flight)

    def call_finished(self, action: str, channel: str, status: int, seconds: float) -> None:
        """Count a call answered with ``status`` after ``seconds``."""
        self.calls_in_flight -= 1
        if self._shared:
            self.in_flight.set(self.calls_in_flight)
        key = (action, channel, status)
        children = self._request_children.get(key)
        if children is None:
            children = (
                self.requests.labels(action, channel, str(status)),
                self.request_duration.labels(action, channel),
            )
            self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The text exposition: this process's registry, or every worker's sum."""
        if self._shared_dir is None:
            return generate_latest(self.registry)
        combined = CollectorRegistry()
        MultiProcessCollector(combined, path=self._shared_dir)  # type: ignore[no-untyped-call]
        return generate_latest(combined)


def current_metrics() -> GatewayMetrics | None:
    """The metrics of the application handling the current request, if any."""
    return _current.get()
