"""Log records: one JSON object a line (or text on a terminal), each carrying the
request id of the request being served.

``logging_config`` is the one configuration, a ``logging.config.dictConfig`` dict:
``gongkai serve`` hands it to uvicorn, which applies it in the serving process and
again in every ``--workers`` child (their logging starts from nothing), and routes
uvicorn's own loggers through the same handler; ``configure_logging`` applies it
in other long-running commands. The level is ``GONGKAI_LOG_LEVEL``, the format
``GONGKAI_LOG_FORMAT`` (``auto``: text when stderr is a terminal, JSON otherwise).

The request id lives in a context variable, set by the HTTP middleware
(services/operations/observe.py) for the duration of a request; the filter copies
it onto every record emitted meanwhile, also from the threads a request uses (they
run in a copy of its context).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
from contextvars import ContextVar
from datetime import datetime
from typing import Any
from uuid import uuid4

from domain.timeliness import SHANGHAI
from infra.settings import Settings

REQUEST_ID: ContextVar[str | None] = ContextVar("gongkai_request_id", default=None)
# A caller's X-Request-ID is kept if it is short and of a safe alphabet (UUIDs,
# hex, base64, the usual trace ids); anything else is replaced by a new one.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}")
# Fields of a record, beside the message, that JSON lines carry when present
# (the access record sets them with ``extra=``).
FIELDS = (
    "request_id",
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
    "tenant",
    "principal",
)
# Libraries whose INFO lines are noise at our INFO level.
QUIET_LIBRARIES = ("kafka",)


def request_id_from(header: str | None) -> str:
    """The caller's request id if it is safe to log and echo, else a new one."""
    if header is not None and SAFE_REQUEST_ID.fullmatch(header):
        return header
    return uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, SHANGHAI)
    return moment.isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: timestamp (China time, with its offset), level,
    logger, message, pid, the request's fields where known, and a traceback as
    one ``exception`` string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a terminal: ``time LEVEL logger [request id] message``, tracebacks below."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        line = (
            f"{_timestamp(record)} {record.levelname:<7} {record.name} "
            f"{f'[{rid}] ' if rid else ''}{record.getMessage()}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


def resolved_format(log_format: str) -> str:
    """``json`` or ``text``: ``auto`` is text on a terminal, JSON otherwise."""
    if log_format == "auto":
        return "text" if sys.stderr.isatty() else "json"
    return log_format


def logging_config(settings: Settings) -> dict[str, Any]:
    """The dictConfig of every long-running process: one stderr handler on the
    root logger; uvicorn's loggers propagate to it, its access log is off (the
    middleware writes one record per request on ``gongkai.access``)."""
    level = settings.log_level
    json_lines = resolved_format(settings.log_format) == "json"
    formatter = JsonFormatter if json_lines else TextFormatter
    quiet = max(logging.getLevelName(level), logging.WARNING)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {"gongkai": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "gongkai",
                "filters": ["request_id"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            **{
                name: {"level": logging.getLevelName(quiet)} for name in QUIET_LIBRARIES
            },
        },
    }


def configure_logging(settings: Settings) -> None:
    """Apply ``logging_config`` to this process."""
    logging.config.dictConfig(logging_config(settings))
