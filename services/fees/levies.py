"""Fee commands: publish the fee standard, draft a 征收通知书, propose and review a
reduction (集中会审), issue the notice under its 文号; and the single-tenant reads.

A unit's clerk (or supervisor) keeps its standard and notices; any principal of the
unit may review a reduction, each under the post (岗位) it names, never the
proposer. Issuing takes the next number of the unit's 征收通知书 series in the same
append as the notice's ``Issued`` event.

A natural person's name is sealed in the personal-data vault exactly as a case
applicant's contact (services/cases/commands.py): an ``ApplicantRecord`` holding the
ciphertext is saved in the notice's append, the notice keeps the vault subject, and
``payer`` opens it for the notice, the staff view and (masked) the public board.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.access import Principal, Role, require_read, require_role
from domain.cases.applicant import ApplicantRecord
from domain.cases.personal_data import ERASED, Applicant
from domain.errors import NotFoundError
from domain.fees.levy import LevyNotice, check_payer, masked
from domain.fees.standard import FeeStandard, NoStandardInForceError, standard_id
from domain.timeliness import local_date
from infra.vault import PersonalDataVault, open_applicant, seal_applicant
from services.core.base import GongkaiApplication, recorded
from services.core.batches import iter_log
from services.documents.series import numbered

KEEPERS = (Role.CLERK, Role.SUPERVISOR)
DRAFTED = "domain.fees.levy:LevyNotice.Drafted"


class LevyNotFoundError(NotFoundError):
    slug = "levy-not-found"


class Levies(GongkaiApplication):
    """The fee standard and the 征收通知书 of a unit."""

    required_reviewers = 3
    vault: PersonalDataVault

    def configure(self, vault: PersonalDataVault) -> None:
        """The vault that seals natural persons' names (the cases' vault)."""
        self.vault = vault

    def today(self) -> date:
        return local_date(self.now())

    # Standard ------------------------------------------------------------------------

    def publish_standard(
        self,
        principal: Principal,
        path: str,
        effective_from: date,
        items: Sequence[Mapping[str, Any]],
    ) -> tuple[FeeStandard, int]:
        """The first version, or a revision taking effect after the last."""
        require_role(principal, path, *KEEPERS)
        self.tenant(path)
        current = self._get(standard_id(path), FeeStandard)
        with recorded(self):
            if current is None:
                current = FeeStandard.publish(
                    tenant=path,
                    effective_from=effective_from,
                    items=items,
                    actor=principal.actor(),
                )
            else:
                current.revise(
                    effective_from=effective_from, items=items, actor=principal.actor()
                )
        return current, self._commit(current)

    def standard(self, principal: Principal, path: str) -> FeeStandard:
        require_read(principal, path)
        found = self._get(standard_id(path), FeeStandard)
        if found is None:
            raise NoStandardInForceError(f"{path} has published no fee standard")
        return found

    # Notices -------------------------------------------------------------------------

    def draft(
        self,
        principal: Principal,
        path: str,
        *,
        payer_name: str,
        payer_kind: str,
        items: Sequence[Mapping[str, Any]],
        dated: date,
        amount: object,
    ) -> tuple[LevyNotice, int]:
        require_role(principal, path, *KEEPERS)
        standard = self.standard(principal, path)
        name = check_payer(payer_name, payer_kind)
        subject = self.vault.new_subject() if payer_kind == "person" else None
        try:
            with recorded(self):
                records: list[ApplicantRecord] = []
                if subject is not None:
                    sealed = seal_applicant(
                        self.vault, Applicant(name), path, subject=subject
                    )
                    records.append(
                        ApplicantRecord.seal(
                            subject=subject,
                            tenant=path,
                            ciphertext=sealed["ciphertext"],
                            actor=principal.actor(),
                            effective_at=self.now(),
                        )
                    )
                notice = LevyNotice.draft(
                    tenant=path,
                    payer_name=name,
                    payer_kind=payer_kind,
                    items=items,
                    dated=dated,
                    stated_amount=amount,
                    standard=standard,
                    actor=principal.actor(),
                    payer_ref=subject,
                )
            position = self._commit(*records, notice)
        except BaseException:
            if subject is not None:
                self.vault.erase(subject)  # nothing was recorded: drop the key
            raise
        return notice, position

    def payer(self, notice: LevyNotice) -> dict[str, str]:
        """The payer in clear (``kind``, ``name``): an organisation's as recorded, a
        natural person's opened from the vault (已删除 once its key is erased; a
        version 1 notice recorded the name itself). Staff and the notice only; the
        public board masks it (``masked``)."""
        payer = notice.payer
        name = payer.get("name")
        ref = payer.get("ref")
        if name is None and ref is not None:
            record = self._get(UUID(ref), ApplicantRecord)
            person = (
                None
                if record is None
                else open_applicant(self.vault, record.sealed(), record.tenant)
            )
            name = person.name if person is not None else ERASED
        return {"kind": str(payer["kind"]), "name": str(name or "")}

    def notice(self, principal: Principal, path: str, notice_id: UUID) -> LevyNotice:
        require_read(principal, path)
        found = self._get(notice_id, LevyNotice)
        if found is None or found.tenant != path:
            raise LevyNotFoundError(f"no fee notice {notice_id} at {path}")
        return found

    def propose_reduction(
        self,
        principal: Principal,
        path: str,
        notice_id: UUID,
        reduced_to: object,
        reason: str,
    ) -> tuple[LevyNotice, int]:
        require_role(principal, path, *KEEPERS)
        notice = self.notice(principal, path, notice_id)
        with recorded(self):
            notice.propose_reduction(reduced_to, reason, principal.actor())
        return notice, self._commit(notice)

    def review_reduction(
        self,
        principal: Principal,
        path: str,
        notice_id: UUID,
        approved: bool,
        post: str,
        reason: str,
    ) -> tuple[LevyNotice, int]:
        """One reviewer of the 集中会审: any principal of the unit itself."""
        require_role(principal, path, *Role)
        notice = self.notice(principal, path, notice_id)
        with recorded(self):
            notice.review_reduction(approved, post, reason, principal.actor())
        return notice, self._commit(notice)

    def issue(
        self, principal: Principal, path: str, notice_id: UUID
    ) -> tuple[LevyNotice, int]:
        """签发: the next number of the unit's 征收通知书 series, saved with it."""
        require_role(principal, path, *KEEPERS)
        notice = self.notice(principal, path, notice_id)
        today = self.today()
        with recorded(self):
            title = f"征收通知书（{masked(self.payer(notice))}）"  # the log: masked
            series = numbered(
                self, path, "levy", {"levy": str(notice.id)}, title, today,
                principal.actor(),
            )  # fmt: skip
            wenhao = series.wenhao(series.numbers[-1])
            notice.issue(today, wenhao, self.required_reviewers, principal.actor())
        return notice, self._commit(notice, series)

    def notices(self, path: str) -> list[LevyNotice]:
        """Every notice of ``path`` (scope checked by the caller), in order."""
        found: list[LevyNotice] = []
        for batch in iter_log(self, (DRAFTED,), 500):
            for n in batch:
                notice = self._get(n.originator_id, LevyNotice)
                if notice is not None and notice.tenant == path:
                    found.append(notice)
        return found
