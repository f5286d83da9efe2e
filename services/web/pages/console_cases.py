"""Console pages for cases (一事一办) and the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from domain.access import Principal, Role
from domain.cases.rules import Action, CaseKind, CaseState, IntakeChannel
from domain.errors import GongkaiError
from domain.timeliness import local_date
from services.api.case_schemas import ACTION_BODIES, ApplicantIn, CaseCreate, LocationIn
from services.api.deps import PlatformDep
from services.api.params import moment_text
from services.api.routes import audit, cases, tenants
from services.api.routes import case_list as case_list_api
from services.cases.receipts import receipt_number
from services.core.views import CASES_NAME
from services.disclosures.lists import Listed, Moments, Selection, count_by_tenant
from services.people.names import staff_names
from services.platform.runtime import Platform
from services.web.forms import FormErrors, body_from_form, describe_fields, parse
from services.web.pages.console import (
    FormDep,
    StaffDep,
    can_write,
    given_moments,
    page_moments,
    see_other,
    tenant_crumbs,
)
from services.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)
DONE = {"resolved", "replied", "closed", "rejected"}


def _list_args(
    moments: Moments,
    state: str | None,
    open_only: bool | None,
    late: bool | None,
    overdue: bool | None,
    kind: str | None,
    q: str | None,
    include_descendants: bool,
) -> dict[str, Any]:
    (_, as_of), (_, known_at) = moments.params()
    return {
        "as_of": as_of,
        "known_at": known_at,
        "state": [state] if state else None,
        "open": open_only,
        "late": late,
        "overdue": overdue,
        "kind": kind or None,
        "q": q or None,
        "include_descendants": include_descendants,
    }


def _page_query(args: dict[str, Any]) -> str:
    """The page's own query: its filters and the moments it was taken at."""
    pairs = []
    for key, value in args.items():
        if isinstance(value, list):
            pairs += [(key, str(v)) for v in value]
        elif isinstance(value, bool):
            if value or key != "include_descendants":
                pairs.append((key, "true" if value else "false"))
        elif value is not None:
            pairs.append((key, str(value)))
    return urlencode(pairs)


BOARD_COUNTS = {
    "open": Selection("cases", open=True),
    "overdue": Selection("cases", overdue=True),
}


@router.get("/t/{path}/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    path: str,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
    known_at: str | None = None,
    state: str | None = None,
    open: bool | None = None,
    late: bool | None = None,
    overdue: bool | None = None,
    kind: str | None = None,
    q: str | None = None,
    include_descendants: bool = False,
    cursor: str | None = None,
) -> Response:
    """The API's case list with its filters; numbers on 首页 link here."""
    tenant = tenants.get_tenant(path, staff, platform, Response())
    moments = page_moments(platform, as_of, known_at)
    args = _list_args(moments, state, open, late, overdue, kind, q, include_descendants)
    answer = case_list_api.list_cases(
        path, request, staff, platform, **args, cursor=cursor, limit=50
    )
    counted = count_by_tenant(
        platform,
        path,
        include_descendants=include_descendants,
        moments=moments,
        now=platform.cases.now(),
        selections=BOARD_COUNTS,
    )
    counts = {
        key: (
            sum(c.items for c in counted[key].values()),
            Listed(s, path, include_descendants, moments),
        )
        for key, s in BOARD_COUNTS.items()
    }
    now_only = not (as_of or known_at)  # 3个工作日内到期 is about today
    board = (
        cases.case_board(path, staff, platform, include_descendants)
        if now_only
        else None
    )
    return render(
        request,
        "console_cases.html",
        title=f"{tenant.name} 办件",
        crumbs=[*tenant_crumbs(platform, path, staff), ("办件", "")],
        tenant=tenant,
        answer=answer,
        counts=counts,
        due_soon=board["counts"]["due_soon"] if board else None,
        moments=moments,
        given=given_moments(as_of, known_at),
        filters={
            "state": state or "",
            "open": open,
            "late": late,
            "overdue": overdue,
            "kind": kind or "",
            "q": q or "",
            "include_descendants": include_descendants,
        },
        query=_page_query(args),
        states=[(c.value, c.label) for c in CaseState],
        kinds=[(k.value, k.label) for k in CaseKind],
        can_file=can_write(staff, path, Role.CLERK, Role.HANDLER),
    )


@router.get("/t/{path}/cases.{fmt}")
def case_export(
    request: Request,
    path: str,
    fmt: str,
    staff: StaffDep,
    platform: PlatformDep,
    as_of: str | None = None,
    known_at: str | None = None,
    state: str | None = None,
    open: bool | None = None,
    late: bool | None = None,
    overdue: bool | None = None,
    kind: str | None = None,
    q: str | None = None,
    include_descendants: bool = False,
) -> Response:
    """The list as CSV or XLSX: the API's own export, with the same filters."""
    if fmt not in ("csv", "xlsx"):
        return see_other(f"/console/t/{path}/cases")
    moments = page_moments(platform, as_of, known_at)
    args = _list_args(moments, state, open, late, overdue, kind, q, include_descendants)
    answer: Response = case_list_api.list_cases(
        path, request, staff, platform, **args, format=fmt
    )
    return answer


def new_case_view(
    request: Request,
    path: str,
    staff: Principal,
    platform: Platform,
    errors: FormErrors,
    form: dict[str, Any],
    status_code: int = 200,
) -> Response:
    tenant = tenants.get_tenant(path, staff, platform, Response())
    return render(
        request,
        "console_case_new.html",
        status_code=status_code,
        title=("错误：" if errors else "") + "登记办件",
        crumbs=[*tenant_crumbs(platform, path, staff), ("登记办件", "")],
        tenant=tenant,
        kinds=[(k.value, k.label) for k in CaseKind],
        channels=[(c.value, c.label) for c in IntakeChannel],
        errors=errors,
        form=form,
    )


@router.get("/t/{path}/cases/new", response_class=HTMLResponse)
def new_case_form(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep
) -> Response:
    return new_case_view(request, path, staff, platform, FormErrors(), {})


@router.post("/t/{path}/cases/new", response_class=HTMLResponse)
def file_case(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep, form: FormDep
) -> Response:
    data = body_from_form(CaseCreate, form)
    data.pop("applicant", None)
    applicant = body_from_form(
        ApplicantIn, {k.removeprefix("applicant_"): v for k, v in form.items()}
    )
    if applicant:
        data["applicant"] = applicant
    data.pop("location", None)
    location = body_from_form(
        LocationIn, {k.removeprefix("location_"): v for k, v in form.items()}
    )
    if location:
        data["location"] = location
    body, errors = parse(CaseCreate, data)
    if body is None:
        errors.items = [(f.replace(".", "_"), m) for f, m in errors.items]
        return new_case_view(request, path, staff, platform, errors, form, 422)
    try:
        card = cases.file_case(path, body, staff, platform, Response())  # type: ignore[arg-type]
    except GongkaiError as e:
        fails = FormErrors.from_problem(e, "summary", "CaseCreate")
        fails.items = [(f.replace(".", "_"), m) for f, m in fails.items]
        return new_case_view(request, path, staff, platform, fails, form, e.status)
    return see_other(f"/console/t/{path}/cases/{card.id}")


def card_view(
    request: Request,
    path: str,
    case_id: UUID,
    staff: Principal,
    platform: Platform,
    errors: FormErrors | None = None,
    failed_action: str | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    card = cases.get_case(path, case_id, staff, platform, Response())
    today = local_date(platform.cases.now())
    left = None
    if card.due_on and card.state not in DONE:  # the clock stops at the answer
        due = date.fromisoformat(card.due_on)
        calendar = platform.cases.calendar()
        left = (
            calendar.working_days_between(today, due)
            if due >= today
            else -calendar.working_days_between(due, today)
        )
    forms = [
        {
            "action": a,
            "label": Action(a).label,
            "fields": describe_fields(ACTION_BODIES[a]),
        }
        for a in card.allowed_actions
        if a in ACTION_BODIES
    ]
    numbers = [card.handler, card.backup_handler]
    for e in card.events:
        numbers += [e.details.get("handler"), e.details.get("backup_handler")]
    return render(
        request,
        "console_case.html",
        status_code=status_code,
        title=("错误：" if errors else "") + f"办件：{card.summary[:20]}",
        crumbs=[
            *tenant_crumbs(platform, path, staff),
            ("办件", f"/console/t/{path}/cases"),
            (card.summary[:20], ""),
        ],
        path=path,
        card=card,
        kind_label=CaseKind(card.kind).label,
        channel_label=IntakeChannel(card.channel).label,
        working_days_left=left,
        receipt=receipt_number(card.id, card.received_on),
        staff_names=staff_names(platform, path, numbers),
        forms=forms,
        errors=errors or FormErrors(),
        failed_action=failed_action,
        form=form or {},
    )


@router.get("/t/{path}/cases/{case_id}", response_class=HTMLResponse)
def case_card(
    request: Request, path: str, case_id: UUID, staff: StaffDep, platform: PlatformDep
) -> Response:
    return card_view(request, path, case_id, staff, platform)


@router.post("/t/{path}/cases/{case_id}/act/{action}", response_class=HTMLResponse)
def act(
    request: Request,
    path: str,
    case_id: UUID,
    action: str,
    staff: StaffDep,
    platform: PlatformDep,
    form: FormDep,
) -> Response:
    model = ACTION_BODIES.get(action)
    if model is None:
        return card_view(
            request, path, case_id, staff, platform,
            FormErrors([("action", "没有此项操作")]), None, form, 404,
        )  # fmt: skip
    body, errors = parse(model, body_from_form(model, form))
    if body is None:
        return card_view(
            request, path, case_id, staff, platform, errors, action, form, 422
        )
    version = str(form.get("version") or "")
    expected = int(version) if version.isdigit() and len(version) < 10 else None
    try:
        position = cases.take_action(
            platform, staff, path, case_id, action, body, expected
        )
    except GongkaiError as e:
        fails = FormErrors.from_problem(e, "action", model.__name__)
        return card_view(
            request, path, case_id, staff, platform, fails, action, form, e.status
        )
    platform.wait(CASES_NAME, position)
    return see_other(f"/console/t/{path}/cases/{case_id}")


@router.get("/t/{path}/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep
) -> Response:
    tenant = tenants.get_tenant(path, staff, platform, Response())
    issued = audit.current_checkpoint(platform, path)
    lines = issued.note.splitlines()
    signers = [ln.split(" ")[1] for ln in lines if ln.startswith("— ")]
    items = platform.disclosure_view.list_public(
        path,
        as_of=audit_now(platform),
        known_at=audit_now(platform),
        include_descendants=False,
        limit=20,
    )
    board = cases.case_board(path, staff, platform)
    return render(
        request,
        "console_audit.html",
        title=f"{tenant.name} 审计",
        crumbs=[*tenant_crumbs(platform, path, staff), ("审计", "")],
        tenant=tenant,
        issued=issued,
        signers=signers,
        items=items,
        cases=board["open"][:20],
    )


def audit_now(platform: Platform) -> str:
    return moment_text(platform.disclosures.now())
