"""The aiohttp application: a call's way from the socket to an adapter and back.

1. Route ``POST {base_path}/{action}_v1`` (a trailing slash is accepted), one
   route per action of the contract registry; anything else is 404, another
   method 405.
2. Read the body within the size limit (413), then parse the raw bytes
   straight into the action's request model: not a JSON object is 400, a
   model failure 422, but only after the credentials alone were checked, so
   a caller without a valid token never learns more than 401.
3. Find the channel by ``channel_info.id`` (or the default channel) and compare
   the token in constant time: any mismatch is the same 401.
4. Await the adapter's method for the action with the typed request, and
   serialise its typed answer once. Calls about one order run one at a time
   per order (gateway/order_locks.py). ``BackendUnavailable`` is 503 with
   ``Retry-After``; anything unexpected is logged and answered 500 without
   details.
5. Log one line per request: request id, action, channel, status, duration.

Everything that can be decided at start-up (routes, handlers, channel table,
token bytes) is decided in :func:`create_app`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from time import perf_counter

import structlog
from aiohttp import web
from pydantic import ValidationError
from structlog.contextvars import bind_contextvars, clear_contextvars

from gateway import errors
from gateway.adapter import BackendUnavailable
from gateway.auth import ChannelDirectory, ServedChannel
from gateway.config import Config
from gateway.contract import ACTIONS, Action, BaseRequest, ResponseModel, dump_response
from gateway.ops.app import OPERATIONS, setup_ops
from gateway.ops.limits import ChannelLimits
from gateway.ops.middleware import CHANNEL_LABEL
from gateway.ops.request_id import REQUEST_ID_HEADER, accept_or_make
from gateway.plugins import PluginError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONFIG = web.AppKey("config", Config)
CHANNELS = web.AppKey("channels", ChannelDirectory)


def create_app(config: Config) -> web.Application:
    """The gateway for ``config``; adapters start with the app and close at shutdown."""
    app = web.Application(client_max_size=config.server.max_body_bytes)
    app[CONFIG] = config
    app[CHANNELS] = ChannelDirectory(
        ServedChannel(channel, channel.adapter_class(channel.settings))
        for channel in config.channels
    )
    setup_request_log(app)
    setup_error_answers(app)
    setup_ops(app, config, app[CHANNELS])
    setup_routes(app)
    setup_adapters(app)
    return app


def setup_routes(app: web.Application) -> None:
    base_path = app[CONFIG].server.base_path
    for action in ACTIONS.values():
        handler = action_handler(
            action, app[CHANNELS], app[CONFIG].server.max_body_bytes, app[OPERATIONS].limits
        )
        for path in (f"{base_path}{action.path}", f"{base_path}{action.path}/"):
            app.router.add_post(path, handler)


def action_handler(
    action: Action, channels: ChannelDirectory, max_body_bytes: int, limits: ChannelLimits
) -> Handler:
    """The request handler of one action (steps 2 to 4 of the module docstring)."""
    parse = action.request.model_validate_json
    method_name = action.name

    async def handle(request: web.Request) -> web.Response:
        bind_contextvars(action=method_name)
        if (request.content_length or 0) > max_body_bytes:
            raise errors.body_too_large(max_body_bytes)
        try:
            body = await request.read()  # aiohttp stops reading past client_max_size
        except web.HTTPRequestEntityTooLarge:
            raise errors.body_too_large(max_body_bytes) from None
        if not body:
            raise errors.empty_body()

        try:
            call = parse(body)
        except ValidationError as exc:
            malformed = errors.malformed_body(exc)
            if malformed is not None:
                raise malformed from None
            if channels.authenticate_raw(body) is None:
                raise errors.unauthorized() from None
            raise errors.validation_failed(exc) from None

        bind_contextvars(channel=call.channel_info.id)
        channel = channels.authenticate(call.channel_info.id, call.integration_auth_token)
        if channel is None:
            raise errors.unauthorized()

        lane = limits.lane(channel.config)
        request[CHANNEL_LABEL] = lane.label
        try:
            # 503 when the channel has too many calls in flight or this one runs too long.
            answer = await lane.run(adapter_method(channel, method_name, call), call)
        except BackendUnavailable as exc:
            raise errors.backend_unavailable(str(exc), exc.retry_after) from None
        return web.Response(body=dump_response(answer), content_type=errors.JSON_CONTENT_TYPE)

    return handle


def adapter_method(
    channel: ServedChannel, method_name: str, call: BaseRequest
) -> Callable[[BaseRequest], Awaitable[ResponseModel]]:
    """The adapter's method for the call; calls about one order wait their turn."""
    method: Callable[[BaseRequest], Awaitable[ResponseModel]] = getattr(
        channel.adapter, method_name
    )
    refnum = call.order_refnum
    return method if refnum is None else channel.order_locks.bind(refnum, method)


def setup_error_answers(app: web.Application) -> None:
    """Answer every refusal and failure with the JSON error shape."""
    log = structlog.get_logger("gateway.app").bind()
    base_path = app[CONFIG].server.base_path
    not_found = errors.ApiError(
        404,
        "unknown_action",
        f"No such call. The channel answers POST {base_path}/<action>_v1 for: "
        + ", ".join(ACTIONS),
    )

    @web.middleware
    async def answer_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except errors.ApiError as exc:
            return exc.response()
        except web.HTTPNotFound:
            return not_found.response()
        except web.HTTPMethodNotAllowed as exc:
            return errors.from_http_exception(exc, "Channel calls are POST requests.").response()
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return errors.from_http_exception(exc, exc.reason).response()
        except Exception:
            # The traceback goes to the log only; the caller learns nothing of it.
            log.exception("call failed")
            return errors.internal_error().response()

    app.middlewares.append(answer_errors)


def setup_request_log(app: web.Application) -> None:
    """One log line per request; its request id is bound for every line logged meanwhile."""
    log = structlog.get_logger("gateway.access").bind()

    @web.middleware
    async def log_request(request: web.Request, handler: Handler) -> web.StreamResponse:
        clear_contextvars()
        request_id = accept_or_make(request.headers.get(REQUEST_ID_HEADER))
        bind_contextvars(request_id=request_id, action=None, channel=None)
        started = perf_counter()
        response = await handler(request)
        log.info(
            "request",
            status=response.status,
            duration_ms=round((perf_counter() - started) * 1000, 2),
        )
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    app.middlewares.append(log_request)


def setup_adapters(app: web.Application) -> None:
    """Start every channel's adapter before serving and close them at shutdown."""
    log = structlog.get_logger("gateway.app").bind()

    async def run_adapters(app: web.Application) -> AsyncIterator[None]:
        started: list[ServedChannel] = []
        try:
            for served in app[CHANNELS]:
                try:
                    await served.adapter.start()
                except BackendUnavailable:
                    raise
                except Exception as exc:  # a plugin's start() can raise anything
                    raise PluginError(
                        f"adapter {served.config.adapter_name!r} of {served.config.label} "
                        f"failed to start: {type(exc).__name__}: {exc}"
                    ) from exc
                started.append(served)
            log.info(
                "gateway started",
                base_path=app[CONFIG].server.base_path or "/",
                channels=[
                    f"{served.config.label}: {served.config.adapter_name}" for served in started
                ],
            )
            yield
        finally:
            for served in reversed(started):
                try:
                    await served.adapter.close()
                except Exception:
                    log.exception("adapter failed to close", channel=served.config.label)
            log.info("gateway stopped")

    app.cleanup_ctx.append(run_adapters)
