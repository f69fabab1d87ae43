"""Which channel a call is for, and whether its token opens it.

RetailOps authenticates with ``integration_auth_token`` in the body. Tokens
are compared in constant time with :func:`hmac.compare_digest`; a channel with
``accept_test_key`` also accepts the verifier's test key ``RETAILOPS_SDK``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

from gateway.adapter import ChannelAdapter
from gateway.config import Channel
from gateway.contract import ChannelInfo
from gateway.order_locks import OrderLocks

# The key RetailOps' verifier sends with its good requests.
TEST_KEY = "RETAILOPS_SDK"
_TEST_KEY_BYTES = TEST_KEY.encode()


def _as_bytes(token: str) -> bytes:
    # JSON may carry lone surrogates; they must not break the comparison.
    return token.encode("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True)
class ServedChannel:
    """A configured channel with its running adapter."""

    config: Channel
    adapter: ChannelAdapter  # type: ignore[type-arg]
    order_locks: OrderLocks = field(init=False, repr=False, default_factory=OrderLocks)
    _token: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        token = _as_bytes(self.config.auth_token.get_secret_value())
        object.__setattr__(self, "_token", token)

    def accepts(self, token: str) -> bool:
        supplied = _as_bytes(token)
        # Both comparisons always run, so timing does not tell which key a channel takes.
        matches_token = hmac.compare_digest(supplied, self._token)
        matches_test_key = hmac.compare_digest(supplied, _TEST_KEY_BYTES)
        return matches_token or (self.config.accept_test_key and matches_test_key)


class ChannelDirectory:
    """The served channels by RetailOps channel id, plus the optional default one."""

    def __init__(self, channels: Iterable[ServedChannel]) -> None:
        self._channels = tuple(channels)
        self._by_id = {c.config.id: c for c in self._channels if c.config.id is not None}
        self._default = next((c for c in self._channels if c.config.id is None), None)

    def __iter__(self) -> Iterator[ServedChannel]:
        return iter(self._channels)

    def authenticate(self, channel_id: int | None, token: str | None) -> ServedChannel | None:
        """The channel the call is for when its token opens it, else None."""
        channel = self._by_id.get(channel_id, self._default)  # type: ignore[arg-type]
        if channel is None or not token:
            return None
        return channel if channel.accepts(token) else None

    def authenticate_raw(self, body: bytes) -> ServedChannel | None:
        """Authenticate a body that failed its request model, reading only the credentials."""
        try:
            credentials = _Credentials.model_validate_json(body)
        except ValidationError:
            return None
        channel_id = credentials.channel_info.id if credentials.channel_info else None
        return self.authenticate(channel_id, credentials.integration_auth_token)


def _none_when_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


_Lenient = WrapValidator(_none_when_invalid)


class _Credentials(BaseModel):
    """Just the token and channel id of a body; anything malformed reads as absent."""

    integration_auth_token: Annotated[str | None, _Lenient] = None
    channel_info: Annotated[ChannelInfo | None, _Lenient] = None
