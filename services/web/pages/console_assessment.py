"""Console pages for assessment (考核): a tenant's campaigns, a campaign's league
table (排名), a target's scorecard with its evidence, and the monthly rankings.

Each page calls the API route function its JSON twin answers with, as the signed-in
staffer; exports are the API's own (``?format=csv|xlsx``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from domain.access import Principal, Role, require_read
from domain.assessment.campaign import STAGE_LABELS
from domain.assessment.criteria import METHODS
from domain.errors import NotFoundError
from domain.timeliness import local_date
from projections.assessment import CampaignHistory
from services.api.deps import PlatformDep
from services.api.params import moment_text
from services.api.routes import campaigns as campaigns_api
from services.api.routes import rankings as rankings_api
from services.api.routes import tenants
from services.assessment.campaigns import item_titles
from services.assessment.metrics import settle
from services.assessment.power_evidence import evidence_summary
from services.core.views import PROJECTIONS
from services.platform.runtime import Platform
from services.web.forms import FormErrors
from services.web.pages.console import StaffDep, can_write, see_other, tenant_crumbs
from services.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)


@dataclass
class StepForm:
    """A campaign step the staffer posted and the console refused: which form, what
    was typed, what was wrong, and the status the page answers with."""

    name: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)
    status: int = 200


EXPORTS = ("csv", "xlsx")
METRIC_LABELS = (
    ("disclosure_on_time", "按时公开率"),
    ("backdated", "补录占比"),
    ("coverage", "目录覆盖率"),
    ("case_reply", "办件答复率"),
    ("case_on_time", "按期办结率"),
    ("case_feedback", "签收件回访率"),
    ("satisfaction", "满意率"),
)
FIGURE_LABELS = {
    "coverage": "目录覆盖率",
    "disclosure_on_time": "按时公开率",
    "satisfaction": "满意率",
}


def _settle_history(platform: Any) -> None:
    for spec in PROJECTIONS:
        if spec.name == CampaignHistory.name:
            settle(platform, spec)


def _campaign_crumbs(platform: Any, path: str, staff: Any) -> list[Any]:
    return [
        *tenant_crumbs(platform, path, staff),
        ("考核", f"/console/t/{path}/assessment"),
    ]


def _owner(platform: Any, path: str) -> dict[str, str]:
    """The campaign's owner for the page heading; the campaign service checks
    scope itself (its readers, and its targets below it)."""
    row = platform.directory.get(path)
    return {"path": path, "name": row["name"] if row else path}


def _owner_crumbs(platform: Any, path: str, staff: Any) -> list[Any]:
    """首页 › … › 考核 when the owner is in the staffer's subtree; a target looking
    up at its assessor's campaign gets 首页 › 考核 (its own)."""
    if staff.can_read(path):
        return _campaign_crumbs(platform, path, staff)
    return [("首页", "/console/"), ("考核", f"/console/t/{staff.tenant}/assessment")]


@router.get("/t/{path}/assessment", response_class=HTMLResponse)
def assessment_home(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep
) -> Response:
    """考核: the campaigns the tenant planned and those it is a target of."""
    tenant = tenants.get_tenant(path, staff, platform, Response())
    _settle_history(platform)
    view = platform.views[CampaignHistory.name]
    owned = []
    for row in view.owned(path):
        campaign = platform.campaigns.campaign(staff, path, UUID(row["campaign_id"]))
        owned.append(
            {
                **row,
                "stage_label": STAGE_LABELS[campaign.stage],
                "targets": len(campaign.targets),
            }
        )
    history = rankings_api.get_history(path, request, staff, platform)
    first = local_date(platform.rankings.now()).replace(day=1)
    return render(
        request,
        "console_assessment.html",
        title=f"{tenant.name} 考核",
        crumbs=[*tenant_crumbs(platform, path, staff), ("考核", "")],
        tenant=tenant,
        owned=owned,
        history=history.campaigns,
        stage_labels=STAGE_LABELS,
        last_month=(first - timedelta(days=1)).strftime("%Y-%m"),
    )


@router.get("/t/{path}/campaigns/{campaign_id}", response_class=HTMLResponse)
def league_table_page(
    request: Request,
    path: str,
    campaign_id: UUID,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
) -> Response:
    """排名: the campaign's league table, with its CSV/XLSX exports."""
    return league_table_view(request, path, campaign_id, staff, platform, as_of)


def league_table_view(
    request: Request,
    path: str,
    campaign_id: UUID,
    staff: Principal,
    platform: Platform,
    as_of: str | None = None,
    step: StepForm | None = None,
) -> Response:
    """The league table page, with the owner's steps (发布公示, 答复异议, 确定等次)
    and, after a refused step, its errors."""
    campaign = campaigns_api.get_campaign(
        path, campaign_id, staff, platform, Response(), as_of=as_of or None
    )
    table = campaigns_api.get_league_table(
        path, campaign_id, request, staff, platform, as_of=as_of or None, format="json"
    )
    return render(
        request,
        "console_campaign.html",
        status_code=step.status if step else 200,
        title=f"{'错误：' if step else ''}{campaign.title} 排名",
        crumbs=[*_owner_crumbs(platform, path, staff), (campaign.title, "")],
        tenant=_owner(platform, path),
        campaign=campaign,
        table=table,
        titles=item_titles(campaign),
        as_of=as_of or "",
        owner=not as_of and can_write(staff, path, Role.SUPERVISOR),
        objection_options=objection_options(platform, campaign.objections),
        step=step or StepForm(),
    )


def objection_options(
    platform: Platform, objections: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """The unanswered objections, as (number, 异议N（单位）：text) choices."""
    out = []
    for o in objections:
        if o["answer"] is None:
            row = platform.directory.get(o["target"])
            name = row["name"] if row else o["target"]
            text = o["text"] if len(o["text"]) <= 40 else o["text"][:40] + "…"
            out.append((str(o["number"]), f"异议{o['number']}（{name}）：{text}"))
    return out


@router.get("/t/{path}/campaigns/{campaign_id}/league-table.{fmt}")
def league_table_export(
    request: Request,
    path: str,
    campaign_id: UUID,
    fmt: str,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
) -> Response:
    """The league table as CSV or XLSX: the API's own export."""
    if fmt not in EXPORTS:
        return see_other(f"/console/t/{path}/campaigns/{campaign_id}")
    answer: Response = campaigns_api.get_league_table(
        path,
        campaign_id,
        request,
        staff,
        platform,
        as_of=as_of or None,
        format=fmt,  # type: ignore[arg-type]
    )
    return answer


REF_LABELS = {"disclosure": "公开事项", "case": "办件"}


def evidence_label(ref: str) -> str:
    """``disclosure:f1be14cb-…`` → ``公开事项 f1be14cb``."""
    kind, _, subject = ref.partition(":")
    return f"{REF_LABELS[kind]} {subject[:8]}" if kind in REF_LABELS else ref


def evidence_link(path: str, ref: str) -> str | None:
    """The console page behind an evidence ref (``disclosure:…``, ``case:…``)."""
    kind, _, subject = ref.partition(":")
    if kind in ("disclosure", "case") and subject:
        return f"/console/t/{path}/ref/{kind}/{quote(subject, safe='')}"
    return None


@router.get(
    "/t/{path}/campaigns/{campaign_id}/scorecards/{target}",
    response_class=HTMLResponse,
)
def scorecard_page(
    request: Request,
    path: str,
    campaign_id: UUID,
    target: str,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
) -> Response:
    """评分表: each item's points beside the objective figures, flags, evidence."""
    return scorecard_view(request, path, campaign_id, target, staff, platform, as_of)


def scorecard_view(
    request: Request,
    path: str,
    campaign_id: UUID,
    target: str,
    staff: Principal,
    platform: Platform,
    as_of: str | None = None,
    step: StepForm | None = None,
) -> Response:
    """The scorecard page, with the steps on this target open to the staffer (the
    owner's 下达整改通知 and 验收整改, the target clerk's 提出异议 and 报送整改情况)."""
    campaign = campaigns_api.get_campaign(
        path, campaign_id, staff, platform, Response(), as_of=as_of or None
    )
    card = campaigns_api.get_scorecard(
        path,
        campaign_id,
        target,
        request,
        staff,
        platform,
        as_of=as_of or None,
        format="json",
    )
    row = platform.directory.get(target)
    name = row["name"] if row else target
    metrics = card.metrics
    figures = [
        (label, metrics.get(key)) for key, label in METRIC_LABELS if key in metrics
    ]
    return render(
        request,
        "console_scorecard.html",
        status_code=step.status if step else 200,
        title=f"{'错误：' if step else ''}{name} 评分表",
        crumbs=[
            *_owner_crumbs(platform, path, staff),
            (campaign.title, f"/console/t/{path}/campaigns/{campaign_id}"),
            (name, ""),
        ],
        tenant=_owner(platform, path),
        campaign=campaign,
        card=card,
        target_name=name,
        figures=figures,
        figure_labels=FIGURE_LABELS,
        power_summary=evidence_summary,
        methods=METHODS,
        titles=item_titles(campaign),
        evidence_link=lambda ref: evidence_link(path, ref),
        evidence_label=evidence_label,
        as_of=as_of or "",
        owner=not as_of and can_write(staff, path, Role.SUPERVISOR),
        target_clerk=not as_of and can_write(staff, target, Role.CLERK),
        step=step or StepForm(),
    )


@router.get("/t/{path}/ref/{kind}/{subject}")
def evidence_ref(
    path: str, kind: str, subject: UUID, staff: StaffDep, platform: PlatformDep
) -> Response:
    """An evidence ref opened: the item's or case's page in its own tenant (the
    campaign's targets open refs under their assessor's path, so the scope checked
    is the item's)."""
    owner: str | None = None
    if kind == "disclosure":
        now = moment_text(platform.disclosures.now())
        row = platform.disclosure_view.get(str(subject), as_of=now, known_at=now)
        owner = row["tenant"] if row else None
        page = "items"
    elif kind == "case":
        card = platform.case_view.card(subject)
        owner = card["tenant"] if card else None
        page = "cases"
    if owner is None:
        raise NotFoundError(f"no {kind} {subject}", field=kind)
    require_read(staff, owner)  # scope: outside the viewer's subtree is refused
    return see_other(f"/console/t/{owner}/{page}/{subject}")


@router.get("/t/{path}/rankings", response_class=HTMLResponse)
def rankings_page(
    request: Request,
    path: str,
    staff: StaffDep,
    platform: PlatformDep,
    month: rankings_api.MonthQuery = None,
) -> Response:
    """月度排名: the children by composite, 样本不足 and ties shown; a month picker."""
    tenant = tenants.get_tenant(path, staff, platform, Response())
    ranking = rankings_api.get_rankings(
        path, request, staff, platform, month=month or None, format="json"
    )
    return render(
        request,
        "console_rankings.html",
        title=f"{tenant.name} {ranking.month} 月度排名",
        crumbs=[
            *tenant_crumbs(platform, path, staff),
            ("考核", f"/console/t/{path}/assessment"),
            ("月度排名", ""),
        ],
        tenant=tenant,
        ranking=ranking,
    )


@router.get("/t/{path}/rankings.{fmt}")
def rankings_export(
    request: Request,
    path: str,
    fmt: str,
    staff: StaffDep,
    platform: PlatformDep,
    month: rankings_api.MonthQuery = None,
) -> Response:
    """The month's ranking as CSV or XLSX: the API's own export."""
    if fmt not in EXPORTS:
        return see_other(f"/console/t/{path}/rankings")
    answer: Response = rankings_api.get_rankings(
        path,
        request,
        staff,
        platform,
        month=month or None,
        format=fmt,  # type: ignore[arg-type]
    )
    return answer
