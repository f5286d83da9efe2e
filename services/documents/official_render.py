"""A 公文 on screen (HTML) and on paper (PDF), both drawn from one
``OfficialDocument`` with the measures of GB/T 9704-2012 (domain/documents/official.py).

Fonts (the closest Debian packages; .ci/cjk-font installs them): 标志 and 标题 in
AR PL SungtiL GB (``fonts-arphic-gbsn00lp``, a 宋体 in place of 小标宋), 正文 and 版记
in AR PL KaitiM GB (``fonts-arphic-gkai00mp``, a 楷体: Debian packages no simplified
仿宋), 附件 heading in Droid Sans Fallback (a 黑体), which also covers any character
the GB 2312 fonts lack.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace

from domain.documents.line_breaking import break_lines
from domain.documents.numbering import date_text
from domain.documents.official import (
    BODY_PT,
    LEFT,
    LINE_MM,
    MARK_DROP,
    NOTE_PT,
    PAGE_H,
    PAGE_W,
    RED,
    RULE_GAP,
    TITLE_PT,
    TOP,
    TYPE_H,
    TYPE_W,
    OfficialDocument,
)
from services.reporting.pdf import FontMissingError, cjk_font

SONG = Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")
KAI = Path("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf")
OFFICIAL_CSS = "/static/official.css"
PT_MM = 25.4 / 72
INDENT = "\u3000\u3000"  # 首行缩进二字 (a paragraph of a 公文)


def official_fonts() -> tuple[Path, Path, Path]:
    """(宋, 楷, 黑); a missing one is a 503 that says how to install it."""
    hei = cjk_font()
    for path in (SONG, KAI):
        if not path.is_file():
            raise FontMissingError(
                "install them with `make fonts` "
                "(apt-get install fonts-arphic-gbsn00lp fonts-arphic-gkai00mp)"
            )
    return SONG, KAI, hei


def signature_lines(doc: OfficialDocument) -> tuple[str, str]:
    return doc.issuer, date_text(doc.dated)


def printed_line(doc: OfficialDocument) -> tuple[str, str]:
    """(印发机关, 印发日期 + 印发) of the 版记."""
    on = doc.printed_on or doc.dated
    return doc.printed_by or doc.issuer, f"{date_text(on)}印发"


def attachment_note(doc: OfficialDocument) -> list[str]:
    """附件说明 (7.3.4): ``附件：标题``, or numbered when more than one."""
    if not doc.attachments:
        return []
    if len(doc.attachments) == 1:
        return [f"附件：{doc.attachments[0].title}"]
    first, *rest = doc.attachments
    return [f"附件：1.{first.title}"] + [
        f"\u3000\u3000\u3000{i}.{a.title}" for i, a in enumerate(rest, start=2)
    ]


# HTML -------------------------------------------------------------------------------


def mark_class(mark: str) -> str:
    """The 标志's class: a smaller size for a long name, so that it keeps to one
    line of the 版心 as in the PDF (official.css: 36, 30 or 24 pt)."""
    if len(mark) <= 12:
        return "gw-mark"
    return "gw-mark gw-long" if len(mark) <= 14 else "gw-mark gw-longer"


def official_html(doc: OfficialDocument) -> str:
    """The screen form: the same elements in the same order, the page's measures in
    /static/official.css (the CSP allows no inline style)."""
    e = html.escape
    number = e(doc.wenhao) if doc.wenhao else "（未签发）"
    parts = [
        f'<header class="gw-head"><p class="{mark_class(doc.mark)}">{e(doc.mark)}</p>'
    ]
    parts.append(f'<p class="gw-number">{number}</p><hr class="gw-rule"></header>')
    if doc.voided:
        parts.append(f'<p class="gw-void">已作废：{e(doc.voided)}</p>')
    parts.append(f'<h1 class="gw-title">{e(doc.title)}</h1>')
    if doc.addressees:
        parts.append(f'<p class="gw-to">{e("、".join(doc.addressees))}：</p>')
    parts += [f'<p class="gw-body">{e(p)}</p>' for p in doc.body]
    for i, line in enumerate(attachment_note(doc)):
        first = " gw-first" if i == 0 else ""
        parts.append(f'<p class="gw-annex-note{first}">{e(line)}</p>')
    sign, dated = signature_lines(doc)
    parts.append(f'<p class="gw-sign">{e(sign)}</p><p class="gw-date">{e(dated)}</p>')
    for i, annex in enumerate(doc.attachments, start=1):
        label = "附件" if len(doc.attachments) == 1 else f"附件{i}"
        head = "".join(f'<th scope="col">{e(h)}</th>' for h in annex.headers)
        rows = "".join(
            "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
            for row in annex.rows
        )
        parts.append(
            f'<section class="gw-annex"><p class="gw-annex-label">{label}</p>'
            f'<h2 class="gw-annex-title">{e(annex.title)}</h2>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            "</section>"
        )
    parts.append(_record_html(doc))
    body = "".join(parts)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(doc.title)}</title>
<link rel="stylesheet" href="{OFFICIAL_CSS}"></head>
<body class="gw"><article class="gw-page">{body}</article></body></html>"""


def _record_html(doc: OfficialDocument) -> str:
    """版记: 抄送机关, then 印发机关 and 印发日期, between the rules."""
    e = html.escape
    by, on = printed_line(doc)
    copies = ""
    if doc.copies_to:
        copies = f'<p class="gw-copies">抄送：{e("，".join(doc.copies_to))}。</p>'
    return (
        f'<footer class="gw-record">{copies}'
        f'<p class="gw-printed"><span>{e(by)}</span><span>{e(on)}</span></p>'
        "</footer>"
    )


# PDF --------------------------------------------------------------------------------


class _Paper(FPDF):
    """A4 with the standard's margins and its page numbers (7.5: 4号, ``— 1 —``,
    odd pages right, even pages left, one character in)."""

    def footer(self) -> None:
        self.set_y(TOP + TYPE_H + 7)
        self.set_font("song", size=NOTE_PT)
        self.set_text_color(0, 0, 0)
        text = f"— {self.page_no()} —"
        align = "R" if self.page_no() % 2 else "L"
        inset = NOTE_PT * PT_MM
        self.set_x(LEFT + (0 if align == "R" else inset))
        self.cell(TYPE_W - inset, 6, text, align=align)


def official_pdf(doc: OfficialDocument) -> bytes:
    """The print form (A4, 版心 156 × 225 mm)."""
    song, kai, hei = official_fonts()
    pdf = _Paper(format="A4", unit="mm")
    pdf.set_title(doc.title)
    pdf.add_font("song", fname=str(song))
    pdf.add_font("kai", fname=str(kai))
    pdf.add_font("hei", fname=str(hei))
    pdf.set_fallback_fonts(["hei"])
    pdf.set_margins(LEFT, TOP, PAGE_W - LEFT - TYPE_W)
    pdf.set_auto_page_break(auto=True, margin=PAGE_H - TOP - TYPE_H)
    pdf.add_page()
    _head(pdf, doc)
    _text(pdf, doc)
    for i, annex in enumerate(doc.attachments, start=1):
        pdf.add_page()
        label = "附件" if len(doc.attachments) == 1 else f"附件{i}"
        pdf.set_font("hei", size=BODY_PT)
        pdf.cell(TYPE_W, LINE_MM, label, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(LINE_MM)
        pdf.set_font("song", size=TITLE_PT)
        _lines(pdf, annex.title, TYPE_W, LINE_MM, align="C")
        pdf.ln(LINE_MM / 2)
        pdf.set_font("kai", size=12)
        with pdf.table(
            headings_style=FontFace(emphasis=None),
            line_height=8,
            text_align="CENTER",
        ) as table:
            for row in [annex.headers, *annex.rows]:
                cells = table.row()
                for cell in row:
                    cells.cell(cell)
    _record(pdf, doc)
    out: Any = pdf.output()
    return bytes(out)


def _lines(pdf: FPDF, text: str, width: float, height: float, align: str = "L") -> None:
    """``text`` from the cursor's x, cut into lines by the 禁则 (no 。 or ， at a
    line's start, no （ at its end, no number split: domain/documents/line_breaking)
    with the current font's widths; each line a cell, so pages break as usual."""
    x = pdf.get_x()
    room = width - 2 * pdf.c_margin  # a cell pads its text on both sides
    for line in break_lines(text, room, pdf.get_string_width):
        pdf.set_x(x)
        pdf.cell(width, height, line, align=align, new_x="LMARGIN", new_y="NEXT")


def _head(pdf: FPDF, doc: OfficialDocument) -> None:
    """版头: the red 标志, the 发文字号 two lines under it, the red rule 4 mm below."""
    if doc.voided:
        pdf.set_text_color(*RED)
        pdf.set_font("hei", size=NOTE_PT)
        pdf.set_xy(LEFT, TOP)
        _lines(pdf, f"【已作废】{doc.voided}", TYPE_W, 7)
    size = min(42.0, TYPE_W / (len(doc.mark) * PT_MM))  # fits the 版心's width
    pdf.set_xy(LEFT, TOP + MARK_DROP)
    pdf.set_text_color(*RED)
    pdf.set_font("song", size=size)
    pdf.cell(TYPE_W, size * PT_MM, doc.mark, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2 * LINE_MM)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("kai", size=BODY_PT)
    number = doc.wenhao or "（未签发）"
    pdf.cell(TYPE_W, BODY_PT * PT_MM, number, align="C", new_x="LMARGIN", new_y="NEXT")
    rule_y = pdf.get_y() + RULE_GAP
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.5)
    pdf.line(LEFT, rule_y, LEFT + TYPE_W, rule_y)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(rule_y + 2 * LINE_MM)


def _text(pdf: FPDF, doc: OfficialDocument) -> None:
    """标题, 主送机关, 正文, 附件说明, then 署名 and 成文日期 (7.3.5.3, unsealed:
    署名 right, two characters in; the date under it, two characters further right,
    or two in from the right when it is the longer)."""
    pdf.set_font("song", size=TITLE_PT)
    _lines(pdf, doc.title, TYPE_W, TITLE_PT * PT_MM * 1.5, align="C")
    pdf.ln(LINE_MM)
    pdf.set_font("kai", size=BODY_PT)
    if doc.addressees:
        _lines(pdf, "、".join(doc.addressees) + "：", TYPE_W, LINE_MM)
    for paragraph in doc.body:
        _lines(pdf, INDENT + paragraph, TYPE_W, LINE_MM)
    note = attachment_note(doc)
    if note:
        pdf.ln(LINE_MM)
        for line in note:
            _lines(pdf, INDENT + line, TYPE_W, LINE_MM)
    pdf.ln(LINE_MM)
    sign, dated = signature_lines(doc)
    char = BODY_PT * PT_MM
    sign_w, date_w = pdf.get_string_width(sign), pdf.get_string_width(dated)
    right = LEFT + TYPE_W
    if date_w + 2 * char > sign_w:
        date_x = right - 2 * char - date_w
        sign_x = date_x - 2 * char
    else:
        sign_x = right - 2 * char - sign_w
        date_x = sign_x + 2 * char
    if pdf.get_y() + 2 * LINE_MM > TOP + TYPE_H:
        pdf.add_page()
    y = pdf.get_y()
    pdf.set_xy(sign_x, y)
    pdf.cell(sign_w, LINE_MM, sign)
    pdf.set_xy(date_x, y + LINE_MM)
    pdf.cell(date_w, LINE_MM, dated, new_x="LMARGIN", new_y="NEXT")


def _record(pdf: FPDF, doc: OfficialDocument) -> None:
    """版记 at the foot of the last page (7.4): a thick rule, 抄送, a thin rule,
    印发机关 and 印发日期, a thick rule on the 版心's lower edge."""
    by, on = printed_line(doc)
    rows = 2 if doc.copies_to else 1
    height = rows * 9.0
    bottom = TOP + TYPE_H
    if pdf.get_y() + height + 4 > bottom:
        pdf.add_page()
    char = NOTE_PT * PT_MM
    y = bottom - height
    pdf.set_font("kai", size=NOTE_PT)
    pdf.set_line_width(0.35)
    pdf.line(LEFT, y, LEFT + TYPE_W, y)
    if doc.copies_to:
        pdf.set_xy(LEFT + char, y + 1.5)
        _lines(pdf, f"抄送：{'，'.join(doc.copies_to)}。", TYPE_W - 2 * char, 6)
        y += 9.0
        pdf.set_line_width(0.25)
        pdf.line(LEFT, y, LEFT + TYPE_W, y)
    pdf.set_xy(LEFT + char, y + 1.5)
    pdf.cell(TYPE_W / 2, 6, by)
    pdf.set_xy(LEFT + TYPE_W / 2, y + 1.5)
    pdf.cell(TYPE_W / 2 - char, 6, on, align="R")
    pdf.set_line_width(0.35)
    pdf.line(LEFT, bottom, LEFT + TYPE_W, bottom)
