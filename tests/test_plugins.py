"""Plugin loading: discovery, clear refusals, lazy imports, the interface version check.

Each test installs throwaway plugins as real distributions: a ``*.dist-info``
folder with an ``entry_points.txt`` and a module beside it, on sys.path.
"""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from gateway.adapter import INTERFACE_VERSION
from gateway.config import ConfigError, parse_config
from gateway.plugins import PluginError, installed_adapters, load_adapter

GOOD_ADAPTER = """
from gateway.adapter import AdapterSettings, ChannelAdapter

class ShopSettings(AdapterSettings):
    api_url: str
    page_size: int = 50

class ShopAdapter(ChannelAdapter[ShopSettings]):
    name = "{name}"
    Settings = ShopSettings
"""

Install = Callable[..., str]


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Install a plugin distribution; returns the module name it was given."""
    modules: list[str] = []

    def install(
        name: str,
        source: str = GOOD_ADAPTER,
        *,
        attribute: str = "ShopAdapter",
        dist: str | None = None,
    ) -> str:
        module = f"throwaway_{name}_{uuid.uuid4().hex[:8]}"
        modules.append(module)
        # A folder of its own on sys.path: importlib.metadata caches a folder's
        # listing by its mtime, which two quick installs into one folder may share.
        site = tmp_path / module
        site.mkdir()
        monkeypatch.syspath_prepend(str(site))
        (site / f"{module}.py").write_text(textwrap.dedent(source).format(name=name))
        dist_name = dist or f"{module}-dist"
        # Named as installers name it: the distribution's name with "_" for "-".
        info = site / f"{dist_name.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(
            f"[retailops_gateway.adapters]\n{name} = {module}:{attribute}\n"
        )
        return module

    yield install
    for module in modules:
        sys.modules.pop(module, None)


def test_an_installed_plugin_is_listed_without_being_imported(install_plugin: Install) -> None:
    module = install_plugin("bigshop")
    listed = installed_adapters()
    assert listed["bigshop"].value == f"{module}:ShopAdapter"
    assert {"memory"} <= set(listed)  # the built-ins come the same way
    assert module not in sys.modules


def test_load_adapter_imports_and_returns_the_class(install_plugin: Install) -> None:
    module = install_plugin("bigshop")
    adapter_class = load_adapter("bigshop")
    assert adapter_class.__module__ == module
    assert adapter_class.Settings.__name__ == "ShopSettings"


def test_an_unknown_name_lists_what_is_installed(install_plugin: Install) -> None:
    install_plugin("bigshop")
    with pytest.raises(PluginError, match=r"no adapter named 'smallshop'.*bigshop"):
        load_adapter("smallshop")


@pytest.mark.parametrize(
    ("source", "cause"),
    [
        ("import bigshop_sdk_not_installed\n", "ModuleNotFoundError: No module named"),
        ("def broken(:\n", "SyntaxError"),
        ("raise RuntimeError('BIGSHOP_URL is not set')\n", "RuntimeError: BIGSHOP_URL is not set"),
    ],
)
def test_an_import_failure_names_the_plugin_and_the_cause(
    install_plugin: Install, source: str, cause: str
) -> None:
    module = install_plugin("bigshop", source)
    with pytest.raises(PluginError) as error:
        load_adapter("bigshop")
    message = str(error.value)
    assert message.startswith(f"adapter 'bigshop' ({module}:ShopAdapter from {module}-dist 1.0)")
    assert "failed to import" in message
    assert cause in message


def test_a_missing_attribute_is_an_import_failure(install_plugin: Install) -> None:
    install_plugin("bigshop", attribute="NoSuchAdapter")
    with pytest.raises(PluginError, match=r"'bigshop'.*failed to import: AttributeError"):
        load_adapter("bigshop")


def test_an_object_that_is_not_an_adapter_is_refused(install_plugin: Install) -> None:
    install_plugin("bigshop", "class ShopAdapter:\n    pass\n")
    with pytest.raises(PluginError, match=r"'bigshop'.*is not a ChannelAdapter subclass"):
        load_adapter("bigshop")


def test_settings_that_are_not_adapter_settings_are_refused(install_plugin: Install) -> None:
    source = GOOD_ADAPTER + "\nShopAdapter.Settings = dict\n"
    install_plugin("bigshop", source)
    with pytest.raises(PluginError, match=r"'bigshop'.*Settings is not an AdapterSettings"):
        load_adapter("bigshop")


def test_another_interface_version_is_refused_with_both_versions(install_plugin: Install) -> None:
    source = GOOD_ADAPTER + f"\nShopAdapter.interface_version = {INTERFACE_VERSION + 1}\n"
    install_plugin("bigshop", source)
    with pytest.raises(PluginError) as error:
        load_adapter("bigshop")
    assert (
        f"was written for adapter interface version {INTERFACE_VERSION + 1}, "
        f"this gateway provides version {INTERFACE_VERSION}"
    ) in str(error.value)


def test_one_name_from_two_distributions_is_refused(install_plugin: Install) -> None:
    first = install_plugin("bigshop", dist="bigshop-one")
    second = install_plugin("bigshop", dist="bigshop-two")
    with pytest.raises(PluginError) as error:
        load_adapter("bigshop")
    message = str(error.value)
    assert "registered more than once" in message
    assert f"{first}:ShopAdapter from bigshop-one 1.0" in message
    assert f"{second}:ShopAdapter from bigshop-two 1.0" in message
    assert first not in sys.modules and second not in sys.modules


# --- at start-up: the configuration loads only what its channels use -------------


def _config(adapter: str, settings: Mapping[str, object]) -> dict[str, object]:
    return {
        "channels": [{"id": 7, "auth_token": "t" * 32, "adapter": adapter, "settings": settings}]
    }


def test_plugins_no_channel_uses_are_never_imported(install_plugin: Install) -> None:
    used = install_plugin("bigshop")
    unused = install_plugin("brokenshop", "raise RuntimeError('would break start-up')\n")
    config = parse_config(_config("bigshop", {"api_url": "http://127.0.0.1:1"}), environ={})
    assert config.channels[0].adapter_class.__module__ == used
    assert unused not in sys.modules


def test_an_incompatible_plugin_stops_start_up_with_the_reason(install_plugin: Install) -> None:
    source = GOOD_ADAPTER + "\nShopAdapter.interface_version = 0\n"
    install_plugin("bigshop", source)
    with pytest.raises(ConfigError) as error:
        parse_config(_config("bigshop", {"api_url": "x"}), source="gateway.yaml", environ={})
    message = str(error.value)
    assert "gateway.yaml" in message
    assert "channel 0 (id 7)" in message
    assert "'bigshop'" in message and "interface version 0" in message


def test_an_import_failure_stops_start_up_naming_the_channel_and_plugin(
    install_plugin: Install,
) -> None:
    install_plugin("bigshop", "import bigshop_sdk_not_installed\n")
    with pytest.raises(ConfigError) as error:
        parse_config(_config("bigshop", {}), environ={})
    assert "channel 0 (id 7): adapter: adapter 'bigshop'" in str(error.value)
    assert "No module named 'bigshop_sdk_not_installed'" in str(error.value)


def test_settings_that_do_not_validate_name_the_channel_and_field(install_plugin: Install) -> None:
    install_plugin("bigshop")
    bad = {"page_size": "many", "api_urll": "http://127.0.0.1:1"}
    with pytest.raises(ConfigError) as error:
        parse_config(_config("bigshop", bad), environ={})
    problems = error.value.problems
    assert any(p.startswith("channel 0 (id 7): settings.api_url: Field required") for p in problems)
    assert any(p.startswith("channel 0 (id 7): settings.page_size:") for p in problems)
    assert any(p.startswith("channel 0 (id 7): settings.api_urll: Extra inputs") for p in problems)
