"""When things were due, whether they were on time, and how far back a record reaches.

Two clocks are kept (DESIGN: Time): ``effective_at`` when the act happened in the world,
and ``recorded_at`` when the platform stored it. Back-dating beyond a window of working
days needs a reason, because back-dating is how on-time figures are faked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from domain.errors import BackdatingError, InvalidDateError
from domain.workdays import WorkingDayCalendar

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
DISCLOSURE_WORKING_DAYS = 20  # 政府信息公开条例 (2019) 第二十六条
DEFAULT_BACKDATING_WINDOW = 3
MAX_REASON_LENGTH = 2000
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of clients and server drift


def local_date(moment: datetime) -> date:
    """The calendar day in China on which ``moment`` falls."""
    return moment.astimezone(SHANGHAI).date()


_UTC_MOMENT = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|\+00:00)$"
)


def china_time(moment: datetime) -> str:
    """RFC 3339 in China time, as every answer shows a moment; microseconds only
    when there are some."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).isoformat()


def china_text(text: str) -> str:
    """A UTC date-time text in China time; any other text unchanged."""
    if not _UTC_MOMENT.match(text):
        return text
    return china_time(datetime.fromisoformat(text.replace("Z", "+00:00")))


def in_china_time(value: Any) -> Any:
    """``value`` with every UTC date-time (text or object) in China time."""
    if isinstance(value, str):
        return china_text(value)
    if isinstance(value, datetime):
        return china_time(value)
    if isinstance(value, dict):
        return {k: in_china_time(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [in_china_time(v) for v in value]
    return value


def local_noon(day: date) -> datetime:
    """A representative instant for an act known only by its day (noon, China time)."""
    return datetime.combine(day, time(12), tzinfo=SHANGHAI).astimezone(UTC)


@dataclass(frozen=True)
class Timeliness:
    """Due date and lateness of a disclosure, as reckoned when it was recorded."""

    due_on: date
    on_time: bool
    working_days_late: int
    warning: str | None


def disclosure_timeliness(
    formed_on: date, published_on: date, calendar: WorkingDayCalendar
) -> Timeliness:
    """Due on the 20th working day after ``formed_on`` (that day not counted)."""
    due_on = calendar.add_working_days(formed_on, DISCLOSURE_WORKING_DAYS)
    # Published on a rest day after the due date still counts as (one day) late.
    late = calendar.working_days_between(due_on, published_on)
    if published_on > due_on:
        late = max(late, 1)
    warning = calendar.fallback_warning(formed_on, max(due_on, published_on))
    return Timeliness(
        due_on=due_on,
        on_time=published_on <= due_on,
        working_days_late=late,
        warning=warning,
    )


@dataclass(frozen=True)
class Backdating:
    """How many working days a record reaches back, and why if beyond the window."""

    working_days: int
    reason: str | None


def check_backdating(
    effective_at: datetime,
    recorded_at: datetime,
    *,
    window: int,
    calendar: WorkingDayCalendar,
    reason: str | None,
    field: str = "effective_at",
) -> Backdating:
    """Requires ``effective_at`` not in the future, and a reason beyond ``window``."""
    if effective_at.tzinfo is None:
        raise InvalidDateError("a date-time needs a time zone offset", field=field)
    if effective_at > recorded_at + FUTURE_TOLERANCE:
        raise InvalidDateError(
            f"{effective_at.isoformat()} is in the future (now is "
            f"{recorded_at.isoformat()})",
            field=field,
        )
    days = calendar.working_days_between(
        local_date(effective_at), local_date(recorded_at)
    )
    text = (reason or "").strip() or None
    if text is not None and len(text) > MAX_REASON_LENGTH:
        raise InvalidDateError(
            f"the reason is longer than {MAX_REASON_LENGTH} characters",
            field="late_reason",
        )
    if days > window and text is None:
        raise BackdatingError(
            f"this is recorded {days} working days after it happened; beyond "
            f"{window} working days a late_reason is required",
            field="late_reason",
        )
    return Backdating(working_days=days, reason=text)
