"""Case commands (一事一办): file, route, handle, reply, close and erase cases.

The Case events carry only ``applicant_ref``, the vault subject; the sealed personal
data is an ``ApplicantRecord`` in the log, its key in the vault. Erasing a closed case
records ``Erased`` on both and then destroys the key.

Routing (transfer, split) is in ``routing``, the applicant's personal data in
``applicants``; both extend ``CaseApplication`` (``base``: the case a command acts
on, the stamp, the kept copies), and ``Cases`` joins them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.access import HANDLING, Principal, Role, require_read, require_role
from domain.cases.applicant import ApplicantRecord
from domain.cases.case import Case
from domain.cases.personal_data import Applicant
from domain.cases.rules import (
    SUGGESTION_KINDS,
    AnswerType,
    CaseKind,
    IntakeChannel,
    Rating,
)
from domain.cases.service_catalogue import ServiceEntry, find_service
from domain.errors import (
    ForbiddenError,
    InconsistentInputError,
)
from domain.participation.suggestions import (
    DEFAULT_ANSWER_MONTHS,
    answer_working_days,
)
from domain.tenancy import is_within
from domain.timeliness import local_date
from domain.workdays import WorkingDayCalendar
from infra.vault import seal_applicant
from services.cases.applicants import ApplicantData
from services.cases.powers import power_in_force
from services.cases.routing import CaseRouting
from services.core.base import (
    Changed,
    Stamp,
    check_expected_version,
    recorded,
    rules_checked_at_append,
)
from services.people.staff import staff_reference

# Roles each action requires of a caller of the case's own tenant (else HANDLING);
# ``supervise`` is for a supervisor above, ``child-resolved`` is no caller's action.
ACTION_ROLES: dict[str, tuple[Role, ...]] = {
    "feedback": (Role.CLERK,),
    "erase": (Role.CLERK, Role.ADMIN),
    "child-resolved": (),
}


def caller_actions(
    principal: Principal, tenant_path: str, actions: Sequence[str]
) -> list[str]:
    """Those of the case's ``actions`` that ``principal`` would not be refused."""
    own = principal.tenant
    if own is None or not principal.can_read(tenant_path):
        return []
    allowed: list[str] = []
    for action in actions:
        if action == "supervise":
            ok = own != tenant_path and Role.SUPERVISOR in principal.roles
        else:
            roles = ACTION_ROLES.get(action, HANDLING)
            ok = own == tenant_path and bool(principal.roles.intersection(roles))
        if ok:
            allowed.append(action)
    return allowed


# The tenant's default promise (承诺期限) by kind when the service catalogue has none.
DEFAULT_PROMISES: dict[str, int] = {
    "complaint": 15,
    "report": 15,
    "service_request": 10,
    "inquiry": 5,
    "proposal": 20,
    "visit": 15,
}


def default_promise(
    case: Case,
    services: tuple[ServiceEntry, ...],
    *,
    assigned_on: date,
    calendar: WorkingDayCalendar,
    suggestion_months: int = DEFAULT_ANSWER_MONTHS,
) -> int | None:
    """The promised working days: the service's promise, else the kind's default;
    None for a disclosure request, whose period the statute sets; for a 建议提案 the
    working days that reach ``suggestion_months`` after ``assigned_on``."""
    if case.kind.value == "disclosure_request":
        return None
    if case.kind in SUGGESTION_KINDS:
        start = case.deadline(calendar).start or assigned_on
        return answer_working_days(start, assigned_on, suggestion_months, calendar)
    service = find_service(case.category, services) if case.category else None
    if service is not None:
        return service.promised_working_days
    return DEFAULT_PROMISES.get(case.kind.value, 15)


class Cases(CaseRouting, ApplicantData):
    """Records the cases a tenant handles, with their routing and personal data."""

    suggestion_months = DEFAULT_ANSWER_MONTHS  # 建议提案 time limit (settings)

    # Filing ---------------------------------------------------------------------------

    @rules_checked_at_append
    def file(
        self,
        principal: Principal,
        tenant_path: str,
        *,
        kind: CaseKind | str,
        channel: IntakeChannel | str,
        summary: str,
        signed: bool,
        category: str | None = None,
        applicant: Applicant | None = None,
        filed_by_agent: str | None = None,
        agent_village: str | None = None,
        received_on: date | None = None,
        applicant_type: str | None = None,
        power: str | None = None,
        location: Mapping[str, Any] | None = None,
        attachments: Iterable[str] = (),
    ) -> Changed:
        """登记 a case; ``received_on`` defaults to today (China time); ``power``
        names the power of the tenant's 权责清单 in force it exercises; ``location``
        and ``attachments`` say where the issue is and point to its media."""
        require_role(principal, tenant_path, *HANDLING)
        with self.rules_scope(tenant_path):
            self.read_tenant(tenant_path)
            if category is not None:
                find_service(category, self.services_for(tenant_path))
        named = None if power is None else power_in_force(self, tenant_path, power)
        if signed and applicant is None:
            raise InconsistentInputError(
                "a signed case names its applicant", field="applicant"
            )
        now = self.now()
        stamp: Stamp = {"actor": principal.actor(), "effective_at": now}
        subject = self.vault.new_subject() if applicant is not None else None
        try:
            with recorded(self):
                records: list[ApplicantRecord] = []
                if applicant is not None and subject is not None:
                    sealed = seal_applicant(
                        self.vault, applicant, tenant_path, subject=subject
                    )
                    records.append(
                        ApplicantRecord.seal(
                            subject=subject,
                            tenant=tenant_path,
                            ciphertext=sealed["ciphertext"],
                            **stamp,
                        )
                    )
                case = Case.file(
                    tenant=tenant_path,
                    kind=kind,
                    channel=channel,
                    category=category,
                    summary=summary,
                    signed=signed,
                    applicant_ref=subject,
                    received_on=received_on or local_date(now),
                    filed_by_agent=filed_by_agent,
                    agent_village=agent_village,
                    applicant_type=applicant_type,
                    location=location,
                    attachments=attachments,
                    **stamp,
                )
                if named is not None:
                    case.name_power(
                        power=named.code,
                        power_name=named.name,
                        working_days=named.time_limit_days,
                        **stamp,
                    )
            position = self._commit(*records, case)
        except BaseException:
            if subject is not None:
                self.vault.erase(subject)  # nothing was recorded: drop the key
            raise
        if self.references.enabled:
            self._keep_case(case.id, case)
        return Changed(case.id, case.version, position)

    def name_power(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        power: str,
        *,
        expected_version: int | None = None,
    ) -> Changed:
        """Name the power of the 权责清单 a case filed earlier exercises."""
        named = power_in_force(self, tenant_path, power)
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.name_power(
                power=named.code,
                power_name=named.name,
                working_days=named.time_limit_days,
                **s,
            ),
        )

    # Handling -------------------------------------------------------------------------

    @rules_checked_at_append
    def request_materials(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        items: Sequence[str],
        expected_version: int | None = None,
    ) -> Changed:
        """补正/补充材料清单; the clock waits."""
        calendar = self.calendar()
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.request_materials(items=items, calendar=calendar, **s),
        )

    def provide_materials(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        expected_version: int | None = None,
    ) -> Changed:
        """The materials arrived; the clock restarts."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.provide_materials(**s),
        )

    def accept(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        expected_version: int | None = None,
    ) -> Changed:
        """受理."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.accept(**s),
        )

    def reject(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        reason: str,
        referral: str,
        expected_version: int | None = None,
    ) -> Changed:
        """不予受理, with where to go instead."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.reject(reason=reason, referral=referral, **s),
        )

    @rules_checked_at_append
    def assign(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        department: str,
        handler: str,
        backup_handler: str | None = None,
        promised_working_days: int | None = None,
        expected_version: int | None = None,
    ) -> Changed:
        """交办 to a department and 全程承办人 (staff named by badge number)."""
        handler = staff_reference(self, tenant_path, handler, "handler") or handler
        calendar = self.calendar()
        today = local_date(self.now())
        backup_handler = staff_reference(
            self, tenant_path, backup_handler, "backup_handler"
        )
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.assign(
                department=department,
                handler=handler,
                backup_handler=backup_handler,
                promised_working_days=(
                    promised_working_days
                    if promised_working_days is not None
                    else default_promise(
                        c,
                        self.services_for(tenant_path),
                        assigned_on=today,
                        calendar=calendar,
                        suggestion_months=self.suggestion_months,
                    )
                ),
                **s,
            ),
        )

    def supervise(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        due_on: date,
        note: str,
        expected_version: int | None = None,
    ) -> Changed:
        """督办 by a supervisor of a tenant above the case's (the caller's tenant)."""
        require_read(principal, tenant_path)
        own = principal.tenant
        if own is None or own == tenant_path or not is_within(tenant_path, own):
            raise ForbiddenError("only a tenant above the case's tenant supervises it")
        if Role.SUPERVISOR not in principal.roles:
            raise ForbiddenError("this needs the role supervisor")
        case = self._case(tenant_path, case_id)
        check_expected_version(case, expected_version)
        with recorded(self):
            case.supervise(
                supervisor=own, due_on=due_on, note=note, **self._stamp(principal)
            )
        position = self._commit(case)
        return Changed(case.id, case.version, position)

    def consult(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        party: str,
        third_party: bool,
        expected_version: int | None = None,
    ) -> Changed:
        """征求意见; the working days until it ends do not count."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.consult(party=party, third_party=third_party, **s),
        )

    def end_consultation(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Changed:
        """The consultation ended; the clock resumes."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.end_consultation(note=note, **s),
        )

    @rules_checked_at_append
    def extend(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        working_days: int,
        reason: str,
        approver: str,
        applicant_notice: str | None = None,
        expected_version: int | None = None,
    ) -> Changed:
        """延期 before the due date passes, as often as the tenant's rules allow."""
        calendar = self.calendar()
        rules = self.case_rules_for(tenant_path)
        max_extensions = rules.max_extensions if rules else 1
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.extend(
                working_days=working_days,
                reason=reason,
                approver=approver,
                applicant_notice=applicant_notice,
                calendar=calendar,
                max_extensions=max_extensions,
                **s,
            ),
        )

    def resolve(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        result: str,
        answer: AnswerType | str | None = None,
        legal_ground: str | None = None,
        referral: str | None = None,
        disclosure_id: UUID | None = None,
        expected_version: int | None = None,
        answer_reason: str | None = None,
    ) -> Changed:
        """办结; a split parent learns of it (and resolves with its last child)."""
        require_role(principal, tenant_path, *HANDLING)
        case = self._case(tenant_path, case_id)
        check_expected_version(case, expected_version)
        stamp = self._stamp(principal)
        with recorded(self):
            case.resolve(
                result=result,
                answer=answer,
                legal_ground=legal_ground,
                referral=referral,
                disclosure_id=disclosure_id,
                answer_reason=answer_reason,
                **stamp,
            )
            parents = self._tell_parents(case, stamp)
        position = self._commit(case, *parents)
        return Changed(case.id, case.version, position)

    def reply(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        method: str,
        content: str,
        expected_version: int | None = None,
    ) -> Changed:
        """回复 the applicant."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.reply(method=method, content=content, **s),
        )

    def feedback(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        rating: Rating | str,
        expected_version: int | None = None,
    ) -> Changed:
        """The applicant's rating, recorded by the clerk on their behalf."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.feedback(rating=rating, **s),
            roles=(Role.CLERK,),
        )

    def meet(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        met_on: date | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Changed:
        """见面: the unit met the deputy or member about their 建议提案."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.meet(met_on=met_on, note=note, **s),
        )

    def close_case(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Changed:
        """结案 (named so as not to shadow ``Application.close``)."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.close(note=note, **s),
        )

    def reopen(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Changed:
        """重新办理 after 不满意 feedback."""
        return self._act(
            principal,
            tenant_path,
            case_id,
            expected_version,
            lambda c, s: c.reopen(reason=reason, **s),
        )


__all__ = ["Cases"]
