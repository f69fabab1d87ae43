"""``openapi``: write the OpenAPI 3.1 document of the channel calls."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gateway.config import ConfigError, load_config
from gateway.ops.openapi import render_openapi


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "openapi",
        help="write the OpenAPI document",
        description="Write the OpenAPI 3.1 document of the channel calls, the one served at "
        "/openapi.json. With --config, the paths carry that file's base path.",
    )
    parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--config", metavar="FILE", help="take server.base_path from this file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    base_path = ""
    if args.config:
        try:
            base_path = load_config(args.config).server.base_path
        except ConfigError as exc:
            print(exc, file=sys.stderr)
            return 2
    document = render_openapi(base_path)
    if args.output is None:
        sys.stdout.buffer.write(document)
        return 0
    try:
        Path(args.output).write_bytes(document)
    except OSError as exc:
        print(f"cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
