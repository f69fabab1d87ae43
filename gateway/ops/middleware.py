"""The metrics middleware: every channel call counted, timed and tracked in flight."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from time import perf_counter

from aiohttp import web
from aiohttp.typedefs import Middleware
from aiohttp.web_urldispatcher import AbstractResource

from gateway.ops.metrics import GatewayMetrics

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Set by the call handler once the channel is authenticated; "none" before that.
CHANNEL_LABEL = web.RequestKey("channel_label", str)
NO_CHANNEL = "none"
# Requests that matched no call (404, 405) share one action label.
UNKNOWN_ACTION = "unknown"


def metrics_middleware(metrics: GatewayMetrics, actions: dict[AbstractResource, str]) -> Middleware:
    """Count requests to the channel calls; ``actions`` maps each call's resource to its name.

    Requests to other routes (health, metrics, docs) pass through uncounted.
    """
    started = metrics.call_started
    finished = metrics.call_finished
    activate = metrics.activate

    @web.middleware
    async def count_calls(request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        if resource is None:
            action = UNKNOWN_ACTION
        else:
            found = actions.get(resource)
            if found is None:
                return await handler(request)
            action = found
        activate()
        started()
        started_at = perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            channel = request.get(CHANNEL_LABEL, NO_CHANNEL)
            finished(action, channel, status, perf_counter() - started_at)

    return count_calls
