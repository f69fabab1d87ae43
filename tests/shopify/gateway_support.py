"""Calling the gateway, served on a Shopify channel, the way RetailOps does."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from gateway.app import create_app
from gateway.config import parse_config
from tests.official_contract import assert_official_response, official_example
from tests.shopify.conftest import settings_block

CHANNEL_ID = 21
AUTH_TOKEN = "retailops-channel-key-for-tests"


async def gateway_client(aiohttp_client: Any, server: TestServer, **settings: Any) -> TestClient:
    config = parse_config(
        {
            "logging": {"level": "error"},
            "channels": [
                {
                    "id": CHANNEL_ID,
                    "auth_token": AUTH_TOKEN,
                    "adapter": "shopify",
                    "settings": settings_block(server, **settings),
                }
            ],
        }
    )
    return await aiohttp_client(create_app(config))  # type: ignore[no-any-return]


def body(action: str, **fields: Any) -> dict[str, Any]:
    """The official example request of ``action`` with our channel, token and ``fields``."""
    return {
        **official_example(action),
        "integration_auth_token": AUTH_TOKEN,
        "channel_info": {"id": CHANNEL_ID},
        **fields,
    }


async def call(client: TestClient, action: str, **fields: Any) -> dict[str, Any]:
    """POST one call; it must answer 200 with a body valid against the official contract."""
    response = await client.post(f"/{action}_v1", json=body(action, **fields))
    text = await response.text()
    assert response.status == 200, f"{action}: {response.status} {text}"
    answer: dict[str, Any] = await response.json()
    assert_official_response(action, answer)
    return answer


def codes(answer: dict[str, Any]) -> list[str]:
    return [event["code"] for event in answer.get("events") or []]
