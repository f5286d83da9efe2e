"""The console's 镜像的县: the counties this installation mirrors.

See docs/federation.md.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.api.deps import PlatformDep
from services.mirror.health import alerts
from services.web.pages.console import StaffDep
from services.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/mirrors", response_class=HTMLResponse)
def mirrors_page(request: Request, staff: StaffDep, platform: PlatformDep) -> Response:
    """State, position, lag and any fork of each mirror, read fresh (not a page
    kept by the views' positions: a fork shows at once)."""
    report = platform.mirrors()
    return render(
        request,
        "console_mirrors.html",
        title="镜像的县",
        items=list(report.values()),
        alerts=alerts(report),
    )
