"""The scaffold: `new-adapter` writes a package that installs, registers and passes its tests.

The round trip installs the gateway and the new package into a fresh virtual
environment, without build isolation and without the network: the new
environment sees this one's dependencies through a .pth file, so only the two
packages themselves are built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from gateway.scaffold import ScaffoldError, placeholders, write_scaffold
from tests.plugin_env import fresh_venv, gateway_sources, install_offline, run


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _contents(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text() for name in _files(folder)}


def test_new_adapter_writes_every_part_of_the_package(tmp_path: Path) -> None:
    destination = tmp_path / "bigshop"
    assert main(["new-adapter", "big-shop", "--dir", str(destination)]) == 0
    assert _files(destination) == {
        "pyproject.toml",
        "README.md",
        "config.example.yaml",
        "retailops_big_shop/__init__.py",
        "retailops_big_shop/adapter.py",
        "retailops_big_shop/settings.py",
        "tests/__init__.py",
        "tests/test_conformance.py",
        "tests/test_config.py",
    }
    pyproject = (destination / "pyproject.toml").read_text()
    assert '[project.entry-points."retailops_gateway.adapters"]' in pyproject
    assert 'big-shop = "retailops_big_shop.adapter:BigShopAdapter"' in pyproject
    adapter = (destination / "retailops_big_shop/adapter.py").read_text()
    assert "class BigShopAdapter(ChannelAdapter[BigShopSettings]):" in adapter
    assert "async def" not in adapter  # nothing overridden: the base answers UNSUPPORTED_ACTION
    assert "${BIG_SHOP_API_KEY}" in (destination / "config.example.yaml").read_text()
    assert "$" not in (destination / "retailops_big_shop/settings.py").read_text()


@pytest.mark.parametrize("name", ["BigShop", "1shop", "big shop", "big--shop", "shop-", ""])
def test_unusable_names_are_refused(name: str) -> None:
    with pytest.raises(ScaffoldError, match="not a usable adapter name"):
        placeholders(name)


def test_an_existing_folder_with_files_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["new-adapter", "bigshop", "--dir", str(tmp_path)]) == 2
    assert "already exists and is not an empty folder" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    with pytest.raises(ScaffoldError):
        write_scaffold("bigshop", tmp_path)


def test_the_default_folder_is_named_after_the_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new-adapter", "bigshop"]) == 0
    assert (tmp_path / "retailops-adapter-bigshop" / "retailops_bigshop" / "adapter.py").is_file()


def test_the_name_of_an_installed_adapter_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new-adapter", "memory", "--dir", str(tmp_path / "memory")]) == 2
    assert "an adapter named 'memory' is already installed" in capsys.readouterr().err
    assert not (tmp_path / "memory").exists()


def test_the_scaffold_installs_is_listed_and_passes_its_tests(tmp_path: Path) -> None:
    package = tmp_path / "retailops-adapter-bigshop"
    assert main(["new-adapter", "bigshop", "--dir", str(package)]) == 0
    expected = tmp_path / "expected"  # from this checkout's templates
    assert main(["new-adapter", "othershop", "--dir", str(expected)]) == 0
    python = fresh_venv(tmp_path / "venv")
    install_offline(python, gateway_sources(tmp_path / "gateway-source"), package)

    command = tmp_path / "venv/bin/retailops-gateway"
    listed = run([command, "adapters"], tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    entry = "bigshop: retailops_bigshop.adapter:BigshopAdapter (retailops-adapter-bigshop 0.1.0)"
    assert entry in listed.stdout.splitlines()
    # Loaded, it says what it implements on the line after its entry.
    loaded = run([command, "adapters", "--capabilities"], tmp_path).stdout.splitlines()
    assert loaded[loaded.index(entry) + 1].strip() == "implements 1 of 11: catalog_get_config"

    # The templates travel in the wheel: the installed command writes the same package.
    again = tmp_path / "again"  # bigshop is taken there now
    written = run([command, "new-adapter", "othershop", "--dir", again], tmp_path)
    assert written.returncode == 0, written.stdout + written.stderr
    assert _contents(again) == _contents(expected)

    tests = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], package)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    summary = tests.stdout.strip().splitlines()[-1]
    # catalog_get_config, the ten unsupported-action checks and the config test.
    assert summary.startswith("12 passed"), summary
