"""A new adapter plugin package, written from the templates beside this module.

The templates (``template/``, shipped as package data) are ``string.Template``
files: ``$name``, ``$module``, ``$adapter_class`` and the like are filled in,
``$$`` is a literal dollar, and a ``__module__`` folder takes the package's name.
"""

from __future__ import annotations

import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from gateway import __version__

# An adapter name as it is written in the YAML file and registered as an entry point.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")


class ScaffoldError(Exception):
    """The scaffold cannot be written; the message says why."""


def placeholders(name: str) -> dict[str, str]:
    """What the templates' ``$placeholders`` stand for, for the adapter ``name``."""
    if not NAME_PATTERN.fullmatch(name):
        raise ScaffoldError(
            f"{name!r} is not a usable adapter name: use lower-case letters and digits, "
            "starting with a letter, words joined by '-' or '_' (e.g. bigshop, big-shop)"
        )
    words = re.split(r"[-_]", name)
    camel = "".join(word.capitalize() for word in words)
    return {
        "name": name,
        "title": " ".join(word.capitalize() for word in words),
        "distribution": f"retailops-adapter-{'-'.join(words)}",
        "module": f"retailops_{'_'.join(words)}",
        "camel": camel,
        "adapter_class": f"{camel}Adapter",
        "settings_class": f"{camel}Settings",
        "env_prefix": "_".join(words).upper(),
        "gateway_version": __version__,
    }


def default_destination(name: str) -> Path:
    return Path(placeholders(name)["distribution"])


def write_scaffold(name: str, destination: Path) -> list[Path]:
    """Write the package for adapter ``name`` into ``destination`` (new or empty)."""
    values = placeholders(name)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise ScaffoldError(f"{destination} already exists and is not an empty folder")
    written: list[Path] = []
    for relative, template in _templates(files("gateway.scaffold") / "template"):
        target = destination / relative.replace("__module__", values["module"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(template.read_text(encoding="utf-8")).substitute(values))
        written.append(target)
    return written


def _templates(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            found.extend(_templates(entry, f"{prefix}{entry.name}/"))
        elif entry.name.endswith(".tmpl"):
            found.append((prefix + entry.name.removesuffix(".tmpl"), entry))
    return found
