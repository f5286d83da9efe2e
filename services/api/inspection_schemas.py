"""Request and response bodies of the inspection-file routes (纪检监察核查)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.inspection.inspection_file import MAX_SUBJECT_ID_LENGTH, SUBJECT_KINDS
from services.api.params import BodyModel, TenantPath, Text, one_of

KINDS = "tenant case disclosure staff campaign"


class SubjectRef(BodyModel):
    kind: str = Field(
        description=KINDS, examples=["case"], json_schema_extra=one_of(SUBJECT_KINDS)
    )
    id: str | None = Field(
        default=None,
        max_length=MAX_SUBJECT_ID_LENGTH,
        description="case, disclosure, staff or campaign id (required; a UUID for "
        "a case or a disclosure); a tenant's is its path (may be left out)",
    )
    tenant: TenantPath = Field(examples=["xinhe.tahe.xingfu"])


class InspectionCreate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject": {"kind": "tenant", "tenant": "xinhe.tahe.xingfu"},
                    "basis": "群众来信反映幸福村2026年低保金发放不公开",
                }
            ]
        },
    )
    subject: SubjectRef
    basis: Text = Field(min_length=1, max_length=2000, description="依据")


class TextIn(BodyModel):
    text: Text = Field(
        min_length=1, max_length=10_000, examples=["已调取村务公开栏照片"]
    )


class CloseIn(BodyModel):
    conclusion: Text = Field(
        min_length=1, max_length=10_000, examples=["低保金名单公示晚于发放，责令整改"]
    )


class InspectionCard(BaseModel):
    id: str
    tenant: str
    version: int
    status: str = Field(description="open or closed")
    subject: dict[str, Any]
    basis: str
    opened_by: dict[str, str]
    links: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    conclusion: str | None
    reads: int
    allowed_actions: list[str] = Field(
        default_factory=list,
        description="the caller's own: POST …/{id}/<action> would not be refused",
    )


class TimelineOut(BaseModel):
    events: list[dict[str, Any]]
    next_cursor: str | None
    as_of: str | None = None
    known_at: str | None = None
    subjects: list[dict[str, Any]] | None = Field(
        default=None, description="every subject as it stood at as_of / known_at"
    )


class DiffOut(BaseModel):
    from_: str = Field(alias="from")
    to: str
    changes: list[dict[str, Any]]
