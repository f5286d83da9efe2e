"""Catalogue coverage: which required categories a tenant covered, missed or let lapse.

A category is ``missing`` when nothing in it is public; a periodic category (monthly,
quarterly, …) is ``overdue`` when its newest item was formed longer ago than its period
allows plus the 20 working days the law gives to publish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from domain.catalogue import CatalogueEntry
from domain.timeliness import DISCLOSURE_WORKING_DAYS
from domain.workdays import WorkingDayCalendar


class CoverageStatus(StrEnum):
    COVERED = "covered"
    MISSING = "missing"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class PublicItem:
    """The few facts about a public item that coverage needs."""

    id: str
    category: str
    formed_on: date
    published_on: date
    working_days_late: int


@dataclass(frozen=True)
class CategoryCoverage:
    entry: CatalogueEntry
    status: CoverageStatus
    items: tuple[PublicItem, ...]
    next_due_on: date | None = None
    late_items: tuple[PublicItem, ...] = field(default=())


def next_due(
    entry: CatalogueEntry, latest_formed: date, calendar: WorkingDayCalendar
) -> date | None:
    """Next periodic item due: a period after the last, plus 20 working days."""
    gap = entry.period.max_gap_days()
    if gap is None:
        return None
    return calendar.add_working_days(
        latest_formed + timedelta(days=gap), DISCLOSURE_WORKING_DAYS
    )


def coverage(
    entries: Sequence[CatalogueEntry],
    items: Sequence[PublicItem],
    as_of: date,
    calendar: WorkingDayCalendar,
) -> list[CategoryCoverage]:
    """Coverage of each catalogue entry by the items public on ``as_of``."""
    result: list[CategoryCoverage] = []
    for entry in entries:
        mine = tuple(
            sorted(
                (i for i in items if i.category == entry.code),
                key=lambda i: i.published_on,
                reverse=True,
            )
        )
        late = tuple(i for i in mine if i.working_days_late > 0)
        if not mine:
            result.append(
                CategoryCoverage(entry, CoverageStatus.MISSING, mine, late_items=late)
            )
            continue
        due = next_due(entry, max(i.formed_on for i in mine), calendar)
        status = (
            CoverageStatus.OVERDUE
            if due is not None and as_of > due
            else CoverageStatus.COVERED
        )
        result.append(CategoryCoverage(entry, status, mine, due, late))
    return result
