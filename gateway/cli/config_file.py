"""The ``--config FILE`` option the commands share, and loading it the one way."""

from __future__ import annotations

import argparse
import sys

from gateway.config import Config, ConfigError, load_config

# The exit status of a command given an invalid configuration file.
INVALID_CONFIG = 2


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, metavar="FILE", help="the YAML file")


def load_or_report(path: str) -> Config | None:
    """The configuration at ``path``, or None after printing every problem to stderr."""
    try:
        return load_config(path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return None
