"""Request ids: the caller's ``X-Request-ID`` when it is sane, a fresh one otherwise."""

from __future__ import annotations

import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_MAX_LENGTH = 128

# Letters, digits and the punctuation common in trace ids (UUIDs, W3C trace
# ids, "host-1234.5"); nothing that could split a log line or a header.
_ACCEPTED = re.compile(rf"[A-Za-z0-9._:@/+=-]{{1,{REQUEST_ID_MAX_LENGTH}}}")


def accept_or_make(offered: str | None) -> str:
    """The offered id when it is 1-128 safe characters, else a new random one."""
    if offered and _ACCEPTED.fullmatch(offered):
        return offered
    return uuid.uuid4().hex
