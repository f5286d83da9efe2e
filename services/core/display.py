"""How a person reads a moment, a day or a share: one format everywhere.

Pages, CSV and XLSX exports, the annual report and the 公示/通报 say a moment in
China time to the minute (``2026-03-02 10:00``, 北京时间), a day as ``2026-03-02``
and a share as a percentage with one decimal (``51.0%``). The JSON API keeps
RFC 3339 with the China offset and fractions, for machines
(``services/api/present.py``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from domain.timeliness import SHANGHAI

MINUTE = "%Y-%m-%d %H:%M"
DAY = "%Y-%m-%d"
# An ISO 8601 date-time with a zone (``Z`` or an offset): a moment, not a day.
MOMENT_TEXT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)
DAY_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def china_moment(value: Any) -> datetime | None:
    """A moment (an aware ``datetime`` or its ISO text) in China time; None for
    anything else. A naive ``datetime`` is taken as UTC, as every stored time is."""
    if isinstance(value, str):
        if not MOMENT_TEXT.match(value):
            return None
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI)


def china_minute(value: Any) -> str:
    """A moment as a person reads it, China time to the minute: 2026-03-02 10:00.
    A day stays a day; ``—`` when there is none; other text unchanged."""
    return _shown(value, MINUTE)


def china_day(value: Any) -> str:
    """The China day of a moment (or a day as it is): 2026-03-02; ``—`` if none."""
    return _shown(value, DAY)


def _shown(value: Any, moment_format: str) -> str:
    """A moment in China time in ``moment_format``, a day as a day, ``—`` for
    nothing, other text as it is."""
    if value is None or value == "":
        return "—"
    local = china_moment(value)
    if local is not None:
        return local.strftime(moment_format)
    if isinstance(value, date):
        return value.strftime(DAY)
    return str(value)


def percent(value: Any) -> str:
    """A fraction 0–1 as a percentage with one decimal: 51.0%; ``—`` when unknown."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


class Share(float):
    """A fraction that people read as a percentage (a rate, a score share): the
    exports write it as ``51.0%`` (CSV) or as a number formatted ``0.0%`` (XLSX)."""


# The stylesheet of the printable pages the API answers as HTML (the annual report,
# the 公示/通报): their Content-Security-Policy allows no inline style.
PRINT_CSS = "/static/print.css"
