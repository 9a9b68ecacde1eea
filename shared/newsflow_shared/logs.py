"""Structured logging set up the same way in every service: one JSON object a line on stderr."""

import logging
import sys
from typing import Any

import structlog


def faststream_context(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Keep what FastStream passes as `extra` on its own lines ("Received", "Processed", errors)."""
    record = event_dict.get("_record")
    for attribute, key in (("channel", "stream"), ("message_id", "message_id")):
        value = getattr(record, attribute, None)
        if value:
            event_dict.setdefault(key, value)
    return event_dict


def configure_logging(service: str, *, level: str = "INFO", fmt: str = "json") -> structlog.stdlib.BoundLogger:
    """Route structlog and the standard library (FastStream, uvicorn, alembic) through one renderer."""
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=[*shared, faststream_context], processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer,
        ])
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    structlog.contextvars.bind_contextvars(service=service)
    return structlog.get_logger(service)
