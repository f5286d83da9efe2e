"""The working-day calendar, checked day by day against the official schedules.

Every expected date below was counted by hand on the State Council notices for
2025 and 2026 (as bundled in chinese_calendar 1.11.0) and
cross-checked against the package; the tests assert literal dates on purpose.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidScheduleError
from domain.workdays import (
    BUNDLED_YEARS,
    WorkingDayCalendar,
    YearSchedule,
    default_calendar,
)

D = date.fromisoformat

# A TEST FIXTURE, not the official 2027 schedule (unpublished when this was written):
# made-up but internally consistent. 元旦 Fri 1 Jan-Sun 3 Jan; 春节 Fri 5 Feb-Fri
# 12 Feb with make-up working days Sun 14 Feb and Sat 20 Feb; 国庆 Fri 1 Oct-Thu
# 7 Oct with make-up working days Sun 26 Sep and Sat 9 Oct.
FIXTURE_2027 = YearSchedule.build(
    2027,
    holidays=[
        "2027-01-01",
        "2027-01-02",
        "2027-01-03",
        *(f"2027-02-{d:02d}" for d in range(5, 13)),
        *(f"2027-10-{d:02d}" for d in range(1, 8)),
    ],
    workdays=["2027-02-14", "2027-02-20", "2027-09-26", "2027-10-09"],
    source="test fixture, not 国办发明电",
)

needs_2027_unknown = pytest.mark.skipif(
    2027 in BUNDLED_YEARS,
    reason="chinese_calendar now bundles 2027: move the fallback cases to a later year",
)


@pytest.fixture
def cal() -> WorkingDayCalendar:
    return default_calendar()


def off_days(cal: WorkingDayCalendar, first: str, last: str) -> list[date]:
    """The rest days in [first, last]."""
    start, end = D(first), D(last)
    days = (start + timedelta(i) for i in range((end - start).days + 1))
    return [d for d in days if not cal.is_working_day(d)]


def span(first: str, last: str) -> list[date]:
    start, end = D(first), D(last)
    return [start + timedelta(i) for i in range((end - start).days + 1)]


# Bundled data -----------------------------------------------------------------------


def test_bundled_years_are_contiguous_from_2004_and_cover_2026() -> None:
    assert min(BUNDLED_YEARS) == 2004
    assert {2025, 2026} <= BUNDLED_YEARS
    assert frozenset(range(2004, max(BUNDLED_YEARS) + 1)) == BUNDLED_YEARS


def test_default_calendar_is_shared_and_knows_the_bundled_years() -> None:
    cal = default_calendar()
    assert default_calendar() is cal
    assert cal.knows(2004)
    assert cal.knows(2026)
    assert not cal.knows(2003)


# Official schedules -----------------------------------------------------------------


def test_national_day_2025(cal: WorkingDayCalendar) -> None:
    assert off_days(cal, "2025-09-27", "2025-10-12") == [
        D("2025-09-27"),  # Sat
        *span("2025-10-01", "2025-10-08"),
        D("2025-10-12"),  # Sun
    ]
    assert cal.is_working_day(D("2025-09-28"))  # Sunday, 调休
    assert cal.is_working_day(D("2025-10-11"))  # Saturday, 调休
    assert cal.is_working_day(D("2025-10-09"))


def test_spring_festival_2025(cal: WorkingDayCalendar) -> None:
    assert off_days(cal, "2025-01-25", "2025-02-09") == [
        D("2025-01-25"),  # Sat
        *span("2025-01-28", "2025-02-04"),
        D("2025-02-09"),  # Sun
    ]
    assert cal.is_working_day(D("2025-01-26"))  # Sunday, 调休
    assert cal.is_working_day(D("2025-02-08"))  # Saturday, 调休
    assert not cal.is_working_day(D("2025-01-01"))


def test_spring_festival_2026(cal: WorkingDayCalendar) -> None:
    assert off_days(cal, "2026-02-14", "2026-03-01") == [
        *span("2026-02-15", "2026-02-23"),
        D("2026-03-01"),  # Sun
    ]
    assert cal.is_working_day(D("2026-02-14"))  # Saturday, 调休
    assert cal.is_working_day(D("2026-02-28"))  # Saturday, 调休


def test_new_year_2026(cal: WorkingDayCalendar) -> None:
    assert off_days(cal, "2025-12-31", "2026-01-05") == span("2026-01-01", "2026-01-03")
    assert cal.is_working_day(D("2026-01-04"))  # Sunday, 调休


def test_mid_autumn_and_national_day_2026(cal: WorkingDayCalendar) -> None:
    assert off_days(cal, "2026-09-19", "2026-10-11") == [
        D("2026-09-19"),  # Sat
        *span("2026-09-25", "2026-09-27"),  # 中秋
        *span("2026-10-01", "2026-10-07"),
        D("2026-10-11"),  # Sun
    ]
    assert cal.is_working_day(D("2026-09-20"))  # Sunday, 调休
    assert cal.is_working_day(D("2026-10-10"))  # Saturday, 调休


def test_whole_years_count_248_working_days(cal: WorkingDayCalendar) -> None:
    assert cal.working_days_between(D("2024-12-31"), D("2025-12-31")) == 248
    assert cal.working_days_between(D("2025-12-31"), D("2026-12-31")) == 248


# add_working_days -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Formed the day before National Day: 10-01..10-07 off, Sat 10-10 counts.
        ("2026-09-30", 20, "2026-11-03"),
        # 2025: 10-01..10-08 off, Sat 10-11 counts.
        ("2025-09-30", 20, "2025-11-04"),
        ("2025-09-30", 1, "2025-10-09"),
        # Spring Festival 2025: Sat 02-08 counts.
        ("2025-01-27", 20, "2025-03-03"),
        # Spring Festival 2026: Sat 02-14 and Sat 02-28 count.
        ("2026-02-13", 20, "2026-03-19"),
        # A start inside a holiday.
        ("2025-10-05", 1, "2025-10-09"),
    ],
)
def test_add_working_days_across_holidays(
    cal: WorkingDayCalendar, start: str, n: int, due: str
) -> None:
    assert cal.add_working_days(D(start), n) == D(due)


def test_start_day_never_counts(cal: WorkingDayCalendar) -> None:
    assert cal.add_working_days(D("2025-03-03"), 1) == D("2025-03-04")  # Mon -> Tue
    assert cal.add_working_days(D("2025-09-28"), 1) == D("2025-09-29")  # 调休 Sun
    assert cal.add_working_days(D("2025-03-07"), 1) == D("2025-03-10")  # Fri -> Mon


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2025-10-10", 1, "2025-10-11"),  # Fri -> 调休 Sat
        ("2026-02-13", 1, "2026-02-14"),  # Fri -> 调休 Sat
        ("2026-09-18", 1, "2026-09-20"),  # Fri -> skips Sat, lands on 调休 Sun
        ("2025-01-24", 1, "2025-01-26"),  # Fri -> 调休 Sun
    ],
)
def test_due_date_can_be_a_make_up_weekend_day(
    cal: WorkingDayCalendar, start: str, n: int, due: str
) -> None:
    assert cal.add_working_days(D(start), n) == D(due)


@pytest.mark.parametrize("n", [0, -1])
def test_add_working_days_requires_a_positive_n(
    cal: WorkingDayCalendar, n: int
) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        cal.add_working_days(D("2025-03-03"), n)


# working_days_between ---------------------------------------------------------------


def test_between_inverts_add(cal: WorkingDayCalendar) -> None:
    assert cal.working_days_between(D("2026-09-30"), D("2026-11-03")) == 20
    assert cal.working_days_between(D("2026-09-30"), D("2026-11-02")) == 19


def test_between_is_zero_when_end_is_not_after_start(cal: WorkingDayCalendar) -> None:
    assert cal.working_days_between(D("2025-03-03"), D("2025-03-03")) == 0
    assert cal.working_days_between(D("2026-11-03"), D("2026-09-30")) == 0


def test_working_days_late(cal: WorkingDayCalendar) -> None:
    due = D("2025-09-30")
    assert cal.working_days_between(due, D("2025-10-08")) == 0  # all holiday
    assert cal.working_days_between(due, D("2025-10-09")) == 1
    assert cal.working_days_between(due, D("2025-10-11")) == 3  # 调休 Sat
    assert cal.working_days_between(due, D("2025-09-15")) == 0  # early


def test_between_counts_make_up_days_only(cal: WorkingDayCalendar) -> None:
    assert cal.working_days_between(D("2025-09-26"), D("2025-09-28")) == 1
    assert cal.working_days_between(D("2025-09-27"), D("2025-09-28")) == 1
    assert cal.working_days_between(D("2025-09-28"), D("2025-09-28")) == 0


# Years beyond the package -----------------------------------------------------------


@needs_2027_unknown
def test_unknown_year_falls_back_to_weekends_only(cal: WorkingDayCalendar) -> None:
    assert not cal.knows(2027)
    assert cal.is_working_day(D("2027-01-01"))  # Friday; in reality surely 元旦
    assert not cal.is_working_day(D("2027-01-02"))
    assert cal.add_working_days(D("2026-12-31"), 5) == D("2027-01-07")
    assert cal.working_days_between(D("2026-12-31"), D("2027-12-31")) == 261


@needs_2027_unknown
def test_unknown_years_are_reported(cal: WorkingDayCalendar) -> None:
    assert cal.unknown_years(D("2026-12-31"), D("2027-01-07")) == (2027,)
    assert cal.unknown_years(D("2025-06-01"), D("2029-01-01")) == (2027, 2028, 2029)
    assert cal.unknown_years(D("2029-01-01"), D("2025-06-01")) == (2027, 2028, 2029)
    assert cal.unknown_years(D("2003-12-30"), D("2004-01-05")) == (2003,)
    assert cal.unknown_years(D("2025-01-01"), D("2026-12-31")) == ()


@needs_2027_unknown
def test_fallback_warning(cal: WorkingDayCalendar) -> None:
    warning = cal.fallback_warning(D("2026-12-31"), D("2027-01-07"))
    assert warning is not None
    assert warning.startswith("2027年节假日安排未知，按周末计算")
    assert "2027" in warning.split("(")[1]
    many = cal.fallback_warning(D("2026-12-31"), D("2029-01-01"))
    assert many is not None
    assert many.startswith("2027–2029年")
    assert cal.fallback_warning(D("2025-01-01"), D("2026-12-31")) is None


# Uploaded schedules -----------------------------------------------------------------


def test_uploaded_schedule_replaces_the_fallback() -> None:
    cal = WorkingDayCalendar([FIXTURE_2027])
    assert cal.knows(2027)
    assert cal.unknown_years(D("2026-12-31"), D("2027-12-31")) == ()
    assert cal.fallback_warning(D("2026-12-31"), D("2027-12-31")) is None
    assert not cal.is_working_day(D("2027-01-01"))
    assert cal.add_working_days(D("2026-12-31"), 5) == D("2027-01-08")
    # 02-05..02-12 off, Sat 02-13 off, 调休 Sun 02-14 and Sat 02-20 count.
    assert cal.add_working_days(D("2027-02-04"), 10) == D("2027-02-24")
    assert cal.add_working_days(D("2027-09-24"), 1) == D("2027-09-26")
    assert cal.working_days_between(D("2026-12-31"), D("2027-12-31")) == 253
    # Other years still come from the package.
    assert cal.add_working_days(D("2026-09-30"), 20) == D("2026-11-03")


def test_uploaded_schedule_overrides_the_package_for_its_year() -> None:
    cal = WorkingDayCalendar([YearSchedule.build(2025, ["2025-06-09"], [])])
    assert not cal.is_working_day(D("2025-06-09"))
    assert cal.is_working_day(D("2025-10-01"))  # package holiday gone
    assert not cal.is_working_day(D("2025-09-28"))  # package 调休 gone
    assert not cal.is_working_day(D("2026-10-01"))  # 2026 untouched
    assert not cal.is_working_day(D("2024-10-01"))  # 2024 untouched


def test_later_upload_for_the_same_year_wins() -> None:
    first = YearSchedule.build(2027, ["2027-03-01"], [])
    cal = WorkingDayCalendar([first, FIXTURE_2027])
    assert cal.is_working_day(D("2027-03-01"))
    assert not cal.is_working_day(D("2027-01-01"))


def test_schedule_may_bridge_new_year_into_the_previous_december() -> None:
    # As the 2019 notice did (2018-12-29 worked, 2018-12-30/31 off).
    bridge = YearSchedule.build(
        2027, ["2026-12-31", "2027-01-01", "2027-01-02"], ["2026-12-26"]
    )
    cal = WorkingDayCalendar([bridge])
    assert not cal.is_working_day(D("2026-12-31"))  # Thu
    assert cal.is_working_day(D("2026-12-26"))  # Sat
    assert cal.add_working_days(D("2026-12-30"), 1) == D("2027-01-04")


# YearSchedule -----------------------------------------------------------------------


def test_build_parses_dates_and_strings() -> None:
    schedule = YearSchedule.build(
        2027, [date(2027, 1, 1), "2027-01-01", "2027-02-05"], ("2027-02-20",), "s"
    )
    assert schedule == YearSchedule(
        2027,
        frozenset({D("2027-01-01"), D("2027-02-05")}),
        frozenset({D("2027-02-20")}),
        "s",
    )


def test_to_dict_is_sorted_iso_and_round_trips() -> None:
    data = FIXTURE_2027.to_dict()
    assert data["year"] == 2027
    assert data["workdays"] == ["2027-02-14", "2027-02-20", "2027-09-26", "2027-10-09"]
    holidays = data["holidays"]
    assert isinstance(holidays, list)
    assert holidays[:4] == ["2027-01-01", "2027-01-02", "2027-01-03", "2027-02-05"]
    assert holidays == sorted(holidays)
    assert YearSchedule.from_dict(data) == FIXTURE_2027


@pytest.mark.parametrize(
    ("year", "holidays", "workdays", "field"),
    [
        (2027, ["2028-01-01"], [], "holidays"),  # outside the year
        (2027, ["2026-11-30"], [], "holidays"),  # before the bridging December
        (2027, ["2027-01-01"], ["2028-01-08"], "workdays"),  # outside, a Saturday
        (2027, ["2027-01-02"], ["2027-01-02"], "workdays"),  # holiday and workday
        (2027, ["2027-02-05"], ["2027-02-08"], "workdays"),  # a Monday
        (2027, [], ["2027-02-20"], "holidays"),  # no holidays
        (2027, [], [], "holidays"),
        (2027, ["2027-13-01"], [], "holidays"),  # not a date
        (2027, ["1 Jan 2027"], [], "holidays"),
        (2027, [datetime(2027, 1, 1)], [], "holidays"),  # a datetime
        (2027, "2027-01-01", [], "holidays"),  # a string, not a list
        (2027, ["2027-01-01"], [20270220], "workdays"),
        (0, ["2027-01-01"], [], "year"),
        (True, ["2027-01-01"], [], "year"),
        ("2027", ["2027-01-01"], [], "year"),
    ],
)
def test_build_rejects_invalid_schedules(
    year: object, holidays: object, workdays: object, field: str
) -> None:
    with pytest.raises(InvalidScheduleError) as caught:
        YearSchedule.build(year, holidays, workdays)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.slug == "invalid-holiday-schedule"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"holidays": ["2027-01-01"], "workdays": []}, "year"),
        ({"year": 2027, "workdays": []}, "holidays"),
        ({"year": 2027, "holidays": ["2027-01-01"], "source": 7}, "source"),
    ],
)
def test_from_dict_rejects_malformed_data(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidScheduleError) as caught:
        YearSchedule.from_dict(data)
    assert caught.value.field == field


# Properties -------------------------------------------------------------------------

CALENDARS = [default_calendar(), WorkingDayCalendar([FIXTURE_2027])]


@given(
    cal=st.sampled_from(CALENDARS),
    start=st.dates(min_value=date(2002, 1, 1), max_value=date(2029, 12, 31)),
    n=st.integers(min_value=1, max_value=60),
)
def test_add_and_between_agree(cal: WorkingDayCalendar, start: date, n: int) -> None:
    """Starts span unknown years before 2004 and after the package, too."""
    due = cal.add_working_days(start, n)
    assert due > start
    assert cal.is_working_day(due)
    assert cal.working_days_between(start, due) == n
    assert cal.working_days_between(start, due - timedelta(1)) == n - 1


@given(
    a=st.dates(min_value=date(2002, 1, 1), max_value=date(2029, 12, 31)),
    gaps=st.tuples(st.integers(0, 400), st.integers(0, 400)),
)
def test_between_is_additive_and_counts_working_days(
    a: date, gaps: tuple[int, int]
) -> None:
    cal = CALENDARS[1]
    b = a + timedelta(gaps[0])
    c = b + timedelta(gaps[1])
    between = cal.working_days_between
    assert between(a, b) + between(b, c) == between(a, c)
    days = (a + timedelta(i) for i in range(1, gaps[0] + 1))
    assert between(a, b) == sum(map(cal.is_working_day, days))
