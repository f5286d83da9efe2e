"""Tenants: register, rename, look up (scoped to the caller's subtree)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from domain.access import require_read
from domain.tenancy import Level, UnitKind
from projections.tenant_directory import TenantDirectory
from services.api.deps import ExpectedVersionDep, PlatformDep, PrincipalDep
from services.api.mirrored import refuse_if_mirrored
from services.api.schemas import (
    TenantCreate,
    TenantList,
    TenantPublic,
    TenantRename,
    TenantSummary,
)

router = APIRouter(prefix="/tenants", tags=["tenants"])


def summary(row: dict[str, Any]) -> TenantSummary:
    kind = row["kind"]
    return TenantSummary(
        path=row["path"],
        code=row["code"],
        name=row["name"],
        level=row["level"],
        level_label=Level(row["level"]).label,
        kind=kind,
        kind_label=UnitKind(kind).label if kind else None,
        parent=row["parent"],
    )


def tenant_public(platform: PlatformDep, path: str) -> TenantPublic:
    """The tenant from its aggregate (always current), its children from the view."""
    tenant = platform.tenants.tenant(path)
    own = summary(
        {
            "path": tenant.path,
            "code": tenant.code,
            "name": tenant.name,
            "level": tenant.level.value,
            "kind": tenant.kind.value if tenant.kind else None,
            "parent": tenant.parent,
        }
    )
    if tenant.parent:
        parent = platform.directory.get(tenant.parent)
        own.parent_name = parent["name"] if parent else None
    children = [
        summary(c).model_copy(update={"parent_name": tenant.name})
        for c in platform.directory.children(path)
    ]
    return TenantPublic(**own.model_dump(), version=tenant.version, children=children)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TenantPublic,
    summary="Register a county, town, village or unit",
)
def register(
    body: TenantCreate,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
    request: Request,
) -> TenantPublic:
    refuse_if_mirrored(
        request, f"{body.parent}.{body.code}" if body.parent else body.code
    )
    path, position = platform.tenants.register(
        principal,
        code=body.code,
        name=body.name,
        level=body.level,
        parent=body.parent,
        kind=body.kind,
    )
    platform.wait(TenantDirectory.name, position)
    response.headers["Location"] = f"/v1/tenants/{path}"
    response.headers["ETag"] = '"1"'
    return tenant_public(platform, path)


@router.get("", response_model=TenantList, summary="The root tenants you may see")
def roots(principal: PrincipalDep, platform: PlatformDep) -> TenantList:
    if principal.is_installation_admin:
        rows = platform.directory.roots()
    elif principal.tenant is None:
        rows = []
    else:
        row = platform.directory.get(principal.tenant)
        rows = [row] if row else []
    return TenantList(items=[summary(r) for r in rows])


@router.get(
    "/{path}", response_model=TenantPublic, summary="A tenant with its children"
)
def get_tenant(
    path: str, principal: PrincipalDep, platform: PlatformDep, response: Response
) -> TenantPublic:
    require_read(principal, path)
    public = tenant_public(platform, path)
    response.headers["ETag"] = f'"{public.version}"'
    return public


@router.post(
    "/{path}/rename",
    response_model=TenantPublic,
    summary="Rename a tenant (code and path never change)",
)
def rename(
    path: str,
    body: TenantRename,
    principal: PrincipalDep,
    platform: PlatformDep,
    expected: ExpectedVersionDep,
    response: Response,
) -> TenantPublic:
    tenant, position = platform.tenants.rename(principal, path, body.name, expected)
    platform.wait(TenantDirectory.name, position)
    response.headers["ETag"] = f'"{tenant.version}"'
    return tenant_public(platform, path)
