"""编号管理: a tenant's document series, voiding a number, the supervisor's view.

Numbers are not taken here: the command that issues a document takes its number
(services/documents/series.py). Here a tenant opens a series with its own 机关代字,
voids a number with a reason, and anyone who may read the tenant sees, per series
and year, the numbers issued and voided and the first gap (there must be none).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from domain.documents.series import KINDS, DocumentSeries
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import BodyModel, Text
from services.people.names import actor_text, named_actor
from services.platform.runtime import Platform

router = APIRouter(prefix="/tenants/{path}/document-series", tags=["documents"])

Kind = Literal["bulletin", "notice", "rectification", "levy"]
# domain/documents/numbering.py's CODE_PATTERN, with the range written out (the
# document's regex dialect and pydantic's both take literal characters).
CODE_FORM = "^[\u4e00-\u9fffA-Za-z]{1,12}$"
KIND_HELP = "；".join(f"{k} {v}" for k, v in KINDS.items())


class SeriesIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "bulletin", "code": "新政公开"}]}
    )
    kind: Kind = Field(description=KIND_HELP)
    code: str = Field(
        pattern=CODE_FORM, description="机关代字，如 新政公开（1 至 12 个汉字或字母）"
    )


class VoidIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"year": 2026, "number": 3, "reason": "文号错用，已重新签发"}]
        }
    )
    year: int = Field(ge=2000, le=2100)
    number: int = Field(ge=1, le=1_000_000)
    reason: Text = Field(max_length=500, description="作废原因")


class NumberOut(BaseModel):
    wenhao: str
    year: int
    number: int
    title: str
    issued_on: str
    issued_by: str
    voided: dict[str, Any] | None


class SeriesOut(BaseModel):
    kind: str
    label: str
    code: str
    year: int
    issued: int
    voided: int
    last: int
    first_gap: int | None = Field(description="须为空：编号不得缺号")
    numbers: list[NumberOut]


class SeriesList(BaseModel):
    tenant: str
    year: int
    series: list[SeriesOut]


def series_out(platform: Platform, series: DocumentSeries, year: int) -> SeriesOut:
    numbers = [
        NumberOut(
            wenhao=series.wenhao(n),
            year=n["year"],
            number=n["number"],
            title=n["title"],
            issued_on=n["issued_on"].isoformat(),
            issued_by=actor_text(named_actor(platform, n["by"])),
            voided=(
                {
                    "reason": n["voided"]["reason"],
                    "on": n["voided"]["on"].isoformat(),
                    "by": actor_text(named_actor(platform, n["voided"]["by"])),
                }
                if n["voided"]
                else None
            ),
        )
        for n in series.of_year(year)
    ]
    return SeriesOut(
        kind=series.kind,
        label=series.label,
        code=series.code,
        numbers=numbers,
        **series.summary(year),
    )


@router.get(
    "",
    response_model=SeriesList,
    summary="The tenant's document series in a year: numbers issued and voided, "
    "the first gap (none)",
)
def list_series(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> SeriesList:
    book = platform.series
    year = year or book.today().year
    found = book.all_series(principal, path)
    return SeriesList(
        tenant=path, year=year, series=[series_out(platform, s, year) for s in found]
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SeriesOut,
    summary="Open a series with the tenant's own 机关代字 (before its first issue)",
)
def open_series(
    path: str,
    body: SeriesIn,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> SeriesOut:
    series, _ = platform.series.open(principal, path, body.kind, body.code)
    response.headers["Location"] = f"/v1/tenants/{path}/document-series"
    return series_out(platform, series, platform.series.today().year)


@router.post(
    "/{kind}/void",
    response_model=SeriesOut,
    summary="作废 a number with a reason; the number and its document stay on record",
)
def void_number(
    path: str, kind: Kind, body: VoidIn, principal: PrincipalDep, platform: PlatformDep
) -> SeriesOut:
    series, _ = platform.series.void(
        principal, path, kind, body.year, body.number, body.reason
    )
    return series_out(platform, series, body.year)
