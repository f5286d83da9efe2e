"""What the command mixins of a case need of ``Case``: the gate every command passes
first (``_check``) and the ``@event`` methods they call to record an event.

eventsourcing makes an event class from each ``@event`` method in an aggregate's own
class body, and the stored topics (``domain.cases:Case.<Name>``) name those classes,
so the methods live in ``domain.cases.case`` and are only declared here for the type
checker, which checks ``Case``'s definitions against them. The mixins extend this
class instead of importing their host.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from domain.cases.checks import act_date
from domain.cases.reading import CaseReading
from domain.cases.rules import Action
from domain.errors import IllegalTransitionError
from domain.timeliness import local_date

Actor = dict[str, str]


class CaseRecording(CaseReading):
    """The command side of ``domain.cases.case.Case``: its gate and its events."""

    tenant: str
    applicant_ref: str | None
    effective_at: datetime
    _resume_status: str

    def _check(self, action: Action, effective_at: datetime) -> date:
        """Requires ``action`` open now; returns the act's day (no earlier than the
        last act)."""
        if action.value not in self._table_actions():
            raise IllegalTransitionError(
                action.value, self.state.value, self.allowed_actions()
            )
        return act_date(effective_at, local_date(self.effective_at))

    if TYPE_CHECKING:
        # Defined by Case: the aggregate's id, and its @event methods (bodies there).

        @property
        def id(self) -> UUID: ...

        def _materials_requested(
            self,
            tenant: str,
            items: list[str],
            requested_on: date,
            resume_state: str,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _materials_provided(
            self,
            tenant: str,
            arrived_on: date,
            resume_state: str,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _accepted(
            self, tenant: str, accepted_on: date, actor: Actor, effective_at: datetime
        ) -> None: ...

        def _rejected(
            self,
            tenant: str,
            reason: str,
            referral: str,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _assigned(
            self,
            tenant: str,
            department: str,
            handler: str,
            backup_handler: str | None,
            promised_working_days: int | None,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _transferred(
            self,
            tenant: str,
            target: str,
            reason: str,
            linked_case: UUID,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _split(
            self,
            tenant: str,
            children: list[dict[str, str]],
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _child_resolved(
            self, tenant: str, child_case: UUID, actor: Actor, effective_at: datetime
        ) -> None: ...

        def _supervised(
            self,
            tenant: str,
            supervisor: str,
            due_on: date,
            note: str,
            supervised_on: date,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _consultation_started(
            self,
            tenant: str,
            party: str,
            third_party: bool,
            started_on: date,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _consultation_ended(
            self,
            tenant: str,
            ended_on: date,
            note: str | None,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

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
        ) -> None: ...

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
        ) -> None: ...

        def _replied(
            self,
            tenant: str,
            method: str,
            content: str,
            replied_on: date,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _feedback_given(
            self, tenant: str, rating: str, actor: Actor, effective_at: datetime
        ) -> None: ...

        def _closed(
            self, tenant: str, note: str | None, actor: Actor, effective_at: datetime
        ) -> None: ...

        def _reopened(
            self,
            tenant: str,
            reason: str,
            reopened_on: date,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _erased(
            self,
            tenant: str,
            applicant_ref: str | None,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...

        def _proposer_met(
            self,
            tenant: str,
            met_on: date,
            note: str | None,
            actor: Actor,
            effective_at: datetime,
        ) -> None: ...
