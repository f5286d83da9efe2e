"""The notice (通报) of a campaign as a printable Chinese page and as PDF.

During the public notice it is the 公示 (provisional grades, the last day, how to
object); once finalized, the 通报 of commendation (优秀) and criticism (不合格) with
rectification orders. Both forms are built from the same lines.
"""

from __future__ import annotations

import html
from typing import Any

from fpdf import FPDF, FontFace

from domain.assessment.campaign import FINAL, NOTICE, Campaign
from domain.assessment.rectification import STATUS_LABELS
from services.assessment.campaigns import item_titles, league_table, titled
from services.core.display import PRINT_CSS
from services.reporting.pdf import LATIN_FONT, cjk_font


def notice_lines(
    campaign: Campaign, names: dict[str, str]
) -> tuple[str, list[str], list[list[str]], list[str]]:
    """Title, paragraphs before the table, table rows, paragraphs after: every
    unit by its name (``names``: path → name, the owner's too), every item by its
    title, every status by its label."""
    rows = league_table(campaign)
    titles = item_titles(campaign)
    table = [
        [
            str(r["rank"] or "—"),
            names.get(r["target"], r["target"]),
            "—" if r["score"] is None else f"{r['score']:g}",
            r["grade_label"] or "未评",
            "、".join(titled(r["vetoed_by"], titles)),
        ]
        for r in rows
    ]
    before = [f"考核期间：{campaign.period_from} 至 {campaign.period_to}"]
    after: list[str] = []
    if campaign.stage == NOTICE and campaign.notice:
        title = f"关于{campaign.title}结果的公示"
        before.append(
            f"公示期：{campaign.notice['published_on']} 至 "
            f"{campaign.notice['ends_on']}（7个工作日）。公示期内如有异议，"
            "可向考核组提出，考核组将逐件答复。"
        )
    elif campaign.stage == FINAL:
        title = f"关于{campaign.title}结果的通报"
        good = [
            names.get(r["target"], r["target"])
            for r in rows
            if r["grade"] == "excellent"
        ]
        bad = [
            names.get(r["target"], r["target"]) for r in rows if r["grade"] == "fail"
        ]
        if good:
            after.append(f"对考核等次为优秀的{'、'.join(good)}予以通报表扬。")
        if bad:
            after.append(f"对考核不合格的{'、'.join(bad)}予以通报批评，限期整改。")
        for target, order in campaign.rectifications.items():
            status = STATUS_LABELS.get(order["status"], order["status"])
            after.append(
                f"{names.get(target, target)}：整改事项 "
                f"{'、'.join(titled(order['items'], titles))}，"
                f"期限 {order['due_on']}，{status}。"
            )
    else:
        title = f"{campaign.title}（考核中）"
    return title, before, table, after


HEADERS = ["名次", "单位", "得分", "等次", "一票否决项"]


def notice_html(campaign: Campaign, names: dict[str, str]) -> str:
    title, before, table, after = notice_lines(campaign, names)
    owner = names.get(campaign.tenant, campaign.tenant)
    e = html.escape
    head = "".join(f'<th scope="col">{h}</th>' for h in HEADERS)
    body = "".join(
        "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in table
    )
    paras = "".join(f"<p>{e(p)}</p>" for p in before)
    tail = "".join(f"<p>{e(p)}</p>" for p in after)
    owner = names.get(campaign.tenant, campaign.tenant)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>
<link rel="stylesheet" href="{PRINT_CSS}"></head>
<body class="notice-page"><h1>{e(title)}</h1>{paras}
<table><caption>考核结果（{e(owner)}）</caption><thead><tr>{head}</tr></thead>
<tbody>{body}</tbody></table>{tail}</body></html>"""


def notice_pdf(campaign: Campaign, names: dict[str, str]) -> bytes:
    title, before, table, after = notice_lines(campaign, names)
    font = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.add_font("latin", fname=str(LATIN_FONT))
    pdf.add_font("cjk", fname=str(font))
    pdf.set_fallback_fonts(["cjk"])
    pdf.add_page()

    def line(text: str, size: float = 11, height: float = 7) -> None:
        pdf.set_font("latin", size=size)
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    line(title, size=16, height=10)
    for p in before:
        line(p)
    pdf.set_font("latin", size=10)
    with pdf.table(
        col_widths=(12, 60, 18, 18, 30), headings_style=FontFace(emphasis=None)
    ) as t:
        for row in [HEADERS, *table]:
            cells = t.row()
            for cell in row:
                cells.cell(cell)
    for p in after:
        line(p)
    out: Any = pdf.output()
    return bytes(out)
