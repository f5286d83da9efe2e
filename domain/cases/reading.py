"""What a case shows and owes, read from the state its events left: its state,
kind and links, the actions open now, and its deadline on a working-day calendar.

``Case`` mixes this in; the attributes below are the ones its ``@event`` bodies
assign (declared here so the reading side type-checks on its own).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.cases.rules import (
    SUGGESTION_KINDS,
    THIRD_PARTY_WORKING_DAYS,
    CaseKind,
    CaseState,
    ClockInputs,
    Consultation,
    Deadline,
    IntakeChannel,
    Rating,
    RoutingMode,
    allowed_actions,
    derive_deadline,
)
from domain.workdays import WorkingDayCalendar

_DR = CaseKind.DISCLOSURE_REQUEST


class CaseReading:
    """The read side of ``domain.cases.case.Case``."""

    _status: str
    _kind: str
    _channel: str
    _rating: str | None
    signed: bool
    erased: bool
    received_on: date
    accepted_on: date | None
    resolved_on: date | None
    replied_on: date | None
    handler: str | None
    parent_case: UUID | None
    transferred_to: str | None
    transferred_case: UUID | None
    _statutory_days: int | None
    _promised_days: int | None
    _power_days: int | None
    _extension_days: int
    _materials_arrived_on: date | None
    _reopened_on: date | None
    _materials_requests: list[dict[str, Any]]
    _consultations: list[dict[str, Any]]
    _extensions: list[dict[str, Any]]
    _supervisions: list[dict[str, Any]]
    _children: list[dict[str, str]]
    _resolved_children: list[str]
    met_on: date | None = None  # 见面 (建议提案); a class default for older states

    @property
    def state(self) -> CaseState:
        return CaseState(self._status)

    @property
    def kind(self) -> CaseKind:
        return CaseKind(self._kind)

    @property
    def channel(self) -> IntakeChannel:
        return IntakeChannel(self._channel)

    @property
    def rating(self) -> Rating | None:
        return Rating(self._rating) if self._rating is not None else None

    @property
    def consulting(self) -> bool:
        """Whether a consultation is open (its working days will not count)."""
        return any(c["ended_on"] is None for c in self._consultations)

    @property
    def materials_requests(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._materials_requests]

    @property
    def consultations(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self._consultations]

    @property
    def extensions(self) -> list[dict[str, Any]]:
        return [dict(e) for e in self._extensions]

    @property
    def supervised_by(self) -> list[dict[str, Any]]:
        """Every 督办: supervisor path, due_on, note, on."""
        return [dict(s) for s in self._supervisions]

    @property
    def children(self) -> list[dict[str, Any]]:
        """Split targets with their linked case ids and whether each is resolved."""
        return [
            {**c, "resolved": c["case_id"] in self._resolved_children}
            for c in self._children
        ]

    @property
    def links(self) -> dict[str, Any]:
        return {
            "parent_case": self.parent_case,
            "children": self.children,
            "transferred_to": self.transferred_to,
            "transferred_case": self.transferred_case,
        }

    @property
    def routing_modes(self) -> tuple[RoutingMode, ...]:
        """How the case is routed so far: 直办, 转办, 分办, 督办."""
        modes = {
            RoutingMode.DIRECT: self.handler is not None,
            RoutingMode.TRANSFER: self.transferred_to is not None,
            RoutingMode.SPLIT: bool(self._children),
            RoutingMode.SUPERVISE: bool(self._supervisions),
        }
        return tuple(mode for mode, applies in modes.items() if applies)

    def allowed_actions(self) -> tuple[str, ...]:
        """The action names (as in the API) open now: the state table, less what a
        disclosure request has used up (its one 补正 notice, its one extension)."""
        used: set[str] = set()
        if self.kind is _DR and self.materials_requests:
            used.add("request-materials")
        if self.kind is _DR and self.extensions:
            used.add("extend")
        return tuple(a for a in self._table_actions() if a not in used)

    def _table_actions(self) -> tuple[str, ...]:
        """The state table's actions; the commands themselves refuse what the
        statute has used up, with the specific reason."""
        return allowed_actions(
            self.state,
            self.kind,
            signed=self.signed,
            consulting=self.consulting,
            rating=self.rating,
            erased=self.erased,
            met=self.met_on is not None,
        )

    @property
    def completed_on(self) -> date | None:
        """When the timed duty was met: the reply for a disclosure request (第三十三条
        times the 答复) and for a 建议提案 (答复 in writing), the resolution
        otherwise."""
        by_reply = self.kind is _DR or self.kind in SUGGESTION_KINDS
        return self.replied_on if by_reply else self.resolved_on

    def deadline(self, calendar: WorkingDayCalendar) -> Deadline:
        """The due date derived from the events; None while paused or not owed."""
        inputs = ClockInputs(
            statutory_working_days=self._statutory_days,
            promised_working_days=self._promised_days,
            power_working_days=self._power_days,
            received_on=self.received_on,
            accepted_on=self.accepted_on,
            materials_arrived_on=self._materials_arrived_on,
            reopened_on=self._reopened_on,
            extension_working_days=self._extension_days,
            consultations=tuple(
                Consultation(
                    c["party"], c["third_party"], c["started_on"], c["ended_on"]
                )
                for c in self._consultations
            ),
            awaiting_materials=self.state is CaseState.AWAITING_MATERIALS,
        )
        derived = derive_deadline(inputs, calendar)
        running = {
            CaseState.FILED,
            CaseState.AWAITING_MATERIALS,
            CaseState.ACCEPTED,
            CaseState.ASSIGNED,
        }
        if self.kind is _DR:
            running.add(CaseState.RESOLVED)
        if self.completed_on is None and self.state not in running:
            return Deadline(None, None, None, 0, 0, False, derived.statutory)
        return derived

    def due_on(self, calendar: WorkingDayCalendar) -> date | None:
        return self.deadline(calendar).due_on

    def is_overdue(self, today: date, calendar: WorkingDayCalendar) -> bool:
        """Still owed and past its due date."""
        due = self.due_on(calendar)
        return due is not None and self.completed_on is None and today > due

    def due_within(self, today: date, n: int, calendar: WorkingDayCalendar) -> bool:
        """Still owed, not overdue, and due within ``n`` working days of ``today``."""
        due = self.due_on(calendar)
        if due is None or self.completed_on is not None or today > due:
            return False
        return calendar.working_days_between(today, due) <= n

    def on_time(self, calendar: WorkingDayCalendar) -> bool | None:
        """Whether the duty was met by its due date; None if not met or not timed."""
        due = self.due_on(calendar)
        done = self.completed_on
        return None if due is None or done is None else done <= due

    def consultation_due_on(self, calendar: WorkingDayCalendar) -> date | None:
        """When an open third-party consultation should be answered (第三十二条)."""
        for c in self._consultations:
            if c["ended_on"] is None and c["third_party"]:
                started: date = c["started_on"]
                return calendar.add_working_days(started, THIRD_PARTY_WORKING_DAYS)
        return None
