"""Request ids: the caller's ``X-Request-ID`` when it is sane, a fresh one otherwise."""

from __future__ import annotations

import itertools
import os
import re

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_MAX_LENGTH = 128

# Letters, digits and the punctuation common in trace ids (UUIDs, W3C trace
# ids, "host-1234.5"); nothing that could split a log line or a header.
_ACCEPTED = re.compile(rf"[A-Za-z0-9._:@/+=-]{{1,{REQUEST_ID_MAX_LENGTH}}}")


class _IdMaker:
    """32 hex digits: a random prefix per process and a counter.

    Unique without a system call per request (uuid4 reads the OS's random
    source each time); a forked child draws a prefix of its own.
    """

    def __init__(self) -> None:
        self.reseed()
        os.register_at_fork(after_in_child=self.reseed)

    def reseed(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count()

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


_make_id = _IdMaker()


def accept_or_make(offered: str | None) -> str:
    """The offered id when it is 1-128 safe characters, else a new one."""
    if offered and _ACCEPTED.fullmatch(offered):
        return offered
    return _make_id()
