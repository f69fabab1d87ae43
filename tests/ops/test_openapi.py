"""The OpenAPI document: valid OpenAPI 3.1, true to the contract models and to the answers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from gateway.cli import main
from gateway.config import load_config
from gateway.contract import ACTIONS
from gateway.ops.openapi import build_openapi
from tests.conftest import GatewayFactory
from tests.fakes import call_body
from tests.official_contract import official_example
from tests.ops.support import probe_config

REFUSALS = {"400", "401", "404", "405", "413", "422", "503"}


def schema_validator(document: dict[str, Any], reference: dict[str, str]) -> Draft202012Validator:
    """A validator for one ``$ref`` of the document, resolving refs within it."""
    return Draft202012Validator({**reference, "components": document["components"]})


def test_the_document_is_valid_openapi_3_1() -> None:
    document = build_openapi()
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_call_is_an_operation_with_its_models_and_refusals() -> None:
    document = build_openapi("/retailops/v1")
    assert set(document["paths"]) == {f"/retailops/v1/{name}_v1" for name in ACTIONS}
    for name, action in ACTIONS.items():
        operation = document["paths"][f"/retailops/v1/{name}_v1"]["post"]
        assert operation["operationId"] == name
        assert operation["summary"] == action.summary
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{action.request.__name__}"}
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": f"#/components/schemas/{action.response.__name__}"}
        assert {"400", "401", "413", "422", "503"} <= set(operation["responses"])

    refusals = document["components"]["responses"]
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    assert {r["content"]["application/json"]["schema"]["$ref"] for r in refusals.values()} == {
        error_ref["$ref"]
    }
    assert "Retry-After" in refusals["Unavailable"]["headers"]
    described = (
        " ".join(r["description"] for r in refusals.values()) + document["info"]["description"]
    )
    for status in REFUSALS:
        assert status in document["info"]["description"]
    for code in ("unknown_action", "channel_busy", "deadline_exceeded", "invalid_request"):
        assert code in described


@pytest.mark.parametrize("action", list(ACTIONS))
def test_official_example_requests_fit_the_request_schemas(action: str) -> None:
    document = build_openapi()
    reference = document["paths"][f"/{action}_v1"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    example = official_example(action)
    errors = list(schema_validator(document, reference).iter_errors(example))
    assert errors == []


def test_the_request_examples_fit_their_schemas() -> None:
    document = build_openapi()
    for action in ACTIONS:
        content = document["paths"][f"/{action}_v1"]["post"]["requestBody"]["content"]
        media = content["application/json"]
        assert media["example"]["action"] == action
        assert list(schema_validator(document, media["schema"]).iter_errors(media["example"])) == []


def test_the_document_rejects_what_the_gateway_rejects() -> None:
    document = build_openapi()
    reference = {"$ref": "#/components/schemas/OrderPullRequest"}
    too_long_token = {**call_body("order_pull"), "page_token": "x" * 36}
    assert not schema_validator(document, reference).is_valid(too_long_token)
    assert schema_validator(document, reference).is_valid(call_body("order_pull"))


async def test_the_gateway_answers_fit_the_document(gateway: GatewayFactory) -> None:
    document = build_openapi()
    client = await gateway(probe_config(server={"max_body_bytes": 2000}))
    error_body = schema_validator(document, {"$ref": "#/components/schemas/ErrorBody"})
    push_answer = schema_validator(document, {"$ref": "#/components/schemas/CatalogPushResponse"})

    answer = await client.call("catalog_push", call_body("catalog_push"))
    assert answer.status == 200
    assert list(push_answer.iter_errors(answer.json())) == []

    refusals = [
        await client.call("catalog_push", b""),
        await client.call("catalog_push", call_body("catalog_push", token="wrong")),
        await client.call("no_such_call", call_body("catalog_push")),
        await client.call("catalog_push", b"", method="GET"),
        await client.call("catalog_push", b"{" + b" " * 3000 + b"}"),
        await client.call("catalog_push", call_body("catalog_push", version="one")),
    ]
    assert [r.status for r in refusals] == [400, 401, 404, 405, 413, 422]
    for refusal in refusals:
        assert list(error_body.iter_errors(refusal.json())) == [], refusal.body


def memory_config_file(directory: Path, base_path: str) -> Path:
    path = directory / "gateway.yaml"
    path.write_text(
        f'server: {{base_path: "{base_path}"}}\n'
        "channels:\n  - {default: true, auth_token: secret-token, adapter: memory,"
        " settings: {demo: {enabled: true, orders: 20}}}\n"
    )
    return path


async def test_answers_fit_the_document_which_never_allows_null(
    gateway: GatewayFactory, tmp_path: Path
) -> None:
    document = build_openapi()
    pull_answer = schema_validator(document, {"$ref": "#/components/schemas/OrderPullResponse"})
    client = await gateway(load_config(memory_config_file(tmp_path, "")))
    answer = await client.call("order_pull", call_body("order_pull", token="secret-token"))
    assert answer.status == 200
    orders = answer.json()["orders"]
    assert len(orders) == 20
    assert list(pull_answer.iter_errors(answer.json())) == []

    with_null = {**orders[0], "billing_address": None}
    assert not pull_answer.is_valid({"orders": [with_null]})


async def test_served_document_is_the_command_output(
    gateway: GatewayFactory, tmp_path: Path
) -> None:
    config_file = memory_config_file(tmp_path, "/shop")
    written = tmp_path / "openapi.json"
    assert main(["openapi", "--config", str(config_file), "--output", str(written)]) == 0

    client = await gateway(load_config(config_file))
    async with client.client.get("/openapi.json") as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        served = await response.read()
    assert served == written.read_bytes()
    assert "/shop/order_pull_v1" in json.loads(served)["paths"]


def test_the_command_writes_to_standard_output(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["openapi"]) == 0
    assert json.loads(capsysbinary.readouterr().out) == build_openapi()


def test_the_command_reports_an_unwritable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["openapi", "--output", str(tmp_path / "missing" / "openapi.json")]) == 1
    assert "cannot write" in capsys.readouterr().err


async def test_the_docs_page_uses_only_assets_the_gateway_serves(gateway: GatewayFactory) -> None:
    client = await gateway(probe_config())
    async with client.client.get("/docs") as response:
        assert response.status == 200
        page = await response.text()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(assets) == 3
    assert "http" not in page  # nothing from a CDN
    for asset in assets:
        async with client.client.get(asset) as response:
            assert response.status == 200, asset
            assert len(await response.read()) > 500


async def test_docs_can_be_turned_off(gateway: GatewayFactory) -> None:
    client = await gateway(probe_config(ops={"docs": False}))
    for path in ("/docs", "/openapi.json"):
        async with client.client.get(path) as response:
            assert response.status == 404
