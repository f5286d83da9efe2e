"""The county overview (监督总览): one row per tenant of the subtree, town subtotals."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from domain.access import Principal, require_read
from services.api.deps import PlatformDep, PrincipalDep
from services.api.export import (
    EXPORT_RESPONSES,
    Column,
    FormatQuery,
    Taken,
    export,
    flat_rate,
    rate_columns,
    wanted,
)
from services.api.listing import future_warnings
from services.api.params import AsOfQuery, KnownAtQuery, parse_moments
from services.api.present import labelled
from services.disclosures.lists import Moments
from services.disclosures.overview import RATES, overview
from services.platform.runtime import Platform

router = APIRouter(prefix="/tenants/{path}", tags=["overview"])

OVERVIEW_COLUMNS: tuple[Column, ...] = (
    ("name", "单位"),
    ("level_label", "层级"),
    ("tenant", "单位路径"),
    ("row_type_label", "行"),
    ("required", "应公开类别"),
    ("missing", "未公开类别"),
    ("overdue", "逾期未更新类别"),
    ("published", "已公开事项"),
    ("late_items", "逾期公开事项"),
    ("mean_working_days_late", "平均逾期工作日"),
    ("backdated_items", "超期补录事项"),
    ("withdrawals", "撤回事项"),
    ("cases", "受理案件"),
    ("open_cases", "未结案件"),
    ("overdue_cases", "超期未办结案件"),
    *rate_columns("reply_rate", "答复率"),
    *rate_columns("on_time_rate", "按时办结率"),
    *rate_columns("satisfaction_rate", "满意率"),
)
ROW_TYPES = {"tenant": "单位", "subtotal": "小计", "total": "合计"}


def overview_rows(
    path: str, principal: Principal, platform: Platform, moments: Moments
) -> list[dict[str, Any]]:
    """The rows with labels; each row's ``lists`` holds, per count, the ``Listed``
    it is the total of."""
    require_read(principal, path)
    platform.disclosures.tenant(path)
    rules = platform.cases.case_rules_for(path)
    return [
        labelled(r) | {"row_type_label": ROW_TYPES[r["row_type"]]}
        for r in overview(
            platform,
            path,
            moments,
            now=platform.disclosures.now(),
            basically_counts_as_satisfied=rules.basically_satisfied_counts
            if rules
            else True,
        )
    ]


@router.get(
    "/overview",
    responses=EXPORT_RESPONSES,
    response_model=None,
    summary="One row per tenant of the subtree: coverage, lateness, cases, rates",
    description="Each row's `lists` gives, per count, the list it is the total of "
    "(the disclosure list, the case list or the catalogue, at the same `as_of` and "
    "`known_at`, of the tenant or, for a subtotal or total, its subtree). CSV and "
    "XLSX start with 截至, 按当时所知 and 导出时间 and name them in the file name.",
)
def county_overview(
    path: str,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
    format: FormatQuery = None,
) -> Any:
    require_read(principal, path)
    moments = parse_moments(as_of, known_at, platform.disclosures.now())
    rows = overview_rows(path, principal, platform, moments)
    now = platform.disclosures.now()
    fmt = wanted(request, format)
    if fmt != "json":
        flat = []
        for r in rows:
            row = dict(r)
            for key in RATES:
                flat_rate(row, key, r[key])
            flat.append(row)
        return export(
            fmt,
            OVERVIEW_COLUMNS,
            flat,
            f"overview-{path}",
            "总览",
            taken=Taken(moments, now),
        )
    for r in rows:
        r["lists"] = {key: listed.api_url() for key, listed in r["lists"].items()}
    return {
        "tenant": path,
        "as_of": moments.as_of,
        "known_at": moments.known_at,
        "rows": rows,
        "warnings": future_warnings(
            now, as_of=moments.as_of, known_at=moments.known_at
        ),
    }
