"""The inspection report as PDF, with a CJK font the project installs itself.

The fonts are DejaVu Sans for Latin letters and digits, with Droid Sans Fallback
(Debian's ``fonts-droid-fallback``) for Chinese, installed by ``.ci/cjk-font``
(``make fonts``, part of ``make test``) and embedded, subset, in every PDF, so the
report reads the same on any machine. Without them the route answers 503 and says how
to install them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fpdf import FPDF

from domain.errors import GongkaiError
from domain.inspection.inspection_file import Inspection
from services.people.names import actor_text

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallback.ttf"),
)
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class FontMissingError(GongkaiError):
    slug = "font-missing"
    status = 503
    title = "The CJK font for PDF reports is not installed"


def cjk_font() -> Path:
    """The CJK font; requires the Latin one beside it."""
    for path in FONT_PATHS:
        if path.is_file() and LATIN_FONT.is_file():
            return path
    raise FontMissingError(
        "install them with `make fonts` "
        "(apt-get install fonts-droid-fallback fonts-dejavu-core)"
    )


def report_pdf(
    inspection: Inspection, events: list[dict[str, Any]], cut: bool
) -> bytes:
    """A landscape A4 report: the file, its links and findings, then every event
    with its id and leaf, so each line can be checked against the bundles."""
    font = cjk_font()
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(f"核查档案 {inspection.id}")
    pdf.add_font("latin", fname=str(LATIN_FONT))
    pdf.add_font("cjk", fname=str(font))
    pdf.set_fallback_fonts(["cjk"])
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()

    def line(text: str, size: float = 9, height: float = 5) -> None:
        pdf.set_font("latin", size=size)
        # Left-aligned: fpdf2 justifies by default, which stretches a wrapped line
        # of few spaces (a state's JSON) across the page.
        pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")

    line("核查档案时间线", size=16, height=9)
    line(f"档案编号：{inspection.id}（{inspection.tenant}）")
    line(f"核查依据：{inspection.basis}")
    line(f"状态：{'已结案' if inspection.closed else '办理中'}")
    line(f"核查结论：{inspection.conclusion or '—'}")
    line("关联对象：", size=11, height=7)
    for ln in inspection.links:
        line(f"  {ln['kind']} {ln['id']}（{ln['tenant']}）")
    if inspection.findings:
        line("查明的问题：", size=11, height=7)
        for f in inspection.findings:
            line(f"  {f['text']}")
    line(
        "全部事件（按日志顺序；事件编号与叶子位置可与证据包核对）：", size=11, height=7
    )
    for ev in events:
        mark = " 【补录】" if ev["backdated"] else ""
        actor = actor_text(ev["actor"])
        state = json.dumps(ev["state"], ensure_ascii=False) if ev["state"] else ""
        line(
            f"#{ev['position']}  {ev['type']}  {ev['subject']['kind']} "
            f"{ev['subject']['id']}  操作人 {actor}",
            size=9,
        )
        line(
            f"    记录 {ev['recorded_at']}  生效 {ev['effective_at']}{mark}  "
            f"事件 {ev['event_id']}  叶子 {ev['leaf']}",
            size=8,
            height=4.5,
        )
        if state:
            line(f"    事后状态 {state}", size=7, height=4)
    if cut:
        line("（仅列出前一万条事件）")
    return bytes(pdf.output())
