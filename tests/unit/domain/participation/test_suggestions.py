"""建议提案: the meeting rule, the time limit in months and the three figures."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import uuid4

import pytest

from domain.cases.case import Case
from domain.errors import CaseDateError, IllegalTransitionError, InvalidInputError
from domain.participation.suggestions import (
    SuggestionFacts,
    answer_working_days,
    figures_by_unit,
    months_after,
    suggestion_figures,
)
from domain.timeliness import SHANGHAI
from domain.workdays import WorkingDayCalendar

CAL = WorkingDayCalendar()
TENANT = "xinhe.scenic"
ACTOR = {"id": "clerk-1", "tenant": TENANT, "roles": "clerk"}
DAY = date(2026, 3, 2)


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=SHANGHAI)


def suggestion(kind: str = "deputy_suggestion") -> Case:
    return Case.file(
        tenant=TENANT,
        kind=kind,
        channel="letter",
        category=None,
        summary="建议完善景区无障碍通道和母婴室设施",
        signed=True,
        applicant_ref=str(uuid4()),
        received_on=DAY,
        actor=ACTOR,
        effective_at=at(DAY),
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 2), 3, date(2026, 6, 2)),
        (date(2026, 3, 31), 3, date(2026, 6, 30)),  # June is shorter
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
    ],
)
def test_months_after_keeps_the_day_or_takes_the_month_end(
    day: date, months: int, expected: date
) -> None:
    assert months_after(day, months) == expected


def test_months_after_needs_a_month() -> None:
    with pytest.raises(InvalidInputError):
        months_after(DAY, 0)


def test_the_promise_reaches_three_months_after_assignment() -> None:
    start, assigned = date(2026, 3, 2), date(2026, 3, 4)
    days = answer_working_days(start, assigned, 3, CAL)
    due = CAL.add_working_days(start, days)
    assert due == date(2026, 6, 4)  # a Thursday: the day itself


def test_a_limit_on_a_holiday_moves_to_the_next_working_day() -> None:
    # 2026-03-07 + 3 months = 2026-06-07, a Sunday.
    start = date(2026, 3, 7)
    days = answer_working_days(start, start, 3, CAL)
    assert CAL.add_working_days(start, days) == date(2026, 6, 8)


def test_a_suggestion_is_met_once_and_a_complaint_never() -> None:
    case = suggestion()
    case.accept(actor=ACTOR, effective_at=at(DAY))
    assert "meet" in case.allowed_actions()
    case.meet(
        met_on=DAY, note="到代表工作室当面沟通", actor=ACTOR, effective_at=at(DAY)
    )
    assert case.met_on == DAY
    assert "meet" not in case.allowed_actions()
    with pytest.raises(IllegalTransitionError):
        case.meet(actor=ACTOR, effective_at=at(DAY))
    complaint = Case.file(
        tenant=TENANT,
        kind="complaint",
        channel="hotline",
        category=None,
        summary="停车场收费不透明",
        signed=False,
        applicant_ref=None,
        received_on=DAY,
        actor=ACTOR,
        effective_at=at(DAY),
    )
    complaint.accept(actor=ACTOR, effective_at=at(DAY))
    assert "meet" not in complaint.allowed_actions()


def test_a_meeting_lies_between_receipt_and_today() -> None:
    case = suggestion("member_proposal")
    case.accept(actor=ACTOR, effective_at=at(date(2026, 3, 5)))
    for day in (date(2026, 3, 1), date(2026, 3, 6)):
        with pytest.raises(CaseDateError) as caught:
            case.meet(met_on=day, actor=ACTOR, effective_at=at(date(2026, 3, 5)))
        assert caught.value.field == "met_on"


def test_the_answer_not_the_resolution_meets_the_time_limit() -> None:
    case = suggestion()
    case.accept(actor=ACTOR, effective_at=at(DAY))
    case.assign(
        department="综合办",
        handler="h-1",
        promised_working_days=answer_working_days(DAY, DAY, 3, CAL),
        actor=ACTOR,
        effective_at=at(DAY),
    )
    assert case.due_on(CAL) == date(2026, 6, 2)
    case.resolve(result="已增设母婴室", actor=ACTOR, effective_at=at(DAY))
    assert case.completed_on is None
    case.reply(method="书面答复", content="答复函", actor=ACTOR, effective_at=at(DAY))
    assert case.completed_on == DAY


def test_a_suggestion_may_be_promised_beyond_a_complaints_60_days() -> None:
    case = suggestion()
    case.accept(actor=ACTOR, effective_at=at(DAY))
    case.assign(
        department="综合办",
        handler="h-1",
        promised_working_days=130,
        actor=ACTOR,
        effective_at=at(DAY),
    )
    assert case.due_on(CAL) is not None


def facts(tenant: str, met: bool, replied: bool, rating: str | None) -> SuggestionFacts:
    return SuggestionFacts(
        tenant=tenant,
        kind="deputy_suggestion",
        received_on=DAY,
        met=met,
        replied=replied,
        rating=rating,
    )


def test_the_rates_count_every_suggestion_received() -> None:
    items = [
        facts("a", True, True, "satisfied"),
        facts("a", True, True, "basically_satisfied"),
        facts("a", False, True, "unsatisfied"),
        facts("a", False, False, None),
    ]
    got = suggestion_figures(items)
    assert (got.meeting_rate.numerator, got.meeting_rate.denominator) == (2, 4)
    assert (got.reply_rate.numerator, got.reply_rate.denominator) == (3, 4)
    assert (got.satisfaction_rate.numerator, got.satisfaction_rate.denominator) == (
        2,
        3,
    )
    strict = suggestion_figures(items, basically_counts_as_satisfied=False)
    assert strict.satisfaction_rate.numerator == 1
    assert got.to_dict()["meeting_rate"]["ci95"] is not None


def test_five_handled_in_full_are_the_seeds_100_percent() -> None:
    items = [facts("scenic", True, True, "satisfied") for _ in range(5)]
    got = suggestion_figures(items)
    for rate in (got.meeting_rate, got.reply_rate, got.satisfaction_rate):
        assert rate.value == 1.0
        assert rate.denominator == 5


def test_figures_by_unit_keep_units_apart() -> None:
    items = [facts("b", True, True, None), facts("a", False, False, None)]
    units = figures_by_unit(items)
    assert list(units) == ["a", "b"]
    assert units["b"].meeting_rate.value == 1.0
    assert units["a"].satisfaction_rate.value is None


def test_no_suggestions_no_rate() -> None:
    got = suggestion_figures([])
    assert got.received == 0
    assert got.reply_rate.value is None
