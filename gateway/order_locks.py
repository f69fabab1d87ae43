"""One write-back at a time per order of a channel.

RetailOps may send the same write-back twice at once: a retry racing a first
try that is still running. Not every backend can tell the two apart
(Shopify's ``fulfillmentCreate`` and ``orderCapture`` are not idempotent), so
calls about the same order of a channel run one after the other, and the
second sees what the first recorded. This holds within one process; across
processes each adapter relies on what it records in the backend
(docs/operations.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

RequestT = TypeVar("RequestT")
AnswerT = TypeVar("AnswerT")


@dataclass(slots=True)
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class OrderLocks:
    """A lock per order refnum, kept only while a call holds or waits for it."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def bind(
        self, refnum: str, method: Callable[[RequestT], Awaitable[AnswerT]]
    ) -> Callable[[RequestT], Awaitable[AnswerT]]:
        """``method`` made to wait for the other calls about ``refnum`` to finish."""

        async def one_at_a_time(request: RequestT) -> AnswerT:
            entry = self._entries.get(refnum)
            if entry is None:
                entry = self._entries[refnum] = _Entry()
            entry.users += 1
            try:
                async with entry.lock:
                    return await method(request)
            finally:
                entry.users -= 1
                if entry.users == 0:
                    del self._entries[refnum]

        return one_at_a_time
