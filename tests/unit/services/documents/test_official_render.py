"""The 公文 frame: every GB/T 9704-2012 element in the standard's order, in HTML and
PDF drawn from one ``OfficialDocument``."""

from __future__ import annotations

from datetime import date

from domain.documents.official import Attachment, OfficialDocument
from services.documents.official_render import mark_class, official_html, official_pdf

DOC = OfficialDocument(
    issuer="新和县人民政府办公室",
    wenhao="新政公开〔2026〕3号",
    title="关于2026年一季度村务公开考核结果的通报",
    addressees=["各乡镇人民政府", "县直各单位"],
    body=["根据考核方案，现将结果通报如下。", "对团结村予以通报表扬。"],
    dated=date(2026, 12, 6),
    attachments=[Attachment("考核结果一览表", ["名次", "单位"], [["1", "团结村"]])],
    copies_to=["县委办公室"],
    printed_by="新和县人民政府办公室",
)


def test_the_html_has_every_element_in_order() -> None:
    page = official_html(DOC)
    marks = [
        '<p class="gw-mark">新和县人民政府办公室文件</p>',
        '<p class="gw-number">新政公开〔2026〕3号</p>',
        '<hr class="gw-rule">',
        '<h1 class="gw-title">关于2026年一季度村务公开考核结果的通报</h1>',
        '<p class="gw-to">各乡镇人民政府、县直各单位：</p>',
        '<p class="gw-body">根据考核方案',
        "附件：考核结果一览表",
        '<p class="gw-sign">新和县人民政府办公室</p>',
        '<p class="gw-date">2026年12月6日</p>',
        '<p class="gw-annex-label">附件</p>',
        "<td>团结村</td>",
        "抄送：县委办公室。",
        "<span>2026年12月6日印发</span>",
    ]
    places = [page.index(m) for m in marks]
    assert places == sorted(places)


def test_a_draft_and_a_voided_document_say_so() -> None:
    draft = OfficialDocument(**{**DOC.__dict__, "wenhao": None})
    assert '<p class="gw-number">（未签发）</p>' in official_html(draft)
    voided = OfficialDocument(**{**DOC.__dict__, "voided": "文号错用"})
    assert "已作废：文号错用" in official_html(voided)


def test_a_long_issuer_keeps_to_one_line() -> None:
    assert mark_class("新和县文件") == "gw-mark"
    assert mark_class("玉佛山风景名胜区管理处文件") == "gw-mark gw-long"


def test_the_pdf_is_a4_with_the_attachment_on_its_own_page() -> None:
    pdf = official_pdf(DOC)
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf


def test_the_pdf_text_keeps_the_line_breaking_rules() -> None:
    """With the 正文's real font (27 characters of 3号 to a 156 mm line), a full
    stop that falls on the 28th place comes down with the character before it,
    and a sum of money is never split."""
    from fpdf import FPDF

    from domain.documents.line_breaking import CLOSING, break_lines
    from domain.documents.official import BODY_PT, TYPE_W
    from services.documents.official_render import INDENT, official_fonts

    _, kai, _ = official_fonts()
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("kai", fname=str(kai))
    pdf.set_font("kai", size=BODY_PT)
    text = INDENT + "现将二〇二六年度第一季度村务公开考核结果予通报如下" + "。"
    assert len(text) == 28
    lines = break_lines(text, TYPE_W, pdf.get_string_width)
    assert lines == [text[:-2], "下。"]
    money = INDENT + "经集中会审，同意减免。" + "应缴金额共计人民币1730.49元整"
    lines = break_lines(money, TYPE_W, pdf.get_string_width)
    assert any("1730.49" in line for line in lines)
    assert all(line[0] not in CLOSING for line in lines)
