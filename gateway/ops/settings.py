"""Configuration of the operational features: the ``ops`` and ``limits`` sections.

Both sections are optional in the YAML file; every key has a default that
suits one gateway process behind a load balancer. docs/operations.md
describes each key.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReadinessConfig(_Section):
    """What ``/readyz`` checks besides every channel's adapter having started."""

    check_backends: bool = Field(
        default=False, description="Also call each adapter's check() to reach its backend."
    )
    cache_seconds: float = Field(
        default=10.0, ge=0, description="How long a backend check result is reused."
    )
    check_timeout: float = Field(
        default=5.0, gt=0, description="A backend check taking longer counts as unreachable."
    )


class OpsConfig(_Section):
    """Health, readiness, metrics and API docs: where they are served and whether at all.

    With ``port`` unset they share the gateway's own port; with a port they get
    a listener of their own (on ``host``, or the server's host when unset), so
    they can stay private while the API port faces RetailOps.
    """

    host: str | None = None
    port: int | None = Field(default=None, ge=0, le=65535)
    healthz: bool = True
    readyz: bool = True
    metrics: bool = True
    docs: bool = Field(default=True, description="/docs (Swagger UI) and /openapi.json.")
    readiness: ReadinessConfig = Field(default_factory=ReadinessConfig)
    shutdown_grace_period: float = Field(
        default=30.0,
        ge=0,
        description="Seconds in-flight calls get to finish after SIGTERM before they are cut.",
    )


class LimitsConfig(_Section):
    """Bounds on the work one channel may have in flight and on each call's duration."""

    max_concurrent_calls: int = Field(
        default=64, ge=1, description="Calls one channel may have in flight at once."
    )
    queue_wait: float = Field(
        default=1.0,
        ge=0,
        description="Seconds a call may wait for a free slot before the 503 channel_busy.",
    )
    call_deadline: float = Field(
        default=120.0,
        gt=0,
        description="Seconds a call may take before the 503 deadline_exceeded.",
    )
    retry_after: int = Field(
        default=5, ge=1, description="Retry-After (seconds) sent with those two 503 answers."
    )
