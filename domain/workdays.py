"""The Chinese working-day calendar that every statutory deadline is counted in.

Deadlines in 政务公开 rules run in working days: statutory holidays do not count and
make-up working days (调休) on a Saturday or Sunday do. The ``chinese_calendar``
package knows the official schedules for the years it bundles; a supervisor can upload
the State Council notice for a later year; beyond every known year we count weekends
only and the caller must say so.

Counting is arithmetic: weekdays are counted in closed form and corrected by a sorted
list of exceptions (weekday holidays −1, weekend working days +1), so a count or a due
date costs a few binary searches instead of a walk over the days.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from itertools import accumulate

from chinese_calendar import constants as _package  # type: ignore[import-untyped]

from domain.errors import InvalidScheduleError

_PACKAGE_HOLIDAYS: frozenset[date] = frozenset(_package.holidays)
_PACKAGE_WORKDAYS: frozenset[date] = frozenset(_package.workdays)

BUNDLED_YEARS: frozenset[int] = frozenset(d.year for d in _PACKAGE_HOLIDAYS)
"""Years whose official schedule ships with ``chinese_calendar``."""


def _is_weekday(ordinal: int) -> bool:
    # date.fromordinal(1), 0001-01-01, is a Monday.
    return (ordinal - 1) % 7 < 5


def _weekdays_through(ordinal: int) -> int:
    """Mondays to Fridays among ordinals 1..ordinal, in closed form."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _parse_day(value: object, field: str) -> date:
    if isinstance(value, datetime):
        raise InvalidScheduleError(f"{value!r} is a datetime, not a date", field=field)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidScheduleError(
        f"{value!r} is not an ISO date (YYYY-MM-DD)", field=field
    )


def _parse_days(values: object, field: str) -> frozenset[date]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidScheduleError("expected a list of ISO dates", field=field)
    return frozenset(_parse_day(v, field) for v in values)


@dataclass(frozen=True)
class YearSchedule:
    """One year's official holiday schedule (国务院办公厅关于部分节假日安排的通知)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""

    @classmethod
    def build(
        cls,
        year: int,
        holidays: Iterable[date | str],
        workdays: Iterable[date | str],
        source: str = "",
    ) -> YearSchedule:
        """Parse and check an uploaded schedule.

        Requires holidays to be non-empty, no day to be both a holiday and a make-up
        working day, and every make-up working day to be a Saturday or Sunday. Days
        lie in ``year`` or in the December before it, because the notice for a year
        often bridges 元旦 into that December (e.g. 2018-12-29 worked, 12-30/31 off).
        """
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
            raise InvalidScheduleError(f"{year!r} is not a year", field="year")
        if not isinstance(source, str):
            raise InvalidScheduleError("source must be text", field="source")
        off = _parse_days(holidays, "holidays")
        on = _parse_days(workdays, "workdays")
        if not off:
            raise InvalidScheduleError(
                "a schedule lists its holidays", field="holidays"
            )
        for field, days in (("holidays", off), ("workdays", on)):
            for day in sorted(days):
                if day.year != year and (day.year, day.month) != (year - 1, 12):
                    raise InvalidScheduleError(
                        f"{day.isoformat()} is outside {year}", field=field
                    )
        both = sorted(off & on)
        if both:
            raise InvalidScheduleError(
                f"{both[0].isoformat()} is both a holiday and a working day",
                field="workdays",
            )
        weekday = sorted(d for d in on if d.weekday() < 5)
        if weekday:
            raise InvalidScheduleError(
                f"{weekday[0].isoformat()} is a weekday; make-up working days (调休) "
                "fall on a Saturday or Sunday",
                field="workdays",
            )
        return cls(year, off, on, source)

    def to_dict(self) -> dict[str, object]:
        """Plain data for an event payload: ISO dates, sorted."""
        return {
            "year": self.year,
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "workdays": sorted(d.isoformat() for d in self.workdays),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> YearSchedule:
        """Inverse of ``to_dict``; checks the data again, as ``build`` does."""
        year = data.get("year")
        if not isinstance(year, int):
            raise InvalidScheduleError(f"{year!r} is not a year", field="year")
        source = data.get("source", "")
        if not isinstance(source, str):
            raise InvalidScheduleError("source must be text", field="source")
        return cls.build(
            year,
            _parse_days(data.get("holidays"), "holidays"),
            _parse_days(data.get("workdays", ()), "workdays"),
            source,
        )


class WorkingDayCalendar:
    """Working days from the package's schedules, overridden by uploaded ones."""

    def __init__(self, extra: Iterable[YearSchedule] = ()) -> None:
        """Later uploads for the same year replace earlier ones."""
        uploads = {s.year: s for s in extra}
        off = set(_PACKAGE_HOLIDAYS)
        on = set(_PACKAGE_WORKDAYS)
        for year in sorted(uploads):
            schedule = uploads[year]
            off = {d for d in off if d.year != year} - schedule.workdays
            on = {d for d in on if d.year != year} - schedule.holidays
            off |= schedule.holidays
            on |= schedule.workdays
        self._years = BUNDLED_YEARS | uploads.keys()
        self._off = frozenset(d.toordinal() for d in off - on)
        self._on = frozenset(d.toordinal() for d in on)
        deltas = {o: -1 for o in self._off if _is_weekday(o)}
        deltas.update({o: 1 for o in self._on if not _is_weekday(o)})
        self._exceptions = tuple(sorted(deltas))
        self._corrections = (0, *accumulate(deltas[o] for o in self._exceptions))

    def _count_through(self, ordinal: int) -> int:
        """Working days among ordinals 1..ordinal (an arbitrary but fixed origin)."""
        seen = bisect_right(self._exceptions, ordinal)
        return _weekdays_through(ordinal) + self._corrections[seen]

    def knows(self, year: int) -> bool:
        """Whether ``year`` follows an official schedule rather than weekends only."""
        return year in self._years

    def is_working_day(self, day: date) -> bool:
        """A 调休 day, or a Monday to Friday that is not a statutory holiday."""
        o = day.toordinal()
        return o in self._on or (_is_weekday(o) and o not in self._off)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start``; ``start`` never counts (民法典 201).

        Requires n >= 1.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        s = start.toordinal()
        target = self._count_through(s) + n
        hi = s + n + 2 * (n // 5) + 16  # weekends plus the longest holiday run
        while self._count_through(hi) < target:
            hi += hi - s
        days = range(s + n, hi + 1)
        found = bisect_left(days, target, key=self._count_through)
        return date.fromordinal(days[found])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end; 0 if end <= start."""
        if end <= start:
            return 0
        return self._count_through(end.toordinal()) - self._count_through(
            start.toordinal()
        )

    def unknown_years(self, start: date, end: date) -> tuple[int, ...]:
        """Years touched by [start, end] that are counted as weekends only."""
        first, last = sorted((start.year, end.year))
        return tuple(y for y in range(first, last + 1) if y not in self._years)

    def fallback_warning(self, start: date, end: date) -> str | None:
        """A warning for the API response when a count fell back to weekends only."""
        years = self.unknown_years(start, end)
        if not years:
            return None
        runs: list[list[int]] = []
        for year in years:
            if runs and runs[-1][-1] == year - 1:
                runs[-1].append(year)
            else:
                runs.append([year])
        spans = [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]
        return (
            f"{'、'.join(spans)}年节假日安排未知，按周末计算"
            f" (holiday schedule unknown for {', '.join(spans)}:"
            " only weekends counted as rest days)"
        )


@cache
def default_calendar() -> WorkingDayCalendar:
    """The package's schedules only; shared, since a calendar never changes."""
    return WorkingDayCalendar()
