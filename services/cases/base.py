"""What every case command stands on: the case a caller may act on, the stamp an
event carries, and this process's copies of recently saved cases.

``Cases`` (``commands``) extends it through ``CaseRouting`` (``routing``) and
``ApplicantData`` (``applicants``); each of those imports only this module.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import EnvType

from domain.access import HANDLING, Principal, Role, require_read, require_role
from domain.base import Clock
from domain.cases.case import Case
from domain.errors import CaseNotFoundError, GongkaiError
from infra.vault import PersonalDataVault
from services.core.base import (
    Changed,
    GongkaiApplication,
    Stamp,
    check_expected_version,
    recorded,
)

KEPT_CASES = 10_000  # cases kept per process between actions (then forgotten)


class CaseApplication(GongkaiApplication):
    """The application of cases, less its commands."""

    vault: PersonalDataVault

    def __init__(self, env: EnvType | None = None, clock: Clock | None = None) -> None:
        super().__init__(env, clock)
        self._kept: dict[UUID, Case] = {}  # as last saved here (_act)
        self._kept_lock = threading.Lock()

    def configure(self, vault: PersonalDataVault) -> None:
        self.vault = vault

    # Queries --------------------------------------------------------------------------

    def case(self, principal: Principal, tenant_path: str, case_id: UUID) -> Case:
        """The case, if ``tenant_path`` handles it and the caller may read it."""
        require_read(principal, tenant_path)
        return self._case(tenant_path, case_id)

    # Helpers --------------------------------------------------------------------------

    def _case(self, tenant_path: str, case_id: UUID) -> Case:
        found = self._get(case_id, Case)
        if found is None or found.tenant != tenant_path:
            raise CaseNotFoundError(
                f"case {case_id} not found in {tenant_path!r}", field="id"
            )
        return found

    def _stamp(self, principal: Principal) -> Stamp:
        return {"actor": principal.actor(), "effective_at": self.now()}

    def _act(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        expected_version: int | None,
        command: Callable[[Case, Stamp], None],
        roles: Sequence[Role] = HANDLING,
    ) -> Changed:
        """get → command → save for an action on one case by the handling tenant.

        The case is taken from this process's copy of it when there is one (no
        read). A copy that is stale because another process acted meanwhile fails
        at the save (its next version is taken) or decides wrongly before it; either
        way nothing was recorded, the copy is dropped and the action decided again
        on the stored case. So the copy saves the read, never the check.
        """
        require_role(principal, tenant_path, *roles)
        kept = self._kept_case(tenant_path, case_id)
        if kept is not None:
            try:
                check_expected_version(kept, expected_version)
                with recorded(self):
                    command(kept, self._stamp(principal))
                position = self.save(kept)[-1].notification.id
            except (GongkaiError, IntegrityError):
                self._keep_case(case_id, None)
            else:
                self._keep_case(case_id, kept)
                return Changed(kept.id, kept.version, position)
        case = self._case(tenant_path, case_id)
        check_expected_version(case, expected_version)
        with recorded(self):
            command(case, self._stamp(principal))
        position = self._commit(case)
        self._keep_case(case_id, case)
        return Changed(case.id, case.version, position)

    def _kept_case(self, tenant_path: str, case_id: UUID) -> Case | None:
        """A private copy of the case as this process last saved it, if any."""
        if not self.references.enabled:
            return None
        with self._kept_lock:
            kept = self._kept.get(case_id)
        if kept is None or kept.tenant != tenant_path:
            return None
        return copy.deepcopy(kept)

    def _keep_case(self, case_id: UUID, case: Case | None) -> None:
        """Keep ``case`` as last saved; the caller hands it over and must not
        change it afterwards (``_kept_case`` hands out copies)."""
        with self._kept_lock:
            if case is None:
                self._kept.pop(case_id, None)
                return
            if len(self._kept) >= KEPT_CASES:
                self._kept.clear()
            self._kept[case_id] = case
