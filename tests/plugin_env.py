"""Fresh virtual environments with the gateway and a plugin installed, fast and offline.

A new environment sees this one's installed dependencies through a .pth file,
so only the gateway and the plugin themselves are built, without build
isolation and without asking a package index. Sources are copied first, so
that building leaves nothing in the work tree.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
COMMAND_TIMEOUT = 120  # seconds, for each command run in the new environment
PIP_INSTALL_OFFLINE = (
    "-m",
    "pip",
    "install",
    "-q",
    "--no-deps",
    "--no-build-isolation",
    "--no-index",
)


def clean_env() -> dict[str, str]:
    """This process's environment without what would steer Python, pytest or pip elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST", "PIP_"))}


def run(args: Sequence[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


def copy_sources(source: Path, target: Path) -> Path:
    """A copy of a plugin's folder without caches and build leftovers."""
    leftovers = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist", ".*_cache")
    shutil.copytree(source, target, ignore=leftovers)
    return target


def gateway_sources(target: Path) -> Path:
    """What building the gateway needs: pyproject, README and the two packages."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (PROJECT / name).is_file():
            shutil.copy2(PROJECT / name, target / name)
    for package in ("gateway", "adapters"):
        shutil.copytree(
            PROJECT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return target


def fresh_venv(path: Path) -> Path:
    """A new environment that also sees this one's installed dependencies; its python."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(path)],
        check=True,
        timeout=COMMAND_TIMEOUT,
    )
    python = path / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], path)
    # Plain paths: the .pth files there (this project's editable install among
    # them) are not run, so the gateway the new environment uses is its own.
    lines = "\n".join(site.getsitepackages())
    (Path(purelib.stdout.strip()) / "_base_environment.pth").write_text(lines + "\n")
    return python


def install_offline(python: Path, *packages: Path) -> None:
    done = run([python, *PIP_INSTALL_OFFLINE, *packages], python.parent)
    assert done.returncode == 0, done.stdout + done.stderr
