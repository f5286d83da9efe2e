"""A case's rows as the statistics read them: at every version, its facts hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from uuid import uuid4

import pytest
from eventsourcing.persistence import Tracking

from domain.cases.case import Case
from domain.cases.stats import case_statistics
from domain.timeliness import SHANGHAI
from domain.workdays import WorkingDayCalendar
from projections.case_rows import FACT_KEYS, case_card, facts_of

TENANT = "xinhe.xinhe-zhen"
ACTOR = {"id": "clerk-1", "tenant": TENANT, "roles": "clerk"}
CAL = WorkingDayCalendar()
MONDAY = date(2026, 3, 2)  # no holiday near


def at(day: int) -> datetime:
    """10:00 in China on ``day`` March 2026."""
    return datetime.combine(date(2026, 3, day), time(10), tzinfo=SHANGHAI)


def history(kind: str) -> list[Callable[[Case], object]]:
    """Accepted on Mon 2, resolved on Wed 4, replied on Mon 9 March."""
    dr = kind == "disclosure_request"
    return [
        lambda c: c.accept(actor=ACTOR, effective_at=at(2)),
        lambda c: c.assign(
            department="党政办",
            handler="handler-1",
            promised_working_days=None if dr else 5,
            actor=ACTOR,
            effective_at=at(2),
        ),
        lambda c: c.resolve(
            result="已办结",
            answer="disclose" if dr else None,
            actor=ACTOR,
            effective_at=at(4),
        ),
        lambda c: c.reply(
            method="书面", content="已答复", actor=ACTOR, effective_at=at(9)
        ),
    ]


def snapshots(kind: str) -> list[dict[str, object]]:
    """The ``facts`` the case view stores with each event of the case."""
    case = Case.file(
        tenant=TENANT,
        kind=kind,
        channel="letter",
        category=None,
        summary="申请公开2026年村级财务收支明细",
        signed=True,
        applicant_ref=str(uuid4()),
        received_on=MONDAY,
        actor=ACTOR,
        effective_at=at(2),
    )
    out = []
    for n, act in enumerate([lambda c: None, *history(kind)], start=1):
        act(case)
        card = case_card(case, CAL, Tracking("gongkai", n))
        out.append({k: card[k] for k in FACT_KEYS})
    return out


@pytest.mark.parametrize("kind", ["disclosure_request", "complaint"])
def test_every_version_of_a_case_reads_as_statistics(kind: str) -> None:
    """A request resolved but not yet replied to was refused with 422 (issue #23)."""
    for facts in snapshots(kind):
        case_statistics([facts_of(facts)])


def test_a_request_counts_its_working_days_to_the_reply() -> None:
    """条例第三十三条 times the 答复: the request is done when the applicant is told."""
    *_, resolved, replied = snapshots("disclosure_request")
    assert resolved["working_days_to_resolve"] is None
    assert facts_of(resolved).resolved_on is None
    assert replied["working_days_to_resolve"] == 5
    assert facts_of(replied).resolved_on == date(2026, 3, 9)


def test_any_other_case_counts_them_to_the_resolution() -> None:
    *_, resolved, replied = snapshots("complaint")
    assert resolved["working_days_to_resolve"] == 2
    assert replied["working_days_to_resolve"] == 2
    assert facts_of(replied).resolved_on == date(2026, 3, 4)
