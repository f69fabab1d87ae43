"""Exercise a running channel the way RetailOps' verifier does.

For each call: the sample request with the key must answer 200 with a body
valid against the call's (strict) response model, and the same request with
a wrong key must answer 401.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from pydantic import ValidationError

from gateway.auth import TEST_KEY
from gateway.contract import Action
from gateway.samples import sample_request

# The key RetailOps' verifier sends to check that a wrong token is refused.
WRONG_KEY = "KDS_SPOLIATER"
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class CallCheck:
    action: str
    passed: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.action}: {self.detail}"


async def verify_channel(
    base_url: str,
    actions: Iterable[Action],
    *,
    auth_key: str = TEST_KEY,
    channel_id: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[CallCheck]:
    """Check each of ``actions`` against the channel at ``base_url``, one after the other."""
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(timeout=client_timeout) as session:
        return [
            await _check_call(session, base_url.rstrip("/"), action, auth_key, channel_id)
            for action in actions
        ]


async def _check_call(
    session: aiohttp.ClientSession, base_url: str, action: Action, auth_key: str, channel_id: int
) -> CallCheck:
    url = f"{base_url}{action.path}"
    good = sample_request(action.name, auth_key=auth_key, channel_id=channel_id)
    try:
        status, body = await _post(session, url, good)
        if status != 200:
            return CallCheck(
                action.name, False, f"expected 200 with the key, got {status}: {body!r:.200}"
            )
        try:
            action.response.model_validate_json(body, strict=True)
        except ValidationError as exc:
            return CallCheck(
                action.name, False, f"the 200 body breaks the contract: {_summary(exc)}"
            )
        wrong_status, wrong_body = await _post(
            session, url, {**good, "integration_auth_token": WRONG_KEY}
        )
    except (TimeoutError, aiohttp.ClientError) as exc:
        return CallCheck(action.name, False, f"cannot call {url}: {type(exc).__name__}: {exc}")
    if wrong_status != 401:
        return CallCheck(
            action.name,
            False,
            f"expected 401 with a wrong key, got {wrong_status}: {wrong_body!r:.200}",
        )
    return CallCheck(action.name, True, "200 with a contract-valid body; a wrong key gets 401")


async def _post(
    session: aiohttp.ClientSession, url: str, body: dict[str, Any]
) -> tuple[int, bytes]:
    async with session.post(url, data=json.dumps(body), headers=_JSON) as response:
        return response.status, await response.read()


_JSON = {"Content-Type": "application/json"}


def _summary(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, error['loc'])) or '<root>'}: {error['msg']}"
        for error in exc.errors(include_url=False)[:5]
    )
