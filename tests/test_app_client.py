"""The shared test client really checks 200 answers against the contract."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import ValidationError

from tests.conftest import GatewayClient

ClientFactory = Callable[[web.Application], Awaitable[TestClient]]


@pytest.mark.parametrize(
    "answer",
    [
        {"sku_fanout": "sideways"},  # not one of the contract's values
        {"sku_fanout": "no_fanout", "extra": 1},  # a field the contract does not have
    ],
)
async def test_a_200_outside_the_contract_fails_the_test(
    aiohttp_client: ClientFactory, answer: dict[str, object]
) -> None:
    async def handle(request: web.Request) -> web.Response:
        return web.json_response(answer)

    app = web.Application()
    app.router.add_post("/catalog_get_config_v1", handle)
    client = GatewayClient(await aiohttp_client(app))
    with pytest.raises(ValidationError):
        await client.call("catalog_get_config", {})


async def test_a_refusal_that_is_not_json_fails_the_test(aiohttp_client: ClientFactory) -> None:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(status=400, text="bad")

    app = web.Application()
    app.router.add_post("/order_pull_v1", handle)
    client = GatewayClient(await aiohttp_client(app))
    with pytest.raises(AssertionError):
        await client.call("order_pull", {})
