"""The console's 座谈会/项目审查会 and 限期治理 page: every meeting with its
opinions, the answers and those overdue, and the plans with their state (recorded
through the API)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.api.deps import PlatformDep
from services.api.routes import tenants
from services.web.pages.console import StaffDep, tenant_crumbs
from services.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/t/{path}/meetings", response_class=HTMLResponse)
def meetings_page(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep
) -> Response:
    book = platform.meetings.book(staff, path)
    plans = platform.remediation.book(staff, path)
    tenant = tenants.tenant_public(platform, path)
    return render(
        request,
        "console_meetings.html",
        title=f"{tenant.name}座谈会与限期治理",
        crumbs=[*tenant_crumbs(platform, path, staff), ("座谈会与限期治理", "")],
        tenant=tenant,
        book=book,
        plans=plans,
    )
