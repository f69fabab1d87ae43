"""A local JSON Shop: the API the adapter talks to, held in memory, for tests and trying out.

It answers like the real shop: the same paths and shapes, 401 without the key,
404 for an unknown order, 409 for a shipment reference already recorded, 422
for a shipment the order cannot take. ``fail_next`` makes it answer the next
calls with an error status (and a ``Retry-After``) to exercise retries.

    python -m retailops_jsonshop.fake --port 8765 --api-key demo-key --demo-orders 12
"""

from __future__ import annotations

import argparse
import asyncio
import copy
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

API_ROOT = "/api/v1"
_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Fault:
    status: int
    retry_after: float | None = None


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class FakeJsonShop:
    """The shop's state, and the aiohttp application serving it."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.stock: dict[str, int] = {}
        self.titles: dict[str, str] = {}
        self.orders: dict[int, dict[str, Any]] = {}
        self.requests: list[str] = []  # "METHOD /path" of every call, faults included
        self._faults: deque[Fault] = deque()
        self._next_order_id = 1001
        self._next_line_id = 1

    # --- seeding and inspection (for tests) -----------------------------------------

    def add_product(self, sku: str, title: str, quantity: int) -> None:
        self.stock[sku] = quantity
        self.titles[sku] = title

    def add_order(
        self,
        *,
        customer_name: str,
        email: str,
        lines: list[tuple[str, int, float]],
        shipping_total: float = 5.0,
        currency: str = "USD",
    ) -> int:
        """A new, not yet exported order; lines are (sku, quantity, unit price)."""
        order_id = self._next_order_id
        self._next_order_id += 1
        address = {"name": customer_name, "street": "1 Main St", "city": "Springfield"}
        shop_lines = []
        for sku, quantity, unit_price in lines:
            shop_lines.append(
                {
                    "id": self._next_line_id,
                    "sku": sku,
                    "title": self.titles.get(sku, sku),
                    "quantity": quantity,
                    "unit_price": unit_price,
                }
            )
            self._next_line_id += 1
        total = round(sum(q * p for _, q, p in lines) + shipping_total, 2)
        self.orders[order_id] = {
            "id": order_id,
            "placed_at": (_START + timedelta(minutes=len(self.orders))).isoformat(),
            "currency": currency,
            "exported": False,
            "customer": {"name": customer_name, "email": email},
            "ship_to": address,
            "bill_to": address,
            "shipping_method": "standard",
            "shipping_total": shipping_total,
            "lines": shop_lines,
            "payment": {"method": "card", "status": "authorized", "amount": total},
            "shipments": [],
        }
        return order_id

    def add_demo_data(self, orders: int) -> None:
        for sku, title in (("TEE-S", "Tee, small"), ("TEE-M", "Tee, medium"), ("MUG", "Mug")):
            self.add_product(sku, title, 50)
        skus = list(self.stock)
        for n in range(orders):
            self.add_order(
                customer_name=f"Customer {n + 1}",
                email=f"customer{n + 1}@example.com",
                lines=[(skus[n % len(skus)], 1 + n % 2, 20.0)],
            )

    def fail_next(self, count: int, status: int = 503, retry_after: float | None = None) -> None:
        self._faults.extend(Fault(status, retry_after) for _ in range(count))

    def state(self) -> dict[str, Any]:
        """A deep copy of everything the shop holds."""
        return copy.deepcopy({"stock": self.stock, "orders": self.orders})

    # --- the API ---------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._gate])
        app.router.add_get(f"{API_ROOT}/orders", self._list_orders)
        app.router.add_get(f"{API_ROOT}/orders/{{id:\\d+}}", self._get_order)
        app.router.add_post(f"{API_ROOT}/orders/exported", self._mark_exported)
        app.router.add_post(f"{API_ROOT}/orders/{{id:\\d+}}/shipments", self._add_shipment)
        app.router.add_post(f"{API_ROOT}/stock", self._set_stock)
        return app

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path}")
        if self._faults:
            fault = self._faults.popleft()
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            return web.json_response({"error": "injected"}, status=fault.status, headers=headers)
        if request.headers.get("X-Api-Key") != self.api_key:
            return _error(401, "missing or wrong X-Api-Key")
        response: web.StreamResponse = await handler(request)
        return response

    async def _list_orders(self, request: web.Request) -> web.Response:
        try:
            after = int(request.query.get("after_id", 0))
            limit = int(request.query.get("limit", 50))
        except ValueError:
            return _error(400, "after_id and limit must be integers")
        if not 1 <= limit <= 100:
            return _error(400, "limit must be 1 to 100")
        exported = request.query.get("exported")
        matching = [
            order
            for order_id, order in sorted(self.orders.items())
            if order_id > after and (exported is None or str(order["exported"]).lower() == exported)
        ]
        return web.json_response({"orders": matching[:limit], "has_more": len(matching) > limit})

    async def _get_order(self, request: web.Request) -> web.Response:
        order = self.orders.get(int(request.match_info["id"]))
        if order is None:
            return _error(404, "no such order")
        return web.json_response(order)

    async def _mark_exported(self, request: web.Request) -> web.Response:
        ids = (await request.json()).get("ids", [])
        unknown = [i for i in ids if i not in self.orders]
        for order_id in ids:
            if order_id in self.orders:
                self.orders[order_id]["exported"] = True
        return web.json_response(
            {"exported": [i for i in ids if i not in unknown], "unknown": unknown}
        )

    async def _add_shipment(self, request: web.Request) -> web.Response:
        order = self.orders.get(int(request.match_info["id"]))
        if order is None:
            return _error(404, "no such order")
        shipment = await request.json()
        if any(s["reference"] == shipment.get("reference") for s in order["shipments"]):
            return _error(409, f"shipment {shipment.get('reference')} already recorded")
        lines = {line["id"]: line for line in order["lines"]}
        shipped: dict[int, int] = {}
        for s in order["shipments"]:
            for line in s["lines"]:
                shipped[line["line_id"]] = shipped.get(line["line_id"], 0) + line["quantity"]
        for line in shipment.get("lines", []):
            known = lines.get(line.get("line_id"))
            if known is None:
                return _error(422, f"order has no line {line.get('line_id')}")
            if shipped.get(known["id"], 0) + line["quantity"] > known["quantity"]:
                return _error(422, f"line {known['id']} would ship more than was ordered")
        order["shipments"].append(shipment)
        return web.json_response({"shipment": shipment}, status=201)

    async def _set_stock(self, request: web.Request) -> web.Response:
        levels = (await request.json()).get("levels", [])
        unknown = [level["sku"] for level in levels if level["sku"] not in self.stock]
        for level in levels:
            if level["sku"] in self.stock:
                self.stock[level["sku"]] = level["quantity"]
        return web.json_response({"unknown": unknown})


async def _serve(host: str, port: int, shop: FakeJsonShop) -> None:
    runner = web.AppRunner(shop.app())
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    print(f"JSON Shop fake on http://{host}:{bound}{API_ROOT}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a local JSON Shop to develop against.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--api-key", default="demo-key")
    parser.add_argument("--demo-orders", type=int, default=12)
    args = parser.parse_args(argv)
    shop = FakeJsonShop(args.api_key)
    shop.add_demo_data(args.demo_orders)
    asyncio.run(_serve(args.host, args.port, shop))


if __name__ == "__main__":
    main()
