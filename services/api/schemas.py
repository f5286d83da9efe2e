"""Request and response bodies. Examples are real Chinese data, shown in /docs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.disclosures.catalogue_entry import CHANNEL_SPELLINGS
from domain.disclosures.disclosure import (
    MAX_ATTACHMENT_BYTES,
    MAX_BODY_LENGTH,
    MAX_TITLE_LENGTH,
    SHA256_PATTERN,
)
from domain.tenancy import (
    CODE_PATTERN,
    LEVEL_SPELLINGS,
    MAX_NAME_LENGTH,
    UNIT_KIND_SPELLINGS,
)
from domain.timeliness import MAX_REASON_LENGTH
from services.api.params import BodyModel, Day, Moment, TenantPath, Text, one_of

Channel = Annotated[str, Field(json_schema_extra=one_of(CHANNEL_SPELLINGS))]


class TenantCreate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"code": "tahe", "name": "塔河镇", "level": "town", "parent": "xinhe"},
                {
                    "code": "school-1",
                    "name": "塔河镇中心小学",
                    "level": "unit",
                    "kind": "school",
                    "parent": "xinhe.tahe",
                },
            ]
        },
    )
    code: str = Field(
        description="2–40 of a-z, 0-9 and -; unique among siblings",
        json_schema_extra={"pattern": CODE_PATTERN.pattern},
    )
    name: Text = Field(
        max_length=MAX_NAME_LENGTH, description="Chinese name, e.g. 新和县"
    )
    level: str = Field(
        description="county | town | village | unit (or 县/镇/村/单位)",
        json_schema_extra=one_of(LEVEL_SPELLINGS),
    )
    parent: TenantPath | None = Field(
        default=None, description="the parent's path; none for a county"
    )
    kind: str | None = Field(
        default=None,
        description="units only: school | department | community | station",
        json_schema_extra=one_of(UNIT_KIND_SPELLINGS),
    )


class TenantRename(BodyModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "塔河乡"}]})
    name: Text = Field(max_length=MAX_NAME_LENGTH)


class TenantSummary(BaseModel):
    path: str
    code: str
    name: str
    level: str
    level_label: str
    kind: str | None
    kind_label: str | None
    parent: str | None
    parent_name: str | None = None


class TenantPublic(TenantSummary):
    version: int | None = None
    children: list[TenantSummary] = []


class TenantList(BaseModel):
    items: list[TenantSummary]


class AttachmentIn(BodyModel):
    sha256: str = Field(pattern=SHA256_PATTERN.pattern)
    name: Text = Field(min_length=1, max_length=255)
    size: int = Field(ge=0, le=MAX_ATTACHMENT_BYTES)


class DisclosureCreate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "common.finance",
                    "title": "塔河镇2026年第一季度财务收支情况",
                    "body": "一、收入情况：本季度财政收入合计128.6万元……",
                    "channels": ["公开栏", "网站"],
                    "formed_on": "2026-04-03",
                    "published_on": "2026-04-10",
                }
            ]
        },
    )
    category: str = Field(
        description="catalogue code or name, see GET …/catalogue (the county's "
        "catalogue decides: else 422 unknown-category)"
    )
    title: Text = Field(min_length=1, max_length=MAX_TITLE_LENGTH)
    body: Text = Field(min_length=1, max_length=MAX_BODY_LENGTH)
    channels: list[Channel] = Field(
        min_length=1,
        max_length=6,
        description="公开栏 网站 电子显示屏 会议 便民手册 新闻发布会 (or their codes)",
    )
    formed_on: Day = Field(description="the day the information was formed or changed")
    published_on: Day | None = Field(
        default=None, description="the day it went public, if not today"
    )
    attachments: list[AttachmentIn] = Field(default=[], max_length=50)
    late_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="required when published_on is beyond the back-dating window",
    )


class DisclosureRevision(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reason": "更正第二项支出金额笔误",
                    "body": "一、收入：合计128.6万元；二、支出：合计96.2万元……",
                }
            ]
        },
    )
    reason: Text = Field(
        max_length=MAX_REASON_LENGTH, description="why the item is corrected (更正)"
    )
    title: Text | None = Field(default=None, min_length=1, max_length=MAX_TITLE_LENGTH)
    body: Text | None = Field(default=None, min_length=1, max_length=MAX_BODY_LENGTH)
    channels: list[Channel] | None = Field(default=None, min_length=1, max_length=6)
    category: str | None = None
    attachments: list[AttachmentIn] | None = Field(default=None, max_length=50)
    effective_at: Moment | None = Field(
        default=None, description="when the correction was made public, if not now"
    )
    late_reason: str | None = Field(default=None, max_length=2000)


class Withdrawal(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reason": "误发，该事项属于塔河村公开范围"},
                {"reason": "误发：该事项涉及个人隐私", "personal_data": True},
            ]
        },
    )
    reason: Text = Field(max_length=MAX_REASON_LENGTH)
    personal_data: bool = Field(
        default=False,
        description="the grounds are personal data (涉及个人隐私): the item's body and "
        "attachments are withheld from the lists, their exports and the streams "
        "from then on (what was streamed before cannot be recalled)",
    )
    effective_at: Moment | None = None
    late_reason: str | None = Field(default=None, max_length=2000)


class DisclosureSummary(BaseModel):
    """An item as a list shows it: everything but its ``body`` (a list of 50 was
    56 KB, mostly bodies; ``GET …/disclosures/{id}`` has the text)."""

    id: str
    tenant: str
    tenant_name: str | None = None
    version: int
    category: str
    category_label: str | None
    title: str
    channels: list[str]
    channel_labels: list[str]
    attachments: list[dict[str, Any]]
    formed_on: date
    published_on: date
    due_on: date
    on_time: bool
    working_days_late: int
    withdrawn: bool
    content_withheld: bool = Field(
        default=False,
        description="withdrawn for personal data (涉及个人隐私): body and attachments "
        "are left out here (the item's history keeps them for staff)",
    )
    effective_at: datetime
    recorded_at: datetime
    backdated_working_days: int
    backdating_reason: str | None
    warnings: list[str] = []


class DisclosurePublic(DisclosureSummary):
    """One item, whole: a list's fields and its text."""

    body: str
    view_pending: bool = Field(
        default=False,
        description="true if the read views had not caught up within the wait bound",
    )


class DisclosureList(BaseModel):
    items: list[DisclosureSummary]
    next_cursor: str | None
    as_of: datetime
    known_at: datetime
    total: int = Field(description="items that match, over every page")
    warnings: list[str] = []


class DisclosureVersion(BaseModel):
    version: int
    event: Literal["published", "revised", "withdrawn"]
    event_label: str
    reason: str | None
    personal_data: bool = Field(
        default=False, description="a withdrawal on the grounds 涉及个人隐私"
    )
    actor: dict[str, str]
    effective_at: datetime
    recorded_at: datetime
    backdated_working_days: int
    backdating_reason: str | None
    state: DisclosurePublic


class DisclosureHistory(BaseModel):
    id: str
    tenant: str
    versions: list[DisclosureVersion]


class CatalogueEntryPublic(BaseModel):
    code: str
    level1: str
    level2: str
    content: str
    basis: str
    time_limit: str
    period: str
    subject: str
    channels: list[dict[str, Any]]
    audience: str
    mode: str
    level: str
    required: bool


class CategoryStatus(BaseModel):
    entry: CatalogueEntryPublic
    status: Literal["covered", "missing", "overdue"]
    status_label: str
    items: list[DisclosureSummary] = Field(
        description="the newest published items (at most `items_per_category`); "
        "`item_count` counts them all, `items_url` lists them all"
    )
    item_count: int = Field(0, description="public items in the category")
    next_due_on: date | None
    late_items: list[str] = Field(
        description="ids of the newest late items (at most `items_per_category`)"
    )
    late_item_count: int = Field(0, description="public items published late")
    items_url: str = Field(
        "", description="the disclosures list of this category at the same moments"
    )


class CataloguePublic(BaseModel):
    tenant: str
    tenant_name: str
    kind: str
    as_of: datetime
    known_at: datetime | None = None
    catalogue_version: int
    categories: list[CategoryStatus]
    missing: list[str]
    overdue: list[str]
    missing_labels: list[str] = []
    overdue_labels: list[str] = []
    warnings: list[str] = []
    blocks: list[CataloguePublic] = Field(
        default=[], description="include_descendants: one block per tenant"
    )


class CatalogueLoaded(BaseModel):
    county: str
    catalogue_version: int
    entries: int
    codes: list[str]


class HolidayScheduleIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2027,
                    "holidays": ["2027-01-01", "2027-02-06", "2027-02-07"],
                    "workdays": ["2027-02-14"],
                    "source": "国务院办公厅关于2027年部分节假日安排的通知",
                }
            ]
        },
    )
    year: int = Field(ge=2000, le=2099)
    holidays: list[Day] = Field(min_length=1, max_length=366)
    workdays: list[Day] = Field(default=[], max_length=100)
    source: str = Field(default="", max_length=300)


class HolidaySchedulePublic(BaseModel):
    year: int
    holidays: list[date]
    workdays: list[date]
    source: str


class CalendarYears(BaseModel):
    years: list[dict[str, Any]]


class ViewHealth(BaseModel):
    position: int = Field(description="the last log position the view applied")
    lag: int = Field(
        description="events of its topics not applied yet (counted up to 1000; "
        "for audit every event, uncapped)"
    )
    running: bool = Field(
        description="a runner follows it: in this process, or in the live process "
        "that holds the projection lock"
    )
    error: str | None = Field(default=None, description="why its runner stopped")


class MirrorHealth(BaseModel):
    """One mirrored installation, as ``gongkai mirror status --json`` shows it."""

    name: str
    feed: str
    top: str = Field(description="the mirrored top tenant (the pinned key's log)")
    state: Literal[
        "following",
        "stopped:fork",
        "stopped:refused-key",
        "stopped:bad-data",
        "source-down",
    ]
    label: str = Field(description="the state in Chinese")
    position: int = Field(description="the source's log position verified up to")
    source_end: int = Field(description="the source's log end as last seen")
    lag: int = Field(description="source_end − position")
    verified_size: int = Field(description="size of the last verified top checkpoint")
    events: int = Field(description="events held")
    detail: str
    updated_at: str
    forks: list[dict[str, str]]


class Health(BaseModel):
    """200: the store answers and every view is followed and within the lag limit
    (else 503 ``views-stale`` with these members, or ``store-unavailable``)."""

    status: Literal["ok"]
    store: Literal["sqlite", "postgresql"]
    position: int = Field(description="the log's last position")
    follower: Literal["here", "elsewhere", "none"] = Field(
        description="who follows the log: this process, another live process "
        "(the projection lock's holder), or nobody"
    )
    max_lag: int = Field(description="GONGKAI_HEALTH_MAX_LAG")
    views: dict[str, ViewHealth]
    relay: dict[str, int] | None = Field(
        default=None, description="the Kafka relay's committed position and lag"
    )
    mirrors: dict[str, MirrorHealth] | None = Field(
        default=None,
        description="installations this one mirrors (docs/federation.md), by name",
    )
    alerts: list[str] | None = Field(
        default=None,
        description="mirrors stopped by a fork, a refused key or bad data (these do "
        "not make health 503: this installation's own views are sound)",
    )


class TreeHead(BaseModel):
    tree_size: int
    timestamp: int = Field(description="milliseconds since the epoch (RFC 6962 §4.3)")
    sha256_root_hash: str = Field(description="base64")
    checkpoint: str = Field(description="the C2SP signed note")


class AuditKeys(BaseModel):
    keys: dict[str, list[str]] = Field(
        description="tenant path → verifier keys (name+keyid+base64), oldest first"
    )


class LeafEntry(BaseModel):
    leaf_index: int
    leaf_input: str = Field(description="base64 of the canonical leaf bytes")
    event_id: str


class LeafEntries(BaseModel):
    leaves: list[LeafEntry] = Field(
        description="leaves start…end in order; fewer than asked when capped"
    )


class InclusionProof(BaseModel):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]


class ConsistencyProof(BaseModel):
    first: int
    second: int
    consistency: list[str]


class Refusals(BaseModel):
    items: list[dict[str, str]] = Field(description="child path and reason")
