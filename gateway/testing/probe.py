"""Calls an adapter the way the gateway does and checks every answer on the way back."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from gateway.adapter import BackendUnavailable, ChannelAdapter
from gateway.contract import (
    ACTIONS,
    ORDERS_PER_PAGE_MAX,
    PAGE_TOKEN_MAX_LENGTH,
    UNSUPPORTED_ACTION,
    Event,
    OrderPullResponse,
    ResponseModel,
    dump_response,
)
from gateway.testing.rules import ConformanceFailure

# A pass that has not reached an empty token after this many pages is looping.
MAX_PAGES_PER_PASS = 50

_ENVELOPE = {"version": 1, "client_id": 1, "channel_info": {"id": 1}}


def events_of(answer: ResponseModel) -> list[Event]:
    return list(getattr(answer, "events", None) or [])


def describe_events(events: Sequence[Event]) -> str:
    if not events:
        return "no events"
    return "; ".join(
        f"{e.event_type} {e.code} "
        f"[{', '.join(f'{a.identifier_type}={a.identifier}' for a in e.associations or [])}]"
        for e in events
    )


class Probe:
    """The adapter under test, called by action name with a request given as plain data."""

    def __init__(
        self,
        adapter: ChannelAdapter,  # type: ignore[type-arg]
        check_answer: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.adapter = adapter
        self.capabilities = type(adapter).capabilities()
        self._check_answer = check_answer

    async def call(self, action: str, where: str, **fields: Any) -> Any:
        """Send one request; the answer comes back checked against the contract models."""
        answer = await self._invoke(action, where, fields)
        return self._checked(action, where, answer)

    async def pull_page(self, where: str, page_token: str = "", **fields: Any) -> OrderPullResponse:
        answer = await self._invoke("order_pull", where, {"page_token": page_token, **fields})
        # The limits first, so that they are named even when the answer was built unchecked.
        orders = getattr(answer, "orders", None) or []
        if len(orders) > ORDERS_PER_PAGE_MAX:
            raise ConformanceFailure(
                "page-size",
                where,
                f"{len(orders)} orders on one page (most: {ORDERS_PER_PAGE_MAX})",
            )
        token = getattr(answer, "next_page_token", "") or ""
        if len(token) > PAGE_TOKEN_MAX_LENGTH:
            raise ConformanceFailure(
                "page-token-length",
                where,
                f"next_page_token {token!r} is {len(token)} characters "
                f"(most: {PAGE_TOKEN_MAX_LENGTH})",
            )
        checked: OrderPullResponse = self._checked("order_pull", where, answer)
        return checked

    async def pull_pass(self, label: str) -> list[str]:
        """Follow the pages from a blank token to the end; the refnums offered, in order."""
        offered: list[str] = []
        first_seen: dict[str, int] = {}
        token = ""
        for page in range(1, MAX_PAGES_PER_PASS + 1):
            where = f"order_pull, {label}, page {page} (page_token={token!r})"
            answer = await self.pull_page(where, token)
            for order in answer.orders:
                refnum = order.channel_order_refnum
                if refnum in first_seen:
                    raise ConformanceFailure(
                        "pull-no-repeat",
                        where,
                        f"order {refnum!r} was already offered on page {first_seen[refnum]}",
                    )
                first_seen[refnum] = page
                offered.append(refnum)
            if not answer.next_page_token:
                return offered
            if answer.next_page_token == token:
                raise ConformanceFailure(
                    "pull-ends", where, "next_page_token is the token just sent: the pass loops"
                )
            token = answer.next_page_token
        raise ConformanceFailure(
            "pull-ends",
            f"order_pull, {label}",
            f"still no empty next_page_token after {MAX_PAGES_PER_PASS} pages",
        )

    async def _invoke(self, action: str, where: str, fields: dict[str, Any]) -> Any:
        request = ACTIONS[action].request.model_validate({"action": action, **_ENVELOPE, **fields})
        method = getattr(self.adapter, action)
        try:
            return await method(request)
        except BackendUnavailable:
            raise  # the harness's backend is down: not a contract matter
        except Exception as exc:  # any other exception is a 500 at the gateway
            raise ConformanceFailure(
                "valid-answer",
                where,
                f"{action} raised {type(exc).__name__}: {exc} instead of answering",
            ) from exc

    def _checked(self, action: str, where: str, answer: Any) -> Any:
        model = ACTIONS[action].response
        if not isinstance(answer, model):
            raise ConformanceFailure(
                "valid-answer",
                where,
                f"{action} answered a {type(answer).__name__}, not a {model.__name__}",
            )
        try:
            # Through the gateway's own serialisation, so that a model built with
            # model_construct() or changed after construction is caught too.
            body = dump_response(answer)
            model.model_validate_json(body)
        except (ValidationError, ValueError, TypeError) as exc:
            raise ConformanceFailure(
                "valid-answer", where, f"{action} answer breaks {model.__name__}: {exc}"
            ) from exc
        if self._check_answer is not None:
            try:
                self._check_answer(action, json.loads(body))
            except AssertionError as exc:
                raise ConformanceFailure("valid-answer", where, str(exc)) from exc
        if action in self.capabilities:
            unsupported = [e for e in events_of(answer) if e.code == UNSUPPORTED_ACTION]
            if unsupported:
                raise ConformanceFailure(
                    "capability-honest",
                    where,
                    f"{action} is listed in capabilities() but answered {UNSUPPORTED_ACTION}",
                )
        return answer
