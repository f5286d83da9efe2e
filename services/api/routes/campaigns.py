"""Assessment campaigns (考核方案): plan, the steps of 第十五条, league table,
scorecard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from domain.assessment.campaign import STAGE_LABELS, Campaign
from domain.assessment.metrics import flag_points
from domain.assessment.power_evidence import power_items
from domain.documents.official import OfficialDocument
from domain.errors import NotFoundError
from services.api.assessment_exports import (
    LEAGUE_COLUMNS,
    SCORECARD_COLUMNS,
    scorecard_rows,
)
from services.api.assessment_schemas import (
    TEMPLATE_ROWS,
    AnswerIn,
    CampaignCreate,
    CampaignOut,
    LeagueTable,
    NoBody,
    ObjectionIn,
    OrderIn,
    ReportIn,
    ReviewIn,
    Scorecard,
    SelfAssessmentIn,
    VerifyIn,
)
from services.api.deps import ExpectedVersionDep, PlatformDep, PrincipalDep
from services.api.export import EXPORT_RESPONSES, FormatQuery, export, wanted
from services.api.params import AsOfQuery, moment_text, parse_moment
from services.assessment.campaigns import (
    item_titles,
    league_table,
    order_subject,
    scorecard,
    titled,
)
from services.assessment.metrics import shares, target_metrics
from services.assessment.notice import (
    notice_document,
    notice_kind,
    rectification_document,
)
from services.core.base import check_expected_version
from services.documents.official_render import (
    official_fonts,
    official_html,
    official_pdf,
)
from services.documents.series import number_of
from services.platform.runtime import Platform

router = APIRouter(prefix="/tenants/{path}/campaigns", tags=["campaigns"])


def out(campaign: Campaign, response: Response | None = None) -> CampaignOut:
    if response is not None:
        response.headers["ETag"] = f'"{campaign.version}"'
    return CampaignOut(
        id=str(campaign.id),
        tenant=campaign.tenant,
        version=campaign.version,
        title=campaign.title,
        period_from=campaign.period_from.isoformat(),
        period_to=campaign.period_to.isoformat(),
        stage=campaign.stage,
        stage_label=STAGE_LABELS[campaign.stage],
        targets=campaign.targets,
        criteria=campaign.criteria_rows,
        methods=campaign.methods,
        notice=campaign.notice,
        objections=campaign.objections,
        finalized=campaign.finalized,
        rectifications=campaign.rectifications,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CampaignOut,
    summary="Plan a campaign over descendants (supervisor of the tenant); criteria "
    "default to the 14-item template and must sum to 100",
)
def plan_campaign(
    path: str,
    body: CampaignCreate,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> CampaignOut:
    criteria = (
        [c.model_dump() for c in body.criteria]
        if body.criteria is not None
        else TEMPLATE_ROWS
    )
    campaign, _ = platform.campaigns.plan(
        principal,
        path,
        title=body.title,
        period_from=body.period_from,
        period_to=body.period_to,
        targets=body.targets,
        criteria=criteria,
        methods=body.methods,
    )
    response.headers["Location"] = f"/v1/tenants/{path}/campaigns/{campaign.id}"
    return out(campaign, response)


@router.get("/{campaign_id}", response_model=CampaignOut, summary="The campaign")
def get_campaign(
    path: str,
    campaign_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
    as_of: AsOfQuery = None,
) -> CampaignOut:
    moment = parse_moment(as_of, "as_of", platform.campaigns.now()) if as_of else None
    return out(
        platform.campaigns.campaign(principal, path, campaign_id, moment), response
    )


def _items(body: Any) -> list[dict[str, Any]]:
    return [i.model_dump() for i in body.items]


Step = Callable[[Platform, Any, str, UUID, Any], Any]
# Each step by its name in the URL: its body model and what it does (the console's
# forms post to the same steps).
STEPS: dict[str, tuple[type[Any], Step]] = {}


def action(
    name: str, model: type[Any], summary: str
) -> Callable[[Callable[..., Any]], Any]:
    """Register ``POST /{campaign_id}/{name}`` answering the campaign."""

    def register(step: Step) -> Any:
        STEPS[name] = (model, step)

        def endpoint(
            path: str,
            campaign_id: UUID,
            body: model,  # type: ignore[valid-type]
            principal: PrincipalDep,
            platform: PlatformDep,
            response: Response,
            expected: ExpectedVersionDep,
        ) -> CampaignOut:
            if expected is not None:  # If-Match: a stale version is a 409
                seen = platform.campaigns.campaign(principal, path, campaign_id)
                check_expected_version(seen, expected)
            campaign, _ = step(platform, principal, path, campaign_id, body)
            return out(campaign, response)

        endpoint.__annotations__["body"] = model  # a real type, not the string
        endpoint.__name__ = name.replace("-", "_")
        router.post(
            f"/{{campaign_id}}/{name}", response_model=CampaignOut, summary=summary
        )(endpoint)
        return step

    return register


@action("self-assessment", SelfAssessmentIn, "A target's clerk: 自评自查 and report")
def _self(platform: Platform, p: Any, path: str, cid: UUID, b: Any) -> Any:
    return platform.campaigns.self_assess(p, path, cid, b.target, _items(b), b.report)


@action("review", ReviewIn, "A reviewer (supervisor): points, method, evidence")
def _review(platform: Platform, p: Any, path: str, cid: UUID, b: Any) -> Any:
    return platform.campaigns.review(p, path, cid, b.target, _items(b), b.method)


@action("publish-notice", NoBody, "公示 for 7 working days (every target reviewed)")
def _publish(platform: Platform, p: Any, path: str, cid: UUID, b: Any) -> Any:
    return platform.campaigns.publish_notice(p, path, cid)


@action("object", ObjectionIn, "An objection during the notice period")
def _object(platform: Platform, p: Any, path: str, cid: UUID, b: Any) -> Any:
    return platform.campaigns.object(p, path, cid, b.target, b.text)


@action("answer-objection", AnswerIn, "A reviewer answers an objection")
def _answer(platform: Platform, p: Any, path: str, cid: UUID, b: Any) -> Any:
    return platform.campaigns.answer_objection(p, path, cid, b.objection, b.answer)


@action("finalize", NoBody, "确定等次 (409 during the notice or with open objections)")
def _finalize(platform: Platform, p: Any, path: str, cid: UUID, b: Any) -> Any:
    return platform.campaigns.finalize(p, path, cid)


@action("order-rectification", OrderIn, "限期整改 for 不合格 or failed items")
def _order(platform: Platform, p: Any, path: str, cid: UUID, b: Any) -> Any:
    return platform.campaigns.order_rectification(
        p, path, cid, b.target, b.working_days
    )


@action("report-rectification", ReportIn, "The target's clerk reports rectification")
def _report(platform: Platform, p: Any, path: str, cid: UUID, b: Any) -> Any:
    return platform.campaigns.report_rectification(p, path, cid, b.target, b.report)


@action("verify-rectification", VerifyIn, "Closed, or ordered again")
def _verify(platform: Platform, p: Any, path: str, cid: UUID, b: Any) -> Any:
    return platform.campaigns.verify_rectification(
        p, path, cid, b.target, b.passed, b.note, b.working_days
    )


@router.get(
    "/{campaign_id}/league-table",
    response_model=LeagueTable,
    responses=EXPORT_RESPONSES,
    summary="排名: targets by grade, then score, with rank (ties share a rank); "
    "CSV/XLSX with ?format=",
)
def get_league_table(
    path: str,
    campaign_id: UUID,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
    format: FormatQuery = None,
) -> Any:
    moment = parse_moment(as_of, "as_of", platform.campaigns.now()) if as_of else None
    campaign = platform.campaigns.campaign(principal, path, campaign_id, moment)
    rows = league_table(campaign)
    for row in rows:
        tenant = platform.directory.get(row["target"])
        row["target_name"] = tenant["name"] if tenant else None
    fmt = wanted(request, format)
    if fmt != "json":
        titles = item_titles(campaign)
        shown = [
            row | {k: titled(row[k], titles) for k in ("vetoed_by", "failed_items")}
            for row in rows
        ]
        name = f"league-table-{campaign_id}"
        return export(fmt, LEAGUE_COLUMNS, shown, name, "排名")
    return LeagueTable(
        campaign=str(campaign.id),
        title=campaign.title,
        stage=campaign.stage,
        as_of=moment_text(moment) if moment else None,
        rows=rows,  # type: ignore[arg-type]
    )


@router.get(
    "/{campaign_id}/scorecards/{target_path}",
    response_model=Scorecard,
    responses=EXPORT_RESPONSES,
    summary="A target's scorecard: items, self and reviewers' points, evidence; "
    "its items as CSV/XLSX with ?format=",
)
def get_scorecard(
    path: str,
    campaign_id: UUID,
    target_path: str,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
    format: FormatQuery = None,
) -> Any:
    moment = parse_moment(as_of, "as_of", platform.campaigns.now()) if as_of else None
    campaign = platform.campaigns.campaign(principal, path, campaign_id, moment)
    card = scorecard(campaign, target_path)
    metrics = target_metrics(
        platform, target_path, campaign.period_from, campaign.period_to
    )
    points = campaign.reviewed_points(target_path) or {}
    checks = flag_points(campaign.criteria, points, shares(metrics))
    powers = power_items(campaign.criteria)
    for item in card["items"]:
        item["metric_check"] = checks.get(item["code"])
        item["power_evidence"] = (
            metrics["power_list"] if item["code"] in powers else None
        )
    fmt = wanted(request, format)
    if fmt != "json":
        rows = scorecard_rows(card["items"])
        name = f"scorecard-{campaign_id}-{target_path}"
        return export(fmt, SCORECARD_COLUMNS, rows, name, "评分表")
    return Scorecard(
        metrics=metrics,
        campaign=str(campaign.id),
        as_of=moment_text(moment) if moment else None,
        **card,
    )


DocumentFormat = Annotated[
    Literal["html", "pdf"], Query(alias="format", description="html or pdf")
]


def _names(platform: Platform, campaign: Campaign) -> dict[str, str]:
    names = {}
    for unit in (campaign.tenant, *campaign.targets):
        tenant = platform.directory.get(unit)
        if tenant:
            names[unit] = tenant["name"]
    return names


def _document(doc: OfficialDocument, fmt: str, filename: str) -> Response:
    if fmt == "html":
        return HTMLResponse(official_html(doc))
    return Response(
        official_pdf(doc),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}.pdf"'},
    )


@router.get(
    "/{campaign_id}/notice",
    summary="The 公示 / 通报 as a 公文 (GB/T 9704-2012) with its 文号: a page, or "
    "PDF with ?format=pdf",
    response_class=HTMLResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_notice(
    path: str,
    campaign_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    notice_format: DocumentFormat = "html",
) -> Response:
    if notice_format == "pdf":
        official_fonts()  # a missing font is a 503
    app = platform.campaigns
    campaign = app.campaign(principal, path, campaign_id)
    kind = notice_kind(campaign)
    number = (
        number_of(app, campaign.tenant, kind, {"campaign": str(campaign.id)})
        if kind
        else None
    )
    doc = notice_document(campaign, _names(platform, campaign), number, app.today())
    return _document(doc, notice_format, f"notice-{campaign_id}")


@router.get(
    "/{campaign_id}/rectifications/{target_path}/order",
    summary="The target's 限期整改通知 (its current round) as a 公文 with its 文号: a "
    "page, or PDF with ?format=pdf",
    response_class=HTMLResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_rectification_order(
    path: str,
    campaign_id: UUID,
    target_path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    order_format: DocumentFormat = "html",
) -> Response:
    if order_format == "pdf":
        official_fonts()
    app = platform.campaigns
    campaign = app.campaign(principal, path, campaign_id)
    if target_path not in campaign.rectifications:
        raise NotFoundError(
            f"no rectification ordered for {target_path}", field="target_path"
        )
    subject = {"campaign": str(campaign.id), **order_subject(campaign, target_path)}
    number = number_of(app, campaign.tenant, "rectification", subject)
    doc = rectification_document(
        campaign, target_path, _names(platform, campaign), number, app.today()
    )
    return _document(doc, order_format, f"rectification-{campaign_id}")
