"""The ``retailops-gateway`` command: one module per sub-command, each with ``register``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from gateway import __version__
from gateway.cli import (
    adapters,
    auth_key,
    check_config,
    doctor,
    new_adapter,
    openapi,
    serve,
    verify,
)

# Each module adds its sub-command with register(subparsers); the parser it
# adds sets ``run``, the function that carries the command out.
COMMANDS = (serve, check_config, verify, auth_key, adapters, new_adapter, openapi, doctor)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="retailops-gateway",
        description="Be a RetailOps sales channel for the storefront you already run.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the return value is the process exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status
