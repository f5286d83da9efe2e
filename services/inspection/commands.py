"""Inspection-file commands: open, link, note, find, close; reads recorded as events.

A file belongs to the inspector's own tenant (write scope); inspectors of that tenant
or of an ancestor may read it. Every read goes through ``read``, which records an
``Inspection.Read`` event before anything is shown, so access is evidence too.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.access import Principal, Role, require_role, require_subtree_role
from domain.cases.case import Case
from domain.disclosures.disclosure import Disclosure
from domain.errors import ConflictError
from domain.inspection.inspection_file import (
    Inspection,
    InspectionNotFoundError,
    ReadKind,
    SubjectKind,
    SubjectOutOfScopeError,
    make_link,
)
from services.core.base import (
    Changed,
    GongkaiApplication,
    check_expected_version,
    recorded,
)

READ_ATTEMPTS = 5
WRITE_ACTIONS = ("link", "note", "finding", "close")  # POST …/inspections/{id}/<action>
SNAPSHOT_EVERY = 500  # a deep timeline page rebuilds its file from a snapshot


class Inspections(GongkaiApplication):
    """Records inspection files (纪检监察核查) and every read of them."""

    snapshotting_intervals: ClassVar[dict[Any, int]] = {Inspection: SNAPSHOT_EVERY}

    def open(
        self,
        principal: Principal,
        tenant_path: str,
        *,
        subject: dict[str, Any],
        basis: str,
    ) -> Changed:
        """立案 in the inspector's own tenant, on a subject in its subtree."""
        require_role(principal, tenant_path, Role.INSPECTOR)
        self.tenant(tenant_path)
        link = make_link(
            str(subject.get("kind", "")),
            subject.get("id"),
            str(subject.get("tenant", "")),
            tenant_path,
        )
        self._check_exists(link)
        with recorded(self):
            inspection = Inspection.open(
                tenant=tenant_path,
                subject=link,
                basis=basis,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        position = self._commit(inspection)
        return Changed(inspection.id, inspection.version, position)

    def link(
        self,
        principal: Principal,
        tenant_path: str,
        inspection_id: UUID,
        *,
        kind: str,
        subject_id: str | None,
        tenant: str,
        expected_version: int | None = None,
    ) -> Changed:
        """Add a subject from the file's subtree."""
        inspection = self._writable(
            principal, tenant_path, inspection_id, expected_version
        )
        self._check_exists(make_link(kind, subject_id, tenant, inspection.tenant))
        with recorded(self):
            inspection.link(
                kind=kind,
                subject_id=subject_id,
                tenant=tenant,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        return self._changed(inspection)

    def note(
        self,
        principal: Principal,
        tenant_path: str,
        inspection_id: UUID,
        text: str,
        expected_version: int | None = None,
    ) -> Changed:
        inspection = self._writable(
            principal, tenant_path, inspection_id, expected_version
        )
        with recorded(self):
            inspection.note(text=text, actor=principal.actor(), effective_at=self.now())
        return self._changed(inspection)

    def find(
        self,
        principal: Principal,
        tenant_path: str,
        inspection_id: UUID,
        text: str,
        expected_version: int | None = None,
    ) -> Changed:
        inspection = self._writable(
            principal, tenant_path, inspection_id, expected_version
        )
        with recorded(self):
            inspection.find(text=text, actor=principal.actor(), effective_at=self.now())
        return self._changed(inspection)

    def conclude(
        self,
        principal: Principal,
        tenant_path: str,
        inspection_id: UUID,
        conclusion: str,
        expected_version: int | None = None,
    ) -> Changed:
        """结案 with a conclusion (``close`` is the application's own shutdown)."""
        inspection = self._writable(
            principal, tenant_path, inspection_id, expected_version
        )
        with recorded(self):
            inspection.close(
                conclusion=conclusion,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        return self._changed(inspection)

    # Reads ---------------------------------------------------------------------------

    def read(
        self,
        principal: Principal,
        tenant_path: str,
        inspection_id: UUID,
        what: ReadKind,
        detail: dict[str, str] | None = None,
    ) -> Inspection:
        """Check the caller may read the file, record the read, return the file."""
        for _ in range(READ_ATTEMPTS):
            inspection = self.inspection(principal, tenant_path, inspection_id)
            with recorded(self):
                inspection.record_read(
                    what=what,
                    detail=detail or {},
                    actor=principal.actor(),
                    effective_at=self.now(),
                )
            try:
                self._commit(inspection)
            except ConflictError:  # a concurrent read took the version; retry
                continue
            return inspection
        raise ConflictError("too many concurrent reads of this file; try again")

    def inspection(
        self, principal: Principal, tenant_path: str, inspection_id: UUID
    ) -> Inspection:
        """The file, for inspectors of its tenant or an ancestor (not recorded)."""
        require_subtree_role(principal, tenant_path, Role.INSPECTOR)
        found = self._get(inspection_id, Inspection)
        if found is None or found.tenant != tenant_path:
            raise InspectionNotFoundError(
                f"inspection {inspection_id} not found in {tenant_path!r}", field="id"
            )
        return found

    def allowed_actions(
        self, principal: Principal, inspection: Inspection
    ) -> list[str]:
        """The write actions ``principal`` would not be refused on the file: only
        inspectors of its own tenant work on it, and only while it is open (readers
        of an ancestor get none)."""
        if inspection.closed or principal.tenant != inspection.tenant:
            return []
        if Role.INSPECTOR not in principal.roles:
            return []
        return list(WRITE_ACTIONS)

    def home_of(self, inspection_id: UUID) -> str:
        """The tenant a file belongs to (for operators reading from the store)."""
        found = self._get(inspection_id, Inspection)
        if found is None:
            raise InspectionNotFoundError(f"inspection {inspection_id} not found")
        return found.tenant

    # Helpers -------------------------------------------------------------------------

    def _writable(
        self,
        principal: Principal,
        tenant_path: str,
        inspection_id: UUID,
        expected_version: int | None = None,
    ) -> Inspection:
        require_role(principal, tenant_path, Role.INSPECTOR)
        inspection = self.inspection(principal, tenant_path, inspection_id)
        check_expected_version(inspection, expected_version)
        return inspection

    def _changed(self, inspection: Inspection) -> Changed:
        position = self._commit(inspection)
        return Changed(inspection.id, inspection.version, position)

    def _check_exists(self, link: dict[str, Any]) -> None:
        """The subject exists where the link says. Staff and campaign registries are
        not kept here yet: for those only the tenant is checked."""
        self.tenant(link["tenant"])
        kind = SubjectKind(link["kind"])
        cls: Any = {
            SubjectKind.CASE: Case,
            SubjectKind.DISCLOSURE: Disclosure,
        }.get(kind)
        if cls is None:
            return
        found = self._get(UUID(link["id"]), cls)
        if found is None or found.tenant != link["tenant"]:
            raise SubjectOutOfScopeError(
                f"{kind.value} {link['id']} not found in {link['tenant']!r}",
                field="id",
            )
