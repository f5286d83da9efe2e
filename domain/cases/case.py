"""Cases (一事一办): complaints, reports, requests, inquiries, proposals, visits and
disclosure requests, from 登记 through 受理 → 办理 → 回复 to 结案.

Public methods check the rules (the table in ``domain.cases.rules`` first, then the
inputs) and record one past-tense event; the private ``@event`` bodies only assign.
Every event carries ``tenant`` (the handling tenant's path), ``actor`` and
``effective_at``. Personal data never enters an event: ``applicant_ref`` is the vault
subject that seals it, and ``erase`` records that its key was destroyed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.base import GongkaiAggregate, stored_as
from domain.cases.checks import (
    act_date,
    check_agent,
    check_answer,
    check_applicant_ref,
    check_correction_notice,
    check_extension,
    check_items,
    check_optional_text,
    check_received_on,
    check_tenant_path,
    check_text,
    check_working_days,
    linked_case_id,
)
from domain.cases.reading import CaseReading
from domain.cases.rules import (
    DISCLOSURE_ANSWER_WORKING_DAYS,
    MAX_NAME_LENGTH,
    MAX_SUMMARY_LENGTH,
    MAX_TEXT_LENGTH,
    SERVICE_CODE_PATTERN,
    Action,
    AnswerType,
    CaseKind,
    CaseState,
    Deadline,
    IntakeChannel,
    Rating,
    RoutingMode,
    allowed_actions,
    parse_answer_type,
    parse_case_kind,
    parse_intake_channel,
    parse_rating,
)
from domain.errors import (
    CaseDateError,
    IllegalTransitionError,
    InvalidInputError,
)
from domain.reporting.annual import classify_answer, parse_applicant_type
from domain.tenancy import is_within
from domain.timeliness import local_date
from domain.workdays import WorkingDayCalendar

__all__ = [
    "Action",
    "AnswerType",
    "Case",
    "CaseKind",
    "CaseState",
    "Deadline",
    "IntakeChannel",
    "Rating",
    "RoutingMode",
    "allowed_actions",
]

Actor = dict[str, str]
_DR = CaseKind.DISCLOSURE_REQUEST


@stored_as("domain.cases")  # its stored name (docs/events.md)
class Case(GongkaiAggregate, CaseReading):
    """One case with its whole history (一事一办); what it shows and owes is read
    in ``domain.cases.reading``."""

    applicant_type: str | None

    @classmethod
    def file(
        cls,
        *,
        tenant: str,
        kind: CaseKind | str,
        channel: IntakeChannel | str,
        category: str | None,
        summary: str,
        signed: bool,
        applicant_ref: str | None,
        received_on: date,
        actor: Actor,
        effective_at: datetime,
        filed_by_agent: str | None = None,
        agent_village: str | None = None,
        parent_case: UUID | None = None,
        case_id: UUID | None = None,
        applicant_type: str | None = None,
    ) -> Case:
        """Register a case (登记). Requires received_on on or before the filing day.

        A disclosure request may name its ``applicant_type`` (the annual report's
        columns), recorded as ``ApplicantClassified`` in the same save.
        """
        path = check_tenant_path(tenant, "tenant")
        case_kind = parse_case_kind(kind)
        intake = parse_intake_channel(channel)
        if case_kind is _DR and not signed:
            raise InvalidInputError(
                "a disclosure request names its applicant (条例第二十九条)",
                field="signed",
            )
        check_received_on(received_on, effective_at)
        kind_of_applicant = None
        if applicant_type is not None:
            if case_kind is not _DR:
                raise InvalidInputError(
                    "only a disclosure request takes an applicant_type",
                    field="applicant_type",
                )
            kind_of_applicant = parse_applicant_type(applicant_type)
        if category is not None and not SERVICE_CODE_PATTERN.fullmatch(category):
            raise InvalidInputError(
                f"category {category!r} is not a service code", field="category"
            )
        if parent_case is not None and parent_case == case_id:
            raise InvalidInputError(
                "a case cannot be its own parent", field="parent_case"
            )
        case = cls(
            id=case_id or uuid4(),
            tenant=path,
            kind=case_kind.value,
            channel=intake.value,
            category=category,
            summary=check_text(summary, "summary", MAX_SUMMARY_LENGTH),
            signed=bool(signed),
            applicant_ref=check_applicant_ref(applicant_ref, signed),
            filed_by_agent=check_agent(intake, filed_by_agent, agent_village, path),
            agent_village=agent_village,
            parent_case=parent_case,
            received_on=received_on,
            statutory_working_days=DISCLOSURE_ANSWER_WORKING_DAYS
            if case_kind is _DR
            else None,
            actor=actor,
            effective_at=effective_at,
        )
        if kind_of_applicant is not None:
            case._applicant_classified(
                tenant=path,
                applicant_type=kind_of_applicant,
                actor=actor,
                effective_at=effective_at,
            )
        return case

    @event("ApplicantClassified")
    def _applicant_classified(
        self, tenant: str, applicant_type: str, actor: Actor, effective_at: datetime
    ) -> None:
        self.applicant_type = applicant_type

    @event("Filed")
    def __init__(
        self,
        id: UUID,
        tenant: str,
        kind: str,
        channel: str,
        category: str | None,
        summary: str,
        signed: bool,
        applicant_ref: str | None,
        filed_by_agent: str | None,
        agent_village: str | None,
        parent_case: UUID | None,
        received_on: date,
        statutory_working_days: int | None,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.tenant = tenant
        self._kind = kind
        self._channel = channel
        self.category = category
        self.summary = summary
        self.signed = signed
        self.applicant_ref = applicant_ref
        self.filed_by_agent = filed_by_agent
        self.agent_village = agent_village
        self.parent_case = parent_case
        self.received_on = received_on
        self._statutory_days = statutory_working_days
        self._status = CaseState.FILED.value
        self._resume_status = CaseState.FILED.value
        self.accepted_on: date | None = None
        self._materials_arrived_on: date | None = None
        self._reopened_on: date | None = None
        self._promised_days: int | None = None
        self._extension_days = 0
        self._materials_requests: list[dict[str, Any]] = []
        self._consultations: list[dict[str, Any]] = []
        self._extensions: list[dict[str, Any]] = []
        self._supervisions: list[dict[str, Any]] = []
        self._children: list[dict[str, str]] = []
        self._resolved_children: list[str] = []
        self.department: str | None = None
        self.handler: str | None = None
        self.backup_handler: str | None = None
        self.rejection: dict[str, str] | None = None
        self.transferred_to: str | None = None
        self.transferred_case: UUID | None = None
        self.result: str | None = None
        self.answer: dict[str, Any] | None = None
        self.resolved_on: date | None = None
        self.reply_record: dict[str, Any] | None = None
        self.replied_on: date | None = None
        self._rating: str | None = None
        self.reopen_count = 0
        self.close_note: str | None = None
        self.erased = False
        self.applicant_type = None
        self.answer_class: dict[str, str | None] | None = None
        self.effective_at = effective_at

    # Commands -------------------------------------------------------------------------

    def _check(self, action: Action, effective_at: datetime) -> date:
        """Requires ``action`` open now; returns the act's day (no earlier than the
        last act)."""
        if action.value not in self._table_actions():
            raise IllegalTransitionError(
                action.value, self.state.value, self.allowed_actions()
            )
        return act_date(effective_at, local_date(self.effective_at))

    def request_materials(
        self,
        *,
        items: Sequence[str],
        actor: Actor,
        effective_at: datetime,
        calendar: WorkingDayCalendar,
    ) -> None:
        """Issue the 补充材料清单 (补正 for a disclosure request); the clock waits.

        A disclosure request gets one notice, within 7 working days of receipt.
        """
        on = self._check(Action.REQUEST_MATERIALS, effective_at)
        listed = check_items(items, "items")
        if self.kind is _DR:
            earlier = [r["requested_on"] for r in self._materials_requests]
            check_correction_notice(self.received_on, on, earlier, calendar)
        self._materials_requested(
            tenant=self.tenant,
            items=listed,
            requested_on=on,
            resume_state=self._status,
            actor=actor,
            effective_at=effective_at,
        )

    @event("MaterialsRequested")
    def _materials_requested(
        self,
        tenant: str,
        items: list[str],
        requested_on: date,
        resume_state: str,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self._materials_requests = [
            *self._materials_requests,
            {"items": items, "requested_on": requested_on, "arrived_on": None},
        ]
        self._resume_status = resume_state
        self._status = CaseState.AWAITING_MATERIALS.value
        self.effective_at = effective_at

    def provide_materials(self, *, actor: Actor, effective_at: datetime) -> None:
        """The materials (or corrected request) arrived; the clock restarts today."""
        on = self._check(Action.PROVIDE_MATERIALS, effective_at)
        self._materials_provided(
            tenant=self.tenant,
            arrived_on=on,
            resume_state=self._resume_status,
            actor=actor,
            effective_at=effective_at,
        )

    @event("MaterialsProvided")
    def _materials_provided(
        self,
        tenant: str,
        arrived_on: date,
        resume_state: str,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        last = {**self._materials_requests[-1], "arrived_on": arrived_on}
        self._materials_requests = [*self._materials_requests[:-1], last]
        self._materials_arrived_on = arrived_on
        self._status = resume_state
        self.effective_at = effective_at

    def accept(self, *, actor: Actor, effective_at: datetime) -> None:
        """受理: in scope and registered; the applicant is told rights and duties."""
        on = self._check(Action.ACCEPT, effective_at)
        self._accepted(
            tenant=self.tenant, accepted_on=on, actor=actor, effective_at=effective_at
        )

    @event("Accepted")
    def _accepted(
        self, tenant: str, accepted_on: date, actor: Actor, effective_at: datetime
    ) -> None:
        self.accepted_on = accepted_on
        self._status = CaseState.ACCEPTED.value
        self.effective_at = effective_at

    def reject(
        self, *, reason: str, referral: str, actor: Actor, effective_at: datetime
    ) -> None:
        """不予受理: requires a reason and where to go instead."""
        self._check(Action.REJECT, effective_at)
        self._rejected(
            tenant=self.tenant,
            reason=check_text(reason, "reason"),
            referral=check_text(referral, "referral"),
            actor=actor,
            effective_at=effective_at,
        )

    @event("Rejected")
    def _rejected(
        self,
        tenant: str,
        reason: str,
        referral: str,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.rejection = {"reason": reason, "referral": referral}
        self._status = CaseState.REJECTED.value
        self.effective_at = effective_at

    def assign(
        self,
        *,
        department: str,
        handler: str,
        actor: Actor,
        effective_at: datetime,
        backup_handler: str | None = None,
        promised_working_days: int | None = None,
    ) -> None:
        """承办单: a department and 全程承办人 (A岗, optional B岗) and, except for a
        disclosure request (whose period the statute sets), the promised period."""
        self._check(Action.ASSIGN, effective_at)
        dept = check_text(department, "department", MAX_NAME_LENGTH)
        primary = check_text(handler, "handler", MAX_NAME_LENGTH)
        backup = check_optional_text(backup_handler, "backup_handler", MAX_NAME_LENGTH)
        if backup == primary:
            raise InvalidInputError(
                "the backup handler (B岗) must be another person",
                field="backup_handler",
            )
        if self.kind is _DR:
            if promised_working_days is not None:
                raise InvalidInputError(
                    "a disclosure request's period is statutory (条例第三十三条)",
                    field="promised_working_days",
                )
            days = None
        else:
            days = check_working_days(promised_working_days, "promised_working_days")
        self._assigned(
            tenant=self.tenant,
            department=dept,
            handler=primary,
            backup_handler=backup,
            promised_working_days=days,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Assigned")
    def _assigned(
        self,
        tenant: str,
        department: str,
        handler: str,
        backup_handler: str | None,
        promised_working_days: int | None,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.department = department
        self.handler = handler
        self.backup_handler = backup_handler
        self._promised_days = promised_working_days
        self._status = CaseState.ASSIGNED.value
        self.effective_at = effective_at

    def transfer(
        self, *, target: str, reason: str, actor: Actor, effective_at: datetime
    ) -> UUID:
        """转办 to another tenant; returns the id the caller files the linked case
        under there (filing it twice then fails)."""
        self._check(Action.TRANSFER, effective_at)
        path = check_tenant_path(target, "target")
        if path == self.tenant:
            raise InvalidInputError(
                "a case cannot be transferred to itself", field="target"
            )
        linked = linked_case_id(self.id, RoutingMode.TRANSFER, path)
        self._transferred(
            tenant=self.tenant,
            target=path,
            reason=check_text(reason, "reason"),
            linked_case=linked,
            actor=actor,
            effective_at=effective_at,
        )
        return linked

    @event("Transferred")
    def _transferred(
        self,
        tenant: str,
        target: str,
        reason: str,
        linked_case: UUID,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.transferred_to = target
        self.transferred_case = linked_case
        self._status = CaseState.TRANSFERRED.value
        self.effective_at = effective_at

    def split(
        self, *, children: Sequence[str], actor: Actor, effective_at: datetime
    ) -> list[UUID]:
        """分办 among two or more targets (tenant paths or departments); returns the
        ids the caller files the linked cases under, in order."""
        self._check(Action.SPLIT, effective_at)
        targets = check_items(children, "children")
        if len(targets) < 2:
            raise InvalidInputError("分办 needs at least two targets", field="children")
        ids = [linked_case_id(self.id, RoutingMode.SPLIT, t) for t in targets]
        self._split(
            tenant=self.tenant,
            children=[
                {"target": t, "case_id": str(i)}
                for t, i in zip(targets, ids, strict=True)
            ],
            actor=actor,
            effective_at=effective_at,
        )
        return ids

    @event("Split")
    def _split(
        self,
        tenant: str,
        children: list[dict[str, str]],
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self._children = children
        self._status = CaseState.SPLIT.value
        self.effective_at = effective_at

    def child_resolved(
        self, child_case: UUID, *, actor: Actor, effective_at: datetime
    ) -> None:
        """A linked child was resolved; the last one resolves this case too.

        Idempotent: a child already counted records nothing.
        """
        on = self._check(Action.CHILD_RESOLVED, effective_at)
        key = str(child_case)
        all_ids = [c["case_id"] for c in self._children]
        if key not in all_ids:
            raise InvalidInputError(
                f"case {key} is not a child of this case", field="child_case"
            )
        if key in self._resolved_children:
            return
        self._child_resolved(
            tenant=self.tenant,
            child_case=child_case,
            actor=actor,
            effective_at=effective_at,
        )
        if set(all_ids) <= set(self._resolved_children):
            self._resolved(
                tenant=self.tenant,
                result=f"分办的{len(all_ids)}件均已办结",
                answer=None,
                legal_ground=None,
                referral=None,
                disclosure_id=None,
                answer_category=None,
                answer_reason=None,
                resolved_on=on,
                actor=actor,
                effective_at=effective_at,
            )

    @event("ChildResolved")
    def _child_resolved(
        self, tenant: str, child_case: UUID, actor: Actor, effective_at: datetime
    ) -> None:
        self._resolved_children = [*self._resolved_children, str(child_case)]
        self.effective_at = effective_at

    def supervise(
        self,
        *,
        supervisor: str,
        due_on: date,
        note: str,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        """督办 by an ancestor tenant; recorded, the state does not change."""
        on = self._check(Action.SUPERVISE, effective_at)
        path = check_tenant_path(supervisor, "supervisor")
        if path == self.tenant or not is_within(self.tenant, path):
            raise InvalidInputError(
                f"{path!r} is not above {self.tenant!r}; only an ancestor supervises",
                field="supervisor",
            )
        if due_on < on:
            raise CaseDateError(f"due_on {due_on} is before {on}", field="due_on")
        self._supervised(
            tenant=self.tenant,
            supervisor=path,
            due_on=due_on,
            note=check_text(note, "note"),
            supervised_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Supervised")
    def _supervised(
        self,
        tenant: str,
        supervisor: str,
        due_on: date,
        note: str,
        supervised_on: date,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        entry = {"supervisor": supervisor, "due_on": due_on, "note": note}
        self._supervisions = [*self._supervisions, {**entry, "on": supervised_on}]
        self.effective_at = effective_at

    def consult(
        self,
        *,
        party: str,
        third_party: bool,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        """征求意见 of a third party (第三十二条) or another agency (第三十四条); the
        working days until it ends do not count. ``party`` names no private person."""
        on = self._check(Action.CONSULT, effective_at)
        self._consultation_started(
            tenant=self.tenant,
            party=check_text(party, "party", 200),
            third_party=bool(third_party),
            started_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    @event("ConsultationStarted")
    def _consultation_started(
        self,
        tenant: str,
        party: str,
        third_party: bool,
        started_on: date,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        entry = {"party": party, "third_party": third_party, "started_on": started_on}
        ended = {"ended_on": None, "note": None}
        self._consultations = [*self._consultations, {**entry, **ended}]
        self.effective_at = effective_at

    def end_consultation(
        self, *, actor: Actor, effective_at: datetime, note: str | None = None
    ) -> None:
        """The consultation ended (answer received or time up); the clock resumes."""
        on = self._check(Action.END_CONSULTATION, effective_at)
        self._consultation_ended(
            tenant=self.tenant,
            ended_on=on,
            note=check_optional_text(note, "note"),
            actor=actor,
            effective_at=effective_at,
        )

    @event("ConsultationEnded")
    def _consultation_ended(
        self,
        tenant: str,
        ended_on: date,
        note: str | None,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        last = {**self._consultations[-1], "ended_on": ended_on, "note": note}
        self._consultations = [*self._consultations[:-1], last]
        self.effective_at = effective_at

    def extend(
        self,
        *,
        working_days: int,
        reason: str,
        approver: str,
        actor: Actor,
        effective_at: datetime,
        calendar: WorkingDayCalendar,
        applicant_notice: str | None = None,
        max_extensions: int = 1,
    ) -> None:
        """延期, before the due date passes, by an approver.

        A disclosure request: once, at most 20 working days, the applicant told
        (条例第三十三条第二款), whatever ``max_extensions`` says. Other cases: up to
        ``max_extensions`` times (the tenant's rule).
        """
        on = self._check(Action.EXTEND, effective_at)
        days, notice = check_extension(
            statutory=self.kind is _DR,
            working_days=working_days,
            applicant_notice=applicant_notice,
            done=len(self._extensions),
            max_extensions=max_extensions,
            due_on=self.due_on(calendar),
            on=on,
        )
        self._extended(
            tenant=self.tenant,
            working_days=days,
            reason=check_text(reason, "reason"),
            approver=check_text(approver, "approver", MAX_NAME_LENGTH),
            applicant_notice=notice,
            extended_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Extended")
    def _extended(
        self,
        tenant: str,
        working_days: int,
        reason: str,
        approver: str,
        applicant_notice: str | None,
        extended_on: date,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        entry = {"working_days": working_days, "reason": reason, "approver": approver}
        extra = {"applicant_notice": applicant_notice, "extended_on": extended_on}
        self._extensions = [*self._extensions, {**entry, **extra}]
        self._extension_days += working_days
        self.effective_at = effective_at

    def resolve(
        self,
        *,
        result: str,
        actor: Actor,
        effective_at: datetime,
        answer: AnswerType | str | None = None,
        legal_ground: str | None = None,
        referral: str | None = None,
        disclosure_id: UUID | None = None,
        answer_reason: str | None = None,
    ) -> None:
        """办结 with a result; a disclosure request also with its answer type.

        ``Resolved`` (v2) also records the annual report's category and reason
        (``answer_reason``, needed where the format's row has reasons).

        refuse and partial need the legal ground (第三十六条(三), 第三十七条),
        not_held the body that holds it (第三十六条(五)); ``disclosure_id`` links the
        published item and fits only disclose and partial.
        """
        on = self._check(Action.RESOLVE, effective_at)
        text = check_text(result, "result", MAX_TEXT_LENGTH)
        ground = check_optional_text(legal_ground, "legal_ground")
        refer = check_optional_text(referral, "referral")
        if self.kind is not _DR:
            extra = ground or refer or disclosure_id is not None or answer_reason
            if answer is not None or extra:
                raise InvalidInputError(
                    "only a disclosure request takes an answer, legal ground, "
                    "referral or disclosure link",
                    field="answer",
                )
            kind_of_answer = None
        else:
            if answer is None:
                raise InvalidInputError(
                    "a disclosure request needs an answer type", field="answer"
                )
            kind_of_answer = parse_answer_type(answer)
            check_answer(kind_of_answer, ground, refer, disclosure_id)
            category, reason = classify_answer(
                kind_of_answer.value, answer_reason, ground
            )
        self._resolved(
            answer_category=None if kind_of_answer is None else category,
            answer_reason=None if kind_of_answer is None else reason,
            tenant=self.tenant,
            result=text,
            answer=None if kind_of_answer is None else kind_of_answer.value,
            legal_ground=ground,
            referral=refer,
            disclosure_id=disclosure_id,
            resolved_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Resolved")
    def _resolved(
        self,
        tenant: str,
        result: str,
        answer: str | None,
        legal_ground: str | None,
        referral: str | None,
        disclosure_id: UUID | None,
        answer_category: str | None,
        answer_reason: str | None,
        resolved_on: date,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.result = result
        self.answer_class = (
            None
            if answer_category is None
            else {"category": answer_category, "reason": answer_reason}
        )
        self.answer = (
            None
            if answer is None
            else {
                "type": answer,
                "legal_ground": legal_ground,
                "referral": referral,
                "disclosure_id": disclosure_id,
            }
        )
        self.resolved_on = resolved_on
        self._status = CaseState.RESOLVED.value
        self.effective_at = effective_at

    def reply(
        self, *, method: str, content: str, actor: Actor, effective_at: datetime
    ) -> None:
        """回复 / 告知: the applicant is told the result (a signed case must be)."""
        on = self._check(Action.REPLY, effective_at)
        self._replied(
            tenant=self.tenant,
            method=check_text(method, "method", MAX_NAME_LENGTH),
            content=check_text(content, "content", MAX_TEXT_LENGTH),
            replied_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Replied")
    def _replied(
        self,
        tenant: str,
        method: str,
        content: str,
        replied_on: date,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.reply_record = {
            "method": method,
            "content": content,
            "replied_on": replied_on,
        }
        self.replied_on = replied_on
        self._status = CaseState.REPLIED.value
        self.effective_at = effective_at

    def feedback(
        self, *, rating: Rating | str, actor: Actor, effective_at: datetime
    ) -> None:
        """The signed applicant's rating; 不满意 opens reopen."""
        self._check(Action.FEEDBACK, effective_at)
        self._feedback_given(
            tenant=self.tenant,
            rating=parse_rating(rating).value,
            actor=actor,
            effective_at=effective_at,
        )

    @event("FeedbackGiven")
    def _feedback_given(
        self, tenant: str, rating: str, actor: Actor, effective_at: datetime
    ) -> None:
        self._rating = rating
        self.effective_at = effective_at

    def close(
        self, *, actor: Actor, effective_at: datetime, note: str | None = None
    ) -> None:
        """结案."""
        self._check(Action.CLOSE, effective_at)
        self._closed(
            tenant=self.tenant,
            note=check_optional_text(note, "note"),
            actor=actor,
            effective_at=effective_at,
        )

    @event("Closed")
    def _closed(
        self, tenant: str, note: str | None, actor: Actor, effective_at: datetime
    ) -> None:
        self.close_note = note
        self._status = CaseState.CLOSED.value
        self.effective_at = effective_at

    def reopen(self, *, reason: str, actor: Actor, effective_at: datetime) -> None:
        """Handle again after 不满意 feedback: back to accepted, to be assigned with a
        new promise counted from today."""
        on = self._check(Action.REOPEN, effective_at)
        self._reopened(
            tenant=self.tenant,
            reason=check_text(reason, "reason"),
            reopened_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Reopened")
    def _reopened(
        self,
        tenant: str,
        reason: str,
        reopened_on: date,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self._reopened_on = reopened_on
        self._promised_days = None
        self._extension_days = 0
        self._rating = None
        self.result = None
        self.resolved_on = None
        self.answer_class = None
        self.reply_record = None
        self.replied_on = None
        self.reopen_count += 1
        self._status = CaseState.ACCEPTED.value
        self.effective_at = effective_at

    def erase(self, *, actor: Actor, effective_at: datetime) -> None:
        """Record that the applicant's personal data was erased (the caller destroys
        the vault key of ``applicant_ref``). Requires a closed case."""
        self._check(Action.ERASE, effective_at)
        self._erased(
            tenant=self.tenant,
            applicant_ref=self.applicant_ref,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Erased")
    def _erased(
        self,
        tenant: str,
        applicant_ref: str | None,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.erased = True
        self.effective_at = effective_at


def _upcast_resolved_v1_v2(state: dict[str, Any]) -> None:
    """v1 had no report category: derive it from the answer type (and, for a
    refusal, the words of its legal ground), as ``domain.reporting.annual`` maps it."""
    answer = state.get("answer")
    category, reason = (
        (None, None)
        if answer is None
        else classify_answer(answer, None, state.get("legal_ground"))
    )
    state["answer_category"] = category
    state["answer_reason"] = reason


# Resolved v2 adds answer_category and answer_reason (the annual report's row).
_RESOLVED: Any = getattr(Case, "Resolved")  # noqa: B009 - made by @event
_RESOLVED.class_version = 2
_RESOLVED.upcast_v1_v2 = staticmethod(_upcast_resolved_v1_v2)
