"""``doctor``: reach the backend of every configured channel and say what was found.

For each channel the adapter is started, its ``check()`` called and the facts
it reports printed, then it is closed. Any adapter works, built-in or plugin.
Exits 0 when every channel is usable, 1 when one is not, 2 when the file is invalid.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from gateway.adapter import BackendUnavailable, CheckFailed
from gateway.cli.config_file import INVALID_CONFIG, add_config_argument, load_or_report
from gateway.config import Channel


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check that each channel's backend can be reached and used",
        description="Start each channel's adapter, run its connection check and print what it "
        "found. Exits 0 when all channels pass, 1 when one fails, 2 when the file is invalid.",
    )
    add_config_argument(parser)
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="give up on a channel after this long (default 120)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None:
        return INVALID_CONFIG
    return asyncio.run(check_channels(config.channels, timeout=args.timeout))


async def check_channels(channels: tuple[Channel, ...], *, timeout: float) -> int:
    """Print a block per channel and a summary; the exit status."""
    failed = 0
    for channel in channels:
        print(f"{channel.label}: adapter {channel.adapter_name}")
        try:
            lines = await asyncio.wait_for(check_channel(channel), timeout)
        except TimeoutError:
            failed += 1
            print(f"  FAIL: no answer within {timeout:g} s")
            continue
        except CheckFailed as exc:
            failed += 1
            for line in exc.lines:
                print(f"  ok: {line}")
            print(f"  FAIL: {exc}")
            continue
        except BackendUnavailable as exc:
            failed += 1
            print(f"  FAIL: unreachable: {exc}")
            continue
        except Exception as exc:  # a plugin may raise anything; report it, do not crash
            failed += 1
            print(f"  FAIL: {type(exc).__name__}: {exc}")
            continue
        for line in lines:
            print(f"  ok: {line}")
    print(f"{len(channels) - failed} of {len(channels)} channels passed the check")
    return 1 if failed else 0


async def check_channel(channel: Channel) -> list[str]:
    adapter = channel.adapter_class(channel.settings)
    await adapter.start()
    try:
        return await adapter.check()
    finally:
        await adapter.close()
