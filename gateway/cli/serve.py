"""``serve``: run the gateway on a configuration file."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from gateway.cli.config_file import INVALID_CONFIG, add_config_argument, load_or_report
from gateway.logs import configure_logging
from gateway.ops.serving import serve


def _worker_count(text: str) -> int:
    count = int(text)
    if not 1 <= count <= 64:
        raise argparse.ArgumentTypeError("must be between 1 and 64")
    return count


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the gateway", description="Run the gateway on a configuration file."
    )
    add_config_argument(parser)
    parser.add_argument("--host", help="listen on this address instead of server.host")
    parser.add_argument("--port", type=int, help="listen on this port instead of server.port")
    parser.add_argument(
        "--workers",
        type=_worker_count,
        default=1,
        metavar="N",
        help="run N worker processes sharing the port with SO_REUSEPORT (default 1)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None:
        return INVALID_CONFIG
    configure_logging(config.logging.level, config.logging.format)
    host = args.host or config.server.host
    port = config.server.port if args.port is None else args.port
    config = dataclasses.replace(
        config, server=config.server.model_copy(update={"host": host, "port": port})
    )
    return serve(config, workers=args.workers)
