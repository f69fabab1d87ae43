"""``retailops-gateway doctor`` against the fake Shopify, served from a thread on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from gateway.cli import main
from tests.shopify.conftest import FAST_RETRY
from tests.shopify.fake_shopify import TOKEN, FakeShopify


@pytest.fixture
def served(fake: FakeShopify) -> Iterator[str]:
    """The fake's base URL, served by its own event loop in a thread (doctor runs its own)."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(fake.app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.run_until_complete(runner.cleanup())
    loop.close()
    assert fake.rejected == []


def write_config(tmp_path: Path, base_url: str, **settings: Any) -> str:
    shopify = {
        "shop_domain": "fake-shop.myshopify.com",
        "access_token": "${DOCTOR_SHOPIFY_TOKEN}",
        "api_base_url": base_url,
        "retry": FAST_RETRY,
        **settings,
    }
    config = {
        "channels": [
            {"id": 1, "auth_token": "k1", "adapter": "shopify", "settings": shopify},
            {"id": 2, "auth_token": "k2", "adapter": "memory"},
        ]
    }
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def doctor(path: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["doctor", "--config", path, "--timeout", "20"])
    return status, capsys.readouterr().out


def test_doctor_reports_shop_scopes_and_location(
    served: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCTOR_SHOPIFY_TOKEN", TOKEN)
    status, out = doctor(write_config(tmp_path, served, location="main warehouse"), capsys)
    assert status == 0, out
    assert out.splitlines()[0] == "channel 0 (id 1): adapter shopify"
    assert (
        "  ok: shop: Fake Shop (fake-shop.myshopify.com), currency USD, API version 2026-10" in out
    )
    assert "  ok: access token: accepted" in out
    assert "  ok: location: Main Warehouse (gid://shopify/Location/1001)" in out
    assert "channel 1 (id 2): adapter memory" in out
    assert out.splitlines()[-1] == "2 of 2 channels passed the check"
    assert TOKEN not in out


def test_doctor_names_missing_scopes_and_the_calls_needing_them(
    served: str,
    fake: FakeShopify,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCTOR_SHOPIFY_TOKEN", TOKEN)
    fake.shop.scopes = [
        s for s in fake.shop.scopes if s not in ("write_order_edits", "read_all_orders")
    ]
    status, out = doctor(write_config(tmp_path, served), capsys)
    assert status == 1
    assert "  ok: location: Main Warehouse (gid://shopify/Location/1001)" in out
    assert "only the last 60 days of orders" in out
    assert "  FAIL: access scopes missing: write_order_edits (for order_update)" in out
    assert out.splitlines()[-1] == "1 of 2 channels passed the check"


def test_doctor_unknown_location(
    served: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCTOR_SHOPIFY_TOKEN", TOKEN)
    status, out = doctor(write_config(tmp_path, served, location="Annex"), capsys)
    assert status == 1
    assert "location 'Annex' not found among active locations: 'Main Warehouse'" in out


def test_doctor_refused_token(
    served: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCTOR_SHOPIFY_TOKEN", "shpat_revoked_secret")
    status, out = doctor(write_config(tmp_path, served), capsys)
    assert status == 1
    assert "FAIL" in out and "access token was refused (HTTP 401)" in out
    assert "shpat_revoked_secret" not in out


def test_doctor_shop_down(
    served: str,
    fake: FakeShopify,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCTOR_SHOPIFY_TOKEN", TOKEN)
    fake.inject("503", count=100)
    status, out = doctor(write_config(tmp_path, served), capsys)
    assert status == 1
    assert "  FAIL: unreachable: shopify is unavailable (shopCheck): shopCheck: HTTP 503" in out


def test_doctor_invalid_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("channels: []\n")
    assert main(["doctor", "--config", str(path)]) == 2
    assert "invalid configuration" in capsys.readouterr().err
