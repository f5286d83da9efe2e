"""Log records as JSON lines with the request id (infra/logs.py)."""

from __future__ import annotations

import io
import json
import logging
import re
import sys

import pytest

from infra.logs import (
    REQUEST_ID,
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    logging_config,
    request_id_from,
)
from infra.settings import Settings


def emitted(formatter: logging.Formatter, *, failing: bool = False) -> str:
    """What a handler with ``formatter`` and the request-id filter writes for one
    record of a logger named ``gongkai.test``, inside request ``req-7``."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("gongkai.test")
    logger.addHandler(handler)
    logger.propagate = False
    token = REQUEST_ID.set("req-7")
    try:
        if failing:
            try:
                1 / 0  # noqa: B018
            except ZeroDivisionError:
                logger.exception("县 %s failed", "xinhe")
        else:
            logger.warning("县 %s answered", "xinhe", extra={"status": 201})
    finally:
        REQUEST_ID.reset(token)
        logger.removeHandler(handler)
        logger.propagate = True
    return out.getvalue()


def test_a_record_is_one_json_line_with_zone_level_logger_and_request_id() -> None:
    written = emitted(JsonFormatter())
    assert written.count("\n") == 1
    entry = json.loads(written)
    assert entry["message"] == "县 xinhe answered"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "gongkai.test"
    assert entry["request_id"] == "req-7"
    assert entry["status"] == 201
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00", entry["timestamp"]
    )


def test_a_traceback_stays_in_its_record() -> None:
    written = emitted(JsonFormatter(), failing=True)
    assert written.count("\n") == 1
    entry = json.loads(written)
    assert entry["level"] == "ERROR"
    assert entry["exception"].startswith("Traceback")
    assert "ZeroDivisionError" in entry["exception"]


def test_text_lines_carry_the_request_id_for_a_terminal() -> None:
    line = emitted(TextFormatter())
    assert "WARNING gongkai.test [req-7] 县 xinhe answered" in line


def test_outside_a_request_there_is_no_request_id() -> None:
    record = logging.LogRecord("gongkai.x", logging.INFO, __file__, 1, "m", (), None)
    RequestIdFilter().filter(record)
    assert "request_id" not in json.loads(JsonFormatter().format(record))


@pytest.mark.parametrize(
    "given",
    ["3f2a9c1e-7b4d-4e8a-9c1f-2b3d4e5f6a7b", "abc", "Root=1-5759e988:trace/x+y="],
)
def test_a_well_formed_request_id_is_kept(given: str) -> None:
    assert request_id_from(given) == given


@pytest.mark.parametrize(
    "given",
    [None, "", "two words", "x" * 129, "-leading-dash", "行政", "a\r\nSet-Cookie: x"],
)
def test_any_other_request_id_is_replaced(given: str | None) -> None:
    made = request_id_from(given)
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert request_id_from(given) != made  # a new one each time


def test_the_format_setting_picks_the_formatter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def formatter(**kwargs: str) -> str:
        config = logging_config(Settings(**kwargs))  # type: ignore[arg-type]
        return str(config["formatters"]["gongkai"]["()"])

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert formatter(log_format="auto").endswith("JsonFormatter")
    assert formatter(log_format="text").endswith("TextFormatter")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert formatter(log_format="AUTO").endswith("TextFormatter")
    assert formatter(log_format="json").endswith("JsonFormatter")
    config = logging_config(Settings(log_level="warning"))
    assert config["root"]["level"] == "WARNING"
    assert config["loggers"]["uvicorn.access"]["propagate"] is False
