"""人大代表建议 and 政协委员提案: their time limit and their three figures.

A 建议提案 is a case of its own kind (``domain.cases.rules.SUGGESTION_KINDS``): the
deputy or member is its signed applicant, the handling unit meets them (``meet``,
见面), answers in writing (``reply``) and records their verdict (``feedback``,
满意/基本满意/不满意). Its time limit is counted in calendar months from assignment
(3 unless the installation's setting says otherwise), so the promise recorded at
assignment is the number of working days that reaches that day.

Figures per handling unit and year (of receipt), each a ``Rate`` with numerator,
denominator and Wilson interval:

- 见面率 = suggestions whose proposer was met ÷ suggestions received;
- 答复率 = suggestions answered in writing ÷ suggestions received;
- 满意率 = rated 满意 (and 基本满意 where the tenant's rule counts it) ÷ rated.

"见面率、答复率100%" claims every suggestion received, so neither denominator leaves
out the unanswered ones.
"""

from __future__ import annotations

import calendar as months_calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.cases.stats import Rate, Rating
from domain.errors import InvalidInputError
from domain.workdays import WorkingDayCalendar

DEFAULT_ANSWER_MONTHS = 3


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter
    (31 March + 3 months = 30 June)."""
    if months < 1:
        raise InvalidInputError("months must be at least 1", field="months")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = months_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def answer_working_days(
    start: date, assigned_on: date, months: int, calendar: WorkingDayCalendar
) -> int:
    """The promise, in working days after the case's clock ``start``, whose due
    date (``add_working_days``) is the day ``months`` after ``assigned_on``, or
    the first working day after it when that day is a holiday."""
    end = months_after(assigned_on, months)
    days = calendar.working_days_between(start, end)
    if not calendar.is_working_day(end):
        days += 1
    return max(days, 1)


@dataclass(frozen=True)
class SuggestionFacts:
    """What the figures need of one 建议提案."""

    tenant: str
    kind: str
    received_on: date
    met: bool
    replied: bool
    rating: str | None


@dataclass(frozen=True)
class SuggestionFigures:
    """The three figures of a set of 建议提案 (see the module docstring)."""

    received: int
    by_kind: dict[str, int]
    meeting_rate: Rate
    reply_rate: Rate
    satisfaction_rate: Rate
    basically_counts_as_satisfied: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "received": self.received,
            "by_kind": dict(self.by_kind),
            "meeting_rate": self.meeting_rate.to_dict(),
            "reply_rate": self.reply_rate.to_dict(),
            "satisfaction_rate": self.satisfaction_rate.to_dict(),
            "basically_counts_as_satisfied": self.basically_counts_as_satisfied,
        }


def suggestion_figures(
    items: Sequence[SuggestionFacts], *, basically_counts_as_satisfied: bool = True
) -> SuggestionFigures:
    """见面率, 答复率 and 满意率 of ``items``."""
    happy = {Rating.SATISFIED.value}
    if basically_counts_as_satisfied:
        happy.add(Rating.BASICALLY_SATISFIED.value)
    rated = [s for s in items if s.rating is not None]
    kinds: dict[str, int] = {}
    for s in items:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    return SuggestionFigures(
        received=len(items),
        by_kind=dict(sorted(kinds.items())),
        meeting_rate=Rate(sum(1 for s in items if s.met), len(items)),
        reply_rate=Rate(sum(1 for s in items if s.replied), len(items)),
        satisfaction_rate=Rate(sum(1 for s in rated if s.rating in happy), len(rated)),
        basically_counts_as_satisfied=basically_counts_as_satisfied,
    )


def figures_by_unit(
    items: Sequence[SuggestionFacts], *, basically_counts_as_satisfied: bool = True
) -> dict[str, SuggestionFigures]:
    """The figures of each handling unit (tenant path) among ``items``."""
    units: dict[str, list[SuggestionFacts]] = {}
    for s in items:
        units.setdefault(s.tenant, []).append(s)
    return {
        unit: suggestion_figures(
            found, basically_counts_as_satisfied=basically_counts_as_satisfied
        )
        for unit, found in sorted(units.items())
    }
