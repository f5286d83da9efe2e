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

from domain.assessment import notice as pub
from domain.assessment import rectification as rect
from domain.assessment.criteria import Criterion, criteria_from
from domain.assessment.grading import (
    Result,
    assess,
    mean_points,
    notice_ends_on,
)
from domain.assessment.procedure import (
    FINAL,
    NOTICE,
    PLANNED,
    STAGE_LABELS,
    check_method,
    check_text,
    check_working_days,
    evidence_from,
    planned,
    points_from,
    require_stage,
    require_target,
)
from domain.base import GongkaiAggregate
from domain.errors import CampaignStageError
from domain.workdays import WorkingDayCalendar

__all__ = ["FINAL", "NOTICE", "PLANNED", "STAGE_LABELS", "Campaign"]


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
        fields = planned(
            tenant, title, period_from, period_to, targets, criteria, methods
        )
        return cls(**fields, actor=actor)

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
        require_target(self.targets, target)

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
        return pub.open_objections(self.objections)

    def _provisional_results(self) -> dict[str, dict[str, Any]]:
        return {t: r.to_dict() for t in self.targets if (r := self.provisional(t))}

    # Steps ---------------------------------------------------------------------------

    def self_assess(
        self,
        target: str,
        items: Sequence[Mapping[str, Any]],
        report: str,
        actor: dict[str, str],
    ) -> None:
        """The target's own points and written report (自评自查, 书面汇报)."""
        require_stage(self.stage, PLANNED, "self-assess")
        self._require_target(target)
        self._self_assessed(
            tenant=self.tenant,
            target=target,
            points=points_from(self.criteria, items),
            report=check_text(report, "report"),
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
        require_stage(self.stage, PLANNED, "review")
        self._require_target(target)
        if target not in self.self_assessments:
            raise CampaignStageError(f"{target} has not submitted its self-assessment")
        self._reviewed(
            tenant=self.tenant,
            target=target,
            points=points_from(self.criteria, items),
            method=check_method(method),
            evidence=evidence_from(items),
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
        require_stage(self.stage, PLANNED, "publish the notice")
        missing = [t for t in self.targets if not self.reviews.get(t)]
        if missing:
            raise CampaignStageError(f"not reviewed yet: {', '.join(missing)}")
        results = self._provisional_results()
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
        require_stage(self.stage, NOTICE, "object")
        pub.require_notice_running(self.notice, today)
        self._require_target(target)
        self._objected(
            tenant=self.tenant,
            number=len(self.objections) + 1,
            target=target,
            text=check_text(text, "text"),
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
        self.objections.append(pub.lodged(number, target, text, lodged_on, actor))

    def answer_objection(self, number: int, answer: str, actor: dict[str, str]) -> None:
        require_stage(self.stage, NOTICE, "answer an objection")
        pub.require_answerable(self.objections, number)
        self._objection_answered(
            tenant=self.tenant,
            number=number,
            answer=check_text(answer, "answer"),
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
        require_stage(self.stage, NOTICE, "finalize")
        pub.require_notice_over(self.notice, self.objections, today)
        results = self._provisional_results()
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
        if self.stage != FINAL:
            return []
        return rect.items_to_rectify(self.results.get(target), self.criteria_rows)

    def order_rectification(
        self,
        target: str,
        working_days: int,
        today: date,
        calendar: WorkingDayCalendar,
        actor: dict[str, str],
    ) -> None:
        """限期整改 for 不合格 or failed items, due ``working_days`` after today."""
        require_stage(self.stage, FINAL, "order rectification")
        self._require_target(target)
        items = self.needs_rectification(target)
        if not items:
            raise CampaignStageError(f"{target} passed every item; nothing to rectify")
        rect.require_orderable(target, self.rectifications.get(target))
        days = check_working_days(working_days)
        self._rectification_ordered(
            tenant=self.tenant,
            target=target,
            items=items,
            due_on=calendar.add_working_days(today, days),
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
        self.rectifications[target] = rect.ordered(items, due_on, actor)

    def _require_rectification(self, target: str, status: str, missing: str) -> None:
        self._require_target(target)
        rect.require_status(target, self.rectifications.get(target), status, missing)

    def report_rectification(
        self, target: str, report: str, today: date, actor: dict[str, str]
    ) -> None:
        """The target's rectification report."""
        self._require_rectification(
            target, rect.ORDERED, f"{target} has no open order to report on"
        )
        self._rectification_reported(
            tenant=self.tenant,
            target=target,
            report=check_text(report, "report"),
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
        rect.reported(self.rectifications[target], report, reported_on, actor)

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
        """Closed when it passed, else ordered again (``rect.reordered_due_on``)."""
        self._require_rectification(
            target, rect.REPORTED, f"{target} has not reported its rectification"
        )
        days = check_working_days(working_days)
        due_on = rect.reordered_due_on(
            self.rectifications[target]["due_on"], today, days, calendar
        )
        self._rectification_verified(
            tenant=self.tenant,
            target=target,
            passed=passed,
            note=check_text(note, "note"),
            due_on=None if passed else due_on,
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
        rect.verified(self.rectifications[target], passed, note, due_on, actor)
