"""Loading the YAML file: defaults, environment expansion, and errors that say where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import model_validator

from gateway.config import (
    DEFAULT_MAX_BODY_BYTES,
    ConfigError,
    expand_env,
    load_config,
    parse_config,
)
from tests.fakes import ScriptedAdapter, ScriptedSettings, channel, fake_loader, scripted_config


def problems(data: dict[str, Any], environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, source="gw.yaml", environ=environ or {}, adapter_loader=fake_loader)
    assert str(caught.value).startswith("gw.yaml: invalid configuration:")
    return caught.value.problems


def test_defaults() -> None:
    config = scripted_config()
    assert config.server.model_dump() == {
        "host": "127.0.0.1",
        "port": 8080,
        "base_path": "",
        "max_body_bytes": 16 * 1024 * 1024,
    }
    assert DEFAULT_MAX_BODY_BYTES == 16 * 1024 * 1024
    assert (config.logging.level, config.logging.format) == ("info", "json")
    (only,) = config.channels
    assert (only.id, only.accept_test_key, only.adapter_name) == (None, False, "scripted")
    assert only.settings == ScriptedSettings()


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("", ""),
        ("/", ""),
        ("retailops", "/retailops"),
        ("/retailops/", "/retailops"),
        ("//a//b/", "/a/b"),
        (" /a ", "/a"),
    ],
)
def test_base_path_is_normalised(written: str, normalised: str) -> None:
    assert scripted_config(server={"base_path": written}).server.base_path == normalised


def test_logging_accepts_any_case() -> None:
    config = scripted_config(logging={"level": "DEBUG", "format": "Console"})
    assert (config.logging.level, config.logging.format) == ("debug", "console")


def test_adapter_settings_are_validated_by_the_adapters_model() -> None:
    config = scripted_config(channel(settings={"behaviour": "crash", "sku_fanout": "related_skus"}))
    settings = config.channels[0].settings
    assert isinstance(settings, ScriptedSettings)
    assert (settings.behaviour, settings.sku_fanout) == ("crash", "related_skus")


def test_only_the_adapters_channels_use_are_loaded() -> None:
    asked: list[str] = []

    def loader(name: str) -> Any:
        asked.append(name)
        return fake_loader(name)

    data = {"channels": [channel(id=1), channel(id=2), channel(default=True)]}
    parse_config(data, environ={}, adapter_loader=loader)
    assert set(asked) == {"scripted"}


# --- environment expansion ---------------------------------------------------


def test_env_references_are_expanded_in_strings() -> None:
    environ = {"TOKEN": "from-env", "PORT": "9000", "EMPTY": ""}
    config = parse_config(
        {
            "server": {
                "port": "${PORT}",
                "base_path": "${BASE:-/api}",
                "host": "${EMPTY:-0.0.0.0}",
            },
            "channels": [channel(auth_token="${TOKEN}", accept_test_key="${TEST_KEY:-true}")],
        },
        environ=environ,
        adapter_loader=fake_loader,
    )
    assert config.server.port == 9000
    assert config.server.base_path == "/api"
    assert config.server.host == "0.0.0.0"  # like the shell, :- also replaces an empty value
    assert config.channels[0].auth_token.get_secret_value() == "from-env"
    assert config.channels[0].accept_test_key is True


def test_expansion_leaves_keys_and_other_text_alone() -> None:
    unset: list[str] = []
    expanded = expand_env(
        {"${KEY}": ["a ${A}-${B:-b} $A ${", 3, None]}, {"A": "1", "KEY": "k"}, unset
    )
    assert expanded == {"${KEY}": ["a 1-b $A ${", 3, None]}
    assert unset == []


def test_unset_variable_without_default_names_it_and_where() -> None:
    found = problems(
        {
            "server": {"port": "${GW_PORT}"},
            "channels": [channel(auth_token="${GW_TOKEN}"), channel(id=4, adapter="${GW_ADAPTER}")],
        },
        environ={"OTHER": "x"},
    )
    assert found == [
        "server.port: environment variable GW_PORT is not set",
        "channel 0 (default): auth_token: environment variable GW_TOKEN is not set",
        "channel 1 (id 4): adapter: environment variable GW_ADAPTER is not set",
    ]


def test_expanded_values_are_never_echoed_in_errors() -> None:
    secret = "s3cr3t-value-from-env"
    found = problems(
        {"server": {"port": "${SECRET}"}, "channels": [channel(id="${SECRET}")]},
        environ={"SECRET": secret},
    )
    assert len(found) == 2
    assert all(secret not in problem for problem in found)


# --- errors name the file, the channel and the field ---------------------------


def test_errors_name_file_channel_and_field(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(
        "channels:\n"
        "  - id: 7\n"
        "    adapter: memory\n"
        "    auth_token: ''\n"
        "  - default: true\n"
        "    adapter: memory\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid configuration:")
    assert caught.value.problems == [
        "channel 0 (id 7): auth_token: must not be empty (`retailops-gateway auth-key` makes one)",
        "channel 1 (default): auth_token: Field required",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"channels": []}, "channels: List should have at least 1 item after validation, not 0"),
        ({}, "channels: Field required"),
        ({"servr": {}, "channels": [channel()]}, "servr: Extra inputs are not permitted"),
        (
            {"server": {"port": 70000}, "channels": [channel()]},
            "server.port: Input should be less than or equal to 65535",
        ),
        (
            {"server": {"max_body_bytes": 0}, "channels": [channel()]},
            "server.max_body_bytes: Input should be greater than 0",
        ),
        (
            {"logging": {"format": "xml"}, "channels": [channel()]},
            "logging.format: Input should be 'json' or 'console'",
        ),
        (
            {"channels": [channel(id=3, default=True)]},
            "channel 0 (default): needs exactly one of: id (the RetailOps channel id) "
            "or default: true",
        ),
        (
            {"channels": [{"auth_token": "t", "adapter": "scripted"}]},
            "channel 0: needs exactly one of: id (the RetailOps channel id) or default: true",
        ),
        (
            {"channels": [channel(id=3, auth_token=12345)]},
            "channel 0 (id 3): auth_token: Input should be a valid string",
        ),
        (
            {"channels": [channel(id=3, secret="x")]},
            "channel 0 (id 3): secret: Extra inputs are not permitted",
        ),
        (
            {"channels": [channel(id=3, adapter="nope")]},
            "channel 0 (id 3): adapter: no adapter named 'nope' is installed",
        ),
        (
            {"channels": [channel(id=3, settings={"behaviour": "explode"})]},
            "channel 0 (id 3): settings.behaviour: Input should be 'normal', 'unavailable' "
            "or 'crash' (adapter 'scripted')",
        ),
        (
            {"channels": [channel(id=3, settings={"retry": 1})]},
            "channel 0 (id 3): settings.retry: Extra inputs are not permitted (adapter 'scripted')",
        ),
    ],
)
def test_each_problem_is_named(data: dict[str, Any], expected: str) -> None:
    assert problems(data) == [expected]


def test_adapter_settings_are_checked_when_other_parts_are_wrong() -> None:
    found = problems(
        {
            "server": {"port": -1},
            "channels": [channel(id=1, auth_token=""), channel(id=2, settings={"retry": 1})],
        }
    )
    assert found == [
        "server.port: Input should be greater than or equal to 0",
        "channel 0 (id 1): auth_token: must not be empty (`retailops-gateway auth-key` makes one)",
        "channel 1 (id 2): settings.retry: Extra inputs are not permitted (adapter 'scripted')",
    ]


def test_duplicate_channel_ids_and_defaults_are_refused() -> None:
    found = problems(
        {
            "channels": [
                channel(id=5),
                channel(default=True),
                channel(id=5),
                channel(default=True),
            ]
        }
    )
    assert found == [
        "channel 2 (id 5): id: duplicate channel id 5 (also channel 0)",
        "channel 3 (default): default: only one default channel is allowed "
        "(channel 1 is already the default)",
    ]


def test_all_problems_are_reported_at_once() -> None:
    found = problems(
        {
            "channels": [
                channel(id=1, adapter="nope"),
                channel(id=2, settings={"behaviour": "explode"}),
            ]
        }
    )
    assert [problem.split(":")[0] for problem in found] == ["channel 0 (id 1)", "channel 1 (id 2)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "channels:\n  - id: 1\n    auth_token: tok-in-file\n   adapter: [x\n",
            "not valid YAML: ",
        ),
        ("- just\n- a list\n", "the file must hold a mapping"),
        ("", "the file must hold a mapping"),
    ],
)
def test_unreadable_files(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    (problem,) = caught.value.problems
    assert problem.startswith(expected)
    assert "tok-in-file" not in str(caught.value)
    assert str(path) in str(caught.value)


def test_yaml_error_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("server:\n  port: 8080\n  host: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert "(line 4, column 1)" in caught.value.problems[0]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "absent.yaml")
    assert caught.value.problems[0].startswith("cannot read the file")


def test_a_settings_model_that_raises_is_reported_with_its_adapter() -> None:
    class Fragile(ScriptedSettings):
        @model_validator(mode="before")
        @classmethod
        def _explode(cls, value: Any) -> Any:
            raise KeyError("region")

    class FragileAdapter(ScriptedAdapter):
        Settings = Fragile

    with pytest.raises(ConfigError) as caught:
        parse_config(
            {"channels": [channel(id=7, adapter="fragile")]},
            source="gw.yaml",
            environ={},
            adapter_loader=lambda name: FragileAdapter,
        )
    assert caught.value.problems == [
        "channel 0 (id 7): settings: adapter 'fragile' failed to read them: KeyError: 'region'"
    ]


def test_settings_errors_name_the_adapter() -> None:
    (problem,) = problems({"channels": [channel(id=7, settings={"behaviour": "odd"})]})
    assert problem.startswith("channel 0 (id 7): settings.behaviour: ")
    assert problem.endswith("(adapter 'scripted')")
