"""限期治理: a plan's steps, its acceptance and its being overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import ConflictError, InconsistentInputError, NotFoundError
from domain.participation.remediation import RemediationBook

ACTOR = {"id": "clerk-1", "tenant": "xinhe.hbj", "roles": "clerk"}
STAMP = {"actor": ACTOR, "effective_at": datetime(2026, 9, 20, 2, tzinfo=UTC)}


def book() -> RemediationBook:
    found = RemediationBook(tenant="xinhe.hbj", **STAMP)
    found.plan(
        number="XQ-2026-01",
        unit="新和县某砖厂",
        tasks=["窑炉烟气脱硫设施改造", "原料堆场全封闭"],
        deadline=date(2026, 8, 31),
        planned_on=date(2026, 3, 1),
        **STAMP,
    )
    return found


def test_a_plan_past_its_deadline_without_acceptance_is_overdue() -> None:
    (plan,) = book().plans()
    assert plan.state == "planned"
    assert not plan.overdue(date(2026, 8, 31))
    assert plan.overdue(date(2026, 9, 1))


def test_a_failed_acceptance_leaves_it_open_and_a_passed_one_closes_it() -> None:
    found = book()
    found.consult(number="XQ-2026-01", meeting="2026-02", meeting_known=True, **STAMP)
    found.supervise(
        number="XQ-2026-01", noted_on=date(2026, 6, 1), note="脱硫塔基础施工", **STAMP
    )
    found.accept(
        number="XQ-2026-01", accepted_on=date(2026, 8, 20), result="不通过",
        note="堆场东侧未封闭", **STAMP,
    )  # fmt: skip
    (plan,) = found.plans()
    assert plan.state == "underway"
    assert plan.overdue(date(2026, 9, 1))
    found.accept(
        number="XQ-2026-01", accepted_on=date(2026, 9, 5), result="通过",
        note="各项治理任务完成", **STAMP,
    )  # fmt: skip
    (plan,) = found.plans()
    shown = plan.to_dict(date(2026, 9, 20))
    assert shown["state_label"] == "已验收"
    assert shown["acceptance_result"] == "通过"
    assert not shown["overdue"]
    assert shown["late"]
    with pytest.raises(ConflictError):
        found.supervise(
            number="XQ-2026-01", noted_on=date(2026, 9, 6), note="再记", **STAMP
        )


def test_the_consultation_names_a_known_meeting_once() -> None:
    found = book()
    with pytest.raises(NotFoundError):
        found.consult(number="XQ-2026-01", meeting="无", meeting_known=False, **STAMP)
    found.consult(number="XQ-2026-01", meeting="2026-02", meeting_known=True, **STAMP)
    assert found.plans()[0].state == "consulted"
    with pytest.raises(ConflictError):
        found.consult(
            number="XQ-2026-01", meeting="2026-03", meeting_known=True, **STAMP
        )


def test_the_deadline_follows_the_plan() -> None:
    with pytest.raises(InconsistentInputError):
        RemediationBook(tenant="xinhe.hbj", **STAMP).plan(
            number="1", unit="某厂", tasks=["整改"], deadline=date(2026, 3, 1),
            planned_on=date(2026, 3, 1), **STAMP,
        )  # fmt: skip
