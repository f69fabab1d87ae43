"""``adapters``: the installed adapters and, on request, what each implements."""

from __future__ import annotations

import argparse
from typing import Any

from gateway import plugins
from gateway.contract import ACTIONS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "adapters",
        help="list installed adapters",
        description="List the installed adapters without importing them; with "
        "--capabilities, load each and show the calls it implements.",
    )
    parser.add_argument(
        "--capabilities",
        action="store_true",
        help="load each adapter and list the calls it implements (exits 1 if one is broken)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    installed = plugins.installed_adapters()
    if not installed:
        print("no adapters installed")
        return 1
    broken = 0
    for name, entry_point in sorted(installed.items()):
        origin = f"{entry_point.value}" + (
            f" ({entry_point.dist.name} {entry_point.dist.version})" if entry_point.dist else ""
        )
        print(f"{name}: {origin}")
        if not args.capabilities:
            continue
        try:
            adapter_class = plugins.load_adapter(name)
        except plugins.PluginError as exc:
            broken += 1
            print(f"  broken: {exc}")
            continue
        implemented = [action for action in ACTIONS if action in adapter_class.capabilities()]
        print(f"  implements {len(implemented)} of {len(ACTIONS)}: {', '.join(implemented)}")
    return 1 if broken else 0
