"""The fake store checked against WooCommerce's documented answers and rules.

The adapter's tests are only as good as the fake: these tests hold its records
to the shapes of the documented examples in ../shared/woocommerce-reference and
its behaviour to the rules WooCommerce's controllers follow.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import requests
from aiohttp.test_utils import TestServer
from woocommerce import API

from tests.woocommerce.conftest import KEY, SECRET
from tests.woocommerce.fake_woocommerce import FakeWooCommerce, documented


def shape(value: Any) -> Any:
    """The keys and value kinds of a JSON value, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "null" if value is None else type(value).__name__


def keys_of(value: dict[str, Any]) -> set[str]:
    return set(value)


@pytest.fixture
def api(store: TestServer, fake: FakeWooCommerce) -> API:
    """The ``woocommerce`` package's client, as the adapter uses it."""
    return API(url=fake.base_url, consumer_key=KEY, consumer_secret=SECRET, timeout=5)


async def call(api: API, method: str, endpoint: str, **kwargs: Any) -> requests.Response:
    response: requests.Response = await asyncio.to_thread(getattr(api, method), endpoint, **kwargs)
    return response


async def test_records_have_the_documented_shapes(api: API, fake: FakeWooCommerce) -> None:
    product = fake.add_product("MUG")
    parent = fake.add_product("TEE", variable=True)
    variation = fake.add_variation(parent, "TEE-S", options={"Size": "S"})
    order = fake.add_order([(product, 1), (variation, 2)])
    await call(api, "post", f"orders/{order['id']}/notes", data={"note": "hello"})
    await call(api, "post", f"orders/{order['id']}/refunds", data={"amount": "1.00"})

    got_product = (await call(api, "get", f"products/{product['id']}")).json()
    assert keys_of(got_product) == keys_of(documented("products__retrieve-a-product__03"))
    got_order = (await call(api, "get", f"orders/{order['id']}")).json()
    documented_order = documented("orders__retrieve-an-order__02")
    assert keys_of(got_order) == keys_of(documented_order)
    assert keys_of(got_order["line_items"][0]) == keys_of(documented_order["line_items"][0])
    assert shape(got_order["billing"]) == shape(documented_order["billing"])
    got_variations = (await call(api, "get", f"products/{parent['id']}/variations")).json()
    documented_variation = documented("variations__retrieve-a-product-variation__02")
    # The products endpoint shows a variation with its type, parent and name as well.
    assert keys_of(got_variations[0]) == keys_of(documented_variation) | {
        "type",
        "parent_id",
        "name",
    }
    [note] = (await call(api, "get", f"orders/{order['id']}/notes")).json()
    assert shape(note) == shape(documented("notes__retrieve-an-order-note__02"))
    [refund] = (await call(api, "get", f"orders/{order['id']}/refunds")).json()
    assert keys_of(refund) == keys_of(documented("refunds__retrieve-a-refund__02"))


async def test_batch_answers_have_the_documented_shape(api: API, fake: FakeWooCommerce) -> None:
    existing = fake.add_product("OLD")
    response = await call(
        api,
        "post",
        "products/batch",
        data={
            "create": [{"sku": "NEW", "name": "New"}, {"sku": "OLD", "name": "Twin"}],
            "update": [{"id": existing["id"], "name": "Renamed"}, {"id": 999999}],
        },
    )
    assert response.status_code == 200
    body = response.json()
    documented_batch = documented("products__batch-update-products__07")
    assert keys_of(body["create"][0]) == keys_of(documented_batch["create"][0])
    assert keys_of(body["update"][0]) == keys_of(documented_batch["update"][0])
    # Failed items: an id (0 when nothing was created) and a WooCommerce error.
    assert body["create"][1] == {
        "id": 0,
        "error": {
            "code": "product_invalid_sku",
            "message": "Invalid or duplicated SKU.",
            "data": {"status": 400},
        },
    }
    assert body["update"][1]["error"]["code"] == "woocommerce_rest_product_invalid_id"


async def test_errors_have_the_documented_shape(api: API) -> None:
    response = await call(api, "get", "orders/424242")
    assert response.status_code == 404
    assert shape(response.json()) == shape(documented("intro__errors__02"))
    unknown = await call(api, "get", "no/such/route")
    assert unknown.json() == documented("intro__errors__01")


async def test_paging_headers_and_the_per_page_limit(api: API, fake: FakeWooCommerce) -> None:
    mug = fake.add_product("MUG")
    for _ in range(25):
        fake.add_order([(mug, 1)])
    response = await call(api, "get", "orders", params={"per_page": 10, "page": 2})
    assert len(response.json()) == 10
    assert (response.headers["X-WP-Total"], response.headers["X-WP-TotalPages"]) == ("25", "3")
    assert 'rel="prev"' in response.headers["Link"] and 'rel="next"' in response.headers["Link"]
    last = await call(api, "get", "orders", params={"per_page": 10, "page": 3})
    assert len(last.json()) == 5 and 'rel="next"' not in last.headers["Link"]

    too_many = await call(api, "get", "orders", params={"per_page": 101})
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "rest_invalid_param"


async def test_batches_over_100_items_are_refused(api: API) -> None:
    items = [{"sku": f"S{n}", "name": f"P{n}"} for n in range(101)]
    response = await call(api, "post", "products/batch", data={"create": items})
    assert response.status_code == 413
    assert response.json()["code"] == "woocommerce_rest_request_entity_too_large"


async def test_sku_filter_takes_a_comma_list_and_finds_variations(
    api: API, fake: FakeWooCommerce
) -> None:
    fake.add_product("A")
    fake.add_product("B")
    parent = fake.add_product("T", variable=True)
    fake.add_variation(parent, "T-S", options={"Size": "S"})
    response = await call(api, "get", "products", params={"sku": "A,T-S,ZZZ"})
    found = {record["sku"]: record["type"] for record in response.json()}
    assert found == {"A": "simple", "T-S": "variation"}


async def test_repeated_query_keys_keep_the_last_value(api: API, fake: FakeWooCommerce) -> None:
    fake.add_product("A")
    fake.add_product("B")
    # The package sends its parameters twice on plain http; a true list must be a comma list.
    response = await call(api, "get", "products", params=[("sku", "A"), ("sku", "B")])
    assert [record["sku"] for record in response.json()] == ["B"]


async def test_oauth_signatures_are_verified(store: TestServer, fake: FakeWooCommerce) -> None:
    wrong_secret = API(url=fake.base_url, consumer_key=KEY, consumer_secret="cs_wrong")
    response = await call(wrong_secret, "get", "orders")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature - provided signature does not match."

    unknown_key = API(url=fake.base_url, consumer_key="ck_unknown", consumer_secret=SECRET)
    assert (await call(unknown_key, "get", "orders")).json()["message"] == (
        "Consumer key is invalid."
    )
    unsigned = await asyncio.to_thread(requests.get, f"{fake.base_url}/wp-json/wc/v3/orders")
    assert unsigned.status_code == 401


async def test_a_signed_url_cannot_be_replayed(store: TestServer, fake: FakeWooCommerce) -> None:
    api = API(url=fake.base_url, consumer_key=KEY, consumer_secret=SECRET)
    first = await call(api, "get", "orders")
    assert first.status_code == 200
    replay = await asyncio.to_thread(requests.get, first.url)
    assert replay.status_code == 401
    assert replay.json()["message"] == "Invalid nonce - nonce has already been used."


async def test_key_permissions_are_enforced(store: TestServer, fake: FakeWooCommerce) -> None:
    fake.keys["ck_reader"] = ("cs_reader", "read")
    reader = API(url=fake.base_url, consumer_key="ck_reader", consumer_secret="cs_reader")
    assert (await call(reader, "get", "orders")).status_code == 200
    refused = await call(reader, "post", "orders/batch", data={})
    assert refused.status_code == 401
    assert "write permissions" in refused.json()["message"]


async def test_a_slash_in_a_parameter_breaks_the_package_signature(
    api: API, fake: FakeWooCommerce
) -> None:
    # The package percent-encodes with Python's quote(), which leaves "/" alone;
    # WooCommerce signs with PHP's rawurlencode(), which does not. Plain-http
    # stores therefore refuse such calls; over https (Basic auth) they work.
    fake.add_product("A/1")
    response = await call(api, "get", "products", params={"sku": "A/1"})
    assert response.status_code == 401
