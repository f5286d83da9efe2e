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
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic import Strict as StrictMode
from pydantic_core import PydanticCustomError

from domain.people.staff import NUMBER_AS_TYPED
from domain.tenancy import PATH_PATTERN
from domain.timeliness import SHANGHAI
from projections.sql import iso_moment
from services.api.bodies import VISIBLE
from services.api.problems import HttpProblemError
from services.disclosures.lists import Moments

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
FIRST_MOMENT = datetime.combine(FIRST_DAY, time(0), tzinfo=SHANGHAI)
LAST_MOMENT = datetime.combine(LAST_DAY, time.max, tzinfo=SHANGHAI)
MAX_INT = 2**63 - 1  # the largest integer SQLite and PostgreSQL bigint hold

# A calendar date of the years 2000-2099, exactly: no 30 February, 29 February only
# in leap years (every fourth year in this century, 2000 included).
DATE = (
    r"20(?:[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|[0-9]{2}-(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|[0-9]{2}-(?:0[13578]|1[02])-31"
    r"|(?:[02468][048]|[13579][26])-02-29)"
)
OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
# What as_of / known_at accept: a date, or a date-time with an optional offset.
MOMENT_PATTERN = (
    rf"^{DATE}(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{{1,6}})?)?"
    rf"{OFFSET}?)?$"
)
_MOMENT = re.compile(MOMENT_PATTERN)
# A date in a body or a query: YYYY-MM-DD, so FIRST_DAY … LAST_DAY.
DAY_PATTERN = rf"^{DATE}$"
# A moment in a body: RFC 3339 with seconds and an offset.
BODY_MOMENT_PATTERN = (
    rf"^{DATE}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{{1,6}})?{OFFSET}$"
)


def _integral(value: Any) -> Any:
    """``value`` with every integral float an int: JSON has one number type, and
    ``3.0`` is the integer 3 (as JSON Schema says); a float member still takes it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


class BodyModel(BaseModel):
    """A JSON request body: unknown members refused, each member's JSON type strict."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _numbers(cls, data: Any) -> Any:
        return _integral(data)


def _text_of_form(pattern: str, kind: str, form: str) -> BeforeValidator:
    """Requires a JSON string matching ``pattern``; the type then parses it. A
    refusal has pydantic's error ``kind`` (which the console says in Chinese)."""
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise PydanticCustomError(kind, f"Input should be {form}")
        return value

    return BeforeValidator(check)


# Body and query types -------------------------------------------------------------

Day = Annotated[
    date,
    StrictMode(False),  # parsed from its text, which the validator checks
    _text_of_form(
        DAY_PATTERN,
        "date_parsing",
        f"a date YYYY-MM-DD from {FIRST_DAY} to {LAST_DAY}",
    ),
    Field(
        description=f"a date from {FIRST_DAY} to {LAST_DAY}",
        json_schema_extra={"pattern": DAY_PATTERN},
    ),
]


def _in_range(moment: datetime) -> datetime:
    if not FIRST_MOMENT <= moment <= LAST_MOMENT:
        raise PydanticCustomError(
            "datetime_range",
            f"Input should lie from {FIRST_DAY} to {LAST_DAY} China time",
        )
    return moment


Moment = Annotated[
    AwareDatetime,
    StrictMode(False),
    _text_of_form(
        BODY_MOMENT_PATTERN,
        "datetime_parsing",
        "an RFC 3339 date-time with an offset, e.g. 2026-03-02T10:00:00+08:00",
    ),
    AfterValidator(_in_range),
    Field(
        description="an RFC 3339 date-time with offset, "
        f"{FIRST_DAY}T00:00:00+08:00 to {LAST_DAY}T23:59:59.999999+08:00",
        json_schema_extra={"pattern": BODY_MOMENT_PATTERN},
    ),
]
Text = Annotated[str, Field(json_schema_extra={"pattern": VISIBLE})]
"""Text the domain trims and refuses when blank (give its length with the field)."""
TenantPath = Annotated[
    str,
    Field(
        max_length=400,
        description="a tenant path, e.g. xinhe.tahe",
        json_schema_extra={"pattern": PATH_PATTERN},
    ),
]


def one_of(spellings: Sequence[str]) -> dict[str, Any]:
    """The document's ``enum`` for a text the domain parses (codes and labels)."""
    return {"enum": list(spellings)}


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
StaffNumberPath = Annotated[
    str,
    Path(
        description="编号: a badge number, 1–32 letters, digits and dashes",
        json_schema_extra={"pattern": NUMBER_AS_TYPED},
    ),
]
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
