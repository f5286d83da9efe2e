"""The sanction ladder over the staff registry: confirmed violations, appeals.

A violation is recorded against a registered staffer (by badge number) by an
inspector or supervisor of the staffer's tenant or above; the staffer (or an admin
above) appeals; an inspector or supervisor decides. The record belongs to the
staffer's tenant.
"""

from __future__ import annotations

from domain.access import Principal, Role, require_subtree_role
from domain.assessment.sanctions import ConductRecord, record_id
from domain.errors import ForbiddenError, NotFoundError
from services.core.base import GongkaiApplication, recorded
from services.people.staff import Staff

JUDGES = (Role.INSPECTOR, Role.SUPERVISOR)


class Conduct(GongkaiApplication):
    """Keeps each staffer's violations and the sanctions they triggered."""

    staff: Staff

    def configure(self, staff: Staff) -> None:
        self.staff = staff

    def record(
        self, principal: Principal, path: str, number: str
    ) -> ConductRecord | None:
        """The staffer's record (None: no violation yet); others' are 404s."""
        staffer = self.staff.staffer(principal, path, number)
        return self._get(record_id(staffer.county, staffer.number), ConductRecord)

    def confirm(
        self,
        principal: Principal,
        path: str,
        number: str,
        description: str,
        evidence: list[str],
    ) -> tuple[ConductRecord, int]:
        staffer = self.staff.staffer(principal, path, number)
        require_subtree_role(principal, path, *JUDGES)
        record = self._get(record_id(staffer.county, staffer.number), ConductRecord)
        with recorded(self):
            if record is None:
                record = ConductRecord(
                    county=staffer.county,
                    number=staffer.number,
                    tenant=staffer.tenant,
                    actor=principal.actor(),
                )
            record.confirm(
                description=description,
                evidence=evidence,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        return record, self._commit(record)

    def _existing(
        self, principal: Principal, path: str, number: str
    ) -> tuple[ConductRecord, str]:
        staffer = self.staff.staffer(principal, path, number)
        record = self._get(record_id(staffer.county, staffer.number), ConductRecord)
        if record is None:
            raise NotFoundError(f"{number} has no recorded violation", field="index")
        return record, staffer.username

    def appeal(
        self, principal: Principal, path: str, number: str, index: int, grounds: str
    ) -> tuple[ConductRecord, int]:
        record, username = self._existing(principal, path, number)
        if principal.id != username:
            try:
                require_subtree_role(principal, path, Role.ADMIN)
            except ForbiddenError:
                raise ForbiddenError(
                    "only the staffer (or an admin above) may appeal"
                ) from None
        with recorded(self):
            record.appeal(index, grounds, principal.actor())
        return record, self._commit(record)

    def decide(
        self,
        principal: Principal,
        path: str,
        number: str,
        index: int,
        upheld: bool,
        reason: str,
    ) -> tuple[ConductRecord, int]:
        record, _ = self._existing(principal, path, number)
        require_subtree_role(principal, path, *JUDGES)
        with recorded(self):
            record.decide_appeal(index, upheld, reason, principal.actor())
        return record, self._commit(record)
