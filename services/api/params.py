"""Bounded input types shared by every route: dates, moments, counts and cursors.

Every date the API takes lies in ``FIRST_DAY`` … ``LAST_DAY`` (China time), every
integer in 0 … 2^63−1, so nothing a client sends can overflow a date, a datetime or
a store's integer column. Routes use these types instead of bare ``date``/``int``.
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import Path, Query
from pydantic import AwareDatetime, Field

from domain.timeliness import SHANGHAI
from projections.sql import iso_moment
from services.api.problems import HttpProblemError
from services.disclosures.lists import Moments

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
FIRST_MOMENT = datetime.combine(FIRST_DAY, time(0), tzinfo=SHANGHAI)
LAST_MOMENT = datetime.combine(LAST_DAY, time.max, tzinfo=SHANGHAI)
MAX_INT = 2**63 - 1  # the largest integer SQLite and PostgreSQL bigint hold

# What as_of / known_at accept: a date, or a date-time with an optional offset.
MOMENT_PATTERN = (
    r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$"
)
_MOMENT = re.compile(MOMENT_PATTERN)

# Body and query types -------------------------------------------------------------

Day = Annotated[
    date,
    Field(
        ge=FIRST_DAY,
        le=LAST_DAY,
        description=f"a date from {FIRST_DAY} to {LAST_DAY}",
    ),
]
Moment = Annotated[
    AwareDatetime,
    Field(
        ge=FIRST_MOMENT,
        le=LAST_MOMENT,
        description=f"a date-time with offset, {FIRST_DAY} to {LAST_DAY} China time",
    ),
]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]

AsOfQuery = Annotated[
    str | None,
    Query(
        pattern=MOMENT_PATTERN,
        description="effective time: as things stood then. A date (the end of that "
        "day in China) or a date-time; no offset means China time. "
        f"{FIRST_DAY} to {LAST_DAY}; default now",
        examples=["2026-03-01"],
    ),
]
KnownAtQuery = Annotated[
    str | None,
    Query(
        pattern=MOMENT_PATTERN,
        description="recorded time: as the platform knew it then. Same form as "
        "as_of; default now",
        examples=["2026-03-05T18:00:00+08:00"],
    ),
]
IndexPath = Annotated[int, Path(ge=0, le=MAX_INT)]
CursorQuery = Annotated[
    str | None,
    Query(description="next_cursor of the previous page (else 400 invalid-cursor)"),
]


def parse_moment(value: str | None, name: str, now: datetime) -> datetime:
    """ISO date-time, or a date meaning the end of that day in China; default now.

    A date-time without an offset is read as China time. Requires the form of
    ``MOMENT_PATTERN``; the moment must lie within ``FIRST_DAY`` … ``LAST_DAY``.
    """
    if value is None or not value.strip():
        return now
    text = value.strip()
    try:
        if not _MOMENT.fullmatch(text):
            raise ValueError(text)
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(
                day + timedelta(days=1), time(0), tzinfo=SHANGHAI
            ) - timedelta(microseconds=1)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise HttpProblemError(
            400,
            "invalid-parameter",
            "Invalid query parameter",
            f"{name} must be an ISO 8601 date or date-time, got {value!r}",
            field=name,
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
    if not FIRST_MOMENT <= moment <= LAST_MOMENT:
        raise HttpProblemError(
            400,
            "invalid-parameter",
            "Invalid query parameter",
            f"{name} must lie from {FIRST_DAY} to {LAST_DAY} (China time)",
            field=name,
        )
    return moment


def parse_moments(as_of: str | None, known_at: str | None, now: datetime) -> Moments:
    """``as_of`` and ``known_at`` as ``parse_moment`` reads them (default now)."""
    return Moments(
        parse_moment(as_of, "as_of", now), parse_moment(known_at, "known_at", now)
    )


def moment_text(moment: datetime) -> str:
    return iso_moment(moment)


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"p:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """A cursor's position; 400 ``invalid-cursor`` unless it is 0 … 2^63−1."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        kind, _, number = text.partition(":")
        if kind != "p" or not number.isascii() or not number.isdigit():
            raise ValueError(text)
        if len(number) > 19 or int(number) > MAX_INT:
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
