"""The staff console: sign-in, items and their history, publishing; what pages share.

Every handler calls the function the matching API route calls (often the route
function itself) and hands the result to a template; forms post back here, and a
refused command shows the problem's ``detail`` beside the offending field.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup, escape

from domain.access import Principal, Role
from domain.disclosures.catalogue import Channel
from domain.errors import GongkaiError
from services.api.deps import PlatformDep
from services.api.params import parse_moments
from services.api.routes import auth, disclosures, tenants
from services.api.schemas import DisclosureCreate, DisclosureRevision, Withdrawal
from services.core.display import china_minute
from services.disclosures.lists import Moments
from services.platform.runtime import Platform
from services.web.forms import FormErrors, body_from_form, parse, problem_words
from services.web.session import (
    check_csrf,
    end_session,
    prepare,
    require_staff,
    session_claims,
    start_session,
)
from services.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)
StaffDep = Annotated[Principal, Depends(require_staff)]
FormDep = Annotated[dict[str, Any], Depends(check_csrf)]


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def tenant_crumbs(platform: Platform, path: str, staff: Principal) -> list[Any]:
    """首页 › 县 › 镇 › 村, from the staffer's own tenant down to ``path``."""
    out: list[tuple[str, str]] = [("首页", "/console/")]
    parts = path.split(".")
    home = (staff.tenant or "").count(".") + 1 if staff.tenant else 1
    for i in range(home, len(parts) + 1):
        sub = ".".join(parts[:i])
        row = platform.directory.get(sub)
        out.append((row["name"] if row else sub, f"/console/t/{sub}"))
    return out


def can_write(staff: Principal, path: str, *roles: Role) -> bool:
    return staff.tenant == path and any(r in staff.roles for r in roles)


def page_moments(
    platform: Platform, as_of: str | None, known_at: str | None
) -> Moments:
    """A page's ``as_of`` and ``known_at``: as given (a form's empty field is not
    given), else now. Every number on the page is taken at these and every link
    and export on it carries them, so a list opened from a number shows the same
    moment (400 for a malformed one, as the API)."""
    return parse_moments(as_of or None, known_at or None, platform.disclosures.now())


def given_moments(as_of: str | None, known_at: str | None) -> dict[str, str]:
    """What the page's 截至 / 按当时所知 fields show: what was asked for."""
    return {"as_of": as_of or "", "known_at": known_at or ""}


# Sign-in ------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/console") and "//" not in target:
        return target
    return "/console/"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str | None = None) -> Response:
    prepare(request)
    return render(
        request,
        "sign_in.html",
        title="登录工作台",
        next=_safe_next(next),
        errors=FormErrors(),
        username="",
    )


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, platform: PlatformDep, form: FormDep) -> Response:
    prepare(request)
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next") or ""))
    try:
        token = auth.sign_in(request, platform, username, password)
    except GongkaiError as e:
        place = e.field or ("password" if e.status == 401 else "username")
        errors = FormErrors([(place, problem_words(e))])
        wait = getattr(e, "retry_after", None)
        return render(
            request,
            "sign_in.html",
            status_code=e.status,
            headers={"Retry-After": str(wait)} if wait else None,
            title="错误：登录工作台",
            next=target,
            errors=errors,
            username=username,
        )
    response = see_other(target)
    start_session(request, response, token.access_token, token.expires_in)
    return response


@router.post("/sign-out")
def sign_out(request: Request, platform: PlatformDep, form: FormDep) -> Response:
    claims = session_claims(request)
    if claims and claims.is_staff and claims.jti and claims.expires_at:
        platform.sign_ins.sign_out(claims.subject, claims.jti, claims.expires_at)
    response = see_other("/console/sign-in")
    end_session(request, response)
    return response


# 首页's notes ------------------------------------------------------------------------


def future_notes(platform: Platform, warnings: list[str]) -> list[str]:
    """The API's warnings that a date asked for lies ahead (English, for
    machines), said once in Chinese for the staffer."""
    if not warnings:
        return []
    now = china_minute(platform.disclosures.now())
    return [f"所选日期晚于现在（{now}），下表是目前所知的情况。"]


# Items -----------------------------------------------------------------------------


def side_by_side(old: str, new: str) -> tuple[Markup, Markup]:
    """Character-level diff (Chinese has no spaces), marked with <del> and <ins>."""
    left, right = [], []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape(old[a1:a2]))
            right.append(escape(new[b1:b2]))
            continue
        if a2 > a1:
            left.append(Markup("<del>%s</del>") % old[a1:a2])
        if b2 > b1:
            right.append(Markup("<ins>%s</ins>") % new[b1:b2])
    return Markup("").join(left), Markup("").join(right)


@router.get("/t/{path}/items/{item_id}", response_class=HTMLResponse)
def item_page(
    request: Request,
    path: str,
    item_id: UUID,
    staff: StaffDep,
    platform: PlatformDep,
    a: int | None = None,
    b: int | None = None,
) -> Response:
    return item_view(request, path, item_id, staff, platform, a, b)


def item_view(
    request: Request,
    path: str,
    item_id: UUID,
    staff: Principal,
    platform: Platform,
    a: int | None = None,
    b: int | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    history = disclosures.history(path, item_id, staff, platform)
    versions = history.versions
    by_version = {v.version: v for v in versions}
    new = by_version.get(b or versions[-1].version, versions[-1])
    old = by_version.get(a or max(new.version - 1, 1), versions[0])
    title_diff = side_by_side(old.state.title, new.state.title)
    body_diff = side_by_side(old.state.body, new.state.body)
    current = versions[-1]
    return render(
        request,
        "console_item.html",
        status_code=status_code,
        title=("错误：" if errors else "") + current.state.title,
        crumbs=[*tenant_crumbs(platform, path, staff), (current.state.title, "")],
        path=path,
        versions=versions,
        current=current,
        old=old,
        new=new,
        title_diff=title_diff,
        body_diff=body_diff,
        can_edit=can_write(staff, path, Role.CLERK) and not current.state.withdrawn,
        errors=errors or FormErrors(),
        form=form or {},
        evidence=f"/console/t/{path}/evidence/disclosures/{item_id}",
    )


@router.get("/t/{path}/publish", response_class=HTMLResponse)
def publish_form(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep
) -> Response:
    return publish_view(request, path, staff, platform, FormErrors(), {})


def publish_view(
    request: Request,
    path: str,
    staff: Principal,
    platform: Platform,
    errors: FormErrors,
    form: dict[str, Any],
    status_code: int = 200,
) -> Response:
    tenant = tenants.get_tenant(path, staff, platform, Response())
    entries = platform.disclosures.catalogue_for(platform.disclosures.tenant(path))
    return render(
        request,
        "console_publish.html",
        status_code=status_code,
        title=("错误：" if errors else "") + "发布公开事项",
        crumbs=[*tenant_crumbs(platform, path, staff), ("发布公开事项", "")],
        tenant=tenant,
        categories=[(e.code, f"{e.level1} · {e.level2}") for e in entries],
        channels=[(c.value, c.label) for c in Channel],
        errors=errors,
        form=form,
    )


@router.post("/t/{path}/publish", response_class=HTMLResponse)
async def publish(
    request: Request, path: str, staff: StaffDep, platform: PlatformDep, form: FormDep
) -> Response:
    channels = (await request.form()).getlist("channels")
    data = body_from_form(DisclosureCreate, form)
    data["channels"] = [str(c) for c in channels]
    body, errors = parse(DisclosureCreate, data)
    if body is None:
        return publish_view(request, path, staff, platform, errors, form, 422)
    try:
        item = disclosures.publish(path, body, staff, platform, Response())  # type: ignore[arg-type]
    except GongkaiError as e:
        fails = FormErrors.from_problem(e, "title", "DisclosureCreate")
        return publish_view(request, path, staff, platform, fails, form, e.status)
    return see_other(f"/console/t/{path}/items/{item.id}")


@router.post("/t/{path}/items/{item_id}/revise", response_class=HTMLResponse)
def revise(
    request: Request,
    path: str,
    item_id: UUID,
    staff: StaffDep,
    platform: PlatformDep,
    form: FormDep,
) -> Response:
    body, errors = parse(DisclosureRevision, body_from_form(DisclosureRevision, form))
    if body is None:
        return item_view(
            request, path, item_id, staff, platform, None, None, errors, 422, form
        )
    try:
        disclosures.revise(
            path,
            item_id,
            body,
            staff,
            platform,
            _version(form),
            Response(),  # type: ignore[arg-type]
        )
    except GongkaiError as e:
        fails = FormErrors.from_problem(e, "reason", "DisclosureRevision")
        return item_view(
            request, path, item_id, staff, platform, None, None, fails, e.status, form
        )
    return see_other(f"/console/t/{path}/items/{item_id}")


@router.post("/t/{path}/items/{item_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    path: str,
    item_id: UUID,
    staff: StaffDep,
    platform: PlatformDep,
    form: FormDep,
) -> Response:
    data = {
        "reason": form.get("withdraw_reason") or None,
        "personal_data": form.get("personal_data") in ("on", "true"),
    }
    body, errors = parse(Withdrawal, {k: v for k, v in data.items() if v})
    if body is None:
        errors = FormErrors([("withdraw_reason", m) for _, m in errors.items])
        return item_view(
            request, path, item_id, staff, platform, None, None, errors, 422, form
        )
    try:
        disclosures.withdraw(
            path,
            item_id,
            body,
            staff,
            platform,
            _version(form),
            Response(),  # type: ignore[arg-type]
        )
    except GongkaiError as e:
        fails = FormErrors([("withdraw_reason", problem_words(e, "Withdrawal"))])
        return item_view(
            request, path, item_id, staff, platform, None, None, fails, e.status, form
        )
    return see_other(f"/console/t/{path}/items/{item_id}")


def _version(form: dict[str, Any]) -> int | None:
    text = str(form.get("version") or "")
    return int(text) if text.isdigit() and len(text) < 10 else None


@router.get("/t/{path}/evidence/{kind}/{subject}")
def evidence(
    path: str, kind: str, subject: UUID, staff: StaffDep, platform: PlatformDep
) -> Response:
    from services.api.routes import evidence as api_evidence

    if kind == "disclosures":
        return api_evidence.disclosure_bundle(path, subject, staff, platform)
    if kind == "cases":
        return api_evidence.case_bundle(path, subject, staff, platform)
    return see_other(f"/console/t/{quote(path)}")
