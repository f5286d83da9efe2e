"""Catalogue coverage: which required categories a tenant covered, missed or let lapse.

A category is ``missing`` when nothing in it is public; a periodic category (monthly,
quarterly, …) is ``overdue`` when its newest item was formed longer ago than its period
allows plus the 20 working days the law gives to publish.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from domain.disclosures.catalogue import CatalogueEntry
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
class CategoryFacts:
    """What coverage needs of one category's public items: counts and the newest
    formed_on decide the status; ``newest`` / ``newest_late`` (newest published
    first) are what is shown, all of them or only the first few. A store can sum
    these up without handing over every item."""

    count: int = 0
    latest_formed_on: date | None = None
    late_count: int = 0
    newest: tuple[PublicItem, ...] = ()
    newest_late: tuple[PublicItem, ...] = ()


@dataclass(frozen=True)
class CategoryCoverage:
    """``items`` / ``late_items`` are the facts' ``newest`` / ``newest_late``;
    ``item_count`` / ``late_count`` count them all."""

    entry: CatalogueEntry
    status: CoverageStatus
    items: tuple[PublicItem, ...]
    next_due_on: date | None = None
    late_items: tuple[PublicItem, ...] = field(default=())
    item_count: int = 0
    late_count: int = 0


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


def facts_of(items: Sequence[PublicItem], category: str) -> CategoryFacts:
    """The facts of ``category`` from every one of its items."""
    mine = tuple(
        sorted(
            (i for i in items if i.category == category),
            key=lambda i: i.published_on,
            reverse=True,
        )
    )
    late = tuple(i for i in mine if i.working_days_late > 0)
    return CategoryFacts(
        count=len(mine),
        latest_formed_on=max((i.formed_on for i in mine), default=None),
        late_count=len(late),
        newest=mine,
        newest_late=late,
    )


def coverage(
    entries: Sequence[CatalogueEntry],
    items: Sequence[PublicItem],
    as_of: date,
    calendar: WorkingDayCalendar,
) -> list[CategoryCoverage]:
    """Coverage of each catalogue entry by the items public on ``as_of``."""
    facts = {e.code: facts_of(items, e.code) for e in entries}
    return coverage_of(entries, facts, as_of, calendar)


def coverage_of(
    entries: Sequence[CatalogueEntry],
    facts: Mapping[str, CategoryFacts],
    as_of: date,
    calendar: WorkingDayCalendar,
) -> list[CategoryCoverage]:
    """Coverage of each catalogue entry by the facts of its category (by code)
    about the items public on ``as_of``."""
    result: list[CategoryCoverage] = []
    for entry in entries:
        f = facts.get(entry.code, CategoryFacts())
        if not f.count or f.latest_formed_on is None:
            result.append(
                CategoryCoverage(
                    entry, CoverageStatus.MISSING, (), late_items=f.newest_late
                )
            )
            continue
        due = next_due(entry, f.latest_formed_on, calendar)
        status = (
            CoverageStatus.OVERDUE
            if due is not None and as_of > due
            else CoverageStatus.COVERED
        )
        result.append(
            CategoryCoverage(
                entry,
                status,
                f.newest,
                due,
                f.newest_late,
                item_count=f.count,
                late_count=f.late_count,
            )
        )
    return result
