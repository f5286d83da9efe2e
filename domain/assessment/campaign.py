"""A campaign (考核方案) and the procedure of 第十五条, each step an event
with its actor.

plan → self-assessment (each target's clerk) → review (reviewers of the owner: points,
method, evidence) → public notice for 7 working days, during which objections may be
lodged and must be answered → finalize (grades; 通报 of commendation and criticism) →
rectification ordered for 不合格 and failed items → the target reports → verified
(closed, or ordered again). Rules sit in the public methods; ``@event`` bodies assign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from eventsourcing.domain import event

from domain.assessment.criteria import (
    METHODS,
    Criterion,
    check_methods,
    criteria_from,
)
from domain.assessment.grading import (
    Grade,
    Result,
    assess,
    check_points,
    mean_points,
    notice_ends_on,
    notice_over,
)
from domain.base import GongkaiAggregate
from domain.errors import CampaignStageError, CriteriaError, InvalidInputError
from domain.tenancy import is_within
from domain.workdays import WorkingDayCalendar

PLANNED, NOTICE, FINAL = "planned", "notice", "final"
STAGE_LABELS = {PLANNED: "考核中", NOTICE: "公示中", FINAL: "已确定等次"}
MAX_TEXT = 10_000


def _text(value: str, field: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidInputError(
            f"{field} needs 1 to {MAX_TEXT} characters", field=field
        )
    return text


class Campaign(GongkaiAggregate):
    """A supervisor's assessment of chosen descendants over a period."""

    @classmethod
    def plan(
        cls,
        *,
        tenant: str,
        title: str,
        period_from: date,
        period_to: date,
        targets: Sequence[str],
        criteria: Sequence[Mapping[str, Any]],
        methods: Sequence[str],
        actor: dict[str, str],
    ) -> Campaign:
        """Requires targets that are distinct proper descendants, a period in order,
        criteria summing to 100 and known methods."""
        if period_to < period_from:
            raise InvalidInputError(
                "period_to is before period_from", field="period_to"
            )
        if not targets or len(set(targets)) != len(targets):
            raise InvalidInputError("name distinct targets", field="targets")
        outside = [t for t in targets if t == tenant or not is_within(t, tenant)]
        if outside:
            raise InvalidInputError(
                f"targets must be descendants of {tenant}: {', '.join(outside)}",
                field="targets",
            )
        checked = criteria_from(criteria)
        return cls(
            tenant=tenant,
            title=_text(title, "title"),
            period_from=period_from,
            period_to=period_to,
            targets=list(targets),
            criteria=[c.to_dict() for c in checked],
            methods=check_methods(methods),
            actor=actor,
        )

    @event("Planned")
    def __init__(
        self,
        tenant: str,
        title: str,
        period_from: date,
        period_to: date,
        targets: list[str],
        criteria: list[dict[str, Any]],
        methods: list[str],
        actor: dict[str, str],
    ) -> None:
        self.tenant, self.title = tenant, title
        self.period_from, self.period_to = period_from, period_to
        self.targets, self.criteria_rows, self.methods = targets, criteria, methods
        self.planned_by = actor
        self.stage = PLANNED
        self.self_assessments: dict[str, dict[str, Any]] = {}
        self.reviews: dict[str, dict[str, dict[str, Any]]] = {}
        self.notice: dict[str, Any] | None = None
        self.objections: list[dict[str, Any]] = []
        self.results: dict[str, dict[str, Any]] = {}
        self.finalized: dict[str, Any] | None = None
        self.rectifications: dict[str, dict[str, Any]] = {}

    # Reading -------------------------------------------------------------------------

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return criteria_from(self.criteria_rows)

    def _require_target(self, target: str) -> None:
        if target not in self.targets:
            raise InvalidInputError(
                f"{target} is not a target of this campaign", field="target"
            )

    def _require_stage(self, stage: str, step: str) -> None:
        if self.stage != stage:
            raise CampaignStageError(
                f"cannot {step}: the campaign is {STAGE_LABELS[self.stage]} "
                f"({self.stage}), not {STAGE_LABELS[stage]}"
            )

    def reviewed_points(self, target: str) -> dict[str, float] | None:
        """Per item, the mean of the reviewers' latest points; None if unreviewed."""
        reviews = self.reviews.get(target)
        if not reviews:
            return None
        return mean_points([r["points"] for r in reviews.values()])

    def provisional(self, target: str) -> Result | None:
        points = self.reviewed_points(target)
        return None if points is None else assess(self.criteria, points)

    @property
    def open_objections(self) -> list[dict[str, Any]]:
        return [o for o in self.objections if o["answer"] is None]

    # Steps ---------------------------------------------------------------------------

    def _points(self, items: Sequence[Mapping[str, Any]]) -> dict[str, float]:
        points: dict[str, float] = {}
        for item in items:
            code = str(item["code"])
            if code in points:
                raise CriteriaError(f"{code} is given twice", field="items")
            points[code] = float(item["points"])
        return check_points(self.criteria, points)

    def self_assess(
        self,
        target: str,
        items: Sequence[Mapping[str, Any]],
        report: str,
        actor: dict[str, str],
    ) -> None:
        """The target's own points and written report (自评自查, 书面汇报)."""
        self._require_stage(PLANNED, "self-assess")
        self._require_target(target)
        self._self_assessed(
            tenant=self.tenant,
            target=target,
            points=self._points(items),
            report=_text(report, "report"),
            actor=actor,
        )

    @event("SelfAssessed")
    def _self_assessed(
        self,
        tenant: str,
        target: str,
        points: dict[str, float],
        report: str,
        actor: dict[str, str],
    ) -> None:
        self.self_assessments[target] = {
            "points": points,
            "report": report,
            "by": actor,
        }

    def review(
        self,
        target: str,
        items: Sequence[Mapping[str, Any]],
        method: str,
        actor: dict[str, str],
    ) -> None:
        """A reviewer's points (a later review by the same reviewer replaces theirs),
        the method and the evidence refs per item."""
        self._require_stage(PLANNED, "review")
        self._require_target(target)
        if target not in self.self_assessments:
            raise CampaignStageError(f"{target} has not submitted its self-assessment")
        if method not in METHODS:
            raise InvalidInputError(
                f"unknown method {method!r}; use {', '.join(METHODS)}", field="method"
            )
        evidence = {
            str(i["code"]): [str(e) for e in i.get("evidence") or []] for i in items
        }
        self._reviewed(
            tenant=self.tenant,
            target=target,
            points=self._points(items),
            method=method,
            evidence={k: v for k, v in evidence.items() if v},
            actor=actor,
        )

    @event("Reviewed")
    def _reviewed(
        self,
        tenant: str,
        target: str,
        points: dict[str, float],
        method: str,
        evidence: dict[str, list[str]],
        actor: dict[str, str],
    ) -> None:
        self.reviews.setdefault(target, {})[actor["id"]] = {
            "points": points,
            "method": method,
            "evidence": evidence,
            "by": actor,
        }

    def publish_notice(
        self, today: date, calendar: WorkingDayCalendar, actor: dict[str, str]
    ) -> None:
        """Put the provisional results on public notice for 7 working days."""
        self._require_stage(PLANNED, "publish the notice")
        missing = [t for t in self.targets if not self.reviews.get(t)]
        if missing:
            raise CampaignStageError(f"not reviewed yet: {', '.join(missing)}")
        results = {t: r.to_dict() for t in self.targets if (r := self.provisional(t))}
        self._notice_published(
            tenant=self.tenant,
            published_on=today,
            ends_on=notice_ends_on(today, calendar),
            results=results,
            actor=actor,
        )

    @event("NoticePublished")
    def _notice_published(
        self,
        tenant: str,
        published_on: date,
        ends_on: date,
        results: dict[str, dict[str, Any]],
        actor: dict[str, str],
    ) -> None:
        self.stage = NOTICE
        self.notice = {"published_on": published_on, "ends_on": ends_on, "by": actor}
        self.results = results

    def object(self, target: str, text: str, today: date, actor: dict[str, str]) -> int:
        """An objection during the notice period; returns its number."""
        self._require_stage(NOTICE, "object")
        assert self.notice is not None
        if notice_over(self.notice["ends_on"], today):
            raise CampaignStageError(
                f"the notice period ended on {self.notice['ends_on']}"
            )
        self._require_target(target)
        self._objected(
            tenant=self.tenant,
            number=len(self.objections) + 1,
            target=target,
            text=_text(text, "text"),
            lodged_on=today,
            actor=actor,
        )
        return len(self.objections)

    @event("ObjectionLodged")
    def _objected(
        self,
        tenant: str,
        number: int,
        target: str,
        text: str,
        lodged_on: date,
        actor: dict[str, str],
    ) -> None:
        self.objections.append(
            {
                "number": number,
                "target": target,
                "text": text,
                "lodged_on": lodged_on,
                "by": actor,
                "answer": None,
            }
        )

    def answer_objection(self, number: int, answer: str, actor: dict[str, str]) -> None:
        self._require_stage(NOTICE, "answer an objection")
        if not 1 <= number <= len(self.objections):
            raise InvalidInputError(f"no objection {number}", field="objection")
        if self.objections[number - 1]["answer"] is not None:
            raise CampaignStageError(f"objection {number} is already answered")
        self._objection_answered(
            tenant=self.tenant,
            number=number,
            answer=_text(answer, "answer"),
            actor=actor,
        )

    @event("ObjectionAnswered")
    def _objection_answered(
        self, tenant: str, number: int, answer: str, actor: dict[str, str]
    ) -> None:
        self.objections[number - 1]["answer"] = {"text": answer, "by": actor}

    def finalize(self, today: date, actor: dict[str, str]) -> None:
        """Fix the grades (确定等次并通报). 409 before the notice period is over or
        while an objection is unanswered."""
        self._require_stage(NOTICE, "finalize")
        assert self.notice is not None
        if not notice_over(self.notice["ends_on"], today):
            raise CampaignStageError(
                f"the public notice runs until {self.notice['ends_on']} "
                "(7 working days); finalize after it"
            )
        if self.open_objections:
            numbers = ", ".join(str(o["number"]) for o in self.open_objections)
            raise CampaignStageError(f"unanswered objections: {numbers}")
        results = {t: r.to_dict() for t in self.targets if (r := self.provisional(t))}
        self._finalized(
            tenant=self.tenant, finalized_on=today, results=results, actor=actor
        )

    @event("Finalized")
    def _finalized(
        self,
        tenant: str,
        finalized_on: date,
        results: dict[str, dict[str, Any]],
        actor: dict[str, str],
    ) -> None:
        self.stage = FINAL
        self.results = results
        self.finalized = {"on": finalized_on, "by": actor}

    def needs_rectification(self, target: str) -> list[str]:
        """Failed items of a finalized target (all items' codes if it failed outright
        without failed items)."""
        result = self.results.get(target)
        if self.stage != FINAL or result is None:
            return []
        failed = list(result["failed_items"])
        if result["grade"] == Grade.FAIL.value and not failed:
            return [c["code"] for c in self.criteria_rows]
        return failed

    def order_rectification(
        self,
        target: str,
        working_days: int,
        today: date,
        calendar: WorkingDayCalendar,
        actor: dict[str, str],
    ) -> None:
        """限期整改 for 不合格 or failed items, due ``working_days`` after today."""
        self._require_stage(FINAL, "order rectification")
        self._require_target(target)
        items = self.needs_rectification(target)
        if not items:
            raise CampaignStageError(f"{target} passed every item; nothing to rectify")
        current = self.rectifications.get(target)
        if current is not None and current["status"] != "closed":
            raise CampaignStageError(f"{target} already has an open order")
        if current is not None and current["status"] == "closed":
            raise CampaignStageError(f"{target}'s rectification is closed")
        if not 1 <= working_days <= 250:
            raise InvalidInputError("1 to 250 working days", field="working_days")
        self._rectification_ordered(
            tenant=self.tenant,
            target=target,
            items=items,
            due_on=calendar.add_working_days(today, working_days),
            actor=actor,
        )

    @event("RectificationOrdered")
    def _rectification_ordered(
        self,
        tenant: str,
        target: str,
        items: list[str],
        due_on: date,
        actor: dict[str, str],
    ) -> None:
        self.rectifications[target] = {
            "items": items,
            "due_on": due_on,
            "status": "ordered",
            "rounds": [{"ordered_by": actor, "due_on": due_on}],
        }

    def _rectification(self, target: str) -> dict[str, Any]:
        self._require_target(target)
        found = self.rectifications.get(target)
        if found is None:
            raise CampaignStageError(f"no rectification ordered for {target}")
        return found

    def report_rectification(
        self, target: str, report: str, today: date, actor: dict[str, str]
    ) -> None:
        """The target's rectification report."""
        if self._rectification(target)["status"] != "ordered":
            raise CampaignStageError(f"{target} has no open order to report on")
        self._rectification_reported(
            tenant=self.tenant,
            target=target,
            report=_text(report, "report"),
            reported_on=today,
            actor=actor,
        )

    @event("RectificationReported")
    def _rectification_reported(
        self,
        tenant: str,
        target: str,
        report: str,
        reported_on: date,
        actor: dict[str, str],
    ) -> None:
        found = self.rectifications[target]
        found["status"] = "reported"
        found["rounds"][-1]["report"] = {"text": report, "on": reported_on, "by": actor}

    def verify_rectification(
        self,
        target: str,
        passed: bool,
        note: str,
        today: date,
        calendar: WorkingDayCalendar,
        actor: dict[str, str],
        working_days: int = 10,
    ) -> None:
        """Closed when it passed, else ordered again with a new deadline."""
        if self._rectification(target)["status"] != "reported":
            raise CampaignStageError(f"{target} has not reported its rectification")
        if not 1 <= working_days <= 250:
            raise InvalidInputError("1 to 250 working days", field="working_days")
        self._rectification_verified(
            tenant=self.tenant,
            target=target,
            passed=passed,
            note=_text(note, "note"),
            due_on=None if passed else calendar.add_working_days(today, working_days),
            actor=actor,
        )

    @event("RectificationVerified")
    def _rectification_verified(
        self,
        tenant: str,
        target: str,
        passed: bool,
        note: str,
        due_on: date | None,
        actor: dict[str, str],
    ) -> None:
        found = self.rectifications[target]
        found["rounds"][-1]["verification"] = {
            "passed": passed,
            "note": note,
            "by": actor,
        }
        if passed:
            found["status"] = "closed"
        else:
            found["status"] = "ordered"
            found["due_on"] = due_on
            found["rounds"].append({"ordered_by": actor, "due_on": due_on})
