"""问卷调查: design, codes, open, close and results (staff); the public's answer
(no account: a one-time code, throttled per address like the receipt lookup); the
closed questionnaires' satisfaction figures (objective figures for assessment)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, status
from pydantic import ConfigDict, Field

from domain.access import require_read
from domain.participation.questionnaires import KINDS, MINIMUM_SAMPLE
from services.api.deps import PlatformDep, PrincipalDep
from services.api.forwarded import client_address
from services.api.params import BodyModel, Day, Text, one_of
from services.participation.questionnaires import MAX_BATCH, answer_throttled

router = APIRouter(prefix="/tenants/{path}", tags=["participation"])
# The public's answer needs no token, so it lives outside /tenants/{path} (where
# every operation takes one).
public_router = APIRouter(prefix="/questionnaires", tags=["participation"])

Number = Annotated[int, Path(ge=1, le=100000, description="the questionnaire's number")]


class QuestionIn(BodyModel):
    kind: str = Field(json_schema_extra=one_of([*KINDS, *KINDS.values()]))
    text: Text = Field(max_length=200)
    options: list[Annotated[Text, Field(max_length=100)]] = Field(
        default_factory=list, max_length=10
    )


class QuestionnaireIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "景区政务公开满意度调查",
                    "purpose": "征求游客和群众对政务公开工作的意见",
                    "questions": [
                        {
                            "kind": "single",
                            "text": "您是否来过景区？",
                            "options": ["是", "否"],
                        },
                        {"kind": "scale", "text": "总体评价"},
                        {"kind": "text", "text": "意见和建议"},
                    ],
                }
            ]
        }
    )
    title: Text = Field(max_length=100)
    purpose: str = Field(default="", max_length=500)
    questions: list[QuestionIn] = Field(min_length=1, max_length=30)
    minimum_sample: int = Field(default=MINIMUM_SAMPLE, ge=1, le=1000)


class CodesIn(BodyModel):
    count: int = Field(ge=1, le=MAX_BATCH)


class OpenIn(BodyModel):
    opens_on: Day | None = None
    closes_on: Day


Answer = int | list[int] | Annotated[str, Field(max_length=500)] | None


class AnswerIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"code": "K7QMX-3RTPA", "answers": [0, 5, "好"]}]
        }
    )
    code: str = Field(min_length=4, max_length=20, description="the one-time code")
    answers: list[Answer] = Field(
        max_length=30,
        description="per question: an option's index, a list of them, 1–5, a text, "
        "or null",
    )


@router.get("/questionnaires", summary="问卷调查: the tenant's questionnaires")
def list_questionnaires(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    require_read(principal, path)
    platform.disclosures.tenant(path)
    found = platform.questionnaires.all(path)
    return {
        "tenant": path,
        "questionnaires": [
            {**q.summary(), "codes_issued": q.codes_issued} for q in found
        ],
    }


@router.post(
    "/questionnaires",
    status_code=status.HTTP_201_CREATED,
    summary="设计 a questionnaire (single, multiple, 1–5 scale, free text)",
)
def design_questionnaire(
    path: str, body: QuestionnaireIn, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    data = body.model_dump()
    number = platform.questionnaires.design(principal, path, **data)
    return platform.questionnaires.staff_results(principal, path, number)


@router.post(
    "/questionnaires/{number}/codes",
    status_code=status.HTTP_201_CREATED,
    summary="One-time codes to hand out on paper (returned once, stored hashed)",
)
def issue_codes(
    path: str,
    number: Number,
    body: CodesIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    codes = platform.questionnaires.issue_codes(principal, path, number, body.count)
    return {"number": number, "codes": codes}


@router.post("/questionnaires/{number}/open", summary="征集: open for a period")
def open_questionnaire(
    path: str,
    number: Number,
    body: OpenIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    platform.questionnaires.open(principal, path, number, **body.model_dump())
    return platform.questionnaires.staff_results(principal, path, number)


@router.post(
    "/questionnaires/{number}/close", summary="结束: close and publish the results"
)
def close_questionnaire(
    path: str, number: Number, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    platform.questionnaires.close(principal, path, number)
    return platform.questionnaires.staff_results(principal, path, number)


@router.get(
    "/questionnaires/{number}",
    summary="Results for staff: counts, shares with Wilson intervals, free text",
)
def questionnaire_results(
    path: str, number: Number, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    return platform.questionnaires.staff_results(principal, path, number)


@public_router.post(
    "/{path}/{number}/answers",
    status_code=status.HTTP_201_CREATED,
    summary="The public's answer (no account; one per one-time code)",
    description="A spent code is refused with 409, an unknown one with 404; "
    "too many refusals from one address lock it (429).",
)
def answer_questionnaire(
    path: str,
    number: Number,
    body: AnswerIn,
    request: Request,
    platform: PlatformDep,
) -> dict[str, Any]:
    answer_throttled(
        platform, path, number, body.code, body.answers, client_address(request)
    )
    return {"number": number, "answered": True}


@router.get(
    "/questionnaire-satisfaction",
    summary="The closed questionnaires' satisfaction: an objective figure for "
    "assessment (share of 满意 and 很满意 with its Wilson interval)",
)
def questionnaire_satisfaction(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    require_read(principal, path)
    platform.disclosures.tenant(path)
    return {
        "tenant": path,
        "questionnaires": platform.questionnaires.satisfaction(path),
    }
