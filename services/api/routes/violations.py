"""The sanction ladder of a staffer (一次警告, 二次调离工作岗位, 三次停职检查)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from domain.assessment.sanctions import ConductRecord, Sanction
from services.api.assessment_schemas import Evidence
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import BodyModel, IndexPath, StaffNumberPath

router = APIRouter(prefix="/tenants/{path}/staff/{number}/violations", tags=["staff"])


class ViolationIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "description": "2026年3月低保名单未按期在公开栏公示",
                    "evidence": ["disclosure:6a1f0c2e"],
                }
            ]
        },
    )
    description: str = Field(min_length=1, max_length=2000)
    evidence: list[Evidence] = Field(min_length=1, max_length=50)


class AppealIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"grounds": "当日系统故障"}]}
    )
    grounds: str = Field(min_length=1, max_length=2000)


class DecisionIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"upheld": True, "reason": "经核实属实"}]},
    )
    upheld: bool
    reason: str = Field(min_length=1, max_length=2000)


class ConductOut(BaseModel):
    number: str
    tenant: str
    counted: int = Field(description="confirmed violations not annulled")
    sanction: str | None
    sanction_label: str | None
    violations: list[dict[str, Any]]
    version: int | None


def out(number: str, path: str, record: ConductRecord | None) -> ConductOut:
    if record is None:
        return ConductOut(
            number=number,
            tenant=path,
            counted=0,
            sanction=None,
            sanction_label=None,
            violations=[],
            version=None,
        )
    current: Sanction | None = record.current_sanction()
    labelled = [
        {**v, "sanction_label": Sanction(v["sanction"]).label}
        for v in record.violations
    ]
    return ConductOut(
        number=record.number,
        tenant=record.tenant,
        counted=record.counted,
        sanction=current.value if current else None,
        sanction_label=current.label if current else None,
        violations=labelled,
        version=record.version,
    )


@router.get("", response_model=ConductOut, summary="A staffer's violations and step")
def get_record(
    path: str, number: StaffNumberPath, principal: PrincipalDep, platform: PlatformDep
) -> ConductOut:
    return out(number, path, platform.conduct.record(principal, path, number))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConductOut,
    summary="Record a confirmed violation with evidence (inspector or supervisor); "
    "the ladder gives its sanction",
)
def confirm(
    path: str,
    number: StaffNumberPath,
    body: ViolationIn,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> ConductOut:
    record, _ = platform.conduct.confirm(
        principal, path, number, body.description, list(body.evidence)
    )
    response.headers["ETag"] = f'"{record.version}"'
    return out(number, path, record)


@router.post(
    "/{index}/appeal",
    response_model=ConductOut,
    summary="The staffer appeals a violation",
)
def appeal(
    path: str,
    number: StaffNumberPath,
    index: IndexPath,
    body: AppealIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> ConductOut:
    record, _ = platform.conduct.appeal(principal, path, number, index, body.grounds)
    return out(number, path, record)


@router.post(
    "/{index}/decide",
    response_model=ConductOut,
    summary="Decide an appeal: upheld annuls the violation (the ladder skips it)",
)
def decide(
    path: str,
    number: StaffNumberPath,
    index: IndexPath,
    body: DecisionIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> ConductOut:
    record, _ = platform.conduct.decide(
        principal, path, number, index, body.upheld, body.reason
    )
    return out(number, path, record)
