"""The connection check (through the doctor command) and the settings validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.woocommerce import WooCommerceSettings
from gateway.cli.doctor import check_channels
from gateway.config import ConfigError, load_config
from tests.woocommerce.conftest import KEY, gateway_config, woo_settings
from tests.woocommerce.fake_woocommerce import FakeWooCommerce


async def test_doctor_passes_with_read_write_keys(
    store: Any, fake: FakeWooCommerce, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add_product("MUG")
    status = await check_channels(gateway_config(fake.base_url).channels, timeout=10)
    out = capsys.readouterr().out
    assert status == 0, out
    for fact in ("can read orders", "can read products (1 in the store)", "can write orders"):
        assert fact in out
    assert fake.writes() == 2 and fake.products.keys() == {1000}, "the write probes change nothing"


async def test_doctor_names_a_missing_write_permission(
    store: Any, fake: FakeWooCommerce, capsys: pytest.CaptureFixture[str]
) -> None:
    secret, _ = fake.keys[KEY]
    fake.keys[KEY] = (secret, "read")
    status = await check_channels(gateway_config(fake.base_url).channels, timeout=10)
    out = capsys.readouterr().out
    assert status == 1
    assert "ok: can read products" in out
    assert "FAIL: WooCommerce refused to let these keys write orders" in out


async def test_doctor_reports_wrong_keys_without_showing_them(
    store: Any, fake: FakeWooCommerce, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.keys = {KEY: ("cs_another_secret", "read_write")}
    status = await check_channels(gateway_config(fake.base_url).channels, timeout=10)
    out = capsys.readouterr().out
    assert status == 1
    assert "Invalid signature" in out
    assert "cs_test" not in out and "ck_test" not in out


async def test_doctor_reports_a_store_that_is_down(
    store: Any, fake: FakeWooCommerce, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("status", status=502, path="/orders", times=100)
    status = await check_channels(gateway_config(fake.base_url).channels, timeout=10)
    assert status == 1
    assert "FAIL: unreachable" in capsys.readouterr().out


def settings(**overrides: Any) -> WooCommerceSettings:
    block = woo_settings("https://shop.example/")
    block.update(overrides)
    return WooCommerceSettings.model_validate(block)


def test_defaults_are_the_safe_choices() -> None:
    s = settings()
    assert s.store_url == "https://shop.example"
    assert (s.refunds.api_refund, s.refunds.api_restock) == (False, True)
    assert s.settle.policy == "none"
    assert s.tracking.customer_visible_note is False
    assert s.pull_statuses == ["processing"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"page_size": 101}, "page_size"),
        ({"batch_size": 0}, "batch_size"),
        ({"pull_statuses": ["processing", "shipped"]}, "pull_statuses"),
        ({"settle": {"policy": "capture_endpoint"}}, "settle"),
        (
            {
                "settle": {
                    "policy": "capture_endpoint",
                    "capture_namespace": "x/v1",
                    "capture_path": "capture",
                }
            },
            "settle",
        ),
        ({"store_url": "shop.example"}, "store_url"),
        ({"consumer_key": ""}, "consumer_key"),
        ({"refunds": {"api_refund": True, "typo": 1}}, "refunds"),
        ({"concurrency": 0}, "concurrency"),
        ({"retry": {"attempts": 0}}, "retry"),
    ],
)
def test_bad_settings_are_refused(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(**overrides)
    assert {str(error["loc"][0]) for error in caught.value.errors()} == {field}


def test_statuses_accept_the_wc_prefix() -> None:
    assert settings(pull_statuses=["wc-on-hold"]).pull_statuses == ["on-hold"]


def test_secrets_are_hidden_in_the_settings() -> None:
    shown = repr(settings())
    assert KEY not in shown and "cs_test" not in shown


def test_a_config_error_names_the_channel_and_field_but_not_the_secret() -> None:
    with pytest.raises(ConfigError) as caught:
        gateway_config("https://shop.example", page_size=500)
    message = str(caught.value)
    assert "page_size" in message and "channel 0" in message
    assert "cs_test" not in message


def test_the_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "woocommerce.example.yaml"
    environ = {
        "RETAILOPS_AUTH_TOKEN": "t0k3n",
        "WOO_CONSUMER_KEY": "ck_x",
        "WOO_CONSUMER_SECRET": "cs_x",
    }
    config = load_config(example, environ=environ)
    [channel] = config.channels
    assert channel.adapter_name == "woocommerce"
    assert isinstance(channel.settings, WooCommerceSettings)
    assert channel.settings.consumer_secret.get_secret_value() == "cs_x"
