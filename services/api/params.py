"""Query parameters shared by history queries: as_of, known_at and cursors."""

from __future__ import annotations

import base64
from datetime import date, datetime, time, timedelta

from domain.timeliness import SHANGHAI
from projections.sql import iso_moment
from services.api.problems import HttpProblemError


def parse_moment(value: str | None, name: str, now: datetime) -> datetime:
    """ISO date-time, or a date meaning the end of that day in China; default now.

    A date-time without an offset is read as China time.
    """
    if value is None or not value.strip():
        return now
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(
                day + timedelta(days=1), time(0), tzinfo=SHANGHAI
            ) - (timedelta(microseconds=1))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise HttpProblemError(
            400,
            "invalid-parameter",
            "Invalid query parameter",
            f"{name} must be an ISO 8601 date or date-time, got {value!r}",
            field=name,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def moment_text(moment: datetime) -> str:
    return iso_moment(moment)


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"p:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        kind, _, number = text.partition(":")
        if kind != "p" or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except (ValueError, UnicodeDecodeError):
        raise HttpProblemError(
            400,
            "invalid-cursor",
            "Invalid cursor",
            "cursor must be a next_cursor value from an earlier page",
            field="cursor",
        ) from None
