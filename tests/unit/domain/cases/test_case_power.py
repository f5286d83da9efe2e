"""A case names the power of its tenant's 权责清单: the power's promised limit, when
shorter than the case's own period, is the case's limit, and a case completed after
it is late against the power."""

from __future__ import annotations

from datetime import date

import pytest

from domain.cases.case import Case
from domain.errors import ConflictError
from tests.unit.domain.cases.test_case import ACTOR, CAL, DAY, NOW, at, file


def named(case_kind: str = "service_request", days: int | None = 3) -> Case:
    case = file(kind=case_kind)
    case.name_power(
        power="XK-001",
        power_name="风景名胜区内设置、张贴商业广告审批",
        working_days=days,
        actor=ACTOR,
        effective_at=NOW,
    )
    return case


def test_the_powers_shorter_limit_is_the_cases_limit() -> None:
    case = named()
    case.accept(actor=ACTOR, effective_at=NOW)
    case.assign(
        department="政务服务部",
        handler="handler-1",
        promised_working_days=15,
        actor=ACTOR,
        effective_at=NOW,
    )
    assert case.power == "XK-001"
    due = case.due_on(CAL)
    assert due == CAL.add_working_days(DAY, 3)  # not 15
    late_day = date(2026, 3, 10)
    assert case.is_overdue(late_day, CAL)
    case.resolve(result="已办结", actor=ACTOR, effective_at=at(late_day))
    assert case.completed_on > due


def test_a_longer_or_missing_promise_leaves_the_cases_own_period() -> None:
    case = named(days=30)
    case.accept(actor=ACTOR, effective_at=NOW)
    case.assign(
        department="政务服务部",
        handler="handler-1",
        promised_working_days=5,
        actor=ACTOR,
        effective_at=NOW,
    )
    assert case.due_on(CAL) == CAL.add_working_days(DAY, 5)
    request = named("disclosure_request", days=None)
    assert request.due_on(CAL) == CAL.add_working_days(DAY, 20)


def test_a_completed_case_keeps_its_power() -> None:
    case = named()
    case.accept(actor=ACTOR, effective_at=NOW)
    case.assign(
        department="政务服务部",
        handler="h-1",
        promised_working_days=5,
        actor=ACTOR,
        effective_at=NOW,
    )
    case.resolve(result="已办结", actor=ACTOR, effective_at=NOW)
    with pytest.raises(ConflictError):
        case.name_power(
            power="XK-002",
            power_name="x",
            working_days=1,
            actor=ACTOR,
            effective_at=NOW,
        )
