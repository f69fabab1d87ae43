"""Property-based fuzzing of every call: arbitrary JSON, mutated valid calls, raw bytes,
odd paths and methods. Never a 5xx, never a traceback; every answer is either contract
valid (200) or the JSON error shape; the gateway stays healthy (checked by the fixture).
"""

from __future__ import annotations

import json
from typing import Any

import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gateway.contract import ACTIONS
from gateway.samples import sample_request
from tests.conftest import check_contract
from tests.hostile.conftest import Live
from tests.hostile.live import TOKEN

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ACTION_NAMES = sorted(ACTIONS)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities included: json.dumps writes them as NaN, Infinity
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=40,
)


def check_answer(response: requests.Response, action: str | None) -> None:
    """No 5xx and no traceback; a 200 is a valid answer, anything else the error shape."""
    event(f"HTTP {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    assert response.headers["Content-Type"].startswith("application/json")
    if response.status_code == 200 and action is not None:
        check_contract(action, response.content)
        return
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    assert isinstance(error["details"], list)


def post(live: Live, action: str, data: bytes) -> requests.Response:
    return live.session.post(
        f"{live.url}/{action}_v1",
        data=data,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )


@FUZZ
@given(action=st.sampled_from(ACTION_NAMES), body=json_values)
def test_any_json_to_any_call(live: Live, action: str, body: Any) -> None:
    response = post(live, action, json.dumps(body).encode())
    check_answer(response, action)
    # Without the channel's token nothing gets past authentication.
    if not isinstance(body, dict):
        assert response.status_code == 400
    else:
        assert response.status_code == 401


SAME_TYPE = {
    str: st.text(max_size=60),
    int: st.integers(min_value=-(2**70), max_value=2**70),
    float: st.floats(),
    bool: st.booleans(),
}


@st.composite
def mutated(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """``value`` with parts changed: leaves given another value of their type (out of
    range included) or any JSON at all, keys and items dropped, unknown ones added."""
    if isinstance(value, dict):
        result = {
            key: draw(mutated(item, depth + 1))
            for key, item in value.items()
            if (depth == 0 and key == "integration_auth_token") or draw(st.integers(0, 19)) > 0
        }
        if draw(st.integers(0, 9)) == 0:
            result.update(draw(st.dictionaries(st.text(max_size=12), json_values, max_size=2)))
        if depth == 0:
            result["integration_auth_token"] = TOKEN
        return result
    if isinstance(value, list):
        items = [draw(mutated(item, depth + 1)) for item in value if draw(st.integers(0, 19))]
        return items + draw(st.lists(json_values, max_size=1))
    if depth > 1 and value is not None:
        choice = draw(st.integers(0, 19))
        if choice == 0:
            return draw(json_values)
        if choice < 8:
            return draw(SAME_TYPE.get(type(value), json_values))
    return value


@FUZZ
@given(data=st.data(), action=st.sampled_from(ACTION_NAMES))
def test_mutated_calls_with_the_right_token(live: Live, data: st.DataObject, action: str) -> None:
    body = data.draw(mutated(sample_request(action, auth_key=TOKEN, channel_id=1)))
    response = post(live, action, json.dumps(body).encode())
    check_answer(response, action)
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.json()["error"]["details"], "each failing field is named"


@FUZZ
@given(action=st.sampled_from(ACTION_NAMES), data=st.binary(max_size=300))
def test_raw_bytes_to_any_call(live: Live, action: str, data: bytes) -> None:
    response = post(live, action, data)
    check_answer(response, action)
    assert response.status_code in (400, 401)


@FUZZ
@given(
    path=st.from_regex(r"\A(/[A-Za-z0-9_.~%-]{0,20}){1,4}/?\Z"),
    method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "POST", "OPTIONS"]),
)
def test_odd_paths_and_methods(live: Live, path: str, method: str) -> None:
    response = live.session.request(method, f"{live.url}{path}", data=b"{}", timeout=30)
    assert response.status_code < 500, (path, method, response.status_code)
    assert "Traceback" not in response.text
