"""Disclosures (公开事项): publish, revise, withdraw, list as of any moment, history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from domain.access import Principal, require_read
from domain.disclosures.disclosure import Attachment, Disclosure
from domain.errors import DisclosureNotFoundError, InvalidInputError
from projections.disclosure_rows import LISTED
from projections.disclosures import DisclosureProjection, ListFilter
from projections.sql import iso_day, iso_moment
from services.api.bodies import NO_NUL
from services.api.deps import ExpectedVersionDep, PlatformDep, PrincipalDep
from services.api.disclosure_items import public, summary, summary_json
from services.api.export import (
    EXPORT_RESPONSES,
    Column,
    FormatQuery,
    Taken,
    export,
    wanted,
)
from services.api.listing import (
    disclosure_categories,
    future_warnings,
    resolve_category,
    tenant_names,
)
from services.api.params import (
    AsOfQuery,
    CursorQuery,
    Day,
    KnownAtQuery,
    decode_cursor,
    encode_cursor,
    moment_text,
    one_of,
    parse_moment,
)
from services.api.present import EVENT_LABELS, labelled
from services.api.revalidate import begin, principal_scope
from services.api.schemas import (
    AttachmentIn,
    DisclosureCreate,
    DisclosureHistory,
    DisclosureList,
    DisclosurePublic,
    DisclosureRevision,
    DisclosureSummary,
    DisclosureVersion,
    Withdrawal,
)
from services.core.views import DIRECTORY_NAME, DISCLOSURES_NAME
from services.disclosures.lists import Moments
from services.disclosures.withheld import mark_withheld, reads_the_record
from services.people.names import named_actor
from services.platform.runtime import Platform

router = APIRouter(prefix="/tenants/{path}/disclosures", tags=["disclosures"])
STATUSES = ("published", "revised", "withdrawn")


def category_labels(platform: Platform, tenant: str) -> dict[str, str]:
    return disclosure_categories(platform, tenant)


def aggregate_row(d: Disclosure) -> dict[str, Any]:
    """The aggregate's state in view-row form, for when the view lags behind."""
    return {
        "id": str(d.id),
        "tenant": d.tenant,
        "version": d.version,
        "category": d.category,
        "title": d.title,
        "body": d.body,
        "channels": d.channels,
        "attachments": d.attachments,
        "formed_on": iso_day(d.formed_on),
        "published_on": iso_day(d.published_on),
        "due_on": iso_day(d.due_on),
        "working_days_late": d.working_days_late,
        "withdrawn": d.withdrawn,
        "content_withheld": d.withdrawn_for_personal_data,
        "effective_at": iso_moment(d.effective_at),
        "recorded_at": iso_moment(d.modified_on),
        "backdated_working_days": d.backdated_working_days,
        "backdating_reason": d.backdating_reason,
    }


def after_command(
    platform: Platform,
    principal: Principal,
    path: str,
    disclosure_id: UUID,
    position: int,
    response: Response,
) -> DisclosurePublic:
    """Wait for the view to reach the command's position, then answer from it."""
    caught_up = platform.wait(DisclosureProjection.name, position)
    row = (
        platform.disclosure_view.current_state(str(disclosure_id))
        if caught_up
        else None
    )
    if row is None:
        row = aggregate_row(
            platform.disclosures.disclosure(principal, path, disclosure_id)
        )
    mark_withheld(platform.disclosure_view, [row])
    response.headers["ETag"] = f'"{row["version"]}"'
    out = public(
        row,
        category_labels(platform, path),
        platform.disclosures.calendar(),
        view_pending=not caught_up,
    )
    out.tenant_name = platform.disclosures.tenant(path).name
    return out


def attachments(items: list[AttachmentIn] | None) -> list[Attachment] | None:
    if items is None:
        return None
    return [Attachment(a.sha256, a.name, a.size) for a in items]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DisclosurePublic,
    summary="Publish an item (clerk of this tenant)",
)
def publish(
    path: str,
    body: DisclosureCreate,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> DisclosurePublic:
    result = platform.disclosures.publish(
        principal,
        path,
        category=body.category,
        title=body.title,
        body=body.body,
        channels=body.channels,
        formed_on=body.formed_on,
        published_on=body.published_on,
        attachments=attachments(body.attachments) or [],
        late_reason=body.late_reason,
    )
    response.headers["Location"] = f"/v1/tenants/{path}/disclosures/{result.id}"
    out = after_command(platform, principal, path, result.id, result.position, response)
    if result.timeliness.warning and result.timeliness.warning not in out.warnings:
        out.warnings.append(result.timeliness.warning)
    return out


@router.post(
    "/{disclosure_id}/revisions",
    response_model=DisclosurePublic,
    summary="Revise an item (更正); honours If-Match",
)
def revise(
    path: str,
    disclosure_id: UUID,
    body: DisclosureRevision,
    principal: PrincipalDep,
    platform: PlatformDep,
    expected: ExpectedVersionDep,
    response: Response,
) -> DisclosurePublic:
    result = platform.disclosures.revise(
        principal,
        path,
        disclosure_id,
        reason=body.reason,
        title=body.title,
        body=body.body,
        channels=body.channels,
        category=body.category,
        attachments=attachments(body.attachments),
        effective_at=body.effective_at,
        late_reason=body.late_reason,
        expected_version=expected,
    )
    return after_command(
        platform, principal, path, result.id, result.position, response
    )


@router.post(
    "/{disclosure_id}/withdrawal",
    response_model=DisclosurePublic,
    summary="Withdraw an item (撤回); honours If-Match",
)
def withdraw(
    path: str,
    disclosure_id: UUID,
    body: Withdrawal,
    principal: PrincipalDep,
    platform: PlatformDep,
    expected: ExpectedVersionDep,
    response: Response,
) -> DisclosurePublic:
    result = platform.disclosures.withdraw(
        principal,
        path,
        disclosure_id,
        reason=body.reason,
        personal_data=body.personal_data,
        effective_at=body.effective_at,
        late_reason=body.late_reason,
        expected_version=expected,
    )
    return after_command(
        platform, principal, path, result.id, result.position, response
    )


DISCLOSURE_COLUMNS: tuple[Column, ...] = (
    ("id", "事项ID"),
    ("tenant", "单位路径"),
    ("tenant_name", "单位"),
    ("category_label", "公开事项类别"),
    ("title", "标题"),
    ("formed_on", "形成日期"),
    ("published_on", "公开日期"),
    ("due_on", "公开时限"),
    ("on_time", "按时公开"),
    ("working_days_late", "逾期工作日"),
    ("channel_labels", "公开渠道"),
    ("status_label", "状态"),
    ("effective_at", "生效时间"),
    ("recorded_at", "记录时间"),
    ("backdated_working_days", "补录工作日"),
    ("backdating_reason", "补录理由"),
)


@router.get(
    "",
    response_model=DisclosureList,
    responses=EXPORT_RESPONSES,
    summary="Items public at as_of, as known at known_at; filters, total, CSV/XLSX",
    description="`total` counts every match over all pages; a count elsewhere (the "
    "overview, the catalogue's `item_count`) that links here is this total. CSV "
    "and XLSX start with 截至, 按当时所知 and 导出时间 and name them in the file "
    "name.",
)
def list_disclosures(
    path: str,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
    category: Annotated[
        str | None, Query(description="catalogue code or Chinese name, e.g. 财务收支")
    ] = None,
    include_descendants: bool = False,
    status: Annotated[
        list[str] | None,
        Query(
            description="published | revised | withdrawn (repeatable)",
            json_schema_extra={"items": one_of(STATUSES)},
        ),
    ] = None,
    late: Annotated[bool | None, Query(description="published after due_on")] = None,
    backdated: Annotated[
        bool | None,
        Query(description="recorded later than the back-dating window allows"),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, pattern=NO_NUL, description="title or body")
    ] = None,
    formed_from: Day | None = None,
    formed_to: Day | None = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    format: FormatQuery = None,
) -> Any:
    require_read(principal, path)
    read = begin(
        request,
        platform,
        path,
        (DIRECTORY_NAME, DISCLOSURES_NAME),
        principal_scope(principal),
        endpoint=list_disclosures,
    )
    if (found := read.found(request)) is not None:
        return found
    names = tenant_names(platform, path)
    with platform.disclosures.read_scope(
        list(names) if include_descendants else [path]
    ):
        platform.disclosures.read_tenant(path)  # 404 if unknown; no copy
        now = platform.disclosures.now()
        effective, recorded = (
            parse_moment(as_of, "as_of", now),
            parse_moment(known_at, "known_at", now),
        )
        statuses = tuple(status or ())
        for s in statuses:
            if s not in STATUSES:
                raise InvalidInputError(
                    f"status must be one of {', '.join(STATUSES)}, not {s!r}",
                    field="status",
                )
        code = resolve_category(category, category_labels(platform, path))
        filters = ListFilter(
            statuses=statuses,
            late=late,
            backdated=backdated,
            backdating_window=platform.disclosures.backdating_window,
            q=q,
            formed_from=iso_day(formed_from),
            formed_to=iso_day(formed_to),
        )
        query = {
            "as_of": moment_text(effective),
            "known_at": moment_text(recorded),
            "include_descendants": include_descendants,
            "category": code,
            "filters": filters,
        }
        calendar = platform.disclosures.calendar()
        labels: dict[str, dict[str, str]] = {}

        def item(row: dict[str, Any]) -> DisclosureSummary:
            if row["tenant"] not in labels:
                labels[row["tenant"]] = category_labels(platform, row["tenant"])
            out = summary(row, labels[row["tenant"]], calendar)
            out.tenant_name = names.get(row["tenant"])
            return out

        fmt = wanted(request, format)
        if fmt != "json":
            return export(
                fmt,
                DISCLOSURE_COLUMNS,
                (
                    labelled(item(r).model_dump() | {"status": r["event"]}, names=names)
                    for r in _all_rows(platform, path, query)
                ),
                f"disclosures-{path}",
                "公开事项",
                taken=Taken(Moments(effective, recorded), now),
            )
        rows = platform.disclosure_view.list_public(
            path,
            before=decode_cursor(cursor),
            limit=limit + 1,
            columns=LISTED,
            **query,
        )
        more = len(rows) > limit
        rows = rows[:limit]
        mark_withheld(platform.disclosure_view, rows)
        answer = DisclosureList(
            items=[],
            next_cursor=encode_cursor(rows[-1]["first_position"]) if more else None,
            as_of=effective,
            known_at=recorded,
            total=platform.disclosure_view.count_public(path, **query),
            warnings=future_warnings(now, as_of=effective, known_at=recorded),
        )
        if not read.serving:  # a page calls this as a function: it reads the model
            answer.items = [item(row) for row in rows]
            return answer
        # The items as their JSON, not as models (the same bytes; see summary_json).
        for row in rows:
            if row["tenant"] not in labels:
                labels[row["tenant"]] = category_labels(platform, row["tenant"])
        content = answer.model_dump(mode="json", by_alias=True)
        content["items"] = [
            summary_json(row, labels[row["tenant"]], calendar, names.get(row["tenant"]))
            for row in rows
        ]
        return read.send_model(content)


EXPORT_BATCH = 500


def _all_rows(
    platform: Platform, path: str, query: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Every matching row, read in batches (exports stream), withheld marked."""
    before: int | None = None
    while True:
        rows = platform.disclosure_view.list_public(
            path, before=before, limit=EXPORT_BATCH, **query
        )
        mark_withheld(platform.disclosure_view, rows)
        yield from rows
        if len(rows) < EXPORT_BATCH:
            return
        before = rows[-1]["first_position"]


def _row_or_404(
    row: dict[str, Any] | None, path: str, disclosure_id: UUID
) -> dict[str, Any]:
    if row is None or row["tenant"] != path:
        raise DisclosureNotFoundError(
            f"disclosure {disclosure_id} not found in {path!r}", field="id"
        )
    return row


@router.get(
    "/{disclosure_id}",
    response_model=DisclosurePublic,
    summary="One item as it stood at as_of (withdrawn items included)",
)
def get_disclosure(
    path: str,
    disclosure_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
) -> DisclosurePublic:
    require_read(principal, path)
    now = platform.disclosures.now()
    row = _row_or_404(
        platform.disclosure_view.get(
            str(disclosure_id),
            as_of=moment_text(parse_moment(as_of, "as_of", now)),
            known_at=moment_text(parse_moment(known_at, "known_at", now)),
        ),
        path,
        disclosure_id,
    )
    mark_withheld(platform.disclosure_view, [row])
    response.headers["ETag"] = f'"{row["version"]}"'
    out = public(row, category_labels(platform, path), platform.disclosures.calendar())
    out.tenant_name = platform.disclosures.tenant(path).name
    return out


@router.get(
    "/{disclosure_id}/history",
    response_model=DisclosureHistory,
    summary="Every version of an item, as known at known_at (the record: staff "
    "and inspectors see a withheld item's content here, integrators do not)",
)
def history(
    path: str,
    disclosure_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    known_at: KnownAtQuery = None,
) -> DisclosureHistory:
    require_read(principal, path)
    now = platform.disclosures.now()
    rows = platform.disclosure_view.history(
        str(disclosure_id),
        known_at=moment_text(parse_moment(known_at, "known_at", now)),
    )
    if not rows or rows[0]["tenant"] != path:
        raise DisclosureNotFoundError(
            f"disclosure {disclosure_id} not found in {path!r}", field="id"
        )
    labels = category_labels(platform, path)
    calendar = platform.disclosures.calendar()
    withheld = bool(platform.disclosure_view.withheld([str(disclosure_id)]))
    for r in rows:
        r["content_withheld"] = withheld and not reads_the_record(principal)
    versions = [
        DisclosureVersion(
            version=r["version"],
            event=r["event"],
            event_label=EVENT_LABELS[r["event"]],
            reason=r["reason"],
            personal_data=withheld and r["event"] == "withdrawn",
            actor=named_actor(platform, r["actor"]),
            effective_at=datetime.fromisoformat(r["effective_at"]),
            recorded_at=datetime.fromisoformat(r["recorded_at"]),
            backdated_working_days=r["backdated_working_days"],
            backdating_reason=r["backdating_reason"],
            state=public(r, labels, calendar),
        )
        for r in rows
    ]
    return DisclosureHistory(id=str(disclosure_id), tenant=path, versions=versions)
