"""Public participation: meetings with the public (座谈会, 项目审查会, 听证) and the
unit's answers to their opinions; 限期治理 plans from plan to 竣工验收."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import ConfigDict, Field

from domain.participation.meetings import ATTENDEE_CATEGORIES, KINDS, VERDICTS
from domain.participation.remediation import RESULTS
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import BodyModel, Day, Text, one_of

router = APIRouter(prefix="/tenants/{path}", tags=["participation"])

NumberPath = Annotated[str, Path(max_length=30, description="the unit's number")]
OpinionPath = Annotated[int, Path(ge=1, le=100, description="the opinion's number")]


def spellings(table: dict[str, str] | Any) -> list[str]:
    return [*table, *table.values()]


class AttendanceIn(BodyModel):
    category: str = Field(json_schema_extra=one_of(spellings(ATTENDEE_CATEGORIES)))
    invited: int = Field(ge=0, le=10_000)
    present: int = Field(ge=0, le=10_000)


class MeetingIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "2026-SC-01",
                    "kind": "项目审查会",
                    "held_on": "2026-04-10",
                    "subject": "新和县城区污水处理厂提标改造项目环境影响报告表",
                    "attendees": [
                        {"category": "项目所在地单位", "invited": 2, "present": 2},
                        {"category": "人大代表", "invited": 2, "present": 2},
                        {"category": "政协委员", "invited": 2, "present": 1},
                        {"category": "居民代表", "invited": 5, "present": 5},
                    ],
                    "opinions": ["施工期夜间噪声应控制"],
                }
            ]
        }
    )
    number: Text = Field(max_length=30, description="the unit's number, once")
    kind: str = Field(json_schema_extra=one_of(spellings(KINDS)))
    held_on: Day
    subject: Text = Field(max_length=200)
    attendees: list[AttendanceIn] = Field(min_length=1, max_length=20)
    opinions: list[Text] = Field(max_length=100)


class AnswerIn(BodyModel):
    verdict: str = Field(json_schema_extra=one_of(spellings(VERDICTS)))
    reason: Text = Field(max_length=500)
    answered_on: Day | None = None


class MinutesIn(BodyModel):
    sha256: str = Field(
        pattern="^[0-9a-fA-F]{64}$", description="sha256 of the minutes' file"
    )
    name: Text = Field(max_length=120, description="the file's name")


@router.get(
    "/meetings",
    summary="座谈会/项目审查会/听证: meetings, opinions, answers and overdue ones",
)
def get_meetings(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    return platform.meetings.book(principal, path)


@router.post(
    "/meetings",
    status_code=status.HTTP_201_CREATED,
    summary="Record a meeting held; a 项目审查会 invites 项目所在地单位、人大代表、"
    "政协委员、居民代表",
)
def hold_meeting(
    path: str, body: MeetingIn, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    data = body.model_dump()
    platform.meetings.hold(principal, path, **data)
    return platform.meetings.book(principal, path)


@router.post(
    "/meetings/{number}/opinions/{opinion}/answer",
    summary="Answer an opinion: 采纳, 部分采纳 or 不予采纳, with the reason",
)
def answer_opinion(
    path: str,
    number: NumberPath,
    opinion: OpinionPath,
    body: AnswerIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    platform.meetings.answer(principal, path, number, opinion, **body.model_dump())
    return platform.meetings.book(principal, path)


@router.post("/meetings/{number}/minutes", summary="Attach the minutes by their sha256")
def attach_minutes(
    path: str,
    number: NumberPath,
    body: MinutesIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    platform.meetings.attach_minutes(principal, path, number, **body.model_dump())
    return platform.meetings.book(principal, path)


# 限期治理 ------------------------------------------------------------------------


class PlanIn(BodyModel):
    number: Text = Field(max_length=30)
    unit: Text = Field(max_length=100, description="the unit under treatment")
    tasks: list[Text] = Field(min_length=1, max_length=30)
    deadline: Day
    planned_on: Day | None = None


class ConsultIn(BodyModel):
    meeting: Text = Field(max_length=30, description="a meeting's number")


class SupervisionIn(BodyModel):
    note: Text = Field(max_length=500)
    noted_on: Day | None = None


class AcceptanceIn(BodyModel):
    result: str = Field(json_schema_extra=one_of(spellings(RESULTS)))
    note: Text = Field(max_length=500)
    accepted_on: Day | None = None


@router.get(
    "/remediation-plans",
    summary="限期治理: plans with their state, acceptance and whether overdue",
)
def get_plans(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    return platform.remediation.book(principal, path)


@router.post(
    "/remediation-plans",
    status_code=status.HTTP_201_CREATED,
    summary="限期治理: a plan (unit, tasks, deadline)",
)
def make_plan(
    path: str, body: PlanIn, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    platform.remediation.plan(principal, path, **body.model_dump())
    return platform.remediation.book(principal, path)


@router.post(
    "/remediation-plans/{number}/consult",
    summary="The consultation held on the plan (a meeting's number)",
)
def consult_plan(
    path: str,
    number: NumberPath,
    body: ConsultIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    platform.remediation.consult(principal, path, number, **body.model_dump())
    return platform.remediation.book(principal, path)


@router.post(
    "/remediation-plans/{number}/supervise",
    summary="A construction supervision note (施工监督)",
)
def supervise_plan(
    path: str,
    number: NumberPath,
    body: SupervisionIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    platform.remediation.supervise(principal, path, number, **body.model_dump())
    return platform.remediation.book(principal, path)


@router.post(
    "/remediation-plans/{number}/accept",
    summary="竣工验收 with its result (通过/不通过)",
)
def accept_plan(
    path: str,
    number: NumberPath,
    body: AcceptanceIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    platform.remediation.accept(principal, path, number, **body.model_dump())
    return platform.remediation.book(principal, path)
