"""Public participation: 建议提案 figures (见面率, 答复率, 满意率) per unit and year.

Filing and handling a 建议提案 are the case routes (kind ``deputy_suggestion`` /
``member_proposal``, the action ``meet``); this adds the figures and their export.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from domain.access import Principal, require_read
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
from services.api.present import label
from services.participation.suggestions import RATE_NAMES, suggestion_report
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
