"""限期治理 in public: a plan for a unit under treatment, step by step.

The environment bureau consults the public on 限期治理 plans and publishes "限期治理
单位、治理任务、完成时限和验收结果". One book per tenant holds its plans: the unit
under treatment, the tasks, the deadline, the consultation held on it (a meeting of
the tenant's meeting book), construction supervision notes and the acceptance
(竣工验收) with its result; each step an event. A plan past its deadline without a
passed acceptance is overdue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import (
    ConflictError,
    InconsistentInputError,
    InvalidInputError,
    NotFoundError,
)
from domain.participation.meetings import text_of

RESULTS: Mapping[str, str] = MappingProxyType({"passed": "通过", "failed": "不通过"})
STATES: Mapping[str, str] = MappingProxyType(
    {
        "planned": "已制定",
        "consulted": "已征求意见",
        "underway": "治理中",
        "accepted": "已验收",
    }
)
MAX_TASKS = 30


def book_id(tenant: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:remediation:{tenant}")


def parse_result(text: str) -> str:
    key = (text or "").strip()
    for code, label in RESULTS.items():
        if key in (code, label):
            return code
    raise InvalidInputError(
        f"unknown result {text!r}; use 通过 or 不通过", field="result"
    )


@dataclass(frozen=True)
class Plan:
    """A 限期治理 plan as the book holds it."""

    number: str
    unit: str
    tasks: tuple[str, ...]
    deadline: date
    planned_on: date
    consultation: str | None
    supervision: tuple[tuple[date, str], ...]
    acceptances: tuple[tuple[date, str, str], ...]  # (day, result, note)

    @property
    def accepted_on(self) -> date | None:
        """The day of the passed acceptance, if any."""
        passed = [day for day, result, _ in self.acceptances if result == "passed"]
        return passed[-1] if passed else None

    @property
    def state(self) -> str:
        if self.accepted_on is not None:
            return "accepted"
        if self.supervision or self.acceptances:
            return "underway"
        return "consulted" if self.consultation else "planned"

    def overdue(self, today: date) -> bool:
        """Past the deadline without a passed acceptance (accepted late: no longer
        overdue, but ``late`` says so)."""
        return self.accepted_on is None and today > self.deadline

    def late(self) -> bool:
        return self.accepted_on is not None and self.accepted_on > self.deadline

    def to_dict(self, today: date) -> dict[str, Any]:
        last = self.acceptances[-1] if self.acceptances else None
        return {
            "number": self.number,
            "unit": self.unit,
            "tasks": list(self.tasks),
            "deadline": self.deadline.isoformat(),
            "planned_on": self.planned_on.isoformat(),
            "consultation": self.consultation,
            "supervision": [
                {"noted_on": d.isoformat(), "note": n} for d, n in self.supervision
            ],
            "acceptances": [
                {
                    "accepted_on": d.isoformat(),
                    "result": r,
                    "result_label": RESULTS[r],
                    "note": n,
                }
                for d, r, n in self.acceptances
            ],
            "acceptance_result": None if last is None else RESULTS[last[1]],
            "accepted_on": None
            if self.accepted_on is None
            else self.accepted_on.isoformat(),
            "state": self.state,
            "state_label": STATES[self.state],
            "overdue": self.overdue(today),
            "late": self.late(),
        }


class RemediationBook(GongkaiAggregate):
    """A tenant's 限期治理 plans."""

    @staticmethod
    def create_id(tenant: str, **_: Any) -> UUID:
        return book_id(tenant)

    @event("Started")
    def __init__(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.tenant = tenant
        self._plans: dict[str, dict[str, Any]] = {}

    def plan(
        self,
        *,
        number: str,
        unit: str,
        tasks: Sequence[str],
        deadline: date,
        planned_on: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """制定: the unit under treatment, its tasks and the deadline."""
        code = text_of(number, "number", 30)
        if code in self._plans:
            raise ConflictError(f"plan number {code} is taken", field="number")
        if not tasks or len(tasks) > MAX_TASKS:
            raise InvalidInputError(f"1 to {MAX_TASKS} tasks", field="tasks")
        if deadline <= planned_on:
            raise InconsistentInputError(
                "the deadline follows the plan", field="deadline"
            )
        self._planned(
            tenant=self.tenant,
            number=code,
            unit=text_of(unit, "unit", 100),
            tasks=[text_of(t, "tasks", 300) for t in tasks],
            deadline=deadline,
            planned_on=planned_on,
            actor=actor,
            effective_at=effective_at,
        )

    def consult(
        self,
        *,
        number: str,
        meeting: str,
        meeting_known: bool,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """The consultation held on the plan: a meeting of the tenant's book
        (``meeting_known`` is the caller's look-up); once, before acceptance."""
        found = self._plan(number)
        if not meeting_known:
            raise NotFoundError(f"no meeting number {meeting}", field="meeting")
        if found["consultation"] is not None:
            raise ConflictError("this plan was consulted on", field="meeting")
        self._open(found)
        self._consulted(
            tenant=self.tenant,
            number=number,
            meeting=meeting,
            actor=actor,
            effective_at=effective_at,
        )

    def supervise(
        self,
        *,
        number: str,
        noted_on: date,
        note: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """A construction supervision note (施工监督), on or after the plan."""
        found = self._open(self._plan(number))
        if noted_on < found["planned_on"]:
            raise InconsistentInputError("a note follows the plan", field="noted_on")
        self._supervised(
            tenant=self.tenant,
            number=number,
            noted_on=noted_on,
            note=text_of(note, "note", 500),
            actor=actor,
            effective_at=effective_at,
        )

    def accept(
        self,
        *,
        number: str,
        accepted_on: date,
        result: str,
        note: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """竣工验收 with its result; a failed one may be followed by another."""
        found = self._open(self._plan(number))
        if accepted_on < found["planned_on"]:
            raise InconsistentInputError(
                "an acceptance follows the plan", field="accepted_on"
            )
        self._accepted(
            tenant=self.tenant,
            number=number,
            accepted_on=accepted_on,
            result=parse_result(result),
            note=text_of(note, "note", 500),
            actor=actor,
            effective_at=effective_at,
        )

    def _plan(self, number: str) -> dict[str, Any]:
        found = self._plans.get(number)
        if found is None:
            raise NotFoundError(f"no plan number {number}", field="number")
        return found

    @staticmethod
    def _open(plan: dict[str, Any]) -> dict[str, Any]:
        if any(r == "passed" for _, r, _ in plan["acceptances"]):
            raise ConflictError("this plan passed its acceptance", field="number")
        return plan

    @event("Planned")
    def _planned(
        self,
        tenant: str,
        number: str,
        unit: str,
        tasks: list[str],
        deadline: date,
        planned_on: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._plans = {
            **self._plans,
            number: {
                "unit": unit,
                "tasks": tuple(tasks),
                "deadline": deadline,
                "planned_on": planned_on,
                "consultation": None,
                "supervision": (),
                "acceptances": (),
            },
        }

    def _change(self, number: str, **changes: Any) -> None:
        self._plans = {**self._plans, number: {**self._plans[number], **changes}}

    @event("Consulted")
    def _consulted(
        self,
        tenant: str,
        number: str,
        meeting: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._change(number, consultation=meeting)

    @event("Supervised")
    def _supervised(
        self,
        tenant: str,
        number: str,
        noted_on: date,
        note: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        notes = self._plans[number]["supervision"]
        self._change(number, supervision=(*notes, (noted_on, note)))

    @event("Accepted")
    def _accepted(
        self,
        tenant: str,
        number: str,
        accepted_on: date,
        result: str,
        note: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        done = self._plans[number]["acceptances"]
        self._change(number, acceptances=(*done, (accepted_on, result, note)))

    def plans(self) -> list[Plan]:
        """Every plan, the latest first."""
        found = [
            Plan(
                number=n,
                unit=p["unit"],
                tasks=p["tasks"],
                deadline=p["deadline"],
                planned_on=p["planned_on"],
                consultation=p["consultation"],
                supervision=p["supervision"],
                acceptances=p["acceptances"],
            )
            for n, p in self._plans.items()
        ]
        return sorted(found, key=lambda p: (p.planned_on, p.number), reverse=True)
