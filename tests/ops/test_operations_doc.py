"""docs/operations.md tells the truth about the ops and limits sections."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from gateway.ops.metrics import GatewayMetrics
from gateway.ops.settings import LimitsConfig, OpsConfig

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_the_documented_sections_are_the_defaults() -> None:
    match = re.search(r"```yaml\n(ops:.*?)```", DOC.read_text(), re.S)
    assert match is not None
    documented = yaml.safe_load(match.group(1))
    assert OpsConfig.model_validate(documented["ops"]) == OpsConfig()
    assert LimitsConfig.model_validate(documented["limits"]) == LimitsConfig()


def test_every_metric_is_documented() -> None:
    text = DOC.read_text()
    names = {
        metric.name.removeprefix("retailops_gateway_")
        for metric in GatewayMetrics().registry.collect()
        if metric.name.startswith("retailops_gateway_")
    }
    assert len(names) == 10
    for name in names:
        documented = f"`{name}_total`" in text or f"`{name}`" in text
        assert documented, name
