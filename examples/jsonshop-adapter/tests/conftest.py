"""A JSON Shop fake on 127.0.0.1 for each test, with settings pointing at it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from gateway import RetrySettings

from retailops_jsonshop import JsonShopSettings
from retailops_jsonshop.fake import API_ROOT, FakeJsonShop

API_KEY = "jsonshop-test-key-5b1e"
# The shared policy with short waits, so that retry tests take milliseconds.
FAST_RETRY = RetrySettings(attempts=3, initial_backoff=0.01, max_backoff=0.05, total_timeout=5)


@dataclass(frozen=True)
class LocalShop:
    fake: FakeJsonShop
    base_url: str

    def settings(self, **changes: Any) -> JsonShopSettings:
        values: dict[str, Any] = {
            "base_url": self.base_url,
            "api_key": API_KEY,
            "page_size": 3,
            "timeout": 5,
            "retry": FAST_RETRY,
        }
        return JsonShopSettings.model_validate(values | changes)


@pytest.fixture
async def shop(aiohttp_server: Callable[..., Awaitable[Any]]) -> LocalShop:
    fake = FakeJsonShop(API_KEY)
    server = await aiohttp_server(fake.app())
    return LocalShop(fake, str(server.make_url(API_ROOT)))
