"""The operational side of the application: metrics, limits, health, readiness, docs.

:func:`setup_ops` adds it all to the gateway's application. Health, readiness
and metrics share the gateway's port unless ``ops.port`` gives them their own
listener, served by :func:`create_ops_app`. The docs always stay with the
calls they describe, so their "try it out" reaches the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from aiohttp.web_urldispatcher import AbstractResource

from gateway.auth import ChannelDirectory
from gateway.config import Config
from gateway.contract import ACTIONS
from gateway.ops.docs_ui import setup_docs
from gateway.ops.health import Readiness, healthz, readyz_handler
from gateway.ops.limits import ChannelLimits, channel_label
from gateway.ops.metrics import METRICS_CONTENT_TYPE, GatewayMetrics
from gateway.ops.middleware import metrics_middleware


@dataclass(frozen=True, slots=True)
class Operations:
    config: Config
    metrics: GatewayMetrics
    limits: ChannelLimits
    readiness: Readiness


OPERATIONS = web.AppKey("operations", Operations)


def setup_ops(app: web.Application, config: Config, channels: ChannelDirectory) -> None:
    """Add metrics, limits, readiness, the ops endpoints and the docs to ``app``."""
    metrics = GatewayMetrics()
    ops = Operations(
        config=config,
        metrics=metrics,
        limits=ChannelLimits((served.config for served in channels), metrics),
        readiness=Readiness(
            ((channel_label(served.config), served.adapter) for served in channels),
            config.ops.readiness,
        ),
    )
    app[OPERATIONS] = ops
    ops.readiness.attach(app)
    app.cleanup_ctx.append(ops.limits.watch)

    # Filled at start-up, once every route is in place: each call's resource -> its name.
    actions: dict[AbstractResource, str] = {}

    async def index_actions(app: web.Application) -> None:
        base_path = config.server.base_path
        by_path = {f"{base_path}{action.path}": name for name, action in ACTIONS.items()}
        for resource in app.router.resources():
            name = by_path.get(resource.canonical.rstrip("/"))
            if name is not None:
                actions[resource] = name

    app.on_startup.append(index_actions)
    # Outermost, so it sees the final status of every answer.
    app.middlewares.insert(0, metrics_middleware(metrics, actions))

    if config.ops.docs:
        setup_docs(app, config.server.base_path)
    if config.ops.port is None:
        add_ops_routes(app, ops)


def add_ops_routes(app: web.Application, ops: Operations) -> None:
    """/healthz, /readyz and /metrics, each unless turned off."""
    settings = ops.config.ops
    if settings.healthz:
        app.router.add_get("/healthz", healthz)
    if settings.readyz:
        app.router.add_get("/readyz", readyz_handler(ops.readiness))
    if settings.metrics:
        render = ops.metrics.render

        async def metrics(_: web.Request) -> web.Response:
            response = web.Response(body=render())
            response.headers["Content-Type"] = METRICS_CONTENT_TYPE
            return response

        app.router.add_get("/metrics", metrics)


def create_ops_app(gateway_app: web.Application) -> web.Application:
    """The application of the separate ops listener, reporting on ``gateway_app``."""
    app = web.Application()
    add_ops_routes(app, gateway_app[OPERATIONS])
    return app
