"""Structured logs: JSON lines by default, a readable console format on request.

Values bound with :func:`structlog.contextvars.bind_contextvars` (the request
id, action and channel of the call being handled) appear on every line logged
while that call runs, adapters' lines included. Tracebacks are rendered as
plain text without local variables, so a request's token cannot leak into the
log through a frame's locals. Records from the standard library's logging
(aiohttp's own warnings) go through the same renderer.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

import structlog
from structlog.typing import Processor

Level = Literal["debug", "info", "warning", "error"]
Format = Literal["json", "console"]

# The name of the standard-logging handler configure_logging() installs, so a
# second call replaces it instead of adding another.
HANDLER_NAME = "retailops-gateway"


def configure_logging(
    level: Level = "info", fmt: Format = "json", *, stream: TextIO | None = None
) -> None:
    """Send structlog and standard logging to ``stream`` (stderr by default)."""
    out = sys.stderr if stream is None else stream
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor
    if fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    else:
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer()

    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.WriteLoggerFactory(file=out),
        # Loggers are bound once at start-up by their users; not caching keeps
        # a later configure_logging() call effective everywhere.
        cache_logger_on_first_use=False,
    )

    handler = logging.StreamHandler(out)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    # The gateway logs its own line per request; aiohttp's access log would repeat it.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
