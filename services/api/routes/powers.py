"""The power list (权责清单): draft a version (JSON, or the catalogue as CSV), the
清权确权 review, the list in force with its flowcharts, and every unit's coverage."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response, status

from domain.access import Role, require_read, require_subtree_role
from domain.powers.errors import (
    PowerListFormatError,
    PowerListNotFoundError,
    PowerNotFoundError,
)
from domain.powers.power_csv import powers_to_csv
from domain.timeliness import local_date
from projections.powers import PowerListProjection
from services.api.deps import PlatformDep, PrincipalDep
from services.api.power_schemas import (
    CODE,
    DraftIn,
    DraftOut,
    PowerCasesOut,
    PowerCoverageOut,
    PowerListOut,
    ReturnIn,
    ReviewIn,
    ReviewOut,
)
from services.core.views import CASES_NAME
from services.platform.runtime import Platform
from services.powers.commands import Drafted
from services.powers.flowchart import render_flowchart
from services.powers.reading import list_dict, power_case_figures, unit_coverage

router = APIRouter(prefix="/tenants/{path}/powers", tags=["powers"])
VIEW = PowerListProjection.name
VersionQuery = Annotated[
    int | None,
    Query(ge=1, le=1_000_000, description="a version to read (default: in force)"),
]
CodePath = Annotated[str, Path(min_length=1, max_length=40, pattern=CODE)]
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]
SVG = "image/svg+xml"


def drafted_out(platform: Platform, path: str, drafted: Drafted) -> DraftOut:
    platform.wait(VIEW, drafted.position)
    plist = platform.powers.power_list(path)
    assert plist is not None  # just drafted
    figures = list_dict(plist, drafted.version)["figures"]
    return DraftOut(
        tenant=path,
        version=drafted.version,
        position=drafted.position,
        figures=figures,
    )


@router.post(
    "/drafts",
    status_code=status.HTTP_201_CREATED,
    response_model=DraftOut,
    summary="Draft a version of the power list: powers, processes, risk points",
)
def draft(
    path: str, body: DraftIn, principal: PrincipalDep, platform: PlatformDep
) -> DraftOut:
    data = body.model_dump(mode="json")
    drafted = platform.powers.draft(
        principal,
        path,
        powers=data["powers"],
        risks=data["risks"],
        source=body.source,
    )
    return drafted_out(platform, path, drafted)


@router.post(
    "/drafts.csv",
    status_code=status.HTTP_201_CREATED,
    response_model=DraftOut,
    summary="Draft a version from the catalogue CSV (docs/powers.md); processes "
    "and risk points are kept by power code",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string", "minLength": 1},
                    "example": "权力编码,权力名称,权力类型,法律依据,依据条款,承办机构,"
                    "责任岗位,承诺时限（工作日）\r\nXK-001,风景名胜区内设置商业广告审批,"
                    "行政许可,《风景名胜区条例》,第二十九条,玉佛山风景名胜区管理处,"
                    "规划建设科科长,15\r\n",
                }
            },
        }
    },
)
def draft_csv(
    path: str,
    csv_file: Annotated[bytes, Body(media_type="text/csv")],
    principal: PrincipalDep,
    platform: PlatformDep,
    source: Annotated[
        str, Query(max_length=200, description="the file's name, kept with it")
    ] = "upload.csv",
) -> DraftOut:
    try:
        text = csv_file.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PowerListFormatError(
            "文件不是 UTF-8 编码，请在表格软件中另存为“CSV UTF-8”", line=1
        ) from None
    drafted = platform.powers.draft_csv(principal, path, text, source)
    return drafted_out(platform, path, drafted)


def _review_out(
    platform: Platform, path: str, version: int, state: str, position: int
) -> ReviewOut:
    platform.wait(VIEW, position)
    return ReviewOut(tenant=path, version=version, state=state, position=position)


@router.post(
    "/versions/{version}/approve",
    response_model=ReviewOut,
    summary="清权确权: approve the pending version, which takes effect",
)
def approve(
    path: str,
    version: VersionPath,
    body: ReviewIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> ReviewOut:
    position = platform.powers.approve(principal, path, version, body.opinion)
    return _review_out(platform, path, version, "approved", position)


@router.post(
    "/versions/{version}/return",
    response_model=ReviewOut,
    summary="Return the pending version with the review's opinion",
)
def send_back(
    path: str,
    version: VersionPath,
    body: ReturnIn,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> ReviewOut:
    position = platform.powers.send_back(principal, path, version, body.opinion)
    return _review_out(platform, path, version, "returned", position)


@router.get("", response_model=PowerListOut, summary="The power list in force")
def read(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    version: VersionQuery = None,
) -> dict[str, Any]:
    plist = platform.powers.read(principal, path)
    if version is not None and version not in plist.versions:
        raise PowerListNotFoundError(
            f"{path} has no version {version}", field="version"
        )
    return list_dict(plist, version)


@router.get(
    ".csv",
    response_class=Response,
    summary="The catalogue in force as CSV: the template a unit edits",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def export_csv(path: str, principal: PrincipalDep, platform: PlatformDep) -> Response:
    plist = platform.powers.read(principal, path)
    return Response(
        powers_to_csv(plist.listing().powers).encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="powers.csv"'},
    )


@router.get(
    "/coverage",
    response_model=PowerCoverageOut,
    summary="Every unit's power list at or under the tenant: figures of the "
    "version in force and of a pending draft",
)
def unit_figures(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    require_read(principal, path)
    require_subtree_role(principal, path, Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN)
    platform.powers.read_tenant(path)
    tenants = platform.directory.subtree(path)
    rows = platform.views[VIEW].current(path)
    return unit_coverage(path, tenants, rows)


@router.get(
    "/cases",
    response_model=PowerCasesOut,
    summary="Per power of the list in force and year: cases handled, on time, "
    "late against the power's limit, complaints about it",
)
def case_figures(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    year: Annotated[int, Query(ge=2000, le=2100)],
) -> dict[str, Any]:
    plist = platform.powers.read(principal, path)
    named = {r["case_id"]: r["power"] for r in platform.views[VIEW].cases_of(path)}
    cards = platform.views[CASES_NAME].cards(list(named))
    for card in cards:
        card["power"] = named[card["id"]]
    today = local_date(platform.powers.now()).isoformat()
    return {
        "tenant": path,
        "year": year,
        "powers": power_case_figures(plist.listing(), cards, year, today),
    }


@router.get(
    "/{code}/flowchart.svg",
    response_class=Response,
    summary="A power's process as an SVG flowchart (权力运行流程图)",
    responses={200: {"content": {SVG: {"schema": {"type": "string"}}}}},
)
def flowchart(
    path: str,
    code: CodePath,
    principal: PrincipalDep,
    platform: PlatformDep,
    version: VersionQuery = None,
) -> Response:
    plist = platform.powers.read(principal, path)
    if version is not None and version not in plist.versions:
        raise PowerListNotFoundError(
            f"{path} has no version {version}", field="version"
        )
    power = plist.listing(version).power(code)
    if power is None:
        raise PowerNotFoundError(f"{path} lists no power {code}", field="code")
    return Response(render_flowchart(power), media_type=SVG)
