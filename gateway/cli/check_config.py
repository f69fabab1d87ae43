"""``check-config``: validate a configuration file without serving it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gateway.config import Config, ConfigError, load_config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check-config",
        help="validate a configuration file",
        description="Validate a configuration file (adapters' settings included) and summarise it. "
        "Exits 0 when it is valid, 2 when it is not.",
    )
    parser.add_argument("--config", required=True, metavar="FILE", help="the YAML file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
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
