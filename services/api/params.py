"""Input types shared by every route: bodies, dates, moments, counts and cursors.

Every date the API takes lies in ``FIRST_DAY`` … ``LAST_DAY`` (China time), every
integer in 0 … 2^63−1, so nothing a client sends can overflow a date, a datetime or
a store's integer column. Routes use these types instead of bare ``date``/``int``.

Every JSON body is a ``BodyModel``: unknown members are refused and each member must
have the JSON type its schema declares (``false`` is no integer, ``"1"`` no number;
an integer is a number), so what the document says a client may send is exactly what
is accepted. Dates and moments are JSON strings in the form their ``pattern`` gives.
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic import Strict as StrictMode

from domain.timeliness import SHANGHAI
from projections.sql import iso_moment
from services.api.problems import HttpProblemError

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

# A date in a body: YYYY-MM-DD of the years 2000-2099 (so FIRST_DAY … LAST_DAY).
DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
# A moment in a body: RFC 3339 with an offset, of the years 2000-2099.
BODY_MOMENT_PATTERN = (
    r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


class BodyModel(BaseModel):
    """A JSON request body: unknown members refused, each member's JSON type strict."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _text_of_form(pattern: str, form: str) -> BeforeValidator:
    """Requires a JSON string matching ``pattern``; the type then parses it."""
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValueError(f"Input should be {form}")
        return value

    return BeforeValidator(check)


# Body and query types -------------------------------------------------------------

Day = Annotated[
    date,
    StrictMode(False),  # parsed from its text, which the validator checks
    _text_of_form(DAY_PATTERN, f"a date YYYY-MM-DD from {FIRST_DAY} to {LAST_DAY}"),
    Field(
        ge=FIRST_DAY,
        le=LAST_DAY,
        description=f"a date from {FIRST_DAY} to {LAST_DAY}",
        json_schema_extra={"pattern": DAY_PATTERN},
    ),
]
Moment = Annotated[
    AwareDatetime,
    StrictMode(False),
    _text_of_form(
        BODY_MOMENT_PATTERN,
        "an RFC 3339 date-time with an offset, e.g. 2026-03-02T10:00:00+08:00",
    ),
    Field(
        ge=FIRST_MOMENT,
        le=LAST_MOMENT,
        description="an RFC 3339 date-time with offset, "
        f"{FIRST_DAY}T00:00:00+08:00 to {LAST_DAY}T23:59:59.999999+08:00",
        json_schema_extra={"pattern": BODY_MOMENT_PATTERN},
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
