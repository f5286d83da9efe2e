"""Request and response bodies of the case routes (投诉、举报、办事、依申请公开)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from domain.cases.location import (
    MAX_ADDRESS_ID,
    MAX_ATTACHMENTS,
    MAX_LOCATION_ADDRESS,
    MAX_URL,
    URL_PATTERN,
)
from domain.cases.personal_data import (
    EMAIL_PATTERN,
    MAX_ADDRESS,
    MAX_EMAIL,
    MAX_NAME,
    NAME_PATTERN,
    PHONE_PATTERN,
    RESIDENT_ID_PATTERN,
)
from domain.cases.rules import (
    MAX_MATERIALS,
    MAX_NAME_LENGTH,
    MAX_PROMISED_WORKING_DAYS,
    MAX_SUMMARY_LENGTH,
    MAX_TEXT_LENGTH,
    SERVICE_CODE_PATTERN,
    AnswerType,
    CaseKind,
    IntakeChannel,
    Rating,
    spellings,
)
from domain.reporting.annual import APPLICANT_TYPE_SPELLINGS
from domain.timeliness import MAX_REASON_LENGTH
from services.api.bodies import VISIBLE
from services.api.params import BodyModel, Day, TenantPath, Text, one_of


class ApplicantIn(BodyModel):
    name: str = Field(
        min_length=1,
        max_length=MAX_NAME,
        examples=["张三"],
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    phone: str | None = Field(
        default=None,
        max_length=30,
        examples=["13812345678"],
        description="a mobile (11 digits from 13–19) or a landline (0997-…)",
        json_schema_extra={"pattern": PHONE_PATTERN},
    )
    id_number: str | None = Field(
        default=None,
        max_length=18,
        description="the 18-character resident ID (GB 11643: its birth date and "
        "check digit are checked too)",
        json_schema_extra={"pattern": RESIDENT_ID_PATTERN},
    )
    address: Text | None = Field(default=None, max_length=MAX_ADDRESS)
    email: str | None = Field(
        default=None,
        max_length=MAX_EMAIL,
        examples=["zhang@example.cn"],
        description="name@domain; sealed in the vault like the rest (422 "
        "invalid-email if malformed)",
        json_schema_extra={"pattern": EMAIL_PATTERN},
    )


class LocationIn(BodyModel):
    """Where the issue is (public like the case), not the applicant's address."""

    lat: float | None = Field(default=None, ge=-90, le=90, examples=[43.8256])
    long: float | None = Field(default=None, ge=-180, le=180, examples=[87.6168])
    address: Text | None = Field(
        default=None, max_length=MAX_LOCATION_ADDRESS, examples=["人民路与解放路路口"]
    )
    address_id: Text | None = Field(default=None, max_length=MAX_ADDRESS_ID)


class CaseLocation(BaseModel):
    lat: float | None
    long: float | None
    address: str | None
    address_id: str | None


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
        "visit disclosure_request (or 投诉/举报/…); a disclosure_request is signed",
        json_schema_extra=one_of(spellings(CaseKind)),
    )
    channel: str = Field(
        description="hotline mailbox web visit letter agent media (or 热线/…); "
        "agent exactly when filed_by_agent is given",
        json_schema_extra=one_of(spellings(IntakeChannel)),
    )
    summary: Text = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)
    signed: bool = Field(
        description="署名: a signed case names its applicant and must get feedback"
    )
    category: str | None = Field(
        default=None,
        description="service code, e.g. svc.deed-tax (the catalogue decides: "
        "else 422 unknown-service)",
        json_schema_extra={"pattern": SERVICE_CODE_PATTERN.pattern},
    )
    applicant: ApplicantIn | None = None
    location: LocationIn | None = Field(
        default=None,
        description="where the issue is: lat and long together, and/or an address "
        "(public like the case; never the applicant's own address)",
    )
    attachments: list[
        Annotated[
            str,
            Field(max_length=MAX_URL, json_schema_extra={"pattern": URL_PATTERN}),
        ]
    ] = Field(
        default=[],
        max_length=MAX_ATTACHMENTS,
        description="http(s) URLs of media the reporter holds (references only)",
    )
    filed_by_agent: Text | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    agent_village: TenantPath | None = Field(
        default=None, description="the agent's village path, below the tenant"
    )
    received_on: Day | None = None
    applicant_type: str | None = Field(
        default=None,
        max_length=20,
        description="disclosure requests only: natural_person commercial research "
        "public_interest legal_service other_org (or 自然人/商业企业/…), "
        "the annual report's columns; default 自然人",
        json_schema_extra=one_of(APPLICANT_TYPE_SPELLINGS),
    )
    power: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
        description="the code of the power in the tenant's 权责清单 in force that "
        "the case exercises or complains of (422 unknown-power if none); its "
        "promised limit applies when shorter",
    )


def _model(name: str, **fields: Any) -> type[BaseModel]:
    return create_model(name, __base__=BodyModel, **fields)


def _text(max_length: int = MAX_REASON_LENGTH) -> Any:
    return Field(max_length=max_length, json_schema_extra={"pattern": VISIBLE})


def _optional_text(max_length: int = MAX_REASON_LENGTH) -> Any:
    return Field(default=None, max_length=max_length)


def _items(least: int, description: str | None = None) -> Any:
    """A list of distinct short texts (each trimmed, 1 to 200 characters)."""
    return Annotated[
        list[Annotated[Text, Field(max_length=200)]],
        Field(
            min_length=least,
            max_length=MAX_MATERIALS,
            description=description,
            json_schema_extra={"uniqueItems": True},
        ),
    ]


WorkingDays = Annotated[
    int, Field(ge=1, le=MAX_PROMISED_WORKING_DAYS, description="working days")
]

# One body per action; the API route names use dashes.
ACTION_BODIES: dict[str, type[BaseModel]] = {
    "request-materials": _model("RequestMaterials", items=(_items(1), ...)),
    "provide-materials": _model("ProvideMaterials"),
    "accept": _model("Accept"),
    "reject": _model("Reject", reason=(str, _text()), referral=(str, _text())),
    "assign": _model(
        "Assign",
        department=(str, _text(MAX_NAME_LENGTH)),
        handler=(str, _text(MAX_NAME_LENGTH)),
        backup_handler=(str | None, _optional_text(MAX_NAME_LENGTH)),
        promised_working_days=(
            WorkingDays | None,
            Field(
                default=None,
                description="required, except for a disclosure request (statutory)",
            ),
        ),
    ),
    "transfer": _model("Transfer", target=(TenantPath, ...), reason=(str, _text())),
    "split": _model(
        "SplitCase",
        children=(_items(2, "tenant paths or departments"), ...),
    ),
    "supervise": _model("Supervise", due_on=(Day, ...), note=(str, _text())),
    "consult": _model("Consult", party=(str, _text(200)), third_party=(bool, True)),
    "end-consultation": _model("EndConsultation", note=(str | None, _optional_text())),
    "extend": _model(
        "Extend",
        working_days=(
            WorkingDays,
            Field(description="at most 20 for a disclosure request"),
        ),
        reason=(str, _text()),
        approver=(str, _text(MAX_NAME_LENGTH)),
        applicant_notice=(
            str | None,
            Field(
                default=None,
                max_length=MAX_REASON_LENGTH,
                description="required for a disclosure request",
            ),
        ),
    ),
    "resolve": _model(
        "Resolve",
        result=(str, _text(MAX_TEXT_LENGTH)),
        answer=(
            str | None,
            Field(
                default=None,
                description="disclosure requests only (and required there)",
                json_schema_extra=one_of(spellings(AnswerType)),
            ),
        ),
        legal_ground=(str | None, _optional_text()),
        referral=(str | None, _optional_text()),
        disclosure_id=(
            str | None,
            Field(default=None, json_schema_extra={"format": "uuid"}),
        ),
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
    "reply": _model(
        "Reply",
        method=(str, _text(MAX_NAME_LENGTH)),
        content=(str, _text(MAX_TEXT_LENGTH)),
    ),
    "feedback": _model(
        "Feedback",
        rating=(str, Field(json_schema_extra=one_of(spellings(Rating)))),
    ),
    "close": _model("Close", note=(str | None, _optional_text())),
    "reopen": _model("Reopen", reason=(str, _text())),
    "erase": _model("Erase"),
    "meet": _model(
        "Meet",
        met_on=(
            Day | None,
            Field(default=None, description="见面 day (default: today)"),
        ),
        note=(str | None, _optional_text()),
    ),
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
        description="clear (name, phone, id_number, address, email) for the "
        "handling clerk/handler and inspectors above; redacted for others; 已删除 "
        "after erasure",
    )
    location: CaseLocation | None = Field(
        default=None, description="where the issue is (public like the case)"
    )
    attachments: list[str] = []
    events: list[CaseEvent] = []
    view_pending: bool = False
