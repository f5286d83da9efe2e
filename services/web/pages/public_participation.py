"""The public board's 公众参与 page (no sign-in): what a unit reports of the
public's part in its work, starting with the 建议提案 it handled (counts and rates
only: no proposer, no text of the answers) and its current social supervisors
(number, name and category as the unit publishes them; no contact of any kind)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from domain.timeliness import local_date
from services.api.deps import PlatformDep
from services.api.routes import participation, tenants
from services.web.pages.public import crumbs_for, reader
from services.web.templating import render

router = APIRouter(prefix="/gongkai", include_in_schema=False)


@router.get("/{path}/participation", response_class=HTMLResponse)
def participation_page(
    request: Request, path: str, platform: PlatformDep
) -> HTMLResponse:
    tenant = tenants.tenant_public(platform, path)  # unknown → 404 page
    this_year = local_date(platform.cases.now()).year
    years = [
        participation.suggestion_figures(
            platform, reader(path), path, year=year, include_descendants=False
        )
        for year in (this_year, this_year - 1)
    ]
    for report in years:
        report.pop("suggestions")  # figures only on the public board
    return render(
        request,
        "public_participation.html",
        title=f"{tenant.name}公众参与",
        crumbs=[*crumbs_for(platform, path), ("公众参与", "")],
        tenant=tenant,
        years=years,
        supervisors=platform.supervisors.public_names(path),
        reviews=platform.meetings.public(path),
        plans=platform.remediation.listing(path)["plans"],
    )
