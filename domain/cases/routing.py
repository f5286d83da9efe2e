"""Routing an accepted case (the ``RoutingMode``s): 直办 (a department and its
handlers), 转办 to another tenant, 分办 among several targets (and counting their
resolutions), 督办 by a tenant above. ``Case`` mixes this in; each command checks, then
calls the ``@event`` method ``Case`` defines (declared in ``domain.cases.recording``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from domain.cases.checks import (
    check_items,
    check_optional_text,
    check_tenant_path,
    check_text,
    check_working_days,
    linked_case_id,
)
from domain.cases.recording import Actor, CaseRecording
from domain.cases.rules import (
    MAX_NAME_LENGTH,
    MAX_PROMISED_WORKING_DAYS,
    MAX_SUGGESTION_WORKING_DAYS,
    SUGGESTION_KINDS,
    Action,
    CaseKind,
    RoutingMode,
)
from domain.errors import CaseDateError, InconsistentInputError, InvalidInputError
from domain.tenancy import is_within

_DR = CaseKind.DISCLOSURE_REQUEST


class RoutingCommands(CaseRecording):
    """The commands that route a case: assign, transfer, split, supervise."""

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
            raise InconsistentInputError(
                "the backup handler (B岗) must be another person",
                field="backup_handler",
            )
        if self.kind is _DR:
            if promised_working_days is not None:
                raise InconsistentInputError(
                    "a disclosure request's period is statutory (条例第三十三条)",
                    field="promised_working_days",
                )
            days = None
        else:
            longest = (
                MAX_SUGGESTION_WORKING_DAYS
                if self.kind in SUGGESTION_KINDS
                else MAX_PROMISED_WORKING_DAYS
            )
            days = check_working_days(
                promised_working_days, "promised_working_days", longest
            )
        self._assigned(
            tenant=self.tenant,
            department=dept,
            handler=primary,
            backup_handler=backup,
            promised_working_days=days,
            actor=actor,
            effective_at=effective_at,
        )

    def transfer(
        self, *, target: str, reason: str, actor: Actor, effective_at: datetime
    ) -> UUID:
        """转办 to another tenant; returns the id the caller files the linked case
        under there (filing it twice then fails)."""
        self._check(Action.TRANSFER, effective_at)
        path = check_tenant_path(target, "target")
        if path == self.tenant:
            raise InconsistentInputError(
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

    def split(
        self, *, children: Sequence[str], actor: Actor, effective_at: datetime
    ) -> list[UUID]:
        """分办 among two or more targets (tenant paths or departments); returns the
        ids the caller files the linked cases under, in order."""
        self._check(Action.SPLIT, effective_at)
        targets = check_items(children, "children")
        if len(targets) < 2:
            raise InconsistentInputError(
                "分办 needs at least two targets", field="children"
            )
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
