"""Bodies and answers of the power-list routes (权责清单). The document states each
member's form; what it cannot state (a risk on a power not in the list, steps
longer than the promised limit) the domain refuses as ``invalid-power``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from domain.powers.vocabulary import (
    Labelled,
    MeasureKind,
    PowerKind,
    PowerState,
    RiskLevel,
)
from services.api.params import BodyModel, Day, Text, one_of

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"


def spellings(enum: type[Labelled]) -> list[str]:
    return [m.value for m in enum] + [m.label for m in enum]


Code = Annotated[str, Field(min_length=1, max_length=40, pattern=CODE)]
Kind = Annotated[str, Field(json_schema_extra=one_of(spellings(PowerKind)))]
State = Annotated[str, Field(json_schema_extra=one_of(spellings(PowerState)))]
Level = Annotated[str, Field(json_schema_extra=one_of(spellings(RiskLevel)))]
MeasureKindText = Annotated[
    str, Field(json_schema_extra=one_of(spellings(MeasureKind)))
]
Short = Annotated[Text, Field(min_length=1, max_length=100)]
Long = Annotated[Text, Field(min_length=1, max_length=500)]


class BranchIn(BodyModel):
    label: Short = Field(description="不予受理, 补正 …")
    returns_to: Annotated[Text, Field(min_length=1, max_length=30)] | None = Field(
        default=None, description="the step it goes back to; none: the process ends"
    )


class StepIn(BodyModel):
    name: Annotated[Text, Field(min_length=1, max_length=30)]
    performer: Short
    days: int = Field(ge=0, le=365, description="working days the step may take")
    branches: list[BranchIn] = Field(default_factory=list, max_length=10)


class PowerIn(BodyModel):
    code: Code
    name: Short
    kind: Kind
    basis_law: Short
    basis_article: Annotated[Text, Field(min_length=1, max_length=200)]
    office: Short
    post: Short
    time_limit_days: int | None = Field(
        default=None,
        ge=1,
        le=365,
        description="promised working days; none: no promise",
    )
    fee: Long = "不收费"
    fee_item: Code | None = Field(
        default=None, description="the fee standard's item code, where there is one"
    )
    state: State = "in_force"
    state_on: Day | None = None
    process: list[StepIn] = Field(default_factory=list, max_length=20)


class MeasureIn(BodyModel):
    kind: MeasureKindText
    text: Long
    post: Short


class RiskIn(BodyModel):
    code: Code
    power: Code
    step: Annotated[Text, Field(min_length=1, max_length=30)] | None = None
    description: Long
    level: Level
    measures: list[MeasureIn] = Field(default_factory=list, max_length=10)


SCENIC_EXAMPLE: dict[str, Any] = {
    "powers": [
        {
            "code": "XK-001",
            "name": "风景名胜区内设置、张贴商业广告审批",
            "kind": "行政许可",
            "basis_law": "《风景名胜区条例》",
            "basis_article": "第二十九条第一项",
            "office": "玉佛山风景名胜区管理处",
            "post": "规划建设科科长",
            "time_limit_days": 15,
            "fee": "不收费",
            "process": [
                {
                    "name": "受理",
                    "performer": "窗口受理岗",
                    "days": 1,
                    "branches": [
                        {"label": "补正", "returns_to": "受理"},
                        {"label": "不予受理"},
                    ],
                },
                {"name": "审查", "performer": "业务科室承办人", "days": 5},
                {"name": "决定", "performer": "分管负责人", "days": 3},
                {"name": "送达", "performer": "窗口受理岗", "days": 1},
            ],
        }
    ],
    "risks": [
        {
            "code": "FX-001",
            "power": "XK-001",
            "step": "审查",
            "description": "审查中降低标准、违规放宽条件",
            "level": "高",
            "measures": [
                {"kind": "制度", "text": "执行一次性告知制度", "post": "分管负责人"},
                {"kind": "监督", "text": "办理结果公示", "post": "纪检监察员"},
            ],
        }
    ],
    "source": "2026年权责清单",
}


class DraftIn(BodyModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SCENIC_EXAMPLE]})
    powers: list[PowerIn] = Field(min_length=1, max_length=2000)
    risks: list[RiskIn] = Field(default_factory=list, max_length=5000)
    source: Annotated[str, Field(max_length=200)] = ""


class ReviewIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"opinion": "经清权确权，同意发布"}]}
    )
    opinion: Annotated[str, Field(max_length=2000)] = ""


class ReturnIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"opinion": "XK-003 缺少法律依据条款"}]}
    )
    opinion: Annotated[Text, Field(min_length=1, max_length=2000)]


class Figures(BaseModel):
    """What the county reads of one version."""

    powers: int
    in_force: int
    with_process: int
    risks: dict[str, int] = Field(description="risk points by level: high/medium/low")
    risk_total: int
    measures: int
    measures_by_kind: dict[str, int]
    measures_per_risk: float
    unassessed: list[str] = Field(description="powers in force with no risk point")
    unmitigated_high: list[str] = Field(description="high risks without a measure")


class DraftOut(BaseModel):
    tenant: str
    version: int
    position: int
    figures: Figures


class ReviewOut(BaseModel):
    tenant: str
    version: int
    state: str = Field(description="approved or returned")
    position: int


class PowerOut(BaseModel):
    code: str
    name: str
    kind: str
    kind_label: str
    basis_law: str
    basis_article: str
    office: str
    post: str
    time_limit_days: int | None
    fee: str
    fee_item: str | None
    state: str
    state_label: str
    state_on: str | None
    process: list[dict[str, Any]]


class RiskOut(BaseModel):
    code: str
    power: str
    step: str | None
    description: str
    level: str
    level_label: str
    measures: list[dict[str, Any]]


class PowerListOut(BaseModel):
    tenant: str
    version: int | None = Field(description="the version shown")
    in_force: int | None
    pending: int | None
    powers: list[PowerOut]
    risks: list[RiskOut]
    figures: Figures


class VersionRow(BaseModel):
    tenant: str
    tenant_name: str
    version: int
    state: str
    source: str
    drafted_by: str
    drafted_at: str
    decided_by: str | None
    decided_at: str | None
    opinion: str | None
    figures: Figures


class PowerCoverageOut(BaseModel):
    """Every unit at or under the tenant: its version in force and pending draft."""

    tenant: str
    units: list[VersionRow]
    without_list: list[str] = Field(description="tenants with no version in force")


class PowerCases(BaseModel):
    code: str
    name: str
    time_limit_days: int | None
    handled: int = Field(description="cases (not complaints) naming the power")
    on_time: int = Field(description="completed by their due date")
    late: int = Field(description="completed after their due date, or owed past it")
    open: int
    complaints: int = Field(description="complaints naming the power")
    risks: int
    high_risks: int
    late_cases: list[str] = Field(description="ids of the late cases")


class PowerCasesOut(BaseModel):
    """Per power of the list in force: what happened in ``year``."""

    tenant: str
    year: int
    powers: list[PowerCases]
