"""A tenant's service promises (服务承诺): the 15 services, editable per tenant."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from domain.access import require_read
from domain.cases.rules import MAX_PROMISED_WORKING_DAYS, CaseKind, spellings
from domain.cases.service_catalogue import (
    MAX_MATERIAL,
    MAX_MATERIALS,
    MAX_SERVICE_NAME,
    SERVICE_CODE,
    Department,
)
from services.api.bodies import TRIMMED
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import MAX_INT, BodyModel, one_of

router = APIRouter(prefix="/tenants/{path}/services", tags=["cases"])


class ServiceEntryIn(BodyModel):
    """One service: a new code adds it, a code of the defaults replaces that one."""

    code: str = Field(description="svc.…", pattern=SERVICE_CODE.pattern)
    name: str = Field(
        max_length=MAX_SERVICE_NAME, json_schema_extra={"pattern": TRIMMED}
    )
    department: str = Field(json_schema_extra=one_of(spellings(Department)))
    materials: list[
        Annotated[
            str, Field(max_length=MAX_MATERIAL, json_schema_extra={"pattern": TRIMMED})
        ]
    ] = Field(
        default_factory=list,
        max_length=MAX_MATERIALS,
        json_schema_extra={"uniqueItems": True},
    )
    promised_working_days: int = Field(ge=1, le=MAX_PROMISED_WORKING_DAYS)
    kind: str = Field(
        default=CaseKind.SERVICE_REQUEST.value,
        json_schema_extra=one_of(spellings(CaseKind)),
    )
    item: int | None = Field(default=None, ge=0, le=MAX_INT)


class ServicesIn(BodyModel):
    model_config = ConfigDict(
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
    entries: list[ServiceEntryIn] = Field(
        max_length=200,
        description="edited or new services; same code replaces (each code once)",
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
    entries = [e.model_dump(exclude_none=True) for e in body.entries]
    version, _, merged = platform.reference.load_services(principal, path, entries)
    return ServicesOut(
        tenant=path, version=version, entries=[e.to_dict() for e in merged]
    )


rules_router = APIRouter(prefix="/tenants/{path}/case-rules", tags=["cases"])


class CaseRulesIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"max_extensions": 1, "basically_satisfied_counts": True}]
        },
    )
    max_extensions: int = Field(
        ge=0,
        le=5,
        description="extensions an ordinary case "
        "may have (a disclosure request: one, by statute)",
    )
    basically_satisfied_counts: bool = Field(
        description="whether 基本满意 counts as satisfied in the satisfaction rate"
    )


class CaseRulesOut(CaseRulesIn):
    tenant: str
    set_by: str | None = Field(description="the tenant whose rules apply (inherited)")


def rules_out(platform: PlatformDep, path: str) -> CaseRulesOut:
    rules = platform.cases.case_rules_for(path)
    return CaseRulesOut(
        tenant=path,
        set_by=rules.tenant if rules else None,
        max_extensions=rules.max_extensions if rules else 1,
        basically_satisfied_counts=rules.basically_satisfied_counts if rules else True,
    )


@rules_router.get(
    "",
    response_model=CaseRulesOut,
    summary="The case rules in force for a tenant (own or inherited)",
)
def case_rules(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> CaseRulesOut:
    require_read(principal, path)
    platform.cases.tenant(path)
    return rules_out(platform, path)


@rules_router.put(
    "",
    response_model=CaseRulesOut,
    summary="Set the tenant's case rules (admin, supervisor)",
)
def set_case_rules(
    path: str, body: CaseRulesIn, principal: PrincipalDep, platform: PlatformDep
) -> CaseRulesOut:
    platform.reference.set_case_rules(
        principal,
        path,
        max_extensions=body.max_extensions,
        basically_satisfied_counts=body.basically_satisfied_counts,
    )
    return rules_out(platform, path)
