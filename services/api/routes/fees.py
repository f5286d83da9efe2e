"""Fees: the published fee standard (收费标准), 征收通知书 with 集中会审 of any
reduction, the supervisor's view per unit and period, and the public board.

Amounts, rates and quantities travel as decimal text (``"1730.49"``), never as JSON
numbers, so that what the clerk wrote is what the domain computes with.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from domain.fees.levy import PAYER_KINDS, LevyNotice
from domain.fees.standard import FeeStandard
from services.api.assessment_schemas import NoBody
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import BodyModel, Day, Text
from services.documents.official_render import (
    official_fonts,
    official_html,
    official_pdf,
)
from services.fees.board import board_rows, notice_out, period_view
from services.fees.notice_document import levy_document

router = APIRouter(prefix="/tenants/{path}", tags=["fees"])

AMOUNT = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"
QUANTITY = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?$"
# A quantity is more than zero: 0.0001 to 0.9999 (its last decimal not 0), or ≥ 1.
POSITIVE = r"^(0\.[0-9]{0,3}[1-9]|[1-9][0-9]{0,11}(\.[0-9]{1,4})?)$"
BASIS = "《排污费征收标准管理办法》（国家发展计划委员会令第31号）"


class FeeItemIn(BodyModel):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$", description="项目代码")
    name: Text = Field(max_length=200, description="收费项目")
    unit: Text = Field(max_length=200, description="计量单位")
    rate: str = Field(pattern=QUANTITY, description="费率（元/计量单位），十进制文本")
    basis: Text = Field(max_length=200, description="收费依据")


class StandardIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "effective_from": "2026-01-01",
                    "items": [
                        {
                            "code": "cod",
                            "name": "化学需氧量排污费",
                            "unit": "污染当量",
                            "rate": "1.4",
                            "basis": BASIS,
                        },
                    ],
                }
            ]
        }
    )
    effective_from: Day
    items: list[FeeItemIn] = Field(min_length=1, max_length=100)


class LineIn(BodyModel):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    quantity: str = Field(pattern=POSITIVE, description="数量（大于0），十进制文本")


class NoticeIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "payer_name": "新和县永兴化工有限公司",
                    "payer_kind": "organisation",
                    "items": [{"code": "cod", "quantity": "1200"}],
                    "dated": "2026-03-02",
                    "amount": "1680.00",
                }
            ]
        }
    )
    payer_name: Text = Field(max_length=100, description="缴费人")
    payer_kind: Literal["person", "organisation"] = Field(
        description="；".join(f"{k} {v}" for k, v in PAYER_KINDS.items())
    )
    items: list[LineIn] = Field(min_length=1, max_length=100)
    dated: Day
    amount: str = Field(pattern=AMOUNT, description="应缴金额（元），须与收费标准相符")


class ReductionIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reduced_to": "1000.00", "reason": "企业受灾停产三个月"}]
        }
    )
    reduced_to: str = Field(pattern=AMOUNT, description="减免后金额（元）")
    reason: Text = Field(max_length=500)


class ReviewIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"approved": True, "post": "法制审核岗", "reason": "符合条件"}]
        }
    )
    approved: bool
    post: Text = Field(max_length=50, description="审核人岗位")
    reason: Text = Field(max_length=500, description="审核意见")


class StandardOut(BaseModel):
    tenant: str
    versions: list[dict[str, Any]]


class NoticeOut(BaseModel):
    id: str
    tenant: str
    version: int
    payer: dict[str, str]
    dated: str
    standard_version: int
    lines: list[dict[str, str]]
    amount: str
    reduction: dict[str, Any] | None
    reduction_status: str | None
    issued: dict[str, Any] | None
    voided: dict[str, Any] | None


def standard_out(standard: FeeStandard) -> StandardOut:
    return StandardOut(
        tenant=standard.tenant,
        versions=[
            {**v, "effective_from": v["effective_from"].isoformat(), "by": None}
            for v in standard.versions
        ],
    )


def levy_response(doc: Any, fmt: str, notice_id: UUID) -> Response:
    if fmt == "html":
        return HTMLResponse(official_html(doc))
    return Response(
        official_pdf(doc),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="levy-{notice_id}.pdf"'},
    )


def _notice(platform: Any, notice: LevyNotice, response: Response) -> NoticeOut:
    response.headers["ETag"] = f'"{notice.version}"'
    return NoticeOut(**notice_out(platform, notice))


@router.get(
    "/fee-standard", response_model=StandardOut, summary="收费标准, every version"
)
def get_standard(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> StandardOut:
    return standard_out(platform.levies.standard(principal, path))


@router.post(
    "/fee-standard",
    status_code=status.HTTP_201_CREATED,
    response_model=StandardOut,
    summary="Publish the fee standard, or a new version taking effect after the last",
)
def publish_standard(
    path: str, body: StandardIn, principal: PrincipalDep, platform: PlatformDep
) -> StandardOut:
    items = [i.model_dump() for i in body.items]
    standard, _ = platform.levies.publish_standard(
        principal, path, body.effective_from, items
    )
    return standard_out(standard)


@router.post(
    "/fee-notices",
    status_code=status.HTTP_201_CREATED,
    response_model=NoticeOut,
    summary="Draft a 征收通知书; its amount must be the standard's (else 409)",
)
def draft_notice(
    path: str,
    body: NoticeIn,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> NoticeOut:
    notice, _ = platform.levies.draft(
        principal,
        path,
        payer_name=body.payer_name,
        payer_kind=body.payer_kind,
        items=[i.model_dump() for i in body.items],
        dated=body.dated,
        amount=body.amount,
    )
    response.headers["Location"] = f"/v1/tenants/{path}/fee-notices/{notice.id}"
    return _notice(platform, notice, response)


@router.get(
    "/fee-notices",
    summary="The supervisor's view of a unit's notices in a period: issued, voided, "
    "amounts by standard item, reductions with approvers, off-standard (none)",
)
def list_notices(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    period_from: Annotated[date | None, Query(alias="from")] = None,
    period_to: Annotated[date | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    return period_view(platform, principal, path, period_from, period_to)


@router.get("/fee-notices/{notice_id}", response_model=NoticeOut, summary="A notice")
def get_notice(
    path: str,
    notice_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> NoticeOut:
    return _notice(
        platform, platform.levies.notice(principal, path, notice_id), response
    )


@router.get(
    "/fee-notices/{notice_id}/document",
    summary="The 征收通知书 as a 公文 (GB/T 9704-2012), or PDF with ?format=pdf",
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def get_document(
    path: str,
    notice_id: UUID,
    principal: PrincipalDep,
    platform: PlatformDep,
    doc_format: Annotated[
        Literal["html", "pdf"], Query(alias="format", description="html or pdf")
    ] = "html",
) -> Response:
    if doc_format == "pdf":
        official_fonts()
    notice = platform.levies.notice(principal, path, notice_id)
    return levy_response(levy_document(platform, notice), doc_format, notice_id)


@router.post(
    "/fee-notices/{notice_id}/reduction",
    response_model=NoticeOut,
    summary="Propose a reduction (减免); it takes effect after 集中会审",
)
def propose(
    path: str,
    notice_id: UUID,
    body: ReductionIn,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> NoticeOut:
    notice, _ = platform.levies.propose_reduction(
        principal, path, notice_id, body.reduced_to, body.reason
    )
    return _notice(platform, notice, response)


@router.post(
    "/fee-notices/{notice_id}/reviews",
    response_model=NoticeOut,
    summary="One reviewer of the 集中会审: a different post, not the proposer",
)
def review(
    path: str,
    notice_id: UUID,
    body: ReviewIn,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> NoticeOut:
    notice, _ = platform.levies.review_reduction(
        principal, path, notice_id, body.approved, body.post, body.reason
    )
    return _notice(platform, notice, response)


@router.post(
    "/fee-notices/{notice_id}/issue",
    response_model=NoticeOut,
    summary="签发 under the next number of the unit's 征收通知书 series",
)
def issue(
    path: str,
    notice_id: UUID,
    body: NoBody,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> NoticeOut:
    notice, _ = platform.levies.issue(principal, path, notice_id)
    return _notice(platform, notice, response)


@router.get(
    "/fee-board",
    summary="The public board: the fee standard and each issued notice's final "
    "amount, reduction and approvers (natural persons' names masked)",
)
def fee_board(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> dict[str, Any]:
    return board_rows(platform, principal, path)
