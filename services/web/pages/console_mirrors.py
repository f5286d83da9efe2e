"""The console's mirrors (镜像): the counties this installation holds and verifies.

A prefecture installation mirrors its counties' installations (docs/federation.md);
this page lists each mirror as ``gongkai mirror status`` prints it: the county,
where it is read from, the position verified up to, how far behind the county it
is (lag, in events), its state in words, and the proof of a fork when one stopped
it. The statuses are ``Platform.mirrors()``, what ``/v1/health`` lists; an
installation without mirrors says how to add one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from domain.access import Principal, Role, require_subtree_role
from domain.errors import ForbiddenError
from services.api.deps import PlatformDep
from services.platform.runtime import Platform
from services.web.pages.console import StaffDep
from services.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)
SOURCE_LABELS = {"feed": "HTTP 数据流", "kafka": "Kafka"}


def require_mirror_reader(staff: Principal) -> None:
    """Mirrors belong to the installation: its admin, or a supervisor or admin of
    a top-level tenant (the prefecture itself), may read them."""
    if staff.is_installation_admin:
        return
    if not staff.tenant or "." in staff.tenant:
        raise ForbiddenError("镜像只对本安装顶级单位的监督人员和管理员开放")
    require_subtree_role(staff, staff.tenant, Role.SUPERVISOR, Role.ADMIN)


def mirror_statuses(platform: Platform) -> list[dict[str, Any]]:
    """Every mirror's status (``Platform.mirrors``), by name."""
    found = platform.mirrors()
    return [found[name] for name in sorted(found)]


def shown(status: dict[str, Any]) -> dict[str, Any]:
    """One row of the table: the status with its words."""
    kafka = status.get("kafka")
    return {
        **status,
        "county": status.get("county_name") or status.get("top") or status["name"],
        "source_label": SOURCE_LABELS["kafka" if kafka else "feed"],
        "source": kafka or status.get("feed", ""),
        "stopped": str(status.get("state", "")).startswith("stopped"),
    }


@router.get("/mirrors", response_class=HTMLResponse)
def mirrors_page(request: Request, staff: StaffDep, platform: PlatformDep) -> Response:
    require_mirror_reader(staff)
    found = mirror_statuses(platform)
    items = [shown(s) for s in found]
    return render(
        request,
        "console_mirrors.html",
        title="镜像",
        crumbs=[("首页", "/console/"), ("镜像", "")],
        items=items,
        behind=sum(1 for s in items if s.get("lag")),
        stopped=sum(1 for s in items if s["stopped"]),
    )
