"""Shared fixtures: a gateway client that checks every 200 answer against the contract,
and captured structured logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import structlog
from aiohttp import web
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import Config
from gateway.contract import ACTIONS
from gateway.logs import HANDLER_NAME, configure_logging
from tests.official_contract import assert_official_response, sdk_available


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class GatewayClient:
    """Calls a gateway under test; every 200 answer of a call is checked against the
    call's response model and, when ../shared is present, the official schemas."""

    def __init__(self, client: TestClient, base_path: str = "") -> None:
        self.client = client
        self.app = client.app
        self.base_path = base_path

    async def call(
        self,
        action: str,
        body: Any,
        *,
        path: str | None = None,
        method: str = "POST",
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send ``body`` (JSON-encoded unless bytes) to ``action``'s URL, or to ``path``."""
        data = io.BytesIO(body if isinstance(body, bytes) else json.dumps(body).encode())
        url = path if path is not None else f"{self.base_path}/{action}_v1"
        async with self.client.request(method, url, data=data, headers=headers) as response:
            answer = Answer(response.status, response.headers, await response.read())
        if answer.status == 200 and action in ACTIONS:
            check_contract(action, answer.body)
        else:
            assert answer.headers["Content-Type"].startswith("application/json")
        return answer


def check_contract(action: str, body: bytes) -> None:
    """Fail unless ``body`` is a valid answer to ``action`` (strict model, official schemas)."""
    ACTIONS[action].response.model_validate_json(body, strict=True)
    if sdk_available():
        assert_official_response(action, json.loads(body))


GatewayFactory = Callable[[Config], Awaitable[GatewayClient]]


@pytest.fixture
async def gateway(
    aiohttp_client: Callable[[web.Application], Awaitable[TestClient]],
) -> AsyncIterator[GatewayFactory]:
    """``await gateway(config)``: a running gateway on 127.0.0.1 and a checking client."""

    async def start(config: Config) -> GatewayClient:
        client = await aiohttp_client(create_app(config))
        return GatewayClient(client, config.server.base_path)

    yield start


class CapturedLogs:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def events(self, event: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line.get("event") == event]


@pytest.fixture
def captured_logs() -> Iterator[CapturedLogs]:
    """The gateway's JSON log lines, debug level and up, for the duration of a test."""
    logs = CapturedLogs()
    configure_logging("debug", "json", stream=logs.stream)
    yield logs
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
