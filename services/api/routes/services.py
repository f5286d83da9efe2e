"""A tenant's service promises (服务承诺): the 15 services, editable per tenant."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from domain.access import require_read
from services.api.deps import PlatformDep, PrincipalDep

router = APIRouter(prefix="/tenants/{path}/services", tags=["cases"])


class ServicesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "entries": [
                        {
                            "code": "svc.deed-tax",
                            "name": "代理契税、耕地占用税、非税收入征缴",
                            "department": "经济发展服务部",
                            "materials": ["身份证", "房屋买卖合同"],
                            "promised_working_days": 3,
                            "kind": "service_request",
                        }
                    ]
                }
            ]
        },
    )
    entries: list[dict[str, Any]] = Field(
        max_length=200, description="edited or new services; same code replaces"
    )


class ServicesOut(BaseModel):
    tenant: str
    version: int = Field(description="0 while the defaults are in force here")
    entries: list[dict[str, Any]]


@router.get(
    "",
    response_model=ServicesOut,
    summary="The services and promised working days in force for a tenant",
)
def services(path: str, principal: PrincipalDep, platform: PlatformDep) -> ServicesOut:
    require_read(principal, path)
    platform.cases.tenant(path)
    entries = platform.cases.services_for(path)
    return ServicesOut(
        tenant=path,
        version=platform.reference.services_version(path),
        entries=[e.to_dict() for e in entries],
    )


@router.put(
    "",
    response_model=ServicesOut,
    summary="Edit the tenant's promises on top of the defaults (admin, supervisor)",
)
def edit(
    path: str, body: ServicesIn, principal: PrincipalDep, platform: PlatformDep
) -> ServicesOut:
    version, _, merged = platform.reference.load_services(principal, path, body.entries)
    return ServicesOut(
        tenant=path, version=version, entries=[e.to_dict() for e in merged]
    )
