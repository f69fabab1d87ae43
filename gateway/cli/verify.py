"""``verify``: exercise a running channel like RetailOps' own verifier."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from gateway.auth import TEST_KEY
from gateway.contract import ACTIONS, Action
from gateway.verification import DEFAULT_TIMEOUT, verify_channel


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check a running channel like RetailOps' verifier",
        description="Send each call's sample request to a running channel: with the key it "
        "must answer 200 and a contract-valid body, with a wrong key 401. Exits 1 on any "
        "failure. The samples name orders and SKUs a real shop does not have (VERIFY-...).",
    )
    parser.add_argument(
        "--base-url", required=True, help="where the calls go, e.g. http://127.0.0.1:8080"
    )
    parser.add_argument(
        "--auth-key", default=TEST_KEY, help=f"the channel's key (default: {TEST_KEY})"
    )
    parser.add_argument(
        "--actions",
        type=_actions,
        default=list(ACTIONS.values()),
        metavar="A,B",
        help="only these calls, comma-separated (default: all 11)",
    )
    parser.add_argument(
        "--channel-id", type=int, default=1, help="channel_info.id to send (default: 1)"
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request"
    )
    parser.set_defaults(run=run)


def _actions(text: str) -> list[Action]:
    names = [name.strip().removesuffix("_v1") for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ACTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown call(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(ACTIONS)}"
        )
    return [ACTIONS[name] for name in names]


def run(args: argparse.Namespace) -> int:
    checks = asyncio.run(
        verify_channel(
            args.base_url,
            args.actions,
            auth_key=args.auth_key,
            channel_id=args.channel_id,
            timeout=args.timeout,
        )
    )
    for check in checks:
        print(check.line())
    failed = sum(not check.passed for check in checks)
    print(f"verify: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0
