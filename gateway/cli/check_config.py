"""``check-config``: validate a configuration file without serving it."""

from __future__ import annotations

import argparse
from typing import Any

from gateway.cli.config_file import INVALID_CONFIG, add_config_argument, load_or_report
from gateway.config import Config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check-config",
        help="validate a configuration file",
        description="Validate a configuration file (adapters' settings included) and summarise it. "
        "Exits 0 when it is valid, 2 when it is not.",
    )
    add_config_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None:
        return INVALID_CONFIG
    print(summary(config))
    return 0


def summary(config: Config) -> str:
    server = config.server
    lines = [
        f"{config.source}: valid",
        f"  server: {server.host}:{server.port}, base path {server.base_path or '/'}, "
        f"body limit {server.max_body_bytes} bytes",
        f"  logging: {config.logging.level}, {config.logging.format}",
    ]
    for channel in config.channels:
        test_key = "test key accepted" if channel.accept_test_key else "test key refused"
        lines.append(f"  {channel.label}: adapter {channel.adapter_name}, {test_key}")
    return "\n".join(lines)
