"""Checks against the official RetailOps contract files in ../shared/retailops-sdk.

The files are reference data outside the project: when the folder is absent,
the checks that need it are skipped with the reason, never reported as passed.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker

SDK_DIR = Path(__file__).resolve().parents[2] / "shared" / "retailops-sdk"
SKIP_REASON = f"official RetailOps contract files not found at {SDK_DIR}"


def sdk_available() -> bool:
    return (SDK_DIR / "swagger.json").is_file()


def require_sdk() -> Path:
    """The contract folder, or skip the calling test with the reason."""
    if not sdk_available():
        pytest.skip(SKIP_REASON)
    return SDK_DIR


@cache
def _swagger() -> dict[str, Any]:
    return json.loads((require_sdk() / "swagger.json").read_text())


@cache
def _hyper_schema(action: str) -> dict[str, Any]:
    return json.loads((require_sdk() / "schema" / f"{action}_v1.json").read_text())


@cache
def _validators(action: str) -> tuple[Draft4Validator, Draft4Validator]:
    swagger = _swagger()
    response_ref = swagger["paths"][f"/{action}_v1"]["post"]["responses"]["200"]["schema"]
    swagger_schema = {**response_ref, "definitions": swagger["definitions"]}
    target_schema = _hyper_schema(action)["links"][0]["targetSchema"]
    checker = FormatChecker()
    return (
        Draft4Validator(target_schema, format_checker=checker),
        Draft4Validator(swagger_schema, format_checker=checker),
    )


def official_example(action: str) -> dict[str, Any]:
    """The request body the official verifier sends for ``action``."""
    path = require_sdk() / "examples" / f"{action}_v1_ex_1.json"
    return json.loads(path.read_text())


def assert_official_response(action: str, body: Any) -> None:
    """Fail unless ``body`` validates against both official response schemas of ``action``.

    Skips when the contract files are absent.
    """
    for name, validator in zip(("targetSchema", "swagger.json"), _validators(action), strict=True):
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        if errors:
            details = "; ".join(
                f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors[:5]
            )
            pytest.fail(f"{action} answer breaks the official {name}: {details}")
