"""The console's integrator clients (系统对接): list, register, rotate, revoke.

Each handler calls the service the API route calls; a new or rotated secret is shown
on the answer page once (``Cache-Control: no-store``, as every console page) and
never again.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from domain.access import Role, require_subtree_role
from domain.errors import GongkaiError
from services.api.deps import PlatformDep
from services.api.routes import tenants
from services.api.routes.clients import public
from services.api.staff_schemas import ClientCreate, ClientRevoke
from services.platform.runtime import Platform
from services.streams.cloudevents import families
from services.web.forms import FormErrors, body_from_form, parse
from services.web.pages.console import FormDep, StaffDep, see_other, tenant_crumbs
from services.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)
FAMILY_LABELS = {
    "assessment": "考核评议",
    "audit": "审计检查点",
    "case": "办件",
    "disclosure": "公开事项",
    "reference": "基础数据",
    "reporting": "年度报告",
    "staff": "工作人员与对接系统",
    "tenancy": "单位",
}


def clients_view(
    request: Request,
    path: str,
    staff: Any,
    platform: Platform,
    *,
    errors: FormErrors | None = None,
    form: dict[str, Any] | None = None,
    secret: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    tenant = tenants.get_tenant(path, staff, platform, Response())
    require_subtree_role(staff, path, Role.ADMIN)
    items = [public(platform, c) for c in platform.clients.list(staff, path)]
    errors = errors or FormErrors()
    return render(
        request,
        "console_clients.html",
        status_code=status_code,
        title=("错误：" if errors else "") + "对接系统",
        crumbs=[*tenant_crumbs(platform, path, staff), ("对接系统", "")],
        tenant=tenant,
        items=items,
        families=[(f, FAMILY_LABELS.get(f, f)) for f in families()],
        family_labels=FAMILY_LABELS,
        errors=errors,
        form=form or {},
        secret=secret,
    )


@router.get("/t/{path}/clients", response_class=HTMLResponse)
def clients_page(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep
) -> Response:
    return clients_view(request, path, staff, platform)


@router.post("/t/{path}/clients", response_class=HTMLResponse)
async def register(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep, form: FormDep
) -> Response:
    data = body_from_form(ClientCreate, form)
    data["families"] = [str(f) for f in (await request.form()).getlist("families")]
    body, errors = parse(ClientCreate, data)
    if body is None:
        return clients_view(
            request, path, staff, platform, errors=errors, form=form, status_code=422
        )
    assert isinstance(body, ClientCreate)
    try:
        client, secret, _ = platform.clients.register(
            staff,
            path,
            name=body.name,
            families=body.families,
        )
    except GongkaiError as e:
        fails = FormErrors.from_problem(e, "name", "ClientCreate")
        return clients_view(
            request,
            path,
            staff,
            platform,
            errors=fails,
            form=form,
            status_code=e.status,
        )
    shown = {"name": client.name, "client_id": client.client_id, "secret": secret}
    return clients_view(request, path, staff, platform, secret=shown)


@router.post("/t/{path}/clients/{client_id}/rotate", response_class=HTMLResponse)
def rotate(
    request: Request,
    path: str,
    client_id: str,
    staff: StaffDep,
    platform: PlatformDep,
    form: FormDep,
) -> Response:
    client, secret, _ = platform.clients.rotate(staff, path, client_id)
    shown = {"name": client.name, "client_id": client.client_id, "secret": secret}
    return clients_view(request, path, staff, platform, secret=shown)


@router.post("/t/{path}/clients/{client_id}/revoke", response_class=HTMLResponse)
def revoke(
    request: Request,
    path: str,
    client_id: str,
    staff: StaffDep,
    platform: PlatformDep,
    form: FormDep,
) -> Response:
    body, errors = parse(ClientRevoke, body_from_form(ClientRevoke, form))
    if body is None:
        return clients_view(
            request, path, staff, platform, errors=errors, form=form, status_code=422
        )
    assert isinstance(body, ClientRevoke)
    platform.clients.revoke(staff, path, client_id, body.reason)
    return see_other(f"/console/t/{path}/clients")
