"""Cases (一事一办): complaints, reports, requests, inquiries, proposals, visits and
disclosure requests, from 登记 through 受理 → 办理 → 回复 to 结案.

Public methods check the rules (the table in ``domain.cases.rules`` first, then the
inputs) and record one past-tense event; the private ``@event`` bodies only assign.
The ``@event`` methods stay in this class body: eventsourcing makes each event class
from it, and a replay applies their bodies. ``file`` is here too; the other commands
are mixins by step (``intake``, ``routing``, ``handling``, over ``recording``), and
what a case shows and owes is read in ``reading``. Every event carries ``tenant``
(the handling tenant's path), ``actor`` and ``effective_at``. Personal data never
enters an event: ``applicant_ref`` is the vault subject that seals it, and ``erase``
records that its key was destroyed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import GongkaiAggregate, stored_as
from domain.cases.checks import check_filing
from domain.cases.handling import HandlingCommands
from domain.cases.intake import IntakeCommands
from domain.cases.location import Location
from domain.cases.recording import Actor
from domain.cases.routing import RoutingCommands
from domain.cases.rules import CaseKind, CaseState, IntakeChannel
from domain.errors import ConflictError
from domain.reporting.annual import classify_answer


@stored_as("domain.cases")  # its stored name (docs/events.md)
class Case(GongkaiAggregate, IntakeCommands, RoutingCommands, HandlingCommands):
    """One case with its whole history (一事一办): ``file`` and the events here, the
    other commands in the mixins, what it shows and owes in ``domain.cases.reading``.
    """

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
        location: Mapping[str, Any] | None = None,
        attachments: Iterable[str] = (),
    ) -> Case:
        """Register a case (登记). Requires received_on on or before the filing day.

        A disclosure request may name its ``applicant_type`` (the annual report's
        columns), recorded as ``ApplicantClassified`` in the same save. A
        ``location`` (lat, long, address, address_id) is where the issue is, public
        like the case (``domain.cases.location``); ``attachments`` are media URLs.
        """
        fields, kind_of_applicant = check_filing(
            tenant=tenant,
            kind=kind,
            channel=channel,
            category=category,
            summary=summary,
            signed=signed,
            applicant_ref=applicant_ref,
            received_on=received_on,
            effective_at=effective_at,
            filed_by_agent=filed_by_agent,
            agent_village=agent_village,
            parent_case=parent_case,
            case_id=case_id,
            applicant_type=applicant_type,
            location=location,
            attachments=attachments,
        )
        case = cls(**fields, actor=actor, effective_at=effective_at)
        if kind_of_applicant is not None:
            case._applicant_classified(
                tenant=fields["tenant"],
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
        location: Location | None,
        attachments: list[str],
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.tenant = tenant
        self.location = location
        self.attachments = list(attachments)
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
        self.power: str | None = None
        self._power_days: int | None = None
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

    @event("Accepted")
    def _accepted(
        self, tenant: str, accepted_on: date, actor: Actor, effective_at: datetime
    ) -> None:
        self.accepted_on = accepted_on
        self._status = CaseState.ACCEPTED.value
        self.effective_at = effective_at

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

    @event("ChildResolved")
    def _child_resolved(
        self, tenant: str, child_case: UUID, actor: Actor, effective_at: datetime
    ) -> None:
        self._resolved_children = [*self._resolved_children, str(child_case)]
        self.effective_at = effective_at

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

    @event("FeedbackGiven")
    def _feedback_given(
        self, tenant: str, rating: str, actor: Actor, effective_at: datetime
    ) -> None:
        self._rating = rating
        self.effective_at = effective_at

    @event("Closed")
    def _closed(
        self, tenant: str, note: str | None, actor: Actor, effective_at: datetime
    ) -> None:
        self.close_note = note
        self._status = CaseState.CLOSED.value
        self.effective_at = effective_at

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

    def name_power(
        self,
        *,
        power: str,
        power_name: str,
        working_days: int | None,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        """The power of the tenant's 权责清单 this case exercises (or complains
        of); its promised limit, when shorter than the case's own period, is the
        case's limit. Requires a case still owed (not completed, closed or rejected).
        """
        if self.completed_on is not None or self.state in (
            CaseState.CLOSED,
            CaseState.REJECTED,
        ):
            raise ConflictError(
                f"case {self.id} is {self.state.value}: its power can no longer change",
                field="power",
            )
        self._power_named(
            tenant=self.tenant,
            power=power,
            power_name=power_name,
            working_days=working_days,
            actor=actor,
            effective_at=effective_at,
        )

    @event("PowerNamed")
    def _power_named(
        self,
        tenant: str,
        power: str,
        power_name: str,
        working_days: int | None,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.power = power
        self._power_days = working_days

    @event("ProposerMet")
    def _proposer_met(
        self,
        tenant: str,
        met_on: date,
        note: str | None,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.met_on = met_on
        self.effective_at = effective_at

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


def _upcast_filed_v1_v2(state: dict[str, Any]) -> None:
    """v1 had no location or attachments: a case filed then has neither."""
    state["location"] = None
    state["attachments"] = []


# Filed v2 adds location and attachments (where the issue is; media URLs).
_FILED: Any = getattr(Case, "Filed")  # noqa: B009 - made by @event
_FILED.class_version = 2
_FILED.upcast_v1_v2 = staticmethod(_upcast_filed_v1_v2)
