"""``auth-key``: print a new random key for a channel's ``auth_token``."""

from __future__ import annotations

import argparse
import secrets
from typing import Any

# 48 random bytes: 64 URL-safe characters.
KEY_BYTES = 48


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "auth-key",
        help="print a strong random key",
        description="Print a strong random key to use as a channel's auth_token in RetailOps "
        "and in the gateway's configuration.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(secrets.token_urlsafe(KEY_BYTES))
    return 0
