"""Responsibility statements (责任书): issue, sign, assess against the log."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from domain.assessment.statements import METRICS, Statement
from domain.people.staff import NUMBER_AS_TYPED
from services.api.assessment_schemas import NoBody, Path
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import BodyModel, one_of
from services.assessment.metrics import target_metrics

router = APIRouter(prefix="/tenants/{path}/statements", tags=["campaigns"])


class TargetIn(BodyModel):
    code: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    metric: str | None = Field(
        default=None,
        max_length=40,
        description="disclosure_on_time coverage case_reply case_on_time "
        "case_feedback satisfaction; with a threshold",
        json_schema_extra=one_of(METRICS),
    )
    threshold: float | None = Field(default=None, ge=0, le=1)


class StatementCreate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2026,
                    "unit": "xinhe.tahe.tuanjie",
                    "number": "XH-0900",
                    "targets": [
                        {
                            "code": "t1",
                            "title": "群众满意率不低于90%",
                            "metric": "satisfaction",
                            "threshold": 0.9,
                        },
                        {"code": "t2", "title": "落实廉政谈话制度"},
                    ],
                }
            ]
        },
    )
    year: int = Field(ge=2000, le=2099)
    unit: Path
    number: str = Field(
        min_length=1,
        max_length=32,
        description="the head's badge",
        json_schema_extra={"pattern": NUMBER_AS_TYPED},
    )
    targets: list[TargetIn] = Field(min_length=1, max_length=50)


class JudgedIn(BodyModel):
    code: str = Field(min_length=1, max_length=40)
    met: bool
    note: str = Field(min_length=1, max_length=2000)


class AssessIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"results": [{"code": "t2", "met": True, "note": "有记录"}]}]
        },
    )
    results: list[JudgedIn] = Field(default_factory=list, max_length=50)


class StatementOut(BaseModel):
    id: str
    tenant: str
    version: int
    year: int
    unit: str
    number: str
    targets: list[dict[str, Any]]
    signed: dict[str, Any] | None
    assessment: dict[str, Any] | None


def out(s: Statement) -> StatementOut:
    return StatementOut(
        id=str(s.id),
        tenant=s.tenant,
        version=s.version,
        year=s.year,
        unit=s.unit,
        number=s.number,
        targets=s.targets,
        signed=s.signed,
        assessment=s.assessment,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=StatementOut,
    summary="Issue a year's statement to the head of a unit below (supervisor)",
)
def issue(
    path: str, body: StatementCreate, principal: PrincipalDep, platform: PlatformDep
) -> StatementOut:
    statement, _ = platform.statements.issue(
        principal,
        path,
        year=body.year,
        unit=body.unit,
        number=body.number,
        targets=[t.model_dump() for t in body.targets],
    )
    return out(statement)


@router.get("/{statement_id}", response_model=StatementOut, summary="A statement")
def get_statement(
    path: str, statement_id: UUID, principal: PrincipalDep, platform: PlatformDep
) -> StatementOut:
    return out(platform.statements.statement(principal, path, statement_id))


@router.post(
    "/{statement_id}/sign",
    response_model=StatementOut,
    summary="The named staffer signs",
)
def sign(
    path: str,
    statement_id: UUID,
    body: NoBody,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> StatementOut:
    statement, _ = platform.statements.sign(principal, path, statement_id)
    return out(statement)


@router.post(
    "/{statement_id}/assess",
    response_model=StatementOut,
    summary="After the year: metric targets from the log, the rest as judged",
)
def assess(
    path: str,
    statement_id: UUID,
    body: AssessIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> StatementOut:
    app = platform.statements
    statement = app.statement(principal, path, statement_id)
    year = statement.year
    metrics = target_metrics(
        platform, statement.unit, date(year, 1, 1), date(year, 12, 31)
    )
    figures = {
        name: metrics[name]["value"]
        for name in ("disclosure_on_time", "coverage", "case_reply",
                     "case_on_time", "case_feedback", "satisfaction")
    }  # fmt: skip
    judged = {r.code: (r.met, r.note) for r in body.results}
    statement, _ = app.assess(principal, path, statement_id, figures, judged)
    return out(statement)
