"""Case routing (转办, 分办): the linked cases a transfer or split files in other
tenants, and the split parents told when a child is resolved. A part of ``Cases``."""

from __future__ import annotations

from uuid import UUID

from domain.access import HANDLING, Principal, require_role
from domain.cases.case import Case
from domain.cases.checks import check_tenant_path
from domain.cases.rules import CaseState
from domain.errors import InconsistentInputError, InvalidInputError
from domain.tenancy import Tenant, is_within, parent_of, tenant_id
from domain.timeliness import local_date
from services.cases.base import CaseApplication
from services.core.base import Changed, Stamp, check_expected_version, recorded


class CaseRouting(CaseApplication):
    """Routing commands of ``Cases``."""

    def transfer(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        target: str,
        reason: str,
        expected_version: int | None = None,
    ) -> Changed:
        """转办 to a tenant below, or up to the parent; files the linked case there."""
        require_role(principal, tenant_path, *HANDLING)
        case = self._case(tenant_path, case_id)
        check_expected_version(case, expected_version)
        path = check_tenant_path(target, "target")
        below = path != case.tenant and is_within(path, case.tenant)
        if not below and path != parent_of(case.tenant):
            raise InconsistentInputError(
                f"{path!r} is neither below {case.tenant!r} nor its parent",
                field="target",
            )
        self._require_tenant(path, "target")
        stamp = self._stamp(principal)
        with recorded(self):
            linked_id = case.transfer(target=path, reason=reason, **stamp)
            linked = self._linked(case, path, linked_id, stamp)
        position = self._commit(case, linked)
        return Changed(case.id, case.version, position)

    def split(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        children: list[str],
        expected_version: int | None = None,
    ) -> Changed:
        """分办: a tenant path below gets its child case there; any other target (a
        department) gets one in this tenant."""
        require_role(principal, tenant_path, *HANDLING)
        case = self._case(tenant_path, case_id)
        check_expected_version(case, expected_version)
        for target in children:
            if self._is_tenant_below(target, case.tenant):
                self._require_tenant(target, "children")
        stamp = self._stamp(principal)
        with recorded(self):
            ids = case.split(children=children, **stamp)
            linked = [
                self._linked(
                    case,
                    t["target"]
                    if self._is_tenant_below(t["target"], case.tenant)
                    else case.tenant,
                    child_id,
                    stamp,
                )
                for t, child_id in zip(case.children, ids, strict=True)
            ]
        position = self._commit(case, *linked)
        return Changed(case.id, case.version, position)

    def _require_tenant(self, path: str, field: str) -> None:
        if self._get(tenant_id(path), Tenant) is None:
            raise InvalidInputError(f"tenant {path!r} does not exist", field=field)

    @staticmethod
    def _is_tenant_below(target: str, tenant: str) -> bool:
        try:
            path = check_tenant_path(target.strip(), "target")
        except InvalidInputError:
            return False
        return path != tenant and is_within(path, tenant)

    def _linked(self, case: Case, tenant: str, case_id: UUID, stamp: Stamp) -> Case:
        """The case a transfer or split files in ``tenant`` under ``case_id``."""
        village = case.agent_village
        if village is not None and (
            village == tenant or not is_within(village, tenant)
        ):
            village = None  # the agent's village is not below the new tenant
        return Case.file(
            tenant=tenant,
            kind=case.kind,
            channel=case.channel,
            category=case.category,
            summary=case.summary,
            signed=case.signed,
            applicant_ref=case.applicant_ref,
            received_on=local_date(stamp["effective_at"]),
            filed_by_agent=case.filed_by_agent,
            agent_village=village,
            parent_case=case.id,
            case_id=case_id,
            location=case.location,  # the issue is where it was
            attachments=case.attachments,
            **stamp,
        )

    def _tell_parents(self, case: Case, stamp: Stamp) -> list[Case]:
        """``child_resolved`` up the chain of split parents; the changed parents."""
        changed: list[Case] = []
        child = case
        while child.parent_case is not None:
            parent = self._get(child.parent_case, Case)
            if parent is None or parent.state is not CaseState.SPLIT:
                break
            if str(child.id) not in {c["case_id"] for c in parent.children}:
                break
            parent.child_resolved(child.id, **stamp)
            changed.append(parent)
            if parent.resolved_on is None:  # children still open
                break
            child = parent
        return changed
