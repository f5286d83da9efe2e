"""Console pages of numbers and the lists behind them: 首页 (the overview), a
tenant's page, the disclosure list and the catalogue coverage.

Every number is the total of a list (``services.disclosures.lists.Listed``) taken at
the page's ``as_of`` and ``known_at``, and links to that list's page, which counts
it with the same query; exports carry the same moments.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from domain.access import Principal, Role
from projections.sql import iso_moment
from services.api.deps import PlatformDep
from services.api.listing import future_warnings
from services.api.present import STATUS_LABELS
from services.api.revalidate import begin, principal_scope
from services.api.routes import (
    catalogue,
    disclosures,
    overview,
    participation,
    tenants,
)
from services.core.views import PROJECTIONS
from services.disclosures.lists import (
    DISCLOSURE_STATUSES,
    Listed,
    Moments,
    Selection,
)
from services.platform.runtime import Platform
from services.web.pages.console import (
    StaffDep,
    can_write,
    future_notes,
    given_moments,
    page_moments,
    see_other,
    tenant_crumbs,
)
from services.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)
StatusQuery = Annotated[list[str] | None, Query()]
SECTION_ROWS = 20
FOLLOWED = tuple(spec.name for spec in PROJECTIONS)  # 首页 reads every view
TENANT_SECTIONS = (  # (anchor, heading, selection): the items a tenant page lists
    ("late", "逾期公开的事项", Selection("disclosures", late=True)),
    (
        "backdated",
        "补录（倒签）的事项",
        Selection("disclosures", statuses=DISCLOSURE_STATUSES, backdated=True),
    ),
    ("withdrawn", "已撤回的事项", Selection("disclosures", statuses=("withdrawn",))),
)


# 首页 ---------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
    known_at: str | None = None,
) -> Response:
    if staff.tenant is None:
        return see_other("/docs")
    supervises = Role.SUPERVISOR in staff.roles or Role.INSPECTOR in staff.roles
    if not supervises:
        return see_other(f"/console/t/{staff.tenant}")
    path = staff.tenant
    # What the page prints depends on the signed-in session too (its CSRF token).
    scope = (*principal_scope(staff), getattr(request.state, "csrf", ""))
    read = begin(request, platform, path, FOLLOWED, scope, html=True)
    if (found := read.found(request)) is not None:
        return found
    moments = page_moments(platform, as_of, known_at)
    rows = overview.overview_rows(path, staff, platform, moments)
    tenant = tenants.tenant_public(platform, path)
    suggestions = participation.suggestion_figures(
        platform, staff, path, year=None, include_descendants=True
    )
    return read.send(
        render(
            request,
            "console_home.html",
            title="首页",
            tenant=tenant,
            rows=rows,
            suggestions=suggestions,
            moments=moments,
            query=moments.query(),
            given=given_moments(as_of, known_at),
            warnings=future_notes(
                platform,
                future_warnings(
                    platform.disclosures.now(),
                    as_of=moments.as_of,
                    known_at=moments.known_at,
                ),
            ),
        )
    )


@router.get("/t/{path}/overview.{fmt}")
def overview_export(
    request: Request,
    path: str,
    fmt: str,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
    known_at: str | None = None,
) -> Response:
    """The 首页 table as CSV or XLSX: the API's own export of the overview."""
    if fmt not in ("csv", "xlsx"):
        return see_other("/console/")
    answer: Response = overview.county_overview(
        path,
        request,
        staff,
        platform,
        as_of=as_of or None,
        known_at=known_at or None,
        format=fmt,  # type: ignore[arg-type]
    )
    return answer


# A tenant's page -------------------------------------------------------------------


def disclosure_page(
    request: Request,
    staff: Principal,
    platform: Platform,
    listed: Listed,
    *,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    format: str | None = None,
) -> Any:
    """The API's disclosure list for ``listed``: its rows and its ``total`` (or,
    with ``format``, its export)."""
    (_, as_of), (_, known_at) = listed.moments.params()
    s = listed.selection
    return disclosures.list_disclosures(
        listed.tenant,
        request,
        staff,
        platform,
        as_of=as_of,
        known_at=known_at,
        category=s.category,
        include_descendants=listed.include_descendants,
        status=list(s.statuses) or None,
        late=s.late,
        backdated=s.backdated,
        q=q,
        cursor=cursor,
        limit=limit,
        format=format,  # type: ignore[arg-type]
    )


def withdrawal_reasons(
    platform: Platform, items: Iterable[Any], moments: Moments
) -> dict[str, str | None]:
    """The reason of each withdrawn item among ``items`` (the list does not say)."""
    view = platform.disclosure_view
    at = {"as_of": iso_moment(moments.as_of), "known_at": iso_moment(moments.known_at)}
    out: dict[str, str | None] = {}
    for i in items:
        if i.withdrawn:
            row = view.get(i.id, **at)
            out[i.id] = row["reason"] if row else None
    return out


@router.get("/t/{path}", response_class=HTMLResponse)
def tenant_page(
    request: Request,
    path: str,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
    known_at: str | None = None,
) -> Response:
    tenant = tenants.get_tenant(path, staff, platform, Response())
    moments = page_moments(platform, as_of, known_at)
    (_, as_of_param), (_, known_at_param) = moments.params()
    status = catalogue.catalogue_status(
        path, request, staff, platform, as_of=as_of_param, known_at=known_at_param
    )
    sections = []
    for anchor, heading, selection in TENANT_SECTIONS:
        listed = Listed(selection, path, False, moments)
        answer = disclosure_page(request, staff, platform, listed, limit=SECTION_ROWS)
        sections.append(
            {"id": anchor, "heading": heading, "listed": listed, "answer": answer}
        )
    return render(
        request,
        "console_tenant.html",
        title=tenant.name,
        crumbs=tenant_crumbs(platform, path, staff),
        tenant=tenant,
        catalogue=status,
        coverage=coverage_links(path, moments),
        items=lambda code: Listed(
            Selection("disclosures", category=code), path, False, moments
        ),
        everything=Listed(Selection("disclosures"), path, False, moments),
        moments=moments,
        query=moments.query(),
        given=given_moments(as_of, known_at),
        sections=sections,
        reasons=withdrawal_reasons(
            platform, (i for s in sections for i in s["answer"].items), moments
        ),
        can_publish=can_write(staff, path, Role.CLERK),
        can_file=can_write(staff, path, Role.CLERK, Role.HANDLER),
        can_admin=staff.is_installation_admin or Role.ADMIN in staff.roles,
    )


def coverage_links(path: str, moments: Moments) -> dict[str, Listed]:
    """The coverage lists of a tenant's own categories: all, missing, overdue."""
    return {
        name: Listed(Selection("coverage", statuses=statuses), path, False, moments)
        for name, statuses in (
            ("required", ()),
            ("missing", ("missing",)),
            ("overdue", ("overdue",)),
        )
    }


# The disclosure list ---------------------------------------------------------------


def listed_disclosures(
    path: str,
    moments: Moments,
    include_descendants: bool,
    status: list[str] | None,
    late: bool | None,
    backdated: bool | None,
    category: str | None,
    q: str | None,
) -> Listed:
    return Listed(
        Selection(
            "disclosures",
            statuses=tuple(status or ()),
            late=late,
            backdated=backdated,
            category=category or None,
        ),
        path,
        include_descendants,
        moments,
        extra=(("q", q),) if q else (),
    )


@router.get("/t/{path}/disclosures", response_class=HTMLResponse)
def disclosure_list(
    request: Request,
    path: str,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
    known_at: str | None = None,
    include_descendants: bool = False,
    status: StatusQuery = None,
    late: bool | None = None,
    backdated: bool | None = None,
    category: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
) -> Response:
    """The API's disclosure list with its filters; numbers elsewhere link here."""
    tenant = tenants.get_tenant(path, staff, platform, Response())
    moments = page_moments(platform, as_of, known_at)
    listed = listed_disclosures(
        path, moments, include_descendants, status, late, backdated, category, q
    )
    answer = disclosure_page(
        request, staff, platform, listed, q=q or None, cursor=cursor
    )
    entries = platform.disclosures.catalogue_for(platform.disclosures.tenant(path))
    return render(
        request,
        "console_disclosures.html",
        title=f"{tenant.name} 公开事项",
        crumbs=[*tenant_crumbs(platform, path, staff), ("公开事项", "")],
        tenant=tenant,
        answer=answer,
        listed=listed,
        reasons=withdrawal_reasons(platform, answer.items, moments),
        moments=moments,
        given=given_moments(as_of, known_at),
        filters={
            "status": set(status or ()),
            "late": late,
            "backdated": backdated,
            "category": category or "",
            "q": q or "",
            "include_descendants": include_descendants,
        },
        statuses=[(s, STATUS_LABELS[s]) for s in DISCLOSURE_STATUSES],
        categories=[(e.code, f"{e.level1} · {e.level2}") for e in entries],
    )


@router.get("/t/{path}/disclosures.{fmt}")
def disclosure_export(
    request: Request,
    path: str,
    fmt: str,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
    known_at: str | None = None,
    include_descendants: bool = False,
    status: StatusQuery = None,
    late: bool | None = None,
    backdated: bool | None = None,
    category: str | None = None,
    q: str | None = None,
) -> Response:
    """The list as CSV or XLSX: the API's own export, with the same filters."""
    if fmt not in ("csv", "xlsx"):
        return see_other(f"/console/t/{path}/disclosures")
    moments = page_moments(platform, as_of, known_at)
    listed = listed_disclosures(
        path, moments, include_descendants, status, late, backdated, category, q
    )
    answer: Response = disclosure_page(
        request, staff, platform, listed, q=q or None, format=fmt
    )
    return answer


# Catalogue coverage ----------------------------------------------------------------


@router.get("/t/{path}/coverage", response_class=HTMLResponse)
def coverage_list(
    request: Request,
    path: str,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
    known_at: str | None = None,
    include_descendants: bool = False,
    status: StatusQuery = None,
) -> Response:
    """The required categories of a tenant (or its subtree) and their state: the
    list the overview's 应公开类别, 缺项 and 逾期未更新 count."""
    tenant = tenants.get_tenant(path, staff, platform, Response())
    moments = page_moments(platform, as_of, known_at)
    (_, as_of_param), (_, known_at_param) = moments.params()
    answer = catalogue.catalogue_status(
        path,
        request,
        staff,
        platform,
        as_of=as_of_param,
        known_at=known_at_param,
        include_descendants=include_descendants,
        items_per_category=1,
        status=status,
    )
    blocks = answer.blocks if include_descendants else [answer]
    listed = Listed(
        Selection("coverage", statuses=tuple(status or ())),
        path,
        include_descendants,
        moments,
    )
    return render(
        request,
        "console_coverage.html",
        title=f"{tenant.name} 公开目录完成情况",
        crumbs=[*tenant_crumbs(platform, path, staff), ("公开目录完成情况", "")],
        tenant=tenant,
        blocks=blocks,
        total=sum(len(b.categories) for b in blocks),
        listed=listed,
        items=lambda where, code: Listed(
            Selection("disclosures", category=code), where, False, moments
        ),
        moments=moments,
        given=given_moments(as_of, known_at),
        filters={
            "status": set(status or ()),
            "include_descendants": include_descendants,
        },
        statuses=[(s, STATUS_LABELS[s]) for s in catalogue.COVERAGE_STATUSES],
    )
