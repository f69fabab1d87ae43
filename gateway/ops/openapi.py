"""The OpenAPI 3.1 document of the channel calls, built from the contract models.

Request schemas are the models' validation schemas (what the gateway accepts),
response schemas their serialisation schemas (what it answers, by alias).
OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what pydantic writes.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import (
    GenerateJsonSchema,
    JsonSchemaMode,
    JsonSchemaValue,
    models_json_schema,
)
from pydantic_core import core_schema

from gateway import __version__
from gateway.contract import ACTIONS
from gateway.samples import sample_request

SCHEMA_REF = "#/components/schemas/{model}"
# What the examples carry as the channel's token, for the reader to replace.
EXAMPLE_TOKEN = "your-channel-auth-token"
RESPONSE_REF = "#/components/responses/{name}"


class ErrorInfo(BaseModel):
    code: str = Field(description="A stable, machine-readable reason, e.g. invalid_json.")
    message: str = Field(description="What went wrong, for people; never echoes the input.")
    details: list[dict[str, Any]] = Field(
        description="For 422: one entry per failing field (path, type, message); else empty."
    )


class ErrorBody(BaseModel):
    """The body of every refusal the gateway answers."""

    error: ErrorInfo


class _AnswersWithoutNulls(GenerateJsonSchema):
    """Answers are serialised leaving nulls out: an optional field is absent, never null.

    Requests keep their validation schemas, where null is accepted.
    """

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        if self.mode == "serialization":
            return self.generate_inner(schema["schema"])
        return super().nullable_schema(schema)

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if self.mode == "serialization" and json_schema.get("default", ...) is None:
            del json_schema["default"]
        return json_schema


# The refusals every call can get, with the codes each one carries.
_REFUSALS: dict[int, tuple[str, str]] = {
    400: (
        "BadRequest",
        "The body is empty (empty_body), not JSON (invalid_json), nested too deeply "
        "(too_deeply_nested) or not a JSON object (not_an_object).",
    ),
    401: (
        "Unauthorized",
        "Unknown channel, or integration_auth_token missing, empty or wrong (unauthorized). "
        "One body for all of these.",
    ),
    404: ("NotFound", "No such call under the base path (unknown_action)."),
    405: ("MethodNotAllowed", "Channel calls are POST requests; the Allow header says so."),
    413: ("PayloadTooLarge", "The body is over the configured limit (body_too_large)."),
    422: (
        "ValidationFailed",
        "The body does not match the call's request model (invalid_request); "
        "details name each failing field.",
    ),
    503: (
        "Unavailable",
        "The backend stayed unavailable after retries (backend_unavailable), the channel has "
        "too many calls in progress (channel_busy), or the call ran past its deadline "
        "(deadline_exceeded). Send the call again after Retry-After seconds.",
    ),
}
# 404 and 405 are answers to paths and methods outside the operations below.
_OPERATION_REFUSALS = (400, 401, 413, 422, 503)

_DESCRIPTION = """\
The RetailOps channel calls served by this gateway. RetailOps authenticates each call
with `integration_auth_token` in the JSON body and names the channel in
`channel_info.id`. Per-item problems come back as `events` in a 200 answer.

Every refusal has one JSON shape (`ErrorBody`): 400 malformed body, 401 authentication,
404 unknown call (`unknown_action`), 405 a method other than POST, 413 body too large,
422 body failing the request model, 503 with `Retry-After` when the call should be sent
again later.
"""


def _tag(action_name: str) -> str:
    return "orders" if action_name.startswith("order_") else action_name.split("_", 1)[0]


def build_openapi(base_path: str = "") -> dict[str, Any]:
    """The document for a gateway serving the calls under ``base_path``."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for action in ACTIONS.values():
        models += [(action.request, "validation"), (action.response, "serialization")]
    refs, definitions = models_json_schema(
        models, ref_template=SCHEMA_REF, schema_generator=_AnswersWithoutNulls
    )

    def json_content(
        model: type[BaseModel], mode: JsonSchemaMode, example: Any = None
    ) -> dict[str, Any]:
        media: dict[str, Any] = {"schema": refs[(model, mode)]}
        if example is not None:
            media["example"] = example
        return {"application/json": media}

    paths: dict[str, Any] = {}
    for action in ACTIONS.values():
        responses: dict[str, Any] = {
            "200": {
                "description": "The call's answer.",
                "content": json_content(action.response, "serialization"),
            }
        }
        for status in _OPERATION_REFUSALS:
            responses[str(status)] = {"$ref": RESPONSE_REF.format(name=_REFUSALS[status][0])}
        paths[f"{base_path}{action.path}"] = {
            "post": {
                "operationId": action.name,
                "summary": action.summary,
                "tags": [_tag(action.name)],
                "requestBody": {
                    "required": True,
                    "content": json_content(
                        action.request,
                        "validation",
                        sample_request(action.name, auth_key=EXAMPLE_TOKEN, channel_id=1),
                    ),
                },
                "responses": responses,
            }
        }

    error_content = json_content(ErrorBody, "serialization")
    refusals: dict[str, Any] = {
        name: {"description": description, "content": error_content}
        for name, description in _REFUSALS.values()
    }
    refusals[_REFUSALS[503][0]]["headers"] = {
        "Retry-After": {
            "description": "Seconds to wait before sending the call again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "retailops-gateway",
            "version": __version__,
            "description": _DESCRIPTION,
        },
        "tags": [
            {"name": "catalog", "description": "Catalog settings and product feed."},
            {"name": "inventory", "description": "Stock levels."},
            {"name": "orders", "description": "Orders from pull to return."},
        ],
        "paths": paths,
        "components": {"schemas": definitions.get("$defs", {}), "responses": refusals},
    }


def render_openapi(base_path: str = "") -> bytes:
    """The document as indented JSON bytes, keys in a stable order."""
    return json.dumps(build_openapi(base_path), indent=2).encode() + b"\n"
