"""The power list's pages: on the public board (权责清单, each power with its
flowchart, the steps as an ordered list, its risk points and measures) and in the
console (versions, the 清权确权 review, every unit's coverage for the county)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from domain.access import Principal, Role
from domain.errors import GongkaiError
from domain.powers.errors import PowerListNotFoundError, PowerNotFoundError
from domain.powers.power_list import PowerList
from domain.powers.vocabulary import PowerKind
from domain.timeliness import local_date
from projections.powers import PowerListProjection
from services.api.deps import PlatformDep
from services.api.routes import powers as routes
from services.api.routes import tenants
from services.platform.runtime import Platform
from services.powers.flowchart import render_flowchart
from services.powers.reading import list_dict, unit_coverage
from services.web.forms import problem_words
from services.web.pages.console import tenant_crumbs
from services.web.pages.public import crumbs_for
from services.web.session import check_csrf, require_staff
from services.web.templating import render

public_router = APIRouter(prefix="/gongkai", include_in_schema=False)
console_router = APIRouter(prefix="/console", include_in_schema=False)
StaffDep = Annotated[Principal, Depends(require_staff)]
FormDep = Annotated[dict[str, Any], Depends(check_csrf)]
KIND_ORDER = [k.value for k in PowerKind]


def in_force(platform: Platform, path: str) -> PowerList:
    """The list, for the public: 404 unless a version is in force."""
    plist = platform.powers.power_list(path)
    if plist is None or plist.in_force is None:
        raise PowerListNotFoundError(f"{path} has no power list in force", field="path")
    return plist


def by_kind(data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The powers grouped by kind, in the national order of kinds."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for power in sorted(data["powers"], key=lambda p: KIND_ORDER.index(p["kind"])):
        groups.setdefault(power["kind_label"], []).append(power)
    risks: dict[str, int] = {}
    for risk in data["risks"]:
        risks[risk["power"]] = risks.get(risk["power"], 0) + 1
    for powers in groups.values():
        for power in powers:
            power["risk_count"] = risks.get(power["code"], 0)
    return list(groups.items())


def fee_item_shown(
    platform: Platform, path: str, code: str | None
) -> dict[str, str] | None:
    """A power's fee item as the page shows it: the item of the unit's fee standard
    (name, rate, unit) and the link to the standard's section on the 公开栏
    (``#fee-<code>``); None for no item (or one the standard no longer holds)."""
    if code is None:
        return None
    item = platform.powers.fee_items(path).get(code)
    if item is None:
        return None
    return {**item, "href": f"/gongkai/{path}#fee-{code}"}


def power_page(
    request: Request,
    platform: Platform,
    plist: PowerList,
    code: str,
    version: int | None,
    crumbs: list[Any],
    console: bool,
) -> HTMLResponse:
    listing = plist.listing(version)
    power = listing.power(code)
    if power is None:
        raise PowerNotFoundError(f"{plist.tenant} lists no power {code}", field="code")
    data = list_dict(plist, version)
    shown = next(p for p in data["powers"] if p["code"] == code)
    return render(
        request,
        "powers_item.html",
        title=power.name,
        crumbs=[*crumbs, (power.name, "")],
        power=shown,
        fee_item=fee_item_shown(platform, plist.tenant, power.fee_item),
        risks=[r for r in data["risks"] if r["power"] == code],
        svg=Markup(render_flowchart(power)),  # noqa: S704 - escaped by the renderer
        console=console,
        path=plist.tenant,
    )


@public_router.get("/{path}/powers", response_class=HTMLResponse)
def public_list(request: Request, path: str, platform: PlatformDep) -> HTMLResponse:
    tenant = tenants.tenant_public(platform, path)
    plist = in_force(platform, path)
    data = list_dict(plist)
    return render(
        request,
        "powers_list.html",
        title=f"{tenant.name}权责清单",
        crumbs=[*crumbs_for(platform, path), ("权责清单", "")],
        tenant=tenant,
        data=data,
        groups=by_kind(data),
        approved_at=plist.approved_at.get(plist.in_force or 0),
        base=f"/gongkai/{path}/powers",
        console=False,
    )


@public_router.get("/{path}/powers/{code}", response_class=HTMLResponse)
def public_power(
    request: Request, path: str, code: str, platform: PlatformDep
) -> HTMLResponse:
    tenants.tenant_public(platform, path)
    plist = in_force(platform, path)
    crumbs = [*crumbs_for(platform, path), ("权责清单", f"/gongkai/{path}/powers")]
    return power_page(request, platform, plist, code, None, crumbs, console=False)


def console_view(
    request: Request,
    path: str,
    staff: Principal,
    platform: Platform,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    tenant = tenants.tenant_public(platform, path)
    plist = platform.powers.read(staff, path) if _has_list(platform, path) else None
    shown = None
    if plist is not None:
        shown = list_dict(plist, plist.pending or plist.in_force)
    rows = platform.views[PowerListProjection.name].current(path)
    units = unit_coverage(path, platform.directory.subtree(path), rows)
    today = local_date(platform.powers.now())
    running = (
        routes.case_figures(path, staff, platform, today.year)["powers"]
        if plist is not None and plist.in_force is not None
        else []
    )
    return render(
        request,
        "console_powers.html",
        status_code=status_code,
        title=f"{tenant.name}权责清单",
        crumbs=[*tenant_crumbs(platform, path, staff), ("权责清单", "")],
        tenant=tenant,
        plist=plist,
        data=shown,
        groups=by_kind(shown) if shown else [],
        units=units,
        running=running,
        year=today.year,
        versions=platform.views[PowerListProjection.name].versions(path),
        can_review=Role.SUPERVISOR in staff.roles,
        error=error,
        base=f"/console/t/{path}/powers",
        console=True,
    )


def _has_list(platform: Platform, path: str) -> bool:
    return platform.powers.power_list(path) is not None


@console_router.get("/t/{path}/powers", response_class=HTMLResponse)
def console_list(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep
) -> HTMLResponse:
    return console_view(request, path, staff, platform)


@console_router.get("/t/{path}/powers/{code}", response_class=HTMLResponse)
def console_power(
    request: Request, path: str, code: str, staff: StaffDep, platform: PlatformDep
) -> HTMLResponse:
    plist = platform.powers.read(staff, path)
    crumbs = [
        *tenant_crumbs(platform, path, staff),
        ("权责清单", f"/console/t/{path}/powers"),
    ]
    version = plist.pending or plist.in_force
    return power_page(request, platform, plist, code, version, crumbs, console=True)


@console_router.post("/t/{path}/powers/review", response_class=HTMLResponse)
def review(
    request: Request,
    path: str,
    staff: StaffDep,
    platform: PlatformDep,
    form: FormDep,
) -> Response:
    """清权确权 from the console: approve, or return with an opinion."""
    raw = str(form.get("version") or "")
    version = int(raw) if raw.isdigit() and len(raw) < 8 else 0
    opinion = str(form.get("opinion") or "")
    try:
        if form.get("decision") == "return":
            platform.powers.send_back(staff, path, version, opinion)
        else:
            platform.powers.approve(staff, path, version, opinion)
    except GongkaiError as e:
        return console_view(request, path, staff, platform, problem_words(e), e.status)
    return RedirectResponse(f"/console/t/{path}/powers", status_code=303)
