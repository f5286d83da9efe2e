"""The annual report as a PDF: A4 landscape, the format's tables drawn from the same
grids as the HTML (fpdf2 tables with colspan and rowspan), with the CJK font the
project installs (``services.reporting.pdf``). A report not yet published says 草稿
in the header of every page."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF, FontFace

from domain.reporting.publication import DRAFT_MARK
from services.reporting.annual_grid import Grid, grids
from services.reporting.annual_render import (
    moment_line,
    status_lines,
    suggestion_lines,
    title_of,
)
from services.reporting.pdf import LATIN_FONT, cjk_font

# Width (mm) of the label columns of each table on the 277 mm of A4 landscape.
_LABEL_WIDTHS = {"2": (70.0,), "3": (28.0, 42.0, 80.0), "4": ()}
_TABLE_THREE_HEIGHT = 150.0  # mm: three header rows and 25 rows, two of them wrapped


class _ReportPDF(FPDF):
    """A page header that marks a draft on every page."""

    draft = False

    def header(self) -> None:
        if self.draft:
            self.set_font("latin", size=14)
            self.set_text_color(200, 0, 0)
            self.cell(
                0, 8, f"【{DRAFT_MARK}】", align="R", new_x="LMARGIN", new_y="NEXT"
            )
            self.set_text_color(0, 0, 0)


def _widths(grid: Grid, labels: tuple[float, ...], page: float) -> tuple[float, ...]:
    rest = grid.width - len(labels)
    each = (page - sum(labels)) / rest
    return (*labels, *[each] * rest)


def _table(pdf: FPDF, grid: Grid, labels: tuple[float, ...]) -> None:
    pdf.set_font("latin", size=7)
    with pdf.table(
        col_widths=_widths(grid, labels, pdf.epw),
        text_align="CENTER",
        line_height=4.5,
        first_row_as_headings=False,
        headings_style=FontFace(emphasis=None),
    ) as t:
        for values in grid.rows:
            r = t.row()
            for cell in values:
                r.cell(cell.text, colspan=cell.colspan, rowspan=cell.rowspan)


def report_pdf(report: dict[str, Any]) -> bytes:
    """The report's sections in order; tables 二, 三 and 四 as the format lays
    them out."""
    font = cjk_font()
    pdf = _ReportPDF(orientation="L", format="A4")
    pdf.draft = report["status"] != "published"
    pdf.set_title(title_of(report) + (f"（{DRAFT_MARK}）" if pdf.draft else ""))
    pdf.add_font("latin", fname=str(LATIN_FONT))
    pdf.add_font("cjk", fname=str(font))
    pdf.set_fallback_fonts(["cjk"])
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()

    def line(text: str, size: float = 10, height: float = 6) -> None:
        pdf.set_font("latin", size=size)
        pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")

    line(title_of(report), size=16, height=10)
    for text in status_lines(report):
        line(text, size=9, height=5)
    line(moment_line(report), size=8)
    tables = grids(report)
    for n, section in report["sections"].items():
        if n == "3" and pdf.h - pdf.b_margin - pdf.get_y() < _TABLE_THREE_HEIGHT:
            pdf.add_page()  # table 三 whole on one page, as printed reports have it
        line(section["title"], size=12, height=8)
        if n in tables:
            _table(pdf, tables[n], _LABEL_WIDTHS[n])
        else:
            if n == "6":
                for text in suggestion_lines(report["tables"]):
                    line(text)
            line(section["text"] or "（待填写）")
    return bytes(pdf.output())
