"""The sanction ladder for staff (一次警告, 二次调离工作岗位, 三次停职检查).

A staffer's record of violations (by badge number), one aggregate per staffer. Each
confirmed violation carries its evidence and the step of the ladder it triggered,
counted over the confirmed violations not annulled; an appeal that is upheld annuls
the violation, so the ladder no longer counts it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import InvalidInputError, NotFoundError, ViolationError


class Sanction(StrEnum):
    WARNING = "warning"
    REASSIGNMENT = "reassignment"
    SUSPENSION = "suspension"

    @property
    def label(self) -> str:
        return {
            Sanction.WARNING: "警告",
            Sanction.REASSIGNMENT: "调离工作岗位",
            Sanction.SUSPENSION: "停职检查",
        }[self]


def sanction_for(confirmed: int) -> Sanction:
    """The step for the ``confirmed``-th counted violation (1 → warning, 2 →
    reassignment, 3 or more → suspension). Requires confirmed >= 1."""
    if confirmed < 1:
        raise InvalidInputError("the ladder starts at 1", field="confirmed")
    return (
        (Sanction.WARNING, Sanction.REASSIGNMENT)[confirmed - 1]
        if confirmed < 3
        else (Sanction.SUSPENSION)
    )


def record_id(county: str, number: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:conduct:{county}:{number}")


class ConductRecord(GongkaiAggregate):
    """The violations of one staffer (by badge number) and their sanctions."""

    @staticmethod
    def create_id(county: str, number: str, **_: Any) -> UUID:
        return record_id(county, number)

    @event("Opened")
    def __init__(
        self, county: str, number: str, tenant: str, actor: dict[str, str]
    ) -> None:
        self.county, self.number, self.tenant = county, number, tenant
        self.violations: list[dict[str, Any]] = []

    @property
    def counted(self) -> int:
        """Confirmed violations that are not annulled."""
        return sum(1 for v in self.violations if v["status"] != "annulled")

    def confirm(
        self,
        *,
        description: str,
        evidence: list[str],
        actor: dict[str, str],
        effective_at: datetime,
    ) -> dict[str, Any]:
        """Record a confirmed violation with its evidence; returns it with its step."""
        if not description.strip():
            raise InvalidInputError("describe the violation", field="description")
        if not evidence:
            raise InvalidInputError("a violation needs evidence", field="evidence")
        self._confirmed(
            tenant=self.tenant,
            index=len(self.violations),
            description=description.strip(),
            evidence=list(evidence),
            sanction=sanction_for(self.counted + 1).value,
            actor=actor,
            effective_at=effective_at,
        )
        return self.violations[-1]

    @event("ViolationConfirmed")
    def _confirmed(
        self,
        tenant: str,
        index: int,
        description: str,
        evidence: list[str],
        sanction: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.violations.append(
            {
                "index": index,
                "description": description,
                "evidence": evidence,
                "sanction": sanction,
                "status": "confirmed",
                "confirmed_by": actor,
                "effective_at": effective_at,
                "appeal": None,
                "decision": None,
            }
        )

    def _violation(self, index: int) -> dict[str, Any]:
        if not 0 <= index < len(self.violations):
            raise NotFoundError(f"no violation {index}", field="index")
        return self.violations[index]

    def appeal(self, index: int, grounds: str, actor: dict[str, str]) -> None:
        """The staffer appeals a confirmed violation (once)."""
        violation = self._violation(index)
        if violation["status"] != "confirmed" or violation["appeal"] is not None:
            raise ViolationError(f"violation {index} cannot be appealed now")
        if not grounds.strip():
            raise InvalidInputError("give the grounds", field="grounds")
        self._appealed(
            tenant=self.tenant, index=index, grounds=grounds.strip(), actor=actor
        )

    @event("Appealed")
    def _appealed(
        self, tenant: str, index: int, grounds: str, actor: dict[str, str]
    ) -> None:
        self.violations[index]["status"] = "appealed"
        self.violations[index]["appeal"] = {"grounds": grounds, "by": actor}

    def decide_appeal(
        self, index: int, upheld: bool, reason: str, actor: dict[str, str]
    ) -> None:
        """Upheld: the violation is annulled; dismissed: it stays confirmed."""
        violation = self._violation(index)
        if violation["status"] != "appealed":
            raise ViolationError(f"violation {index} has no pending appeal")
        self._appeal_decided(
            tenant=self.tenant, index=index, upheld=upheld, reason=reason, actor=actor
        )

    @event("AppealDecided")
    def _appeal_decided(
        self, tenant: str, index: int, upheld: bool, reason: str, actor: dict[str, str]
    ) -> None:
        violation = self.violations[index]
        violation["status"] = "annulled" if upheld else "confirmed"
        violation["decision"] = {"upheld": upheld, "reason": reason, "by": actor}

    def current_sanction(self) -> Sanction | None:
        """The step the counted violations have reached, if any."""
        return sanction_for(self.counted) if self.counted else None
