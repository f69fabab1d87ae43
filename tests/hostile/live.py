"""The gateway served for real on 127.0.0.1 from a thread, for synchronous HTTP clients
(hypothesis and schemathesis drive their examples synchronously)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from aiohttp import web

from gateway.app import create_app
from gateway.config import Config, parse_config

TOKEN = "hostile-input-token-2b8e6f1d"
# The demo store behind the default channel: small, so that every call is quick.
MEMORY_SETTINGS = {
    "page_size": 20,
    "demo": {"enabled": True, "products": 20, "variants_per_product": 2, "orders": 40},
}


def memory_config(**server: Any) -> Config:
    return parse_config(
        {
            "server": server,
            "channels": [
                {
                    "default": True,
                    "auth_token": TOKEN,
                    "adapter": "memory",
                    "settings": MEMORY_SETTINGS,
                }
            ],
        },
        source="hostile-input.yaml",
    )


@contextmanager
def live_gateway(config: Config) -> Iterator[str]:
    """Serve ``create_app(config)`` on a free loopback port until the block ends; its URL."""
    ready = threading.Event()
    state: dict[str, Any] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(create_app(config), access_log=None)
        try:
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            host, port = runner.addresses[0][:2]
            state["url"], state["loop"] = f"http://{host}:{port}", loop
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
        except BaseException as exc:  # reported to the test, which then fails
            state["error"] = exc
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="live-gateway", daemon=True)
    thread.start()
    assert ready.wait(30), "the gateway did not start"
    if "error" in state:
        raise state["error"]
    try:
        yield state["url"]
    finally:
        state["loop"].call_soon_threadsafe(state["loop"].stop)
        thread.join(30)
        assert not thread.is_alive(), "the gateway did not stop"
        assert "error" not in state, state.get("error")


def healthy(session: requests.Session, url: str) -> bool:
    """The process still answers: /healthz and a real call both work."""
    alive = session.get(f"{url}/healthz", timeout=5).status_code == 200
    call = session.post(
        f"{url}/catalog_get_config_v1",
        json={
            "action": "catalog_get_config",
            "version": 1,
            "client_id": 1,
            "channel_info": {"id": 1},
            "integration_auth_token": TOKEN,
        },
        timeout=5,
    )
    return alive and call.status_code == 200
