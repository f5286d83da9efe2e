"""Catalogue coverage: missing, covered and overdue categories, and late items."""

from __future__ import annotations

from datetime import date

import pytest

from domain.disclosures.catalogue import (
    CatalogueEntry,
    Period,
    find_entry,
)
from domain.disclosures.catalogue_defaults import DEFAULT_CATALOGUE
from domain.disclosures.coverage import (
    CategoryCoverage,
    CategoryFacts,
    CoverageStatus,
    PublicItem,
    coverage,
    coverage_of,
)
from domain.workdays import WorkingDayCalendar


def entry(code: str) -> CatalogueEntry:
    found = find_entry(code, DEFAULT_CATALOGUE)
    assert found is not None
    return found


MONTHLY = entry("common.subsistence")
ON_CHANGE = entry("common.decisions")
AS_OF = date(2026, 3, 2)


def item(
    ref: str,
    category: str,
    formed_on: date,
    published_on: date | None = None,
    working_days_late: int = 0,
) -> PublicItem:
    return PublicItem(
        id=ref,
        category=category,
        formed_on=formed_on,
        published_on=published_on or formed_on,
        working_days_late=working_days_late,
    )


@pytest.fixture
def cal() -> WorkingDayCalendar:
    return WorkingDayCalendar()


def only(
    entry: CatalogueEntry,
    items: list[PublicItem],
    as_of: date,
    cal: WorkingDayCalendar,
) -> CategoryCoverage:
    (result,) = coverage([entry], items, as_of, cal)
    return result


def test_the_fixture_categories_have_the_periods_the_tests_rely_on() -> None:
    assert MONTHLY.period is Period.MONTHLY
    assert ON_CHANGE.period is Period.ON_CHANGE


def test_a_category_with_no_items_is_missing(cal: WorkingDayCalendar) -> None:
    result = only(MONTHLY, [], AS_OF, cal)
    assert result.status is CoverageStatus.MISSING
    assert result.items == ()
    assert result.next_due_on is None
    assert result.late_items == ()


def test_items_of_other_categories_do_not_cover(cal: WorkingDayCalendar) -> None:
    other = item("d1", ON_CHANGE.code, date(2026, 2, 27))
    assert only(MONTHLY, [other], AS_OF, cal).status is CoverageStatus.MISSING


def test_a_recent_monthly_item_covers_its_category(cal: WorkingDayCalendar) -> None:
    recent = item("s1", MONTHLY.code, date(2026, 2, 10))
    result = only(MONTHLY, [recent], AS_OF, cal)
    assert result.status is CoverageStatus.COVERED
    assert result.items == (recent,)


def test_monthly_next_due_is_a_month_plus_twenty_working_days(
    cal: WorkingDayCalendar,
) -> None:
    # 10 Jan + 31 days = Tue 10 Feb; 20 working days later (Spring Festival
    # skipped, make-up Saturdays 14 and 28 Feb counted) is Mon 16 Mar.
    result = only(MONTHLY, [item("s1", MONTHLY.code, date(2026, 1, 10))], AS_OF, cal)
    assert result.next_due_on == date(2026, 3, 16)


def test_a_monthly_category_is_covered_up_to_its_next_due_day(
    cal: WorkingDayCalendar,
) -> None:
    last = item("s1", MONTHLY.code, date(2026, 1, 10))
    assert only(MONTHLY, [last], date(2026, 3, 16), cal).status is (
        CoverageStatus.COVERED
    )


def test_a_monthly_category_is_overdue_the_day_after_its_next_due_day(
    cal: WorkingDayCalendar,
) -> None:
    last = item("s1", MONTHLY.code, date(2026, 1, 10))
    result = only(MONTHLY, [last], date(2026, 3, 17), cal)
    assert result.status is CoverageStatus.OVERDUE
    assert result.items == (last,)


def test_the_newest_formed_item_decides_whether_a_category_is_overdue(
    cal: WorkingDayCalendar,
) -> None:
    old = item("s1", MONTHLY.code, date(2025, 6, 1))
    newer = item("s2", MONTHLY.code, date(2026, 2, 10))
    result = only(MONTHLY, [old, newer], AS_OF, cal)
    assert result.status is CoverageStatus.COVERED
    assert result.items == (newer, old)  # newest published first


def test_an_on_change_category_is_never_overdue(cal: WorkingDayCalendar) -> None:
    ancient = item("d1", ON_CHANGE.code, date(2015, 1, 5))
    result = only(ON_CHANGE, [ancient], AS_OF, cal)
    assert result.status is CoverageStatus.COVERED
    assert result.next_due_on is None


def test_late_items_are_listed_and_on_time_items_are_not(
    cal: WorkingDayCalendar,
) -> None:
    late = item("d1", ON_CHANGE.code, date(2025, 9, 26), date(2025, 11, 4), 3)
    on_time = item("d2", ON_CHANGE.code, date(2026, 2, 10), date(2026, 2, 12))
    result = only(ON_CHANGE, [late, on_time], AS_OF, cal)
    assert result.late_items == (late,)
    assert result.items == (on_time, late)


def test_a_late_item_is_listed_even_when_its_category_is_overdue(
    cal: WorkingDayCalendar,
) -> None:
    late = item("s1", MONTHLY.code, date(2025, 9, 26), date(2025, 11, 4), 3)
    result = only(MONTHLY, [late], AS_OF, cal)
    assert result.status is CoverageStatus.OVERDUE
    assert result.late_items == (late,)


def test_coverage_reports_every_entry_in_catalogue_order(
    cal: WorkingDayCalendar,
) -> None:
    items = [item("d1", ON_CHANGE.code, date(2026, 2, 10))]
    result = coverage([MONTHLY, ON_CHANGE], items, AS_OF, cal)
    assert [(c.entry.code, c.status) for c in result] == [
        (MONTHLY.code, CoverageStatus.MISSING),
        (ON_CHANGE.code, CoverageStatus.COVERED),
    ]


def test_facts_summed_up_elsewhere_give_the_same_status_and_counts() -> None:
    items = [
        item("a", MONTHLY.code, date(2026, 1, 5), date(2026, 2, 20), 3),
        item("b", MONTHLY.code, date(2026, 1, 20), date(2026, 1, 25)),
        item("c", ON_CHANGE.code, date(2026, 2, 1)),
    ]
    calendar = WorkingDayCalendar()
    full = coverage([MONTHLY, ON_CHANGE], items, AS_OF, calendar)
    # What a store would hand over: counts, the newest formed_on, the newest item.
    facts = {
        MONTHLY.code: CategoryFacts(
            count=2,
            latest_formed_on=date(2026, 1, 20),
            late_count=1,
            newest=(items[0],),
            newest_late=(items[0],),
        ),
        ON_CHANGE.code: CategoryFacts(1, date(2026, 2, 1), 0, (items[2],)),
    }
    summed = coverage_of([MONTHLY, ON_CHANGE], facts, AS_OF, calendar)
    assert [c.status for c in summed] == [c.status for c in full]
    assert [c.next_due_on for c in summed] == [c.next_due_on for c in full]
    assert [c.item_count for c in summed] == [len(c.items) for c in full] == [2, 1]
    assert [c.late_count for c in summed] == [1, 0]
    assert summed[0].items == (items[0],)  # newest published first, as in full
    assert full[0].items[0] == items[0]


def test_a_category_without_facts_is_missing() -> None:
    result = coverage_of([ON_CHANGE], {}, AS_OF, WorkingDayCalendar())
    assert result[0].status == CoverageStatus.MISSING
    assert result[0].item_count == 0
