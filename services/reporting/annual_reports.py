"""The annual 政府信息公开工作年度报告 of a tenant: the application that records it.

Records the reviews and lawsuits against disclosure decisions, the office's written
sections and table 二 inputs (the draft), and the publication; assembles the report
of a tenant, and a county's summary over its subtree, as it stood at a moment. The
figures in the tables are tallied from the log in ``annual_figures``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.access import HANDLING, Principal, Role, require_read, require_role
from domain.cases.case import Case
from domain.cases.rules import CaseKind, CaseState
from domain.errors import CaseNotFoundError, InvalidInputError, NotFoundError
from domain.reporting.annual import ANNUAL_REPORT_CATEGORY, SECTIONS
from domain.reporting.challenge import Challenge
from domain.reporting.drafts import AnnualReport, check_year, report_id
from domain.reporting.publication import (
    DEADLINE_BASIS,
    check_publishable,
    deadline,
    is_late,
    publishable_from,
)
from domain.tenancy import is_within
from domain.timeliness import local_date, local_noon
from services.core.base import Changed, GongkaiApplication, recorded
from services.disclosures.commands import Disclosures
from services.inspection.moments import replay
from services.reporting import annual_figures
from services.reporting.annual_figures import Moment, Subtree, moment_of
from services.reporting.annual_render import report_text, title_of


class AnnualReports(GongkaiApplication):
    """Reviews and lawsuits, drafts and inputs, and the report itself."""

    # Reviews and lawsuits -------------------------------------------------------------

    def file_challenge(
        self,
        principal: Principal,
        tenant_path: str,
        case_id: UUID,
        *,
        route: str,
        filed_on: date,
    ) -> Changed:
        """Record a 行政复议 or 行政诉讼 against a disclosure request's decision."""
        require_role(principal, tenant_path, *HANDLING)
        case = self._get(case_id, Case)
        if (
            case is None
            or case.tenant != tenant_path
            or case.kind.value != CaseKind.DISCLOSURE_REQUEST
        ):
            raise CaseNotFoundError(
                f"no disclosure request {case_id} in {tenant_path!r}", field="case_id"
            )
        if case.resolved_on is None or case.state in (CaseState.ACCEPTED,):
            raise InvalidInputError(
                "only a decided disclosure request can be challenged", field="case_id"
            )
        with recorded(self):
            challenge = Challenge.file(
                tenant=tenant_path,
                case_id=case_id,
                route=route,
                filed_on=filed_on,
                resolved_on=case.resolved_on,
                actor=principal.actor(),
                effective_at=self._effective(filed_on),
            )
        position = self._commit(challenge)
        return Changed(challenge.id, challenge.version, position)

    def decide_challenge(
        self,
        principal: Principal,
        tenant_path: str,
        challenge_id: UUID,
        *,
        outcome: str,
        decided_on: date,
    ) -> Changed:
        """Record the outcome: 维持, 纠正 or 其他."""
        require_role(principal, tenant_path, *HANDLING)
        challenge = self.challenge(principal, tenant_path, challenge_id)
        with recorded(self):
            challenge.decide(
                outcome=outcome,
                decided_on=decided_on,
                actor=principal.actor(),
                effective_at=self._effective(decided_on),
            )
        position = self._commit(challenge)
        return Changed(challenge.id, challenge.version, position)

    def _effective(self, day: date) -> datetime:
        """The act happened on ``day``: now if today, else noon of that day."""
        now = self.now()
        return now if day >= local_date(now) else local_noon(day)

    def challenge(
        self, principal: Principal, tenant_path: str, challenge_id: UUID
    ) -> Challenge:
        require_read(principal, tenant_path)
        found = self._get(challenge_id, Challenge)
        if found is None or found.tenant != tenant_path:
            raise NotFoundError(f"challenge {challenge_id} not found", field="id")
        return found

    # Drafts ---------------------------------------------------------------------------

    def write_section(
        self,
        principal: Principal,
        tenant_path: str,
        year: int,
        section: int,
        *,
        text: str | None,
        inputs: Mapping[str, Any],
    ) -> Changed:
        """Record a written section (一, 五, 六) or table 二's inputs (section 2)."""
        require_role(principal, tenant_path, *HANDLING)
        self.tenant(tenant_path)
        report = self._draft(principal, tenant_path, year)
        with recorded(self):
            report.write(
                section=section,
                text=text,
                inputs=inputs,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        position = self._commit(report)
        return Changed(report.id, report.version, position)

    def _draft(self, principal: Principal, tenant_path: str, year: int) -> AnnualReport:
        found = self._get(report_id(tenant_path, check_year(year)), AnnualReport)
        if found is not None:
            return found
        with recorded(self):
            return AnnualReport(
                tenant=tenant_path,
                year=year,
                actor=principal.actor(),
                effective_at=self.now(),
            )

    def record_publication(
        self, principal: Principal, tenant_path: str, year: int, disclosure_id: UUID
    ) -> Changed:
        report = self._draft(principal, tenant_path, year)
        revision = report.published is not None
        with recorded(self):
            report.publish(
                disclosure_id=disclosure_id,
                revision=revision,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        position = self._commit(report)
        return Changed(report.id, report.version, position)

    def draft(self, tenant_path: str, year: int, moment: Moment) -> AnnualReport | None:
        """The drafts as known at ``known_at`` (they are written after the year, so
        ``as_of`` does not cut them)."""
        at = moment.known_at
        (known,), _ = replay(self, report_id(tenant_path, year), [(at, at)])
        return known if isinstance(known, AnnualReport) else None

    def published_reports(self, tenant_path: str) -> dict[str, dict[str, Any]]:
        """The tenant's published reports by disclosure id: the year, its deadline
        and whether it was late (for the public board)."""
        tenant = self.tenant(tenant_path)
        now = self.now()
        moment = Moment(now.year, now, now)
        topic = "domain.reporting.drafts:AnnualReport.Published"
        out: dict[str, dict[str, Any]] = {}
        for event in annual_figures.scan(self, topic, {tenant_path}, moment):
            report = self._get(event.originator_id, AnnualReport)
            if report is None or report.published is None:
                continue
            status = publication_status(
                report.year, top=tenant.parent is None, published=report.published
            )
            out[report.published["disclosure_id"]] = {"year": report.year, **status}
        return out

    # The report -----------------------------------------------------------------------

    def report(
        self,
        principal: Principal,
        tenant_path: str,
        year: int,
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> dict[str, Any]:
        """The report of ``tenant_path`` for ``year`` as it stood then."""
        require_read(principal, tenant_path)
        tenant = self.tenant(tenant_path)
        moment = moment_of(year, as_of, known_at, self.now())
        tables = self.tables([tenant_path], moment)
        draft = self.draft(tenant_path, year, moment)
        inputs = {tenant_path: dict(draft.inputs) if draft else {}}
        tables["proactive"] = annual_figures.proactive(self, moment, inputs)
        published = draft.published if draft else None
        return {
            "tenant": tenant_path,
            "name": tenant.name,
            "year": year,
            "as_of": moment.as_of.isoformat(),
            "known_at": moment.known_at.isoformat(),
            "period": {"from": str(moment.start), "to": str(moment.cut)},
            "sections": {
                str(n): {
                    "title": title,
                    "text": (draft.sections.get(str(n)) if draft else None),
                }
                for n, title in SECTIONS.items()
            },
            "tables": tables,
            "published": published,
            **publication_status(year, top=tenant.parent is None, published=published),
        }

    def tables(self, paths: Collection[str], moment: Moment) -> dict[str, Any]:
        """Tables 三 and 四 over the tenants at ``paths``."""
        return annual_figures.tables(self, paths, moment)

    # The county's summary ---------------------------------------------------------

    def summary(
        self,
        principal: Principal,
        tenant_path: str,
        year: int,
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Tables 三 and 四 added up over ``tenant_path`` and its descendants, and
        who of them owes a report (not villages) and whether it is published."""
        require_read(principal, tenant_path)
        top = self.tenant(tenant_path)
        moment = moment_of(year, as_of, known_at, self.now())
        subtree = {
            e.path: e
            for e in annual_figures.scan(
                self, "domain.tenancy:Tenant.Registered", Subtree(tenant_path), moment
            )
            if is_within(e.path, tenant_path)
        }
        tables = self.tables(set(subtree), moment)
        today = local_date(self.now())
        owed = []
        inputs: dict[str, dict[str, float]] = {}
        for path in subtree:  # table 二: each body's own figures, added up
            draft = self.draft(path, year, moment)
            inputs[path] = dict(draft.inputs) if draft else {}
        tables["proactive"] = annual_figures.proactive(self, moment, inputs)
        for path, registered in sorted(subtree.items()):
            if registered.level == "village" or registered.kind == "community":
                continue  # 基层群众自治组织 are no 行政机关: they owe no report
            draft = self.draft(path, year, moment)
            published = draft.published if draft else None
            status = publication_status(
                year, top=registered.parent is None, published=published
            )
            owed.append(
                {
                    "tenant": path,
                    "name": registered.name,
                    "level": registered.level,
                    "due_on": status["deadline"]["on"],
                    "published": published,
                    "late": status["late"],
                    "overdue": published is None and today > status_due(status),
                }
            )
        return {
            "tenant": tenant_path,
            "name": top.name,
            "year": year,
            "as_of": moment.as_of.isoformat(),
            "known_at": moment.known_at.isoformat(),
            "tenants": len(subtree),
            "tables": tables,
            "reports": owed,
            "not_published": [r["tenant"] for r in owed if r["published"] is None],
            "late": [r["tenant"] for r in owed if r["late"]],
        }


def publication_status(
    year: int, *, top: bool, published: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Draft or published, from when it can be published, its statutory deadline
    (条例第四十九条) and whether its first publication came after it."""
    due = deadline(year, top=top)
    first = published.get("first_on") or published.get("on") if published else None
    late = first is not None and is_late(local_date(datetime.fromisoformat(first)), due)
    return {
        "status": "published" if published else "draft",
        "publishable_from": publishable_from(year).isoformat(),
        "deadline": {"on": due.isoformat(), "basis": DEADLINE_BASIS, "top": top},
        "late": late,
    }


def status_due(status: Mapping[str, Any]) -> date:
    return date.fromisoformat(status["deadline"]["on"])


def publish_report(
    reports: AnnualReports,
    disclosures: Disclosures,
    principal: Principal,
    tenant_path: str,
    year: int,
    *,
    reason: str | None = None,
) -> dict[str, Any]:
    """Publish the report as a disclosure of the tenant (公开栏 and website); a later
    publication is a revision (更正) of the same disclosure and needs a reason."""
    require_role(principal, tenant_path, Role.CLERK)
    report = reports.report(principal, tenant_path, year)
    now = reports.now()
    check_publishable(
        year, local_date(now), report["tables"]["applications"]["unbalanced"]
    )
    published = report["published"]
    first = published["first_on"] if published else now.isoformat()
    as_published = {**published} if published else {"first_on": first}
    body = report_text(
        {
            **report,
            "published": as_published,
            **publication_status(
                year, top=report["deadline"]["top"], published=as_published
            ),
        }
    )
    if published is None:
        out = disclosures.publish(
            principal,
            tenant_path,
            category=ANNUAL_REPORT_CATEGORY,
            title=title_of(report),
            body=body,
            channels=["notice_board", "website"],
            formed_on=local_date(reports.now()),
        )
        disclosure_id, position = out.id, out.position
    else:
        if not reason:
            raise InvalidInputError(
                "the report is published; a correction gives its reason",
                field="reason",
            )
        disclosure_id = UUID(published["disclosure_id"])
        position = disclosures.revise(
            principal, tenant_path, disclosure_id, reason=reason, body=body
        ).position
    changed = reports.record_publication(principal, tenant_path, year, disclosure_id)
    return {
        "disclosure_id": str(disclosure_id),
        "revision": published is not None,
        "position": changed.position,
        "disclosure_position": position,
    }


__all__ = ["AnnualReports", "publication_status", "publish_report"]
