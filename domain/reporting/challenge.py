"""A 行政复议 or 行政诉讼 against a disclosure-request decision, and its outcome.

Table 四 of the annual report counts them by route (复议, 直接起诉, 复议后起诉) and
outcome (维持, 纠正, 其他; 尚未审结 while undecided). The service checks that the case
is a resolved disclosure request of the same tenant; this aggregate keeps the dates
in order and decides once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import CaseDateError, ConflictError
from domain.reporting.annual import parse_outcome, parse_route

Actor = dict[str, str]


class ChallengeDecidedError(ConflictError):
    slug = "challenge-decided"
    title = "The review or lawsuit is already decided"


class Challenge(GongkaiAggregate):
    """One review or lawsuit against one case's decision."""

    @classmethod
    def file(
        cls,
        *,
        tenant: str,
        case_id: UUID,
        route: str,
        filed_on: date,
        resolved_on: date,
        actor: Actor,
        effective_at: datetime,
    ) -> Challenge:
        """Record a challenge. Requires filed_on on or after the decision's day."""
        if filed_on < resolved_on:
            raise CaseDateError(
                f"filed_on {filed_on} is before the decision of {resolved_on}",
                field="filed_on",
            )
        return cls(
            id=uuid4(),
            tenant=tenant,
            case_id=case_id,
            route=parse_route(route),
            filed_on=filed_on,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Filed")
    def __init__(
        self,
        id: UUID,
        tenant: str,
        case_id: UUID,
        route: str,
        filed_on: date,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.tenant = tenant
        self.case_id = case_id
        self.route = route
        self.filed_on = filed_on
        self.outcome: str | None = None
        self.decided_on: date | None = None
        self.effective_at = effective_at

    def decide(
        self, *, outcome: str, decided_on: date, actor: Actor, effective_at: datetime
    ) -> None:
        """The decision or judgment: 维持, 纠正 or 其他. Once only."""
        if self.outcome is not None:
            raise ChallengeDecidedError(f"already decided: {self.outcome}")
        if decided_on < self.filed_on:
            raise CaseDateError(
                f"decided_on {decided_on} is before filed_on {self.filed_on}",
                field="decided_on",
            )
        self._decided(
            tenant=self.tenant,
            outcome=parse_outcome(outcome),
            decided_on=decided_on,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Decided")
    def _decided(
        self,
        tenant: str,
        outcome: str,
        decided_on: date,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.outcome = outcome
        self.decided_on = decided_on
        self.effective_at = effective_at

    def public(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "tenant": self.tenant,
            "case_id": str(self.case_id),
            "route": self.route,
            "filed_on": self.filed_on.isoformat(),
            "outcome": self.outcome or "pending",
            "decided_on": None if self.decided_on is None else str(self.decided_on),
            "version": self.version,
        }
