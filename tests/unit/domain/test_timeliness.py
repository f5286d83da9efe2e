"""Due dates, lateness and back-dating, counted in Chinese working days.

Every expected date is a literal counted by hand on the State Council schedules:
National Day 2025 (1–8 Oct off; Sun 28 Sep and Sat 11 Oct worked) and Spring
Festival 2026 (15–23 Feb off; Sat 14 Feb and Sat 28 Feb worked).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.errors import BackdatingError, InvalidDateError
from domain.timeliness import (
    DEFAULT_BACKDATING_WINDOW,
    MAX_REASON_LENGTH,
    Backdating,
    check_backdating,
    disclosure_timeliness,
    local_date,
    local_noon,
)
from domain.workdays import WorkingDayCalendar

CHINA = timezone(timedelta(hours=8))
# Monday 2 March 2026, 10:00 in China.
RECORDED_AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def cal() -> WorkingDayCalendar:
    return WorkingDayCalendar()


def backdate(
    effective_at: datetime,
    cal: WorkingDayCalendar,
    reason: str | None = None,
    recorded_at: datetime = RECORDED_AT,
) -> Backdating:
    return check_backdating(
        effective_at,
        recorded_at,
        window=DEFAULT_BACKDATING_WINDOW,
        calendar=cal,
        reason=reason,
    )


# disclosure_timeliness --------------------------------------------------------------


def test_due_date_skips_national_day_and_counts_its_make_up_days(
    cal: WorkingDayCalendar,
) -> None:
    # Fri 26 Sep: 28–30 Sep are 1–3, 9–11 Oct are 4–6, ..., Thu 30 Oct is the 20th.
    result = disclosure_timeliness(date(2025, 9, 26), date(2025, 10, 9), cal)
    assert result.due_on == date(2025, 10, 30)


def test_due_date_skips_spring_festival_and_counts_its_make_up_days(
    cal: WorkingDayCalendar,
) -> None:
    # Tue 10 Feb: 11–14 Feb are 1–4, 24–28 Feb are 5–9, ..., Mon 16 Mar is the 20th.
    result = disclosure_timeliness(date(2026, 2, 10), date(2026, 2, 12), cal)
    assert result.due_on == date(2026, 3, 16)


def test_the_formed_day_itself_is_not_counted(cal: WorkingDayCalendar) -> None:
    # Mon 5 Jan 2026 is a working day, yet the count starts on Tue 6 Jan.
    result = disclosure_timeliness(date(2026, 1, 5), date(2026, 1, 5), cal)
    assert result.due_on == date(2026, 2, 2)


def test_published_on_the_due_day_is_on_time(cal: WorkingDayCalendar) -> None:
    result = disclosure_timeliness(date(2025, 9, 26), date(2025, 10, 30), cal)
    assert result.on_time
    assert result.working_days_late == 0
    assert result.warning is None


def test_published_before_the_due_day_is_on_time(cal: WorkingDayCalendar) -> None:
    result = disclosure_timeliness(date(2026, 2, 10), date(2026, 2, 10), cal)
    assert result.on_time
    assert result.working_days_late == 0


def test_working_days_late_counts_working_days_after_the_due_day(
    cal: WorkingDayCalendar,
) -> None:
    # Due Thu 30 Oct; Fri 31 Oct, Mon 3 Nov and Tue 4 Nov are late days 1–3.
    result = disclosure_timeliness(date(2025, 9, 26), date(2025, 11, 4), cal)
    assert not result.on_time
    assert result.working_days_late == 3


def test_one_working_day_late_over_a_weekend(cal: WorkingDayCalendar) -> None:
    # Due Thu 30 Oct; published Sat 1 Nov: only Fri 31 Oct is a late working day.
    result = disclosure_timeliness(date(2025, 9, 26), date(2025, 11, 1), cal)
    assert not result.on_time
    assert result.working_days_late == 1


def test_lateness_after_spring_festival_counts_the_make_up_saturday(
    cal: WorkingDayCalendar,
) -> None:
    # Formed Fri 16 Jan 2026, due Fri 13 Feb; Sat 14 Feb (make-up) and 24–27 Feb
    # are late, 15–23 Feb are not.
    result = disclosure_timeliness(date(2026, 1, 16), date(2026, 2, 27), cal)
    assert result.due_on == date(2026, 2, 13)
    assert result.working_days_late == 5


def test_formed_in_an_unknown_year_warns_of_the_weekend_fallback(
    cal: WorkingDayCalendar,
) -> None:
    result = disclosure_timeliness(date(2027, 1, 4), date(2027, 1, 4), cal)
    assert result.due_on == date(2027, 2, 1)  # 20 weekdays: weekends only
    assert result.warning is not None
    assert "2027" in result.warning


def test_due_in_an_unknown_year_warns_even_when_formed_in_a_known_one(
    cal: WorkingDayCalendar,
) -> None:
    result = disclosure_timeliness(date(2026, 12, 20), date(2026, 12, 21), cal)
    assert result.due_on == date(2027, 1, 15)
    assert result.warning is not None
    assert "2027" in result.warning
    assert "2026" not in result.warning


# local_date and local_noon ----------------------------------------------------------


def test_five_pm_utc_is_already_the_next_day_in_china() -> None:
    assert local_date(datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == date(2026, 3, 2)


def test_the_china_day_starts_at_sixteen_hundred_utc() -> None:
    assert local_date(datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert local_date(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)


def test_local_noon_is_four_am_utc() -> None:
    assert local_noon(date(2026, 3, 2)) == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert local_date(local_noon(date(2026, 3, 2))) == date(2026, 3, 2)


# check_backdating -------------------------------------------------------------------


def test_a_record_of_now_reaches_back_zero_days(cal: WorkingDayCalendar) -> None:
    assert backdate(RECORDED_AT, cal) == Backdating(working_days=0, reason=None)


def test_a_future_china_day_is_rejected(cal: WorkingDayCalendar) -> None:
    with pytest.raises(InvalidDateError) as caught:
        backdate(datetime(2026, 3, 3, 9, 0, tzinfo=CHINA), cal)
    assert caught.value.field == "effective_at"


def test_the_future_error_names_the_callers_field(cal: WorkingDayCalendar) -> None:
    with pytest.raises(InvalidDateError) as caught:
        check_backdating(
            datetime(2026, 3, 5, tzinfo=UTC),
            RECORDED_AT,
            window=3,
            calendar=cal,
            reason="补录",
            field="published_on",
        )
    assert caught.value.field == "published_on"


def test_a_moment_after_midnight_in_china_is_in_the_future_the_evening_before(
    cal: WorkingDayCalendar,
) -> None:
    # Both moments fall on 1 March in UTC, but on 1 and 2 March in China.
    evening = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)  # 23:00 on 1 March in China
    after_midnight = datetime(2026, 3, 2, 0, 30, tzinfo=CHINA)
    with pytest.raises(InvalidDateError):
        backdate(after_midnight, cal, recorded_at=evening)


def test_a_record_made_just_after_midnight_in_china_counts_that_day(
    cal: WorkingDayCalendar,
) -> None:
    recorded = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # 01:00 on Mon 2 March
    effective = datetime(2026, 2, 25, 12, 0, tzinfo=CHINA)
    # 26, 27, 28 (make-up Saturday) Feb and 2 Mar: four working days.
    assert backdate(effective, cal, "补录", recorded_at=recorded).working_days == 4


def test_a_naive_datetime_is_rejected(cal: WorkingDayCalendar) -> None:
    with pytest.raises(InvalidDateError) as caught:
        backdate(datetime(2026, 3, 2, 10, 0), cal)
    assert caught.value.field == "effective_at"


def test_within_the_window_no_reason_is_needed(cal: WorkingDayCalendar) -> None:
    # Thu 26 Feb -> Mon 2 Mar: 27 Feb, 28 Feb (make-up Saturday), 2 Mar = 3 days.
    result = backdate(datetime(2026, 2, 26, 9, 0, tzinfo=CHINA), cal)
    assert result == Backdating(working_days=3, reason=None)


def test_beyond_the_window_without_a_reason_is_rejected_on_late_reason(
    cal: WorkingDayCalendar,
) -> None:
    with pytest.raises(BackdatingError) as caught:
        backdate(datetime(2026, 2, 25, 9, 0, tzinfo=CHINA), cal)
    assert caught.value.field == "late_reason"


def test_a_blank_reason_counts_as_no_reason(cal: WorkingDayCalendar) -> None:
    with pytest.raises(BackdatingError):
        backdate(datetime(2026, 2, 25, 9, 0, tzinfo=CHINA), cal, "   ")


def test_beyond_the_window_with_a_reason_returns_the_count_and_trimmed_reason(
    cal: WorkingDayCalendar,
) -> None:
    result = backdate(datetime(2026, 2, 25, 9, 0, tzinfo=CHINA), cal, " 系统停机补录 ")
    assert result == Backdating(working_days=4, reason="系统停机补录")


def test_holidays_do_not_count_towards_the_window(cal: WorkingDayCalendar) -> None:
    # Fri 13 Feb -> Tue 24 Feb: only Sat 14 Feb (make-up) and 24 Feb are working.
    result = backdate(
        datetime(2026, 2, 13, 9, 0, tzinfo=CHINA),
        cal,
        recorded_at=datetime(2026, 2, 24, 9, 0, tzinfo=CHINA),
    )
    assert result == Backdating(working_days=2, reason=None)


def test_a_reason_within_the_window_is_kept(cal: WorkingDayCalendar) -> None:
    result = backdate(datetime(2026, 3, 2, 8, 0, tzinfo=CHINA), cal, "补录")
    assert result == Backdating(working_days=0, reason="补录")


def test_an_overlong_reason_is_rejected_on_late_reason(cal: WorkingDayCalendar) -> None:
    with pytest.raises(InvalidDateError) as caught:
        backdate(
            datetime(2026, 2, 25, 9, 0, tzinfo=CHINA),
            cal,
            "因" * (MAX_REASON_LENGTH + 1),
        )
    assert caught.value.field == "late_reason"
