"""The console's public participation pages: 建议提案 (见面率, 答复率, 满意率 per
unit and year, the suggestions themselves, CSV/XLSX), through the API's functions."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.api.deps import PlatformDep
from services.api.routes import participation, tenants
from services.web.pages.console import StaffDep, see_other, tenant_crumbs
from services.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)


def year_of(text: str | None) -> int | None:
    """A page's ``year`` (an empty or malformed field: this year)."""
    return int(text) if text and text.isdigit() and 2000 <= int(text) <= 2100 else None


@router.get("/t/{path}/suggestions", response_class=HTMLResponse)
def suggestions_page(
    request: Request,
    path: str,
    staff: StaffDep,
    platform: PlatformDep,
    year: str | None = None,
) -> Response:
    report = participation.suggestion_figures(
        platform, staff, path, year=year_of(year), include_descendants=True
    )
    tenant = tenants.tenant_public(platform, path)
    return render(
        request,
        "console_suggestions.html",
        title=f"{tenant.name}建议提案办理",
        crumbs=[*tenant_crumbs(platform, path, staff), ("建议提案", "")],
        tenant=tenant,
        report=report,
    )


@router.get("/t/{path}/suggestions.{fmt}")
def suggestions_export(
    request: Request,
    path: str,
    fmt: str,
    staff: StaffDep,
    platform: PlatformDep,
    year: str | None = None,
) -> Response:
    """The page's table as CSV or XLSX: the API's own export."""
    if fmt not in ("csv", "xlsx"):
        return see_other(f"/console/t/{path}/suggestions")
    answer: Response = participation.get_suggestion_figures(
        path,
        request,
        staff,
        platform,
        year=year_of(year),
        include_descendants=True,
        format=fmt,  # type: ignore[arg-type]
    )
    return answer


@router.get("/t/{path}/supervisors", response_class=HTMLResponse)
def supervisors_page(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep
) -> Response:
    """The register of social supervisors (聘请 and 解聘 through the API)."""
    register = participation.get_supervisors(path, staff, platform)
    tenant = tenants.tenant_public(platform, path)
    return render(
        request,
        "console_supervisors.html",
        title=f"{tenant.name}社会监督员",
        crumbs=[*tenant_crumbs(platform, path, staff), ("社会监督员", "")],
        tenant=tenant,
        register=register,
    )


@router.get("/t/{path}/questionnaires", response_class=HTMLResponse)
def questionnaires_page(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep
) -> Response:
    """问卷调查 for staff: every questionnaire's results, free text included."""
    tenant = tenants.tenant_public(platform, path)
    forms = platform.questionnaires
    found = [forms.staff_results(staff, path, q.number) for q in forms.all(path)]
    return render(
        request,
        "console_questionnaires.html",
        title=f"{tenant.name}问卷调查",
        crumbs=[*tenant_crumbs(platform, path, staff), ("问卷调查", "")],
        tenant=tenant,
        questionnaires=found,
    )
