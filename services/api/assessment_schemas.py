"""Request and response bodies of the campaign routes (考核方案, 第十五条)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.assessment.criteria import STANDARDS, TEMPLATE
from domain.assessment.procedure import MAX_TEXT
from services.api.bodies import SPACE
from services.api.params import BodyModel, Day, TenantPath, Text, one_of

Method = Literal[
    "self_check", "mutual_check", "announced", "unannounced", "online", "on_site",
    "overall",
]  # fmt: skip
Path = TenantPath
TARGET = Field(examples=["xinhe.tahe"], description="a target's path")
EVIDENCE = rf"^(case|disclosure|event|inspection|staff|url):[^\x00{SPACE}]{{1,300}}$"
Evidence = Annotated[str, Field(pattern=EVIDENCE, max_length=310)]
Standard = Annotated[str, Field(json_schema_extra=one_of([c for c, _ in STANDARDS]))]


class CriterionIn(BodyModel):
    code: Text = Field(min_length=1, max_length=40, examples=["c01"])
    title: Text = Field(min_length=1, max_length=200, examples=["组织领导"])
    points: float = Field(gt=0, le=100, examples=[10])
    veto: bool = Field(default=False, description="一票否决 when this item fails")
    standards: list[Standard] = Field(
        default_factory=list, max_length=7, description="第十一条 standards s1…s7"
    )


TEMPLATE_ROWS = [
    {"code": c.code, "title": c.title, "points": c.points, "veto": c.veto}
    for c in TEMPLATE
]


class CampaignCreate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "2026年度塔河镇所辖村政务公开考核",
                    "period_from": "2026-01-01",
                    "period_to": "2026-09-30",
                    "targets": ["xinhe.tahe.tuanjie"],
                    "methods": ["online", "on_site"],
                }
            ]
        },
    )
    title: Text = Field(min_length=1, max_length=200)
    period_from: Day
    period_to: Day
    targets: list[Path] = Field(min_length=1, max_length=500)
    criteria: list[CriterionIn] | None = Field(
        default=None,
        max_length=100,
        description="items whose points sum to 100; default: the template of "
        "第十条 (14 items)",
    )
    methods: list[Method] = Field(min_length=1, max_length=7)


class ItemScore(BodyModel):
    code: Text = Field(min_length=1, max_length=40, examples=["c01"])
    points: float = Field(ge=0, le=100, examples=[9])
    evidence: list[Evidence] = Field(
        default_factory=list,
        max_length=50,
        description="references: case:ID, disclosure:ID, event:ID:VERSION, "
        "inspection:ID, staff:NUMBER or url:…",
    )


class SelfAssessmentIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target": "xinhe.tahe.tuanjie",
                    "items": [{"code": "c01", "points": 9}],
                    "report": "团结村2026年政务公开自查报告",
                }
            ]
        },
    )
    target: Path = TARGET
    items: list[ItemScore] = Field(min_length=1, max_length=100)
    report: Text = Field(min_length=1, max_length=MAX_TEXT, description="书面汇报材料")


class ReviewIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target": "xinhe.tahe.tuanjie",
                    "items": [
                        {"code": "c01", "points": 8, "evidence": ["case:0b6f2a4e"]}
                    ],
                    "method": "on_site",
                }
            ]
        },
    )
    target: Path = TARGET
    items: list[ItemScore] = Field(min_length=1, max_length=100)
    method: Method


class NoBody(BodyModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{}]})


class ObjectionIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"target": "xinhe.tahe.tuanjie", "text": "自评材料未被采纳"}]
        },
    )
    target: Path = TARGET
    text: Text = Field(min_length=1, max_length=MAX_TEXT, examples=["自评材料未被采纳"])


class AnswerIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"objection": 1, "answer": "经复核，维持原评分"}]
        },
    )
    objection: int = Field(ge=1, le=100_000, examples=[1])
    answer: Text = Field(
        min_length=1, max_length=MAX_TEXT, examples=["经复核，维持原评分"]
    )


class OrderIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"target": "xinhe.tahe.tuanjie", "working_days": 20}]
        },
    )
    target: Path = TARGET
    working_days: int = Field(
        default=20, ge=1, le=250, description="整改期限（工作日）"
    )


class ReportIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target": "xinhe.tahe.tuanjie",
                    "report": "已补充公开2026年低保金发放情况",
                }
            ]
        },
    )
    target: Path = TARGET
    report: Text = Field(min_length=1, max_length=MAX_TEXT, examples=["已补充公开"])


class VerifyIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"target": "xinhe.tahe.tuanjie", "passed": True, "note": "整改到位"}
            ]
        },
    )
    target: Path = TARGET
    passed: bool
    note: Text = Field(min_length=1, max_length=MAX_TEXT, examples=["整改到位"])
    working_days: int = Field(
        default=10, ge=1, le=250, description="new deadline when not passed"
    )


class CampaignOut(BaseModel):
    id: str
    tenant: str
    version: int
    title: str
    period_from: str
    period_to: str
    stage: str
    stage_label: str
    targets: list[str]
    criteria: list[dict[str, Any]]
    methods: list[str]
    notice: dict[str, Any] | None
    objections: list[dict[str, Any]]
    finalized: dict[str, Any] | None
    rectifications: dict[str, Any]


class LeagueRow(BaseModel):
    target: str
    target_name: str | None = None
    score: float | None
    grade: Literal["excellent", "good", "pass", "fail"] | None
    grade_label: str | None
    rank: int | None
    vetoed_by: list[str]
    failed_items: list[str]


class LeagueTable(BaseModel):
    campaign: str
    title: str
    stage: str
    as_of: str | None = None
    rows: list[LeagueRow]


class Scorecard(BaseModel):
    campaign: str
    target: str
    stage: str
    result: dict[str, Any] | None
    self_report: str | None
    self_score: float | None
    items: list[dict[str, Any]]
    objections: list[dict[str, Any]]
    rectification: dict[str, Any] | None
    metrics: dict[str, Any] = Field(
        description="objective figures of the target for the period, as known at "
        "its end, with the disclosures behind them; power_list: its 权责清单 as "
        "evidence for the 行政权力公开 item (each such item carries it as "
        "power_evidence)"
    )
    as_of: str | None = None
