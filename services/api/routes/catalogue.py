"""The disclosure catalogue: coverage per tenant, a county's own CSV, the template."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from domain.access import require_read
from domain.catalogue import DEFAULT_CATALOGUE, CatalogueEntry, catalogue_to_csv
from domain.coverage import PublicItem, coverage
from domain.errors import CatalogueFormatError
from domain.timeliness import local_date
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import AsOfQuery, moment_text, parse_moment
from services.api.routes.disclosures import category_labels, public
from services.api.schemas import (
    CatalogueEntryPublic,
    CatalogueLoaded,
    CataloguePublic,
    CategoryStatus,
)

router = APIRouter(tags=["catalogue"])
COVERAGE_LIMIT = 10_000


def entry_public(e: CatalogueEntry) -> CatalogueEntryPublic:
    d: dict[str, Any] = e.to_dict()
    return CatalogueEntryPublic(**{k: d[k] for k in CatalogueEntryPublic.model_fields})


@router.get(
    "/tenants/{path}/catalogue",
    response_model=CataloguePublic,
    summary="Each required category with its items, missing or overdue",
)
def catalogue_status(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    as_of: AsOfQuery = None,
) -> CataloguePublic:
    require_read(principal, path)
    app = platform.disclosures
    tenant = app.tenant(path)
    moment = parse_moment(as_of, "as_of", app.now())
    rows = platform.disclosure_view.list_public(
        path,
        as_of=moment_text(moment),
        known_at=moment_text(app.now()),
        include_descendants=False,
        limit=COVERAGE_LIMIT,
    )
    entries = [e for e in app.catalogue_for(tenant) if e.required]
    items = [
        PublicItem(
            r["id"],
            r["category"],
            date.fromisoformat(r["formed_on"]),
            date.fromisoformat(r["published_on"]),
            r["working_days_late"],
        )
        for r in rows
    ]
    calendar = app.calendar()
    by_id = {r["id"]: r for r in rows}
    labels = category_labels(platform, path)
    result = coverage(entries, items, local_date(moment), calendar)
    own = app.county_catalogue(tenant.county)
    categories = [
        CategoryStatus(
            entry=entry_public(c.entry),
            status=c.status.value,  # type: ignore[arg-type]
            items=[public(by_id[i.id], labels, calendar) for i in c.items],
            next_due_on=c.next_due_on,
            late_items=[i.id for i in c.late_items],
        )
        for c in result
    ]
    warning = calendar.fallback_warning(local_date(moment), local_date(moment))
    return CataloguePublic(
        tenant=path,
        kind=tenant.catalogue_kind,
        as_of=moment,
        catalogue_version=own.loads if own else 0,
        categories=categories,
        missing=[c.entry.code for c in result if c.status == "missing"],
        overdue=[c.entry.code for c in result if c.status == "overdue"],
        warnings=[warning] if warning else [],
    )


CSV_EXAMPLE = catalogue_to_csv(DEFAULT_CATALOGUE[:2])


@router.post(
    "/tenants/{path}/catalogue",
    response_model=CatalogueLoaded,
    summary="Load a county's own 标准目录 CSV on top of the defaults",
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}
            }
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
