"""Cases (一事一办): file, act on, and read complaints, reports and requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel

from domain.access import Principal, require_read
from domain.cases.personal_data import Applicant
from domain.cases.rules import CaseState
from domain.errors import CaseNotFoundError
from domain.timeliness import local_date
from services.api.case_schemas import ACTION_BODIES, CaseCard, CaseCreate, CaseEvent
from services.api.deps import ExpectedVersionDep, PlatformDep, PrincipalDep
from services.api.export import (
    EXPORT_RESPONSES,
    Column,
    FormatQuery,
    export,
    share,
    wanted,
)
from services.api.listing import case_categories, future_warnings, tenant_names
from services.api.params import (
    AsOfQuery,
    Day,
    moment_text,
    parse_moment,
)
from services.api.present import label, labelled
from services.api.revalidate import begin, principal_scope
from services.cases.commands import caller_actions
from services.core.views import CASES_NAME, DIRECTORY_NAME, STAFF_NAME
from services.people.names import handler_names, named_actor
from services.platform.runtime import Platform

router = APIRouter(prefix="/tenants/{path}", tags=["cases"])


def card(
    platform: Platform,
    principal: Principal,
    path: str,
    case_id: UUID,
    *,
    view_pending: bool = False,
) -> CaseCard:
    """The case card from the view, with the applicant as the caller may see it."""
    row = platform.case_view.card(str(case_id))
    if row is None and view_pending:  # recorded, but the view has not caught up
        return aggregate_card(platform, principal, path, case_id)
    if row is None or row["tenant"] != path:
        raise CaseNotFoundError(f"case {case_id} not found in {path!r}", field="id")
    events = [
        CaseEvent(
            **{
                k: v
                for k, v in labelled(e).items()
                if k in CaseEvent.model_fields and k != "actor"
            },
            actor=named_actor(platform, e["actor"]),
        )
        for e in platform.case_view.events(str(case_id))
    ]
    state = row["state"]
    return CaseCard(
        id=row["id"],
        tenant=row["tenant"],
        version=row["version"],
        state=state,
        state_label=CaseState(state).label,
        kind=row["kind"],
        channel=row["channel"],
        category=row["category"],
        summary=row["summary"],
        signed=bool(row["signed"]),
        received_on=row["received_on"],
        due_on=row["due_on"],
        **handler_names(platform, path, row["handler"], row["backup_handler"]),
        department=row["department"],
        rating=row["rating"],
        erased=bool(row["erased"]),
        allowed_actions=caller_actions(principal, path, row["allowed_actions"]),
        links=row["links"],
        supervised_by=row["supervised_by"],
        applicant=platform.cases.applicant(principal, path, case_id),
        location=row.get("location"),
        attachments=row.get("attachments") or [],
        events=events,
        view_pending=view_pending,
    ).model_copy(update=card_labels(platform, path, row))


def card_labels(platform: Platform, path: str, row: dict[str, Any]) -> dict[str, Any]:
    """The Chinese labels of a card's codes and its tenant's name."""
    return {
        k: v
        for k, v in labelled(
            row,
            names=tenant_names(platform, path),
            categories=case_categories(platform, path),
        ).items()
        if k.endswith(("_label", "_labels", "_name"))
    }


def aggregate_card(
    platform: Platform, principal: Principal, path: str, case_id: UUID
) -> CaseCard:
    """The card from the aggregate itself, without its history, while the view lags."""
    case = platform.cases.case(principal, path, case_id)
    due = case.due_on(platform.cases.calendar())
    out = CaseCard(
        id=str(case.id),
        tenant=case.tenant,
        version=case.version,
        state=case.state.value,
        state_label=case.state.label,
        kind=case.kind.value,
        channel=case.channel.value,
        category=case.category,
        summary=case.summary,
        signed=case.signed,
        received_on=case.received_on.isoformat(),
        due_on=due.isoformat() if due else None,
        **handler_names(platform, path, case.handler, case.backup_handler),
        department=case.department,
        rating=case.rating.value if case.rating else None,
        erased=case.erased,
        allowed_actions=caller_actions(principal, path, case.allowed_actions()),
        links=case.links,
        supervised_by=case.supervised_by,
        applicant=platform.cases.applicant(principal, path, case_id),
        location=case.location,
        attachments=case.attachments,
        events=[],
        view_pending=True,
    )
    return out.model_copy(update=card_labels(platform, path, out.model_dump()))


def answer(
    platform: Platform,
    principal: Principal,
    path: str,
    case_id: UUID,
    position: int,
    response: Response,
) -> CaseCard:
    caught_up = platform.wait(CASES_NAME, position)
    out = card(platform, principal, path, case_id, view_pending=not caught_up)
    response.headers["ETag"] = f'"{out.version}"'
    return out


@router.post(
    "/cases",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseCard,
    summary="File a case (登记): complaint, report, request, visit …",
)
def file_case(
    path: str,
    body: CaseCreate,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> CaseCard:
    applicant = Applicant(**body.applicant.model_dump()) if body.applicant else None
    result = platform.cases.file(
        principal,
        path,
        kind=body.kind,
        channel=body.channel,
        summary=body.summary,
        signed=body.signed,
        category=body.category,
        applicant=applicant,
        filed_by_agent=body.filed_by_agent,
        agent_village=body.agent_village,
        received_on=body.received_on,
        applicant_type=body.applicant_type,
        power=body.power,
        location=body.location.model_dump() if body.location else None,
        attachments=body.attachments,
    )
    response.headers["Location"] = f"/v1/tenants/{path}/cases/{result.id}"
    return answer(platform, principal, path, result.id, result.position, response)


def take_action(
    platform: Platform,
    principal: Principal,
    path: str,
    case_id: UUID,
    action: str,
    body: BaseModel,
    expected: int | None,
) -> int:
    """Run one case action (the API's and the console's); returns its position."""
    method = action.replace("-", "_")
    fields: dict[str, Any] = body.model_dump()
    command = getattr(platform.cases, "close_case" if method == "close" else method)
    result = command(principal, path, case_id, expected_version=expected, **fields)
    position: int = result.position
    return position


def _action_route(action: str, body_model: type[BaseModel]) -> Callable[..., CaseCard]:
    method = action.replace("-", "_")

    def act(
        path: str,
        case_id: UUID,
        body: body_model,  # type: ignore[valid-type]
        principal: PrincipalDep,
        platform: PlatformDep,
        expected: ExpectedVersionDep,
        response: Response,
    ) -> CaseCard:
        position = take_action(
            platform, principal, path, case_id, action, body, expected
        )
        return answer(platform, principal, path, case_id, position, response)

    act.__name__ = f"case_{method}"
    act.__annotations__["body"] = body_model  # a class, not a string: FastAPI reads it
    return act


for _action, _body in ACTION_BODIES.items():
    router.add_api_route(
        f"/cases/{{case_id}}/{_action}",
        _action_route(_action, _body),
        methods=["POST"],
        response_model=CaseCard,
        summary=f"Case action: {_action} (409 lists the allowed actions)",
    )


@router.get(
    "/cases/{case_id}",
    response_model=CaseCard,
    summary="The case card: state, due date, applicant, whole history",
)
def get_case(
    path: str,
    case_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> CaseCard:
    require_read(principal, path)
    out = card(platform, principal, path, case_id)
    response.headers["ETag"] = f'"{out.version}"'
    return out


@router.get(
    "/case-board",
    summary="Open, overdue and due-soon cases; by handler",
    response_model=dict[str, Any],
)
def case_board(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    include_descendants: bool = False,
    due_within_days: Annotated[int, Query(ge=0, le=60)] = 3,
    request: Request = None,  # type: ignore[assignment]  # None: called by a page
) -> Any:
    require_read(principal, path)
    read = (
        begin(
            request,
            platform,
            path,
            (CASES_NAME, DIRECTORY_NAME, STAFF_NAME),
            principal_scope(principal),
            endpoint=case_board,
        )
        if request is not None
        else None
    )
    if read is not None and (found := read.found(request)) is not None:
        return found
    platform.disclosures.read_tenant(path)  # 404 if unknown; no copy
    today = local_date(platform.cases.now())
    board: dict[str, Any] = platform.case_view.board(
        path,
        include_descendants=include_descendants,
        today=today,
        due_within_days=due_within_days,
    )
    for entries in board.values():  # cards list what the caller may do
        for row in entries if isinstance(entries, list) else ():
            if isinstance(row, dict) and "allowed_actions" in row:
                row["allowed_actions"] = caller_actions(
                    principal, str(row.get("tenant") or path), row["allowed_actions"]
                )
    names = tenant_names(platform, path)
    categories = case_categories(platform, path)
    for key in ("open", "overdue", "due_soon", "supervised"):
        board[key] = [
            labelled(c, names=names, categories=categories) for c in board[key]
        ]
    board["tenant_name"] = names.get(path)
    return board if read is None else read.send_model(board)


STATS_COLUMNS: tuple[Column, ...] = (
    ("metric", "指标"),
    ("value", "数值"),
    ("numerator", "分子"),
    ("denominator", "分母"),
    ("ci_low", "95%下限"),
    ("ci_high", "95%上限"),
)
RATE_NAMES = {
    "acceptance_rate": "受理率",
    "on_time_rate": "按时办结率",
    "reply_rate": "答复率",
    "feedback_rate": "反馈率",
    "satisfaction_rate": "满意率",
}


def stats_rows(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures as a table: one row per figure, rate, kind and channel."""
    rows: list[dict[str, Any]] = [{"metric": "受理案件", "value": stats["received"]}]
    for key, name in RATE_NAMES.items():
        rate = stats[key]
        ci = rate["ci95"] or [None, None]
        rows.append(
            {
                "metric": name,
                "value": share(rate["value"]),
                "numerator": rate["numerator"],
                "denominator": rate["denominator"],
                "ci_low": share(ci[0]),
                "ci_high": share(ci[1]),
            }
        )
    rows.append(
        {"metric": "平均办结工作日", "value": stats["mean_working_days_to_resolve"]}
    )
    rows.append(
        {"metric": "办结工作日P90", "value": stats["p90_working_days_to_resolve"]}
    )
    for code, n in stats["by_kind"].items():
        rows.append({"metric": f"类别：{label('kind', code) or code}", "value": n})
    for code, n in stats["by_channel"].items():
        rows.append({"metric": f"渠道：{label('channel', code) or code}", "value": n})
    return rows


@router.get(
    "/case-stats",
    responses=EXPORT_RESPONSES,
    summary="Figures with numerators, denominators and 95% CIs; CSV/XLSX",
)
def case_stats(
    path: str,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    date_from: Annotated[Day | None, Query(alias="from")] = None,
    date_to: Annotated[Day | None, Query(alias="to")] = None,
    as_of: AsOfQuery = None,
    include_descendants: bool = False,
    basically_satisfied_counts: Annotated[
        bool | None, Query(description="default: the tenant's case rules")
    ] = None,
    format: FormatQuery = None,
) -> Any:
    require_read(principal, path)
    platform.disclosures.read_tenant(path)  # 404 if unknown; no copy
    now = platform.cases.now()
    known = parse_moment(as_of, "as_of", now) if as_of else None
    rules = platform.cases.case_rules_for(path)
    counts_basically = (
        basically_satisfied_counts
        if basically_satisfied_counts is not None
        else (rules.basically_satisfied_counts if rules else True)
    )
    stats: dict[str, Any] = platform.case_view.statistics(
        path,
        include_descendants=include_descendants,
        date_from=date_from,
        date_to=date_to,
        as_of=moment_text(known) if known else None,
        basically_counts_as_satisfied=counts_basically,
    )
    stats["kind_labels"] = {k: label("kind", k) for k in stats["by_kind"]}
    stats["channel_labels"] = {c: label("channel", c) for c in stats["by_channel"]}
    stats["scope"]["tenant_name"] = tenant_names(platform, path).get(path)
    stats["warnings"] = future_warnings(now, as_of=known) if known else []
    fmt = wanted(request, format)
    if fmt != "json":
        return export(
            fmt, STATS_COLUMNS, stats_rows(stats), f"case-stats-{path}", "统计"
        )
    return stats
