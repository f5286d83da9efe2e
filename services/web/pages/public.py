"""The public 公开栏 (no sign-in): a tenant's statutory disclosures, by category.

Read through the same functions as the API, as a reader scoped to the tenant shown;
the templates show only public fields (no actors, no internal notes, no cases).
"""

from __future__ import annotations

from math import ceil
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from domain.access import Principal
from domain.errors import TooManyAttemptsError
from domain.fees.standard import NoStandardInForceError
from domain.reporting.annual import ANNUAL_REPORT_CATEGORY
from projections.disclosure_rows import LISTED
from projections.disclosures import ListFilter
from services.api.deps import PlatformDep
from services.api.disclosure_items import summary
from services.api.forwarded import client_address
from services.api.params import moment_text
from services.api.revalidate import begin
from services.api.routes import catalogue, disclosures, tenants
from services.cases.receipts import look_up_throttled
from services.core.views import DIRECTORY_NAME, DISCLOSURES_NAME, POWERS_NAME
from services.fees.board import board_rows
from services.web.session import check_csrf, prepare
from services.web.templating import render

router = APIRouter(prefix="/gongkai", include_in_schema=False)
FormDep = Annotated[dict[str, Any], Depends(check_csrf)]
# What a board or item page reads (the fee board's aggregates are in the key as
# reference data: services/platform/reads.py).
BOARD_VIEWS = (DIRECTORY_NAME, DISCLOSURES_NAME, POWERS_NAME)


def reader(path: str) -> Principal:
    """Whoever reads the public board: sees the tenant shown, nothing above it."""
    return Principal(id="public", tenant=path, roles=frozenset())


def fee_board(platform: PlatformDep, path: str) -> dict[str, Any] | None:
    """The unit's fee standard and issued notices, if it publishes a standard."""
    try:
        return board_rows(platform, reader(path), path)
    except NoStandardInForceError:
        return None


def crumbs_for(platform: PlatformDep, path: str) -> list[tuple[str, str]]:
    out = [("公开专栏", "/gongkai/")]
    parts = path.split(".")
    for i in range(1, len(parts) + 1):
        sub = ".".join(parts[:i])
        row = platform.directory.get(sub)
        out.append((row["name"] if row else sub, f"/gongkai/{sub}"))
    return out


@router.get("/", response_class=HTMLResponse)
def index(request: Request, platform: PlatformDep) -> Response:
    read = begin(request, platform, "", (DIRECTORY_NAME,), ("public",), public=True)
    if (found := read.found(request)) is not None:
        return found
    roots = [tenants.summary(r) for r in platform.directory.roots()]
    return read.send(
        render(request, "public_index.html", title="政府信息公开专栏", roots=roots)
    )


@router.get("/_receipt", response_class=HTMLResponse)
def receipt_form(request: Request) -> HTMLResponse:
    prepare(request)
    return render(request, "public_receipt.html", title="办件查询", status=None)


@router.post("/_receipt", response_class=HTMLResponse)
def receipt_lookup(
    request: Request, platform: PlatformDep, form: FormDep
) -> HTMLResponse:
    prepare(request)
    receipt = str(form.get("receipt", ""))[:40]
    last4 = str(form.get("phone_last4", ""))[:10].strip()
    try:
        status = look_up_throttled(platform, receipt, last4, client_address(request))
    except TooManyAttemptsError as e:
        return render(
            request,
            "public_receipt.html",
            status_code=429,
            headers={"Retry-After": str(e.retry_after)},
            title="错误：办件查询",
            status=None,
            asked=True,
            locked_minutes=ceil(e.retry_after / 60),
            receipt=receipt,
        )
    return render(
        request,
        "public_receipt.html",
        status_code=200 if status else 404,
        title="办件查询" if status else "错误：办件查询",
        status=status,
        asked=True,
        receipt=receipt,
    )


BOARD_NEWEST = 20  # items per category on a board; the count says how many in all


@router.get("/{path}", response_class=HTMLResponse)
def board(request: Request, path: str, platform: PlatformDep) -> Response:
    read = begin(request, platform, path, BOARD_VIEWS, ("public",), public=True)
    if (found := read.found(request)) is not None:
        return found
    tenant = tenants.tenant_public(platform, path)  # unknown → 404 page
    status = catalogue.catalogue_status(
        path, request, reader(path), platform, items_per_category=BOARD_NEWEST
    )
    required = {c.entry.code for c in status.categories}
    now = platform.disclosures.now()
    rows = platform.disclosure_view.list_public(
        path,
        as_of=moment_text(now),
        known_at=moment_text(now),
        include_descendants=False,
        limit=200,
        columns=LISTED,  # what the board shows of an item: not its text
    )
    labels = disclosures.category_labels(platform, path)
    calendar = platform.disclosures.calendar()
    others = [
        summary(r, labels, calendar) for r in rows if r["category"] not in required
    ]
    withdrawn = platform.disclosure_view.list_public(
        path,
        as_of=moment_text(now),
        known_at=moment_text(now),
        include_descendants=False,
        limit=200,
        filters=ListFilter(statuses=("withdrawn",)),
        columns=LISTED,
    )
    annual = next(
        (c.items for c in status.categories if c.entry.code == ANNUAL_REPORT_CATEGORY),
        [i for i in others if i.category == ANNUAL_REPORT_CATEGORY],
    )
    reports = platform.annual_reports.published_reports(path)
    fees = fee_board(platform, path)
    return read.send(
        render(
            request,
            "public_tenant.html",
            title=f"{tenant.name}政府信息公开专栏",
            crumbs=crumbs_for(platform, path),
            tenant=tenant,
            catalogue=status,
            as_of=status.as_of,
            annual=annual,
            annual_status=reports,
            others=[i for i in others if i.category != ANNUAL_REPORT_CATEGORY],
            withdrawn=withdrawn,
            children=tenant.children,
            fees=fees,
            powers_in_force=platform.powers.in_force(path).powers != (),
        )
    )


@router.get("/{path}/items/{item_id}", response_class=HTMLResponse)
def item(
    request: Request,
    path: str,
    item_id: UUID,
    platform: PlatformDep,
    version: int | None = None,
) -> Response:
    read = begin(request, platform, path, BOARD_VIEWS, ("public",), public=True)
    if (found := read.found(request)) is not None:
        return found
    tenant = tenants.tenant_public(platform, path)
    history = disclosures.history(path, item_id, reader(path), platform)
    versions = history.versions
    current = versions[-1]
    shown = next((v for v in versions if v.version == version), versions[-1])
    if current.state.withdrawn:  # withdrawn means withdrawn: no version's text
        shown = None
    return read.send(
        render(
            request,
            "public_item.html",
            title=current.state.title,
            crumbs=[*crumbs_for(platform, path), (current.state.title, "")],
            tenant=tenant,
            versions=versions,
            first=versions[0],
            shown=shown,
            revisions=sum(1 for v in versions if v.event == "revised"),
        )
    )
