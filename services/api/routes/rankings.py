"""Monthly rankings (12345 接诉即办 style) and the supervisor's weights."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from domain.access import require_read
from domain.assessment.campaign import STAGE_LABELS
from domain.assessment.grading import Grade
from domain.assessment.ranking import RATES
from domain.timeliness import local_date
from projections.assessment import CampaignHistory
from services.api.assessment_exports import (
    HISTORY_COLUMNS,
    RANKING_COLUMNS,
    ranking_rows,
)
from services.api.deps import PlatformDep, PrincipalDep
from services.api.export import EXPORT_RESPONSES, FormatQuery, export, wanted
from services.api.params import AsOfQuery, BodyModel, moment_text, parse_moment
from services.assessment.metrics import settle
from services.assessment.rankings import monthly_ranking
from services.core.views import CASES_NAME, PROJECTIONS

router = APIRouter(prefix="/tenants/{path}", tags=["rankings"])

MonthQuery = Annotated[
    str | None,
    Query(
        pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$",
        description="the month, YYYY-MM; default the previous month (China time)",
        examples=["2026-10"],
    ),
]


class SchemeIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "weights": {"response": 30, "resolution": 35, "satisfaction": 35},
                    "min_sample": 5,
                }
            ]
        },
    )
    weights: dict[str, Annotated[float, Field(ge=0, le=1000)]] = Field(
        max_length=3,
        description="response (响应率), resolution (解决率), satisfaction (满意率); "
        "their total is positive",
        json_schema_extra={"propertyNames": {"enum": list(RATES)}},
    )
    min_sample: int = Field(default=5, ge=1, le=100_000)


class SchemeOut(BaseModel):
    tenant: str
    weights: dict[str, float]
    min_sample: int
    version: int | None


class RankingOut(BaseModel):
    tenant: str
    month: str
    weights: dict[str, float]
    rate_labels: dict[str, str]
    min_sample: int
    scheme_version: int | None
    as_of: str | None
    rows: list[dict[str, Any]]


@router.put(
    "/ranking-scheme",
    response_model=SchemeOut,
    summary="Set the weights and minimum sample of your monthly rankings (supervisor)",
)
def put_scheme(
    path: str, body: SchemeIn, principal: PrincipalDep, platform: PlatformDep
) -> SchemeOut:
    platform.rankings.set_scheme(principal, path, body.weights, body.min_sample)
    weights, min_sample, version = platform.rankings.scheme(path)
    return SchemeOut(
        tenant=path, weights=weights, min_sample=min_sample, version=version
    )


@router.get(
    "/rankings",
    response_model=RankingOut,
    responses=EXPORT_RESPONSES,
    summary="The month's ranking of the tenant's children: composite, Wilson "
    "intervals, 样本不足, ties; CSV/XLSX with ?format=",
)
def get_rankings(
    path: str,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    month: MonthQuery = None,
    as_of: AsOfQuery = None,
    format: FormatQuery = None,
) -> Any:
    if month is None:
        first = local_date(platform.rankings.now()).replace(day=1)
        month = (first - timedelta(days=1)).strftime("%Y-%m")
    known = (
        moment_text(parse_moment(as_of, "as_of", platform.rankings.now()))
        if as_of
        else None
    )
    for spec in PROJECTIONS:
        if spec.name == CASES_NAME:
            settle(platform, spec)
    ranking = monthly_ranking(platform, principal, path, month, known)
    fmt = wanted(request, format)
    if fmt != "json":
        rows = ranking_rows(ranking["rows"])
        return export(fmt, RANKING_COLUMNS, rows, f"rankings-{path}-{month}", month)
    return RankingOut(**ranking)


class HistoryOut(BaseModel):
    tenant: str
    as_of: str | None
    campaigns: list[dict[str, Any]]


@router.get(
    "/assessment-history",
    response_model=HistoryOut,
    responses=EXPORT_RESPONSES,
    summary="The tenant's campaigns as a target: stage, score and grade (as_of); "
    "CSV/XLSX with ?format=",
)
def get_history(
    path: str,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
    format: FormatQuery = None,
) -> Any:
    require_read(principal, path)
    platform.tenants.tenant(path)
    moment = parse_moment(as_of, "as_of", platform.rankings.now())
    for spec in PROJECTIONS:
        if spec.name == CampaignHistory.name:
            settle(platform, spec)
    rows = platform.views[CampaignHistory.name].history(path, moment_text(moment))
    for row in rows:
        row["grade_label"] = Grade(row["grade"]).label if row["grade"] else None
    fmt = wanted(request, format)
    if fmt != "json":
        for row in rows:
            row["stage_label"] = STAGE_LABELS.get(row["stage"], row["stage"])
        return export(fmt, HISTORY_COLUMNS, rows, f"assessment-history-{path}", "考核")
    return HistoryOut(
        tenant=path, as_of=moment_text(moment) if as_of else None, campaigns=rows
    )
