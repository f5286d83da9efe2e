"""Request and response bodies of the case routes (投诉、举报、办事、依申请公开)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from services.api.params import BodyModel, Count, Day


class ApplicantIn(BodyModel):
    name: str = Field(min_length=1, max_length=50, examples=["张三"])
    phone: str | None = Field(default=None, max_length=30, examples=["13812345678"])
    id_number: str | None = Field(default=None, max_length=18)
    address: str | None = Field(default=None, max_length=200)


class CaseCreate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "complaint",
                    "channel": "mailbox",
                    "signed": True,
                    "summary": "景区停车场收费标准未公示，游客多收费用",
                    "applicant": {"name": "张三", "phone": "13812345678"},
                }
            ]
        },
    )
    kind: str = Field(
        description="complaint report service_request inquiry proposal "
        "visit disclosure_request (or 投诉/举报/…)"
    )
    channel: str = Field(description="hotline mailbox web visit letter agent media")
    summary: str = Field(min_length=1, max_length=2000)
    signed: bool = Field(description="署名: a signed case must get feedback")
    category: str | None = Field(
        default=None, description="service code, e.g. svc.deed-tax"
    )
    applicant: ApplicantIn | None = None
    filed_by_agent: str | None = Field(default=None, max_length=100)
    agent_village: str | None = Field(
        default=None, description="the agent's village path"
    )
    received_on: Day | None = None
    applicant_type: str | None = Field(
        default=None,
        max_length=20,
        description="disclosure requests: natural_person commercial research "
        "public_interest legal_service other_org (or 自然人/商业企业/…), "
        "the annual report's columns; default 自然人",
    )


def _model(name: str, **fields: Any) -> type[BaseModel]:
    return create_model(name, __base__=BodyModel, **fields)


# One body per action; the API route names use dashes.
ACTION_BODIES: dict[str, type[BaseModel]] = {
    "request-materials": _model(
        "RequestMaterials", items=(list[str], Field(min_length=1))
    ),
    "provide-materials": _model("ProvideMaterials"),
    "accept": _model("Accept"),
    "reject": _model("Reject", reason=(str, ...), referral=(str, ...)),
    "assign": _model(
        "Assign",
        department=(str, ...),
        handler=(str, ...),
        backup_handler=(str | None, None),
        promised_working_days=(Count | None, None),
    ),
    "transfer": _model("Transfer", target=(str, ...), reason=(str, ...)),
    "split": _model("SplitCase", children=(list[str], Field(min_length=2))),
    "supervise": _model("Supervise", due_on=(Day, ...), note=(str, ...)),
    "consult": _model("Consult", party=(str, ...), third_party=(bool, True)),
    "end-consultation": _model("EndConsultation", note=(str | None, None)),
    "extend": _model(
        "Extend",
        working_days=(Count, ...),
        reason=(str, ...),
        approver=(str, ...),
        applicant_notice=(str | None, None),
    ),
    "resolve": _model(
        "Resolve",
        result=(str, ...),
        answer=(str | None, None),
        legal_ground=(str | None, None),
        referral=(str | None, None),
        disclosure_id=(str | None, None),
        answer_reason=(
            str | None,
            Field(
                default=None,
                max_length=60,
                description="the annual report's reason where the answer's row has "
                "reasons (refuse, unable, not_processed, other), code or Chinese",
            ),
        ),
    ),
    "reply": _model("Reply", method=(str, ...), content=(str, ...)),
    "feedback": _model("Feedback", rating=(str, ...)),
    "close": _model("Close", note=(str | None, None)),
    "reopen": _model("Reopen", reason=(str, ...)),
    "erase": _model("Erase"),
}


class CaseEvent(BaseModel):
    version: int
    event: str
    event_label: str | None = None
    actor: dict[str, Any]
    effective_at: str
    recorded_at: str
    details: dict[str, Any]


class CaseCard(BaseModel):
    id: str
    tenant: str
    tenant_name: str | None = None
    version: int
    state: str
    state_label: str | None = None
    kind: str
    kind_label: str | None = None
    channel: str
    channel_label: str | None = None
    category: str | None
    category_label: str | None = None
    summary: str
    signed: bool
    received_on: str | None
    due_on: str | None
    handler: str | None = Field(
        description="全程承办人: a badge number when the handler is registered staff"
    )
    handler_name: str | None = None
    backup_handler: str | None
    backup_handler_name: str | None = None
    department: str | None
    rating: str | None
    rating_label: str | None = None
    erased: bool
    allowed_actions: list[str] = Field(
        description="the actions the caller may take now (not refused to them)"
    )
    allowed_action_labels: list[str | None] = []
    links: Any = None
    supervised_by: Any = None
    applicant: dict[str, Any] | None = Field(
        default=None,
        description="clear for the handling clerk/handler and inspectors "
        "above; redacted for others; 已删除 after erasure",
    )
    events: list[CaseEvent] = []
    view_pending: bool = False
