"""The campaign's 公文: the 公示 during the public notice, the 通报 once finalized,
and each 限期整改通知, as ``OfficialDocument``s (GB/T 9704-2012,
services/documents/official_render.py draws them for the screen and for print).

Every unit by its name (``names``: path → name, the owner's too), every item by its
title, every status by its label, each document under the 文号 its issue took
(``number``: from services/documents/series.number_of; None before it is issued).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.assessment.campaign import FINAL, NOTICE, Campaign
from domain.assessment.rectification import STATUS_LABELS
from domain.documents.numbering import date_text
from domain.documents.official import Attachment, OfficialDocument
from services.assessment.campaigns import (
    document_title,
    item_titles,
    league_table,
    titled,
)

HEADERS = ["名次", "单位", "得分", "等次", "一票否决项"]
ANNEX = "考核结果一览表"


def league_rows(campaign: Campaign, names: dict[str, str]) -> list[list[str]]:
    """The 附件: the league table with names, scores, grade labels, veto titles."""
    titles = item_titles(campaign)
    return [
        [
            str(r["rank"] or "—"),
            names.get(r["target"], r["target"]),
            "—" if r["score"] is None else f"{r['score']:g}",
            r["grade_label"] or "未评",
            "、".join(titled(r["vetoed_by"], titles)),
        ]
        for r in league_table(campaign)
    ]


def notice_kind(campaign: Campaign) -> str | None:
    """The kind of 公文 the campaign's notice is now: 公示, 通报, or none yet."""
    return {NOTICE: "notice", FINAL: "bulletin"}.get(campaign.stage)


def notice_document(
    campaign: Campaign,
    names: dict[str, str],
    number: dict[str, Any] | None,
    today: date,
) -> OfficialDocument:
    """The 公示 or 通报 (a campaign still under way: its provisional table, no 文号)."""
    owner = names.get(campaign.tenant, campaign.tenant)
    kind = notice_kind(campaign)
    period = f"{date_text(campaign.period_from)}至{date_text(campaign.period_to)}"
    opening = (
        f"根据{campaign.title}方案，{owner}对{period}各单位的政务公开工作进行了考核。"
    )
    body: list[str]
    if kind == "notice":
        assert campaign.notice is not None
        body = [
            opening + "现将考核结果予以公示（见附件）。",
            f"公示期：{date_text(campaign.notice['published_on'])}至"
            f"{date_text(campaign.notice['ends_on'])}（7个工作日）。公示期内如有异议，"
            "可向考核组提出，考核组将逐件答复。",
        ]
        dated = campaign.notice["published_on"]
    elif kind == "bulletin":
        assert campaign.finalized is not None
        body = [opening + "公示期满，现将考核结果通报如下（见附件）。"]
        body += _verdicts(campaign, names)
        dated = campaign.finalized["on"]
    else:
        body = [opening + "考核尚在进行，下表为当前评分情况，不作为考核结果。"]
        dated = today
    return OfficialDocument(
        issuer=owner,
        wenhao=number["wenhao"] if number else None,
        title=document_title(campaign, kind) if kind else f"{campaign.title}（考核中）",
        addressees=[names.get(t, t) for t in campaign.targets],
        body=body,
        dated=number["issued_on"] if number else dated,
        attachments=[Attachment(ANNEX, HEADERS, league_rows(campaign, names))],
        printed_by=owner,
        voided=_void_reason(number),
    )


def _verdicts(campaign: Campaign, names: dict[str, str]) -> list[str]:
    """表扬 the 优秀, 批评 the 不合格, and where each rectification stands."""
    rows = league_table(campaign)
    titles = item_titles(campaign)

    def named(grade: str) -> list[str]:
        return [
            names.get(r["target"], r["target"]) for r in rows if r["grade"] == grade
        ]

    paragraphs = []
    if good := named("excellent"):
        paragraphs.append(f"对考核等次为优秀的{'、'.join(good)}予以通报表扬。")
    if bad := named("fail"):
        paragraphs.append(f"对考核不合格的{'、'.join(bad)}予以通报批评，限期整改。")
    for target, order in campaign.rectifications.items():
        status = STATUS_LABELS.get(order["status"], order["status"])
        paragraphs.append(
            f"{names.get(target, target)}：整改事项"
            f"{'、'.join(titled(order['items'], titles))}，"
            f"整改期限{date_text(order['due_on'])}，{status}。"
        )
    return paragraphs


def rectification_document(
    campaign: Campaign,
    target: str,
    names: dict[str, str],
    number: dict[str, Any] | None,
    today: date,
) -> OfficialDocument:
    """The 限期整改通知 of the target's current order round."""
    owner = names.get(campaign.tenant, campaign.tenant)
    order = campaign.rectifications[target]
    rounds = order["rounds"]
    items = "、".join(titled(order["items"], item_titles(campaign)))
    body = [
        f"经{campaign.title}，你单位以下事项未达到要求：{items}。",
        f"请于{date_text(order['due_on'])}前完成整改，并将整改情况报送{owner}。"
        "逾期未整改或整改不到位的，将依照有关规定予以通报。",
    ]
    if len(rounds) > 1:
        last = rounds[-2].get("verification") or {}
        body.insert(
            1,
            f"此前整改经验收未通过（第{len(rounds) - 1}次验收意见："
            f"{last.get('note') or '—'}），现再次限期整改。",
        )
    body.append(f"当前状态：{STATUS_LABELS.get(order['status'], order['status'])}。")
    return OfficialDocument(
        issuer=owner,
        wenhao=number["wenhao"] if number else None,
        title=document_title(campaign, "rectification"),
        addressees=[names.get(target, target)],
        body=body,
        dated=number["issued_on"] if number else today,
        printed_by=owner,
        voided=_void_reason(number),
    )


def _void_reason(number: dict[str, Any] | None) -> str | None:
    voided = number["voided"] if number else None
    return str(voided["reason"]) if voided else None
