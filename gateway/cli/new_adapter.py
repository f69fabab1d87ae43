"""``new-adapter``: write a ready adapter plugin package to start from."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gateway.plugins import installed_adapters
from gateway.scaffold import ScaffoldError, default_destination, placeholders, write_scaffold


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "new-adapter",
        help="write a new adapter plugin package",
        description="Write a package for a new adapter plugin: pyproject.toml with the "
        "entry point, the adapter class (no call implemented yet), its settings model, a "
        "sample config, a README and tests that run the conformance suite.",
    )
    parser.add_argument("name", help="the adapter's name, as channels name it (e.g. bigshop)")
    parser.add_argument(
        "--dir",
        type=Path,
        help="folder to write the package into (default: ./retailops-adapter-NAME)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    taken = installed_adapters().get(args.name)
    if taken is not None:
        # Two distributions under one name are refused when a channel loads it.
        print(
            f"new-adapter: an adapter named {args.name!r} is already installed "
            f"({taken.value}); choose another name",
            file=sys.stderr,
        )
        return 2
    try:
        destination = args.dir or default_destination(args.name)
        written = write_scaffold(args.name, destination)
    except (ScaffoldError, OSError) as exc:
        print(f"new-adapter: {exc}", file=sys.stderr)
        return 2
    values = placeholders(args.name)
    print(f"wrote {len(written)} files to {destination}/")
    print(f"  adapter: {values['module']}.adapter:{values['adapter_class']}")
    print("next:")
    print(f"  cd {destination}")
    print("  pip install -e '.[test]' && pytest")
    print(f"  retailops-gateway adapters      # lists {args.name}")
    return 0
