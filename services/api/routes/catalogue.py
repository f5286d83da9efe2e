"""The disclosure catalogue: coverage per tenant, a county's own CSV, the template."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote_plus, urlencode

from fastapi import APIRouter, Body, Query, Request, Response

from domain.access import require_read
from domain.disclosures.catalogue import (
    CatalogueEntry,
    catalogue_to_csv,
)
from domain.disclosures.catalogue_defaults import DEFAULT_CATALOGUE
from domain.errors import CatalogueFormatError, InvalidInputError
from domain.timeliness import local_date
from services.api.deps import PlatformDep, PrincipalDep
from services.api.disclosure_items import summary
from services.api.export import (
    EXPORT_RESPONSES,
    Column,
    FormatQuery,
    Taken,
    export,
    wanted,
)
from services.api.listing import future_warnings
from services.api.params import AsOfQuery, KnownAtQuery, moment_text, parse_moment
from services.api.present import STATUS_LABELS
from services.api.revalidate import begin, principal_scope
from services.api.schemas import (
    CatalogueEntryPublic,
    CatalogueLoaded,
    CataloguePublic,
    CategoryStatus,
)
from services.core.views import DIRECTORY_NAME, DISCLOSURES_NAME
from services.disclosures.lists import Moments
from services.disclosures.overview import (
    CatalogueFacts,
    Reference,
    catalogue_facts,
    coverage_from_facts,
    reference_at,
)
from services.platform.runtime import Platform

router = APIRouter(tags=["catalogue"])
COVERAGE_STATUSES = ("covered", "missing", "overdue")


@lru_cache(maxsize=4096)
def entry_public(e: CatalogueEntry) -> CatalogueEntryPublic:
    """An entry as the API shows it; kept per entry (entries are frozen, and a
    catalogue shows the same few dozen in every answer). Not to be changed."""
    d: dict[str, Any] = e.to_dict()
    return CatalogueEntryPublic(**{k: d[k] for k in CatalogueEntryPublic.model_fields})


COVERAGE_COLUMNS: tuple[Column, ...] = (
    ("tenant", "单位路径"),
    ("tenant_name", "单位"),
    ("code", "类别代码"),
    ("level1", "一级事项"),
    ("level2", "二级事项"),
    ("status_label", "状态"),
    ("items", "公开事项数"),
    ("late_items", "逾期公开事项数"),
    ("next_due_on", "下次应公开"),
)


def tenant_block(
    platform: Platform,
    row: dict[str, Any],
    found: CatalogueFacts,
    reference: Reference,
    moments: tuple[datetime, datetime],
    statuses: tuple[str, ...] = (),
) -> CataloguePublic:
    """Coverage of one tenant (a directory row) by the facts of its categories;
    ``categories`` holds those of ``statuses`` (every one if none)."""
    path = row["path"]
    kind = row["kind"] or row["level"]
    as_of, known_at = moments
    result = coverage_from_facts(reference, kind, found.facts.get(path, {}), as_of)
    calendar = reference.calendar
    labels = reference.labels(kind)
    # The list each category links to: urlencode({"category": code, **at}), with
    # the moments' part encoded once per tenant instead of once per category.
    at = urlencode({"as_of": moment_text(as_of), "known_at": moment_text(known_at)})
    categories = [
        CategoryStatus(
            entry=entry_public(c.entry),
            status=c.status.value,  # type: ignore[arg-type]
            status_label=STATUS_LABELS[c.status.value],
            items=[summary(found.rows[i.id], labels, calendar) for i in c.items],
            item_count=c.item_count,
            next_due_on=c.next_due_on,
            late_items=[i.id for i in c.late_items],
            late_item_count=c.late_count,
            items_url=f"/v1/tenants/{path}/disclosures?"
            f"category={quote_plus(c.entry.code)}&{at}",
        )
        for c in result
        if not statuses or c.status in statuses
    ]
    warning = calendar.fallback_warning(local_date(as_of), local_date(as_of))
    return CataloguePublic(
        tenant=path,
        tenant_name=row["name"],
        kind=kind,
        as_of=as_of,
        catalogue_version=reference.catalogue_version,
        categories=categories,
        missing=[c.entry.code for c in result if c.status == "missing"],
        overdue=[c.entry.code for c in result if c.status == "overdue"],
        missing_labels=[
            labels.get(c.entry.code, c.entry.code)
            for c in result
            if c.status == "missing"
        ],
        overdue_labels=[
            labels.get(c.entry.code, c.entry.code)
            for c in result
            if c.status == "overdue"
        ],
        warnings=[warning] if warning else [],
    )


@router.get(
    "/tenants/{path}/catalogue",
    response_model=CataloguePublic,
    responses=EXPORT_RESPONSES,
    summary="Each required category: counts, newest items, missing or overdue; CSV",
)
def catalogue_status(
    path: str,
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
    known_at: KnownAtQuery = None,
    include_descendants: Annotated[
        bool, Query(description="one block per tenant of the subtree, in `blocks`")
    ] = False,
    items_per_category: Annotated[
        int,
        Query(
            ge=0,
            le=200,
            description="newest items shown per category; `item_count` counts all,"
            " `items_url` lists all",
        ),
    ] = 5,
    status: Annotated[
        list[str] | None,
        Query(
            description="covered | missing | overdue (repeatable): `categories` "
            "holds only these (`missing` and `overdue` still name every one)",
            json_schema_extra={
                "items": {"type": "string", "enum": list(COVERAGE_STATUSES)}
            },
        ),
    ] = None,
    format: FormatQuery = None,
) -> Any:
    require_read(principal, path)
    read = begin(
        request,
        platform,
        path,
        (DIRECTORY_NAME, DISCLOSURES_NAME),
        principal_scope(principal),
        endpoint=catalogue_status,
    )
    if (found := read.found(request)) is not None:
        return found
    statuses = tuple(status or ())
    for s in statuses:
        if s not in COVERAGE_STATUSES:
            raise InvalidInputError(
                f"status must be one of {', '.join(COVERAGE_STATUSES)}, not {s!r}",
                field="status",
            )
    app = platform.disclosures
    app.read_tenant(path)  # 404 if unknown; no copy
    now = app.now()
    moment = parse_moment(as_of, "as_of", now)
    recorded = parse_moment(known_at, "known_at", now)
    reference = reference_at(platform, path.split(".", 1)[0], recorded)
    tenants = platform.directory.subtree(path)
    if not include_descendants:
        tenants = [t for t in tenants if t["path"] == path]
    found = catalogue_facts(
        platform,
        path,
        moment,
        recorded,
        include_descendants=include_descendants,
        wanted={
            t["path"]: {e.code for e in reference.required(t["kind"] or t["level"])}
            for t in tenants
        },
        newest=items_per_category,
    )
    blocks = [
        tenant_block(platform, t, found, reference, (moment, recorded), statuses)
        for t in tenants
    ]
    warnings = future_warnings(now, as_of=moment, known_at=recorded)
    fmt = wanted(request, format)
    if fmt != "json":
        flat = [
            {
                "tenant": b.tenant,
                "tenant_name": b.tenant_name,
                "code": c.entry.code,
                "level1": c.entry.level1,
                "level2": c.entry.level2,
                "status_label": c.status_label,
                "items": c.item_count,
                "late_items": c.late_item_count,
                "next_due_on": c.next_due_on,
            }
            for b in blocks
            for c in b.categories
        ]
        return export(
            fmt,
            COVERAGE_COLUMNS,
            flat,
            f"catalogue-{path}",
            "目录",
            taken=Taken(Moments(moment, recorded), now),
        )
    for b in blocks:
        b.known_at = recorded
    own = next(b for b in blocks if b.tenant == path).model_copy()
    own.warnings = own.warnings + warnings
    if include_descendants:
        own.blocks = blocks
    return read.send_model(own)


CSV_EXAMPLE = catalogue_to_csv(DEFAULT_CATALOGUE[:2])


@router.post(
    "/tenants/{path}/catalogue",
    response_model=CatalogueLoaded,
    summary="Load a county's own 标准目录 CSV on top of the defaults",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string", "minLength": 1},
                    "example": CSV_EXAMPLE,
                }
            },
        }
    },
)
def load_catalogue(
    path: str,
    csv_file: Annotated[bytes, Body(media_type="text/csv")],
    principal: PrincipalDep,
    platform: PlatformDep,
    source: Annotated[
        str,
        Query(max_length=200, description="the file's name, kept with the version"),
    ] = "upload.csv",
) -> CatalogueLoaded:
    try:
        text = csv_file.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueFormatError("the file is not UTF-8 text", line=1) from None
    version, _, entries = platform.reference.load_catalogue(
        principal, path, text, source
    )
    return CatalogueLoaded(
        county=path,
        catalogue_version=version,
        entries=len(entries),
        codes=[e.code for e in entries],
    )


@router.get(
    "/catalogue/template.csv",
    response_class=Response,
    summary="The default catalogue as CSV: a template for a county's own",
)
def template() -> Response:
    return Response(
        catalogue_to_csv(DEFAULT_CATALOGUE).encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="catalogue.csv"'},
    )


@router.get(
    "/catalogue/defaults",
    response_model=list[CatalogueEntryPublic],
    summary="The default catalogue entries",
)
def defaults() -> list[CatalogueEntryPublic]:
    return [entry_public(e) for e in DEFAULT_CATALOGUE]
