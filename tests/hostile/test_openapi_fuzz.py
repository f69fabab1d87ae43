"""Schemathesis against the gateway's own OpenAPI document: bodies generated from every
call's request schema (valid and invalid ones), half of them carrying the channel's
token so that they reach the adapter. No 5xx, and every answer has a status, content
type and body the document declares.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, settings

from gateway.ops.openapi import render_openapi
from tests.hostile.conftest import Live
from tests.hostile.live import TOKEN

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_dict(json.loads(render_openapi("")))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_call_against_its_openapi_schema(case: object, live: Live) -> None:
    body = getattr(case, "body", None)
    if isinstance(body, dict) and hash(json.dumps(body, sort_keys=True, default=str)) % 2:
        body["integration_auth_token"] = TOKEN
    response = case.call(base_url=live.url, session=live.session, timeout=30)  # type: ignore[attr-defined]
    case.validate_response(response, checks=CHECKS)  # type: ignore[attr-defined]
