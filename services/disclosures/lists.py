"""The lists the API and the console show, and the counts that open them.

A number on 首页, a tenant's page or an export (an overview cell, a category's
共 N 项, a section's total) is the total of one list: the disclosure list, the case
list or the catalogue coverage, of one tenant or its subtree, at one ``as_of`` and
``known_at``, with some filters. ``Listed`` names that list; the number is counted
from it by the list's own query grouped by tenant (``count_by_tenant`` of the
disclosure and case views, the catalogue's coverage), and the link is made from it,
so the number and the list it opens cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Literal
from urllib.parse import urlencode

from domain.disclosures.coverage import CategoryCoverage
from domain.timeliness import SHANGHAI, local_date
from projections.case_list import CaseFilter, CaseList
from projections.disclosure_queries import TenantCount
from projections.disclosures import ListFilter
from projections.sql import iso_moment
from services.core.ports import Running

ListKind = Literal["disclosures", "cases", "coverage"]
API_PATHS: dict[ListKind, str] = {
    "disclosures": "disclosures",
    "cases": "cases",
    "coverage": "catalogue",
}
DISCLOSURE_STATUSES = ("published", "revised", "withdrawn")
EVERY_STATUS = DISCLOSURE_STATUSES  # withdrawn items too: they happened


def moment_param(moment: datetime) -> str:
    """A moment as a query parameter ``parse_moment`` reads back exactly: the day
    (``2026-10-31``) for the last instant of a China day, else China time without
    an offset (``2026-11-20T10:00:00.123456``)."""
    local = moment.astimezone(SHANGHAI)
    if local.time() == time.max:
        return local.date().isoformat()
    return local.replace(tzinfo=None).isoformat()


@dataclass(frozen=True)
class Moments:
    """When a list or count is taken: as things stood at ``as_of`` (effective
    time), as the platform knew them at ``known_at`` (recorded time)."""

    as_of: datetime
    known_at: datetime

    def params(self) -> list[tuple[str, str]]:
        return [
            ("as_of", moment_param(self.as_of)),
            ("known_at", moment_param(self.known_at)),
        ]

    def query(self) -> str:
        return urlencode(self.params())


@dataclass(frozen=True)
class Selection:
    """What a count picks within its list, as the list's filters.

    ``statuses``: for disclosures ``published`` (never revised), ``revised``,
    ``withdrawn`` (none: every public item); for coverage ``covered``,
    ``missing``, ``overdue`` (none: every required category)."""

    kind: ListKind
    statuses: tuple[str, ...] = ()
    late: bool | None = None
    backdated: bool | None = None
    category: str | None = None
    open: bool | None = None
    overdue: bool | None = None

    def params(self) -> list[tuple[str, str]]:
        """The list's query parameters for this selection, as the API names them."""
        out = [("status", s) for s in self.statuses]
        for name in ("late", "backdated", "open", "overdue"):
            value = getattr(self, name)
            if value is not None:
                out.append((name, "true" if value else "false"))
        if self.category is not None:
            out.append(("category", self.category))
        return out

    def disclosure_filter(self, backdating_window: int) -> ListFilter:
        return ListFilter(
            statuses=self.statuses,
            late=self.late,
            backdated=self.backdated,
            backdating_window=backdating_window,
        )

    def case_filter(self, scope: CaseFilter) -> CaseFilter:
        """``scope`` (tenant, moments, descriptive filters) with this selection."""
        return replace(scope, open=self.open, late=self.late, overdue=self.overdue)


@dataclass(frozen=True)
class Listed:
    """One list: its kind and selection, whose (``tenant``, with its subtree or
    not) and when. A count shown anywhere is the total of one of these."""

    selection: Selection
    tenant: str
    include_descendants: bool
    moments: Moments
    extra: tuple[tuple[str, str], ...] = field(default=())

    def params(self) -> list[tuple[str, str]]:
        out = self.moments.params()
        if self.include_descendants:
            out.append(("include_descendants", "true"))
        return out + self.selection.params() + list(self.extra)

    def query(self) -> str:
        return urlencode(self.params())

    def console_url(self) -> str:
        return f"/console/t/{self.tenant}/{self.selection.kind}?{self.query()}"

    def api_url(self) -> str:
        kind = API_PATHS[self.selection.kind]
        return f"/v1/tenants/{self.tenant}/{kind}?{self.query()}"


def case_scope(
    tenant: str,
    *,
    include_descendants: bool,
    moments: Moments | None,
    now: datetime,
    received_to: date | None = None,
) -> CaseFilter:
    """The case list's scope: without moments, the cases as they are now; with
    them, the cases received by ``as_of`` (China day), each as the platform knew
    it at the earlier of ``as_of`` and ``known_at``, and "late" judged on
    ``as_of``'s day (today at most)."""
    if moments is None:
        return CaseFilter(
            tenant=tenant,
            today=local_date(now),
            include_descendants=include_descendants,
            received_to=received_to,
        )
    last_day = local_date(moments.as_of)
    return CaseFilter(
        tenant=tenant,
        today=local_date(min(moments.as_of, now)),
        include_descendants=include_descendants,
        received_to=min(received_to, last_day) if received_to else last_day,
        known_at=iso_moment(min(moments.as_of, moments.known_at)),
    )


def count_by_tenant(
    platform: Running,
    tenant: str,
    *,
    include_descendants: bool,
    moments: Moments,
    now: datetime,
    selections: Mapping[str, Selection],
    coverage: Mapping[str, Sequence[CategoryCoverage]] | None = None,
) -> dict[str, dict[str, TenantCount]]:
    """Per selection (by name), per tenant of the scope: the total of its list,
    each by that list's own query grouped by tenant (the coverage lists by the
    ``coverage`` the catalogue computed for each tenant)."""
    view = platform.disclosure_view
    window = platform.disclosures.backdating_window
    at = {"as_of": iso_moment(moments.as_of), "known_at": iso_moment(moments.known_at)}
    out: dict[str, dict[str, TenantCount]] = {}
    cases: list[tuple[str, Selection]] = []
    for name, s in selections.items():
        if s.kind == "disclosures":
            out[name] = view.count_by_tenant(
                tenant,
                include_descendants=include_descendants,
                category=s.category,
                filters=s.disclosure_filter(window),
                **at,
            )
        elif s.kind == "coverage":
            out[name] = {
                path: TenantCount(
                    sum(not s.statuses or c.status in s.statuses for c in found), 0
                )
                for path, found in (coverage or {}).items()
            }
        else:
            cases.append((name, s))
    scope = case_scope(
        tenant, include_descendants=include_descendants, moments=moments, now=now
    )
    counted = CaseList(platform.case_view).count_by_tenant(
        *(s.case_filter(scope) for _, s in cases)
    )
    for (name, _), per_tenant in zip(cases, counted, strict=True):
        out[name] = {path: TenantCount(n, 0) for path, n in per_tenant.items()}
    return out
