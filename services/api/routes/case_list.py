"""The case list (filters, total, cursor, export) and a case's history as known then."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from domain.access import require_read
from domain.cases.rules import (
    CaseKind,
    CaseState,
    IntakeChannel,
    parse_case_kind,
    parse_case_state,
    parse_intake_channel,
    spellings,
)
from domain.errors import CaseNotFoundError
from projections.case_list import CaseList
from services.api.bodies import NO_NUL
from services.api.deps import PlatformDep, PrincipalDep
from services.api.export import (
    EXPORT_RESPONSES,
    Column,
    FormatQuery,
    Taken,
    export,
    wanted,
)
from services.api.listing import (
    case_categories,
    decode_key,
    encode_key,
    future_warnings,
    resolve_category,
    tenant_names,
)
from services.api.params import (
    MOMENT_PATTERN,
    CursorQuery,
    Day,
    KnownAtQuery,
    moment_text,
    one_of,
    parse_moment,
    parse_moments,
)
from services.api.present import labelled
from services.cases.receipts import receipt_number
from services.disclosures.lists import Moments, case_scope
from services.people.names import name_handlers, staff_text

router = APIRouter(prefix="/tenants/{path}", tags=["cases"])

CASE_COLUMNS: tuple[Column, ...] = (
    ("receipt_number", "受理回执号"),
    ("tenant", "单位路径"),
    ("tenant_name", "单位"),
    ("received_on", "受理日期"),
    ("kind_label", "类别"),
    ("channel_label", "受理渠道"),
    ("category_label", "事项"),
    ("summary", "内容摘要"),
    ("state_label", "状态"),
    ("signed", "署名"),
    ("due_on", "办理期限"),
    ("completed_on", "办结(答复)日期"),
    ("late", "超期"),
    ("handler_text", "承办人"),
    ("backup_handler_text", "B岗"),
    ("department", "承办部门"),
    ("rating_label", "评价"),
    ("replied_on", "回复日期"),
    ("id", "案件ID"),
)
BATCH = 500  # rows named per staff look-up while an export streams


@router.get(
    "/cases",
    responses=EXPORT_RESPONSES,
    summary="Cases with filters, a total and a cursor; CSV/XLSX with ?format=",
    description="`total` counts every match over all pages; a count elsewhere (the "
    "overview's 受理, 未结, 超期未办结) that links here is this total. CSV and "
    "XLSX start with 截至, 按当时所知 and 导出时间 and name them in the file name.",
    response_model=None,
)
def list_cases(
    path: str,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    state: Annotated[
        list[str] | None,
        Query(
            description="repeatable; code or 中文, e.g. 已结案",
            json_schema_extra={"items": one_of(spellings(CaseState))},
        ),
    ] = None,
    open: Annotated[
        bool | None, Query(description="neither closed nor rejected")
    ] = None,
    late: Annotated[
        bool | None,
        Query(description="resolved (replied) after the due date, or open past it"),
    ] = None,
    overdue: Annotated[
        bool | None,
        Query(
            description="超期未办结: open, neither resolved nor (for a disclosure "
            "request) replied, and past the due date"
        ),
    ] = None,
    kind: Annotated[
        str | None,
        Query(
            description="complaint … or 投诉 …",
            json_schema_extra=one_of(spellings(CaseKind)),
        ),
    ] = None,
    channel: Annotated[
        str | None,
        Query(
            description="mailbox … or 市长信箱 …",
            json_schema_extra=one_of(spellings(IntakeChannel)),
        ),
    ] = None,
    category: Annotated[str | None, Query(description="service code or name")] = None,
    handler: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    received_from: Day | None = None,
    received_to: Day | None = None,
    q: Annotated[
        str | None, Query(max_length=100, pattern=NO_NUL, description="in the summary")
    ] = None,
    include_descendants: bool = False,
    as_of: Annotated[
        str | None,
        Query(
            pattern=MOMENT_PATTERN,
            description="effective time: the cases received by then (China day), "
            "each as it stood then. Same form as the disclosure list's; default now",
        ),
    ] = None,
    known_at: Annotated[
        str | None,
        Query(
            pattern=MOMENT_PATTERN,
            description="recorded time: as the platform knew it then; each case is "
            "taken as known at the earlier of as_of and known_at. Default now",
        ),
    ] = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    format: FormatQuery = None,
) -> Any:
    require_read(principal, path)
    platform.disclosures.tenant(path)
    now = platform.cases.now()
    moments = parse_moments(as_of, known_at, now) if as_of or known_at else None
    categories = case_categories(platform, path)
    scope = case_scope(
        path,
        include_descendants=include_descendants,
        moments=moments,
        now=now,
        received_to=received_to,
    )
    f = replace(
        scope,
        states=tuple(parse_case_state(s).value for s in state or ()),
        open=open,
        late=late,
        overdue=overdue,
        kind=parse_case_kind(kind).value if kind else None,
        channel=parse_intake_channel(channel).value if channel else None,
        category=resolve_category(category, categories),
        handler=handler,
        received_from=received_from,
        q=q,
    )
    names = tenant_names(platform, path)
    cases = CaseList(platform.case_view)

    def present(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        out = [labelled(r, names=names, categories=categories) for r in rows]
        name_handlers(platform, out)
        for row in out:
            row["receipt_number"] = receipt_number(row["id"], row["received_on"])
        return out

    fmt = wanted(request, format)
    if fmt != "json":
        return export(
            fmt, CASE_COLUMNS, for_people(present, cases.iterate(f)), f"cases-{path}",
            "案件",
        )  # fmt: skip
        rows: Iterator[dict[str, Any]] = (present(r) for r in cases.iterate(f))
        return export(
            fmt,
            CASE_COLUMNS,
            rows,
            f"cases-{path}",
            "案件",
            taken=Taken(moments or Moments(now, now), now),
        )
    after = decode_key(cursor, 2)
    rows_page, total = cases.page(
        f, after=(after[0], after[1]) if after else None, limit=limit + 1
    )
    more = len(rows_page) > limit
    rows_page = rows_page[:limit]
    last = rows_page[-1] if rows_page else None
    return {
        "items": present(rows_page),
        "total": total,
        "next_cursor": encode_key(last["received_on"], last["id"])
        if more and last
        else None,
        "as_of": moments.as_of if moments else now,
        "known_at": moments.known_at if moments else now,
        "warnings": future_warnings(now, as_of=moments.as_of, known_at=moments.known_at)
        if moments
        else [],
    }


def for_people(
    present: Callable[[Iterable[dict[str, Any]]], list[dict[str, Any]]],
    rows: Iterable[dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    """Export rows presented a batch at a time (one staff look-up per batch), each
    handler as people read it: ``李明（XH-0301）``."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield from _handlers_shown(present(batch))
            batch = []
    yield from _handlers_shown(present(batch))


def _handlers_shown(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        for key in ("handler", "backup_handler"):
            row[f"{key}_text"] = staff_text(row[key], row[f"{key}_name"])
        yield row


@router.get(
    "/cases/{case_id}/history",
    summary="The case's events as the platform knew them at known_at",
)
def case_history(
    path: str,
    case_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    known_at: KnownAtQuery = None,
) -> dict[str, Any]:
    require_read(principal, path)
    now = platform.cases.now()
    moment = parse_moment(known_at, "known_at", now)
    card = platform.case_view.card(str(case_id))
    if card is None or card["tenant"] != path:
        raise CaseNotFoundError(f"case {case_id} not found in {path!r}", field="id")
    limit = moment_text(moment)
    events = [
        labelled(e)
        for e in platform.case_view.events(str(case_id))
        if e["recorded_at"] <= limit
    ]
    names = tenant_names(platform, path)
    return {
        "id": str(case_id),
        "tenant": path,
        "tenant_name": names.get(path),
        "known_at": moment,
        "events": events,
        "warnings": future_warnings(now, known_at=moment),
    }
