"""The gateway's refusals: every error answer has one JSON shape.

``{"error": {"code": "...", "message": "...", "details": [...]}}``. Messages
describe the problem without echoing what the caller sent, so a token or a
large body never comes back in an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aiohttp import web
from pydantic import ValidationError

JSON_CONTENT_TYPE = "application/json"


class ApiError(Exception):
    """A refusal raised anywhere on a request's way; the error middleware answers it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers

    def response(self) -> web.Response:
        return error_response(
            self.status, self.code, self.message, details=self.details, headers=self.headers
        )


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    details: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    body = {"error": {"code": code, "message": message, "details": list(details)}}
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type=JSON_CONTENT_TYPE,
        headers=headers,
    )


def unauthorized() -> ApiError:
    # One body for every authentication failure (unknown channel, missing,
    # empty or wrong token), so a caller cannot tell which one it was.
    return ApiError(
        401, "unauthorized", "Unknown channel or missing or wrong integration_auth_token."
    )


def body_too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", f"The request body is larger than {limit} bytes.")


def empty_body() -> ApiError:
    return ApiError(400, "empty_body", "The request body is empty; send the call's JSON object.")


def malformed_body(exc: ValidationError) -> ApiError | None:
    """The 400 for a body that is not a JSON object, or None when it failed the model itself."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    if first["loc"]:
        return None
    if first["type"] == "json_invalid":
        reason = first["msg"].removeprefix("Invalid JSON: ")
        if reason.startswith("recursion limit exceeded"):
            return ApiError(
                400, "too_deeply_nested", f"The JSON body is nested too deeply: {reason}."
            )
        return ApiError(400, "invalid_json", f"The body is not valid JSON: {reason}.")
    if first["type"] == "model_type":
        return ApiError(400, "not_an_object", "The JSON body must be an object.")
    return None


def validation_failed(exc: ValidationError) -> ApiError:
    """The 422 naming each field that failed the request model, without its value."""
    details = [
        {
            "path": ".".join(str(part) for part in error["loc"]),
            "type": error["type"],
            "message": error["msg"],
        }
        for error in exc.errors(include_url=False, include_input=False)
    ]
    return ApiError(
        422, "invalid_request", "The body does not match the call's request model.", details=details
    )


def backend_unavailable(message: str, retry_after: float) -> ApiError:
    seconds = max(1, round(retry_after))
    return ApiError(503, "backend_unavailable", message, headers={"Retry-After": str(seconds)})


def internal_error() -> ApiError:
    return ApiError(
        500, "internal_error", "The gateway could not handle this call; its log has the cause."
    )


def from_http_exception(exc: web.HTTPException, message: str) -> ApiError:
    """aiohttp's own refusals (no route, wrong method, body too large) in the JSON shape."""
    code = HTTPStatus(exc.status).phrase.lower().replace(" ", "_")
    # Keep headers such as Allow on a 405, drop those describing aiohttp's text body.
    headers = {
        name: value
        for name, value in exc.headers.items()
        if name.lower() not in ("content-type", "content-length")
    }
    return ApiError(exc.status, code, message, headers=headers or None)
