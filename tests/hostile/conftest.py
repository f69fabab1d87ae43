"""A live gateway on the memory store for the whole module, with its logs captured."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import requests
import structlog
from aiohttp.test_utils import TestServer

from gateway.logs import HANDLER_NAME, configure_logging
from tests.hostile.live import healthy, live_gateway, memory_config
from tests.woocommerce.conftest import KEY, SECRET
from tests.woocommerce.fake_woocommerce import FakeWooCommerce


@dataclass
class Live:
    url: str
    session: requests.Session
    log: io.StringIO


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    """The gateway served on 127.0.0.1; after the module it must still be healthy, and its
    log must hold no failed call and no traceback."""
    log = io.StringIO()
    configure_logging("info", "json", stream=log)
    try:
        with live_gateway(memory_config()) as url, requests.Session() as session:
            served = Live(url, session, log)
            yield served
            assert healthy(session, url), "the gateway is not healthy after the run"
    finally:
        structlog.reset_defaults()
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
    text = log.getvalue()
    assert '"request"' in text, "the run was logged"
    assert "call failed" not in text and "Traceback" not in text, text[-3000:]


@pytest.fixture
async def woocommerce() -> AsyncIterator[FakeWooCommerce]:
    """The WooCommerce fake served on 127.0.0.1, with the test store's keys."""
    fake = FakeWooCommerce(consumer_key=KEY, consumer_secret=SECRET)
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    yield fake
    await fake.quiet()
    await server.close()
