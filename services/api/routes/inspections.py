"""Inspection files (纪检监察核查): open, link, note, find, close; timeline and diff.

Every read (the file, its timeline, its diff) is recorded as an event of the file
before it is answered, so it shows in the file's own timeline.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import HTMLResponse

from domain.access import Principal
from domain.inspection.inspection_file import Inspection, ReadKind
from services.api.deps import ExpectedVersionDep, PlatformDep, PrincipalDep
from services.api.inspection_schemas import (
    CloseIn,
    DiffOut,
    InspectionCard,
    InspectionCreate,
    SubjectRef,
    TextIn,
    TimelineOut,
)
from services.api.params import (
    MOMENT_PATTERN,
    AsOfQuery,
    KnownAtQuery,
    moment_text,
    parse_moment,
)
from services.audit.evidence import catch_up
from services.core.views import AUDIT_NAME
from services.inspection.evidence import (
    build_evidence_set,
    report_events,
    report_html,
)
from services.inspection.moments import diff as timeline_diff
from services.inspection.moments import states_at
from services.inspection.timeline import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Filters,
    decode_cursor,
    jsonable,
    tenant_log_of,
    timeline_page,
)
from services.people.names import name_timeline
from services.platform.runtime import Platform
from services.reporting.pdf import cjk_font, report_pdf

router = APIRouter(prefix="/tenants/{path}/inspections", tags=["inspections"])


def card(
    platform: Platform,
    principal: Principal,
    inspection: Inspection,
    response: Response | None = None,
) -> InspectionCard:
    if response is not None:
        response.headers["ETag"] = f'"{inspection.version}"'
    return InspectionCard(
        id=str(inspection.id),
        tenant=inspection.tenant,
        version=inspection.version,
        status=inspection.status,
        subject=inspection.subject,
        basis=inspection.basis,
        opened_by=inspection.opened_by,
        links=inspection.links,
        notes=jsonable(inspection.notes),
        findings=jsonable(inspection.findings),
        conclusion=inspection.conclusion,
        reads=inspection.reads,
        allowed_actions=platform.inspections.allowed_actions(principal, inspection),
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=InspectionCard,
    summary="Open an inspection file (立案) on a subject in your subtree",
)
def open_inspection(
    path: str,
    body: InspectionCreate,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> InspectionCard:
    app = platform.inspections
    changed = app.open(
        principal, path, subject=body.subject.model_dump(), basis=body.basis
    )
    response.headers["Location"] = f"/v1/tenants/{path}/inspections/{changed.id}"
    return card(
        platform, principal, app.inspection(principal, path, changed.id), response
    )


@router.get(
    "/{inspection_id}",
    response_model=InspectionCard,
    summary="The file; the read is recorded",
)
def get_inspection(
    path: str,
    inspection_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> InspectionCard:
    inspection = platform.inspections.read(
        principal, path, inspection_id, ReadKind.FILE
    )
    return card(platform, principal, inspection, response)


@router.post(
    "/{inspection_id}/link",
    response_model=InspectionCard,
    summary="Link a tenant, case, disclosure, staff member or campaign",
)
def link_subject(
    path: str,
    inspection_id: UUID,
    body: SubjectRef,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
    expected: ExpectedVersionDep,
) -> InspectionCard:
    app = platform.inspections
    app.link(
        principal,
        path,
        inspection_id,
        kind=body.kind,
        subject_id=body.id,
        tenant=body.tenant,
        expected_version=expected,
    )
    return card(
        platform, principal, app.inspection(principal, path, inspection_id), response
    )


@router.post(
    "/{inspection_id}/note", response_model=InspectionCard, summary="Add a note"
)
def add_note(
    path: str,
    inspection_id: UUID,
    body: TextIn,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
    expected: ExpectedVersionDep,
) -> InspectionCard:
    app = platform.inspections
    app.note(principal, path, inspection_id, body.text, expected)
    return card(
        platform, principal, app.inspection(principal, path, inspection_id), response
    )


@router.post(
    "/{inspection_id}/finding",
    response_model=InspectionCard,
    summary="Record a finding (查明的问题)",
)
def add_finding(
    path: str,
    inspection_id: UUID,
    body: TextIn,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
    expected: ExpectedVersionDep,
) -> InspectionCard:
    app = platform.inspections
    app.find(principal, path, inspection_id, body.text, expected)
    return card(
        platform, principal, app.inspection(principal, path, inspection_id), response
    )


@router.post(
    "/{inspection_id}/close",
    response_model=InspectionCard,
    summary="Close the file with a conclusion (结案)",
)
def close_inspection(
    path: str,
    inspection_id: UUID,
    body: CloseIn,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
    expected: ExpectedVersionDep,
) -> InspectionCard:
    app = platform.inspections
    app.conclude(principal, path, inspection_id, body.conclusion, expected)
    return card(
        platform, principal, app.inspection(principal, path, inspection_id), response
    )


@router.get(
    "/{inspection_id}/timeline",
    response_model=TimelineOut,
    summary="Every event of every linked subject in log order; the read is recorded",
)
def timeline(
    path: str,
    inspection_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
    cursor: Annotated[str | None, Query(max_length=20_000)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    subject: Annotated[
        str | None, Query(max_length=400, description="a subject's id or path")
    ] = None,
    event_type: Annotated[
        str | None,
        Query(alias="type", max_length=100, description="e.g. Transferred"),
    ] = None,
) -> TimelineOut:
    app = platform.inspections
    detail = {  # every parameter of the read, limit included (its default too)
        k: str(v)
        for k, v in {
            "as_of": as_of,
            "known_at": known_at,
            "cursor": cursor,
            "limit": limit,
            "subject": subject,
            "type": event_type,
        }.items()
        if v is not None
    }
    now = app.now()
    moments = as_of is not None or known_at is not None
    when = parse_moment(as_of, "as_of", now) if as_of else None
    known = parse_moment(known_at, "known_at", now) if known_at else None
    decode_cursor(cursor)  # a malformed request is refused before it is recorded
    inspection = app.read(principal, path, inspection_id, ReadKind.TIMELINE, detail)
    catch_up(platform)  # tenant links read the tenants' logs from the audit view
    page = timeline_page(
        app,
        inspection,
        filters=Filters(subject, event_type, when, known),
        cursor=cursor,
        limit=limit,
        tenant_log=tenant_log_of(platform.views[AUDIT_NAME]),
    )
    name_timeline(platform, page["events"])
    return TimelineOut(
        events=page["events"],
        next_cursor=page["next_cursor"],
        as_of=moment_text(when) if when else None,
        known_at=moment_text(known) if known else None,
        subjects=states_at(app, inspection, when or now, known or now)
        if moments
        else None,
    )


@router.get(
    "/{inspection_id}/diff",
    response_model=DiffOut,
    summary="What changed in every subject between two moments; the read is recorded",
)
def diff(
    path: str,
    inspection_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    date_from: Annotated[
        str, Query(alias="from", pattern=MOMENT_PATTERN, description="as as_of")
    ],
    date_to: Annotated[
        str | None, Query(alias="to", pattern=MOMENT_PATTERN, description="as as_of")
    ] = None,
) -> DiffOut:
    app = platform.inspections
    detail = {"from": date_from, **({"to": date_to} if date_to else {})}
    now = app.now()
    start = parse_moment(date_from, "from", now)
    end = parse_moment(date_to, "to", now)
    inspection = app.read(principal, path, inspection_id, ReadKind.DIFF, detail)
    return DiffOut.model_validate(timeline_diff(app, inspection, start, end))


@router.get(
    "/{inspection_id}/evidence",
    summary="A gongkai-evidence-set/v1 file: one bundle per subject; the read is "
    "recorded",
    response_description="JSON for gongkai verify",
)
def evidence(
    path: str, inspection_id: UUID, principal: PrincipalDep, platform: PlatformDep
) -> Response:
    inspection = platform.inspections.read(
        principal, path, inspection_id, ReadKind.EVIDENCE
    )
    bundle = build_evidence_set(platform, inspection, principal)
    name = f"inspection-{path}-{inspection_id}.json"
    return Response(
        json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/{inspection_id}/report",
    summary="The timeline as a printable Chinese page or PDF quoting event ids and "
    "leaves; the read is recorded",
    response_class=HTMLResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
def report(
    path: str,
    inspection_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    report_format: Annotated[
        Literal["html", "pdf"], Query(alias="format", description="html or pdf")
    ] = "html",
) -> Response:
    if report_format == "pdf":
        cjk_font()  # a missing font is a 503 before the read is recorded
    inspection = platform.inspections.read(
        principal, path, inspection_id, ReadKind.REPORT, {"format": report_format}
    )
    if report_format == "html":
        return HTMLResponse(report_html(platform, inspection))
    events, cut = report_events(platform, inspection)
    name = f"inspection-{path}-{inspection_id}.pdf"
    return Response(
        report_pdf(inspection, events, cut),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
