"""The baseline: a bare aiohttp handler that reads the body and returns a fixed valid answer.

``python -m benchmarks.bare_server ANSWERS_DIR PORT`` serves ``POST /<action>_v1`` for each
``<action>.json`` file in ANSWERS_DIR (an answer the gateway gave to the same request), plus
``GET /healthz``. No validation, no authentication, no logging: what any aiohttp service costs.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.Response]]


def fixed_answer(body: bytes) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body, content_type="application/json")

    return handle


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


def create_bare_app(answers: Path) -> web.Application:
    app = web.Application(client_max_size=16 * 1024 * 1024)
    for answer in sorted(answers.glob("*.json")):
        app.router.add_post(f"/{answer.stem}_v1", fixed_answer(answer.read_bytes()))
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(
        create_bare_app(Path(sys.argv[1])),
        host="127.0.0.1",
        port=int(sys.argv[2]),
        access_log=None,
        print=None,
    )
