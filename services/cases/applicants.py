"""The applicant's personal data of a case: who may read it, the 回执号 phone check,
and erasure (the vault key destroyed). A part of ``Cases``."""

from __future__ import annotations

import hmac
from uuid import UUID

from domain.access import HANDLING, Principal, Role, require_role
from domain.cases.applicant import ApplicantRecord
from domain.cases.personal_data import erased_view
from domain.tenancy import is_within
from infra.vault import open_applicant
from services.cases.base import CaseApplication
from services.core.base import Changed, check_expected_version, recorded


class ApplicantData(CaseApplication):
    """Personal-data methods of ``Cases``."""

    def erase(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        expected_version: int | None = None,
    ) -> Changed:
        """删除个人信息 of a closed case: record it, then destroy the vault key.

        The key is shared by every case filed from this one (transfer, split)."""
        require_role(principal, tenant_path, Role.CLERK, Role.ADMIN)
        case = self._case(tenant_path, case_id)
        check_expected_version(case, expected_version)
        stamp = self._stamp(principal)
        ref = case.applicant_ref
        record = self._get(UUID(ref), ApplicantRecord) if ref else None
        with recorded(self):
            case.erase(**stamp)
            if record is not None:
                record.erase(**stamp)
        position = self._commit(case, *([record] if record is not None else []))
        if ref is not None:
            self.vault.erase(ref)
        return Changed(case.id, case.version, position)

    def applicant(
        self, principal: Principal, tenant_path: str, case_id: UUID
    ) -> dict[str, str | None] | None:
        """Cleartext for the handling clerk/handler and inspectors at or above the
        case's tenant, redacted for other readers, the erased view once erased."""
        case = self.case(principal, tenant_path, case_id)
        ref = case.applicant_ref
        if ref is None:
            return None
        record = self._get(UUID(ref), ApplicantRecord)
        if case.erased or record is None or record.erased:
            return dict(erased_view())
        person = open_applicant(self.vault, record.sealed(), record.tenant)
        if person is None:
            return dict(erased_view())
        own = principal.tenant
        handling = own == case.tenant and bool(principal.roles.intersection(HANDLING))
        inspecting = (
            own is not None
            and Role.INSPECTOR in principal.roles
            and is_within(case.tenant, own)
        )
        return person.to_dict() if handling or inspecting else person.redacted()

    def phone_ends_with(self, tenant_path: str, case_id: UUID, last4: str) -> bool:
        """Whether the applicant's phone ends with ``last4`` (the 回执号 lookup);
        nothing else about the applicant leaves this method."""
        case = self._case(tenant_path, case_id)
        ref = case.applicant_ref
        record = self._get(UUID(ref), ApplicantRecord) if ref else None
        if case.erased or record is None or record.erased:
            return False
        person = open_applicant(self.vault, record.sealed(), record.tenant)
        digits = (
            "".join(c for c in (person.phone or "") if c.isdigit()) if person else ""
        )
        return (
            len(last4) == 4
            and len(digits) >= 4
            and hmac.compare_digest(digits[-4:], last4)
        )
