"""The annual 政府信息公开工作年度报告: tables from the log, drafts, publication; and
the reviews and lawsuits (行政复议、行政诉讼) table 四 counts."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import HTMLResponse
from pydantic import ConfigDict, Field

from domain.reporting.annual import OUTCOME_SPELLINGS, ROUTE_SPELLINGS
from domain.reporting.drafts import INPUT_NAMES, MAX_INPUT, MAX_SECTION_TEXT
from projections.disclosures import DisclosureProjection
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import (
    AsOfQuery,
    BodyModel,
    Day,
    KnownAtQuery,
    one_of,
    parse_moment,
)
from services.reporting.annual_pdf import report_pdf
from services.reporting.annual_render import report_html
from services.reporting.annual_reports import publish_report
from services.reporting.annual_xlsx import report_xlsx
from services.reporting.pdf import cjk_font

router = APIRouter(prefix="/tenants/{path}", tags=["annual reports"])
YearPath = Annotated[int, Path(ge=2000, le=2100, examples=[2025])]
SectionPath = Annotated[int, Path(ge=1, le=6, description="1–6, as in the format")]
FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class SectionIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"text": "2025年，本镇认真贯彻《政府信息公开条例》……"},
                {"inputs": {"licensing.decisions": 126, "fees.amount": 3.2}},
            ],
            # text, or at least one input
            "anyOf": [
                {"required": ["text"], "properties": {"text": {"type": "string"}}},
                {
                    "required": ["inputs"],
                    "properties": {"inputs": {"minProperties": 1}},
                },
            ],
        },
    )
    text: str | None = Field(
        default=None, max_length=MAX_SECTION_TEXT, description="sections 1, 5 and 6"
    )
    inputs: dict[str, Annotated[float, Field(ge=0, le=MAX_INPUT)]] = Field(
        default_factory=dict,
        max_length=len(INPUT_NAMES),
        description="section 2: numbers the log cannot know, e.g. fees.amount (万元)",
        json_schema_extra={"propertyNames": {"enum": list(INPUT_NAMES)}},
    )


class PublishIn(BodyModel):
    reason: str | None = Field(
        default=None, max_length=2000, description="required for a correction"
    )


class ChallengeIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"route": "行政复议", "filed_on": "2025-06-02"}]
        },
    )
    route: str = Field(
        max_length=30,
        json_schema_extra=one_of(ROUTE_SPELLINGS),
        description="review lawsuit_direct lawsuit_after_review (or 行政复议/直接起诉/"
        "复议后起诉)",
    )
    filed_on: Day


class DecisionIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"outcome": "纠正", "decided_on": "2025-08-01"}]
        },
    )
    outcome: str = Field(
        max_length=10,
        json_schema_extra=one_of(OUTCOME_SPELLINGS),
        description="upheld corrected other (维持/纠正/其他)",
    )
    decided_on: Day


@router.get(
    "/annual-reports/{year}",
    summary="The annual report (国办公开办函〔2021〕30号 format) as of a moment, "
    "as known then: json, html, pdf or xlsx",
    responses={
        200: {"content": {"text/html": {}, **{t: {} for t in FORMATS.values()}}}
    },
)
def annual_report(
    path: str,
    year: YearPath,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
    report_format: Annotated[
        Literal["json", "html", "pdf", "xlsx"],
        Query(alias="format", description="json (default), html, pdf or xlsx"),
    ] = "json",
) -> Response:
    now = platform.cases.now()
    if report_format == "pdf":
        cjk_font()  # 503 with the remedy before any work
    report = platform.annual_reports.report(
        principal,
        path,
        year,
        as_of=parse_moment(as_of, "as_of", now) if as_of else None,
        known_at=parse_moment(known_at, "known_at", now) if known_at else None,
    )
    if report_format == "json":
        text = json.dumps(report, ensure_ascii=False)
        return Response(text.encode("utf-8"), media_type="application/json")
    if report_format == "html":
        return HTMLResponse(report_html(report))
    data = report_pdf(report) if report_format == "pdf" else report_xlsx(report)
    name = f"annual-report-{path}-{year}.{report_format}"
    return Response(
        data,
        media_type=FORMATS[report_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/annual-reports/{year}/summary",
    summary="A county's (or town's) summary: the tables added up over its subtree "
    "and who has not published (due 31 Jan; the county's own by 31 Mar)",
)
def annual_summary(
    path: str,
    year: YearPath,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> dict[str, Any]:
    now = platform.cases.now()
    summary: dict[str, Any] = platform.annual_reports.summary(
        principal,
        path,
        year,
        as_of=parse_moment(as_of, "as_of", now) if as_of else None,
        known_at=parse_moment(known_at, "known_at", now) if known_at else None,
    )
    return summary


@router.put(
    "/annual-reports/{year}/sections/{n}",
    summary="Record a written section (1, 5, 6) or table 二's inputs (2), with author "
    "and history",
)
def write_section(
    path: str,
    year: YearPath,
    n: SectionPath,
    body: SectionIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    changed = platform.annual_reports.write_section(
        principal, path, year, n, text=body.text, inputs=body.inputs
    )
    return {"id": str(changed.id), "version": changed.version}


@router.post(
    "/annual-reports/{year}/publish",
    status_code=status.HTTP_201_CREATED,
    summary="Publish the report as a disclosure of the tenant; again: a correction "
    "with a reason",
)
def publish(
    path: str,
    year: YearPath,
    body: PublishIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    out = publish_report(
        platform.annual_reports,
        platform.disclosures,
        principal,
        path,
        year,
        reason=body.reason,
    )
    platform.wait(DisclosureProjection.name, out.pop("disclosure_position"))
    return out


@router.post(
    "/cases/{case_id}/challenges",
    status_code=status.HTTP_201_CREATED,
    summary="Record a 行政复议 or 行政诉讼 against a disclosure request's decision",
)
def file_challenge(
    path: str,
    case_id: UUID,
    body: ChallengeIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    changed = platform.annual_reports.file_challenge(
        principal, path, case_id, route=body.route, filed_on=body.filed_on
    )
    return platform.annual_reports.challenge(principal, path, changed.id).public()


@router.post(
    "/challenges/{challenge_id}/decision",
    summary="Record a review's or lawsuit's outcome: 维持, 纠正 or 其他",
)
def decide_challenge(
    path: str,
    challenge_id: UUID,
    body: DecisionIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    platform.annual_reports.decide_challenge(
        principal, path, challenge_id, outcome=body.outcome, decided_on=body.decided_on
    )
    return platform.annual_reports.challenge(principal, path, challenge_id).public()


@router.get("/challenges/{challenge_id}", summary="A review or lawsuit")
def get_challenge(
    path: str, challenge_id: UUID, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    return platform.annual_reports.challenge(principal, path, challenge_id).public()
