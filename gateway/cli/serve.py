"""``serve``: run the gateway on a configuration file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import structlog
from aiohttp import web

from gateway.app import create_app
from gateway.config import ConfigError, load_config
from gateway.logs import configure_logging


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the gateway", description="Run the gateway on a configuration file."
    )
    parser.add_argument("--config", required=True, metavar="FILE", help="the YAML file")
    parser.add_argument("--host", help="listen on this address instead of server.host")
    parser.add_argument("--port", type=int, help="listen on this port instead of server.port")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(config.logging.level, config.logging.format)
    log = structlog.get_logger("gateway.serve").bind()
    host = args.host or config.server.host
    port = config.server.port if args.port is None else args.port
    url = f"http://{host}:{port}{config.server.base_path}"

    def announce(_message: str) -> None:
        # run_app calls this once its sockets are listening.
        log.info("listening", url=url, config=config.source)

    try:
        web.run_app(create_app(config), host=host, port=port, access_log=None, print=announce)
    except OSError as exc:
        log.error("cannot listen", url=url, reason=str(exc))
        return 1
    return 0
