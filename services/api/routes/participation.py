"""Public participation: 建议提案 figures (见面率, 答复率, 满意率) per unit and year;
the register of 社会监督员.

Filing and handling a 建议提案 are the case routes (kind ``deputy_suggestion`` /
``member_proposal``, the action ``meet``); this adds the figures and their export.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import ConfigDict, Field

from domain.access import Principal, require_read
from domain.participation.supervisors import CATEGORIES
from domain.timeliness import local_date
from services.api.deps import PlatformDep, PrincipalDep
from services.api.export import (
    EXPORT_RESPONSES,
    Column,
    FormatQuery,
    export,
    flat_rate,
    rate_columns,
    wanted,
)
from services.api.listing import tenant_names
from services.api.params import BodyModel, Day, Text, one_of
from services.api.present import label
from services.participation.suggestions import RATE_NAMES, suggestion_report
from services.participation.supervisors import opinion_count
from services.platform.runtime import Platform

router = APIRouter(prefix="/tenants/{path}", tags=["participation"])

YearQuery = Annotated[
    int | None,
    Query(ge=2000, le=2100, description="year received (default: this year)"),
]
SUGGESTION_COLUMNS: tuple[Column, ...] = (
    ("name", "承办单位"),
    ("tenant", "单位路径"),
    ("year", "年度"),
    ("received", "建议提案件数"),
    *(c for key, header in RATE_NAMES.items() for c in rate_columns(key, header)),
)


def suggestion_figures(
    platform: Platform,
    principal: Principal,
    path: str,
    *,
    year: int | None,
    include_descendants: bool,
) -> dict[str, Any]:
    """The report with the units' names and the kinds' labels (API and console)."""
    require_read(principal, path)
    platform.disclosures.tenant(path)
    rules = platform.cases.case_rules_for(path)
    report = suggestion_report(
        platform.case_view,
        path,
        year=year or local_date(platform.cases.now()).year,
        include_descendants=include_descendants,
        basically_counts_as_satisfied=rules.basically_satisfied_counts
        if rules
        else True,
    )
    names = tenant_names(platform, path)
    report["tenant_name"] = names.get(path)
    for unit in report["units"]:
        unit["name"] = names.get(unit["tenant"], unit["tenant"])
    for card in report["suggestions"]:
        card["tenant_name"] = names.get(card["tenant"], card["tenant"])
        card["kind_label"] = label("kind", card["kind"])
        card["rating_label"] = label("rating", card["rating"])
    return report


def suggestion_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One export row per unit, then 合计."""
    rows = []
    total = {"tenant": report["tenant"], "name": "合计", **report["total"]}
    for unit in [*report["units"], total]:
        row = {
            "name": unit["name"],
            "tenant": unit["tenant"],
            "year": report["year"],
            "received": unit["received"],
        }
        for key in RATE_NAMES:
            flat_rate(row, key, unit[key])
        rows.append(row)
    return rows


@router.get(
    "/suggestion-figures",
    responses=EXPORT_RESPONSES,
    response_model=None,
    summary="建议提案: 见面率, 答复率, 满意率 per handling unit and year; CSV/XLSX",
    description="Over the 人大代表建议 and 政协委员提案 received in the year: 见面率 = "
    "met ÷ received, 答复率 = answered in writing ÷ received, 满意率 = 满意 (and "
    "基本满意 where the tenant's rule counts it) ÷ rated; each with numerator, "
    "denominator and 95% Wilson interval.",
)
def get_suggestion_figures(
    path: str,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    year: YearQuery = None,
    include_descendants: bool = True,
    format: FormatQuery = None,
) -> Any:
    report = suggestion_figures(
        platform,
        principal,
        path,
        year=year,
        include_descendants=include_descendants,
    )
    fmt = wanted(request, format)
    if fmt != "json":
        return export(
            fmt,
            SUGGESTION_COLUMNS,
            suggestion_rows(report),
            f"suggestions-{path}-{report['year']}",
            "建议提案",
        )
    return report


# 社会监督员 ------------------------------------------------------------------------

CATEGORY_SPELLINGS = [*CATEGORIES, *CATEGORIES.values()]


class SupervisorIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "JD-001",
                    "name": "王建国",
                    "category": "人大代表",
                    "term_from": "2026-01-01",
                    "term_to": "2027-12-31",
                }
            ]
        }
    )
    number: Text = Field(max_length=20, description="the public number (监督员证号)")
    name: Text = Field(max_length=40, description="as the unit publishes it")
    category: str = Field(json_schema_extra=one_of(CATEGORY_SPELLINGS))
    term_from: Day
    term_to: Day


class DismissalIn(BodyModel):
    reason: Text = Field(max_length=200)
    dismissed_on: Day | None = None


@router.get("/supervisors", summary="社会监督员: the register (staff)")
def get_supervisors(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    report = platform.supervisors.register(principal, path)
    year = local_date(platform.cases.now()).year
    report["opinions_this_year"] = opinion_count(platform.case_view, path, year)
    return report


@router.post(
    "/supervisors",
    status_code=status.HTTP_201_CREATED,
    summary="聘请 a social supervisor (no phone number is taken)",
)
def appoint_supervisor(
    path: str, body: SupervisorIn, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    platform.supervisors.appoint(principal, path, **body.model_dump())
    return platform.supervisors.register(principal, path)


@router.post(
    "/supervisors/{number}/dismiss", summary="解聘 a social supervisor, with a reason"
)
def dismiss_supervisor(
    path: str,
    number: str,
    body: DismissalIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    platform.supervisors.dismiss(principal, path, number=number, **body.model_dump())
    return platform.supervisors.register(principal, path)
