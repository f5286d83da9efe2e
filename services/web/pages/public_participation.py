"""The public board's 公众参与 page (no sign-in): what a unit reports of the
public's part in its work, starting with the 建议提案 it handled (counts and rates
only: no proposer, no text of the answers) and its current social supervisors
(number, name and category as the unit publishes them; no contact of any kind)."""

from __future__ import annotations

from math import ceil
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from domain.error_words import PHRASES
from domain.errors import GongkaiError, TooManyAttemptsError
from domain.participation.questionnaires import SCALE
from domain.timeliness import local_date
from services.api.deps import PlatformDep
from services.api.forwarded import client_address
from services.api.routes import participation, tenants
from services.participation.questionnaires import answer_throttled
from services.web.pages.public import FormDep, crumbs_for, reader
from services.web.session import prepare
from services.web.templating import render

router = APIRouter(prefix="/gongkai", include_in_schema=False)


@router.get("/{path}/participation", response_class=HTMLResponse)
def participation_page(
    request: Request, path: str, platform: PlatformDep
) -> HTMLResponse:
    tenant = tenants.tenant_public(platform, path)  # unknown → 404 page
    this_year = local_date(platform.cases.now()).year
    years = [
        participation.suggestion_figures(
            platform, reader(path), path, year=year, include_descendants=False
        )
        for year in (this_year, this_year - 1)
    ]
    for report in years:
        report.pop("suggestions")  # figures only on the public board
    return render(
        request,
        "public_participation.html",
        title=f"{tenant.name}公众参与",
        crumbs=[*crumbs_for(platform, path), ("公众参与", "")],
        tenant=tenant,
        years=years,
        supervisors=platform.supervisors.public_names(path),
        questionnaires=platform.questionnaires.public_results(path),
        open_questionnaires=[
            q.summary()
            for q in platform.questionnaires.all(path)
            if q.taking_answers(local_date(platform.cases.now()))
        ],
        reviews=platform.meetings.public(path),
        plans=platform.remediation.listing(path)["plans"],
    )


def form_answers(questions: list[dict[str, Any]], form: dict[str, Any]) -> list[Any]:
    """The posted form as the API's answers: ``q{i}`` for a radio or a text,
    ``q{i}_{j}`` for each ticked box of a multiple choice."""
    answers: list[Any] = []
    for i, q in enumerate(questions):
        raw = str(form.get(f"q{i}", ""))[:500].strip()
        if q["kind"] == "multiple":
            answers.append(
                [j for j in range(len(q["options"])) if form.get(f"q{i}_{j}")]
            )
        elif q["kind"] in ("single", "scale"):
            answers.append(int(raw) if raw.isdigit() and len(raw) < 3 else None)
        else:
            answers.append(raw or None)
    return answers


def questionnaire_view(
    request: Request,
    platform: PlatformDep,
    path: str,
    number: int,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    tenant = tenants.tenant_public(platform, path)
    q = platform.questionnaires.get(path, number)  # unknown → 404 page
    return render(
        request,
        "public_questionnaire.html",
        status_code=status_code,
        title=("错误：" if extra.get("problem") else "") + q.title,
        crumbs=[
            *crumbs_for(platform, path),
            ("公众参与", f"/gongkai/{path}/participation"),
            (q.title, ""),
        ],
        tenant=tenant,
        q=q.summary(),
        open=q.taking_answers(local_date(platform.cases.now())),
        scale=SCALE,
        **extra,
    )


@router.get("/{path}/questionnaires/{number}", response_class=HTMLResponse)
def questionnaire_form(
    request: Request, path: str, number: int, platform: PlatformDep
) -> HTMLResponse:
    """The questionnaire on a phone: no account, a one-time code."""
    prepare(request)
    return questionnaire_view(request, platform, path, number)


@router.post("/{path}/questionnaires/{number}", response_class=HTMLResponse)
def questionnaire_answer(
    request: Request, path: str, number: int, platform: PlatformDep, form: FormDep
) -> HTMLResponse:
    """An answer posted with the page's CSRF token; a refusal is said in Chinese
    on the same page, with what was typed kept but the code."""
    prepare(request)
    questions = platform.questionnaires.get(path, number).summary()["questions"]
    code = str(form.get("code", ""))[:20]
    try:
        answer_throttled(
            platform,
            path,
            number,
            code,
            form_answers(questions, form),
            client_address(request),
        )
    except TooManyAttemptsError as e:
        minutes = ceil(e.retry_after / 60)
        return questionnaire_view(
            request,
            platform,
            path,
            number,
            429,
            problem=f"提交未成功的次数过多，请 {minutes} 分钟后再试",
            code=code,
        )
    except GongkaiError as e:
        return questionnaire_view(
            request,
            platform,
            path,
            number,
            e.status,
            problem=phrase(e),
            code=code,
        )
    return questionnaire_view(request, platform, path, number, 201, done=True)


def phrase(error: GongkaiError) -> str:
    return PHRASES.get(error.slug, PHRASES["error"])
