"""受理: a case's admission after 登记 — the 补充材料/补正 notice and the materials
arriving, then 受理 or 不予受理. ``Case`` mixes this in; each command checks, then
calls the ``@event`` method ``Case`` defines (declared in ``domain.cases.recording``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.cases.checks import check_correction_notice, check_items, check_text
from domain.cases.recording import Actor, CaseRecording
from domain.cases.rules import Action, CaseKind
from domain.workdays import WorkingDayCalendar

_DR = CaseKind.DISCLOSURE_REQUEST


class IntakeCommands(CaseRecording):
    """The commands from the filed case to its acceptance or rejection."""

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

    def accept(self, *, actor: Actor, effective_at: datetime) -> None:
        """受理: in scope and registered; the applicant is told rights and duties."""
        on = self._check(Action.ACCEPT, effective_at)
        self._accepted(
            tenant=self.tenant, accepted_on=on, actor=actor, effective_at=effective_at
        )

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
