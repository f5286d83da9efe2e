"""The annual report as an XLSX workbook: one sheet per table, laid out as the
format (the grids of ``annual_grid``, spanning cells merged), numbers as numbers."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from domain.reporting.publication import DRAFT_MARK
from services.reporting.annual_grid import Grid, grids, positions
from services.reporting.annual_render import moment_line, status_lines, title_of

SHEETS = {"2": "二、主动公开", "3": "三、依申请公开", "4": "四、复议诉讼"}
TOP = 3  # the title, the status and the moment above each table
_LABEL_WIDTHS = {"2": (24,), "3": (14, 20, 44), "4": ()}


def report_xlsx(report: dict[str, Any]) -> bytes:
    """Sheets 二 (主动公开), 三 (申请) and 四 (复议诉讼); a draft says 草稿 in each
    sheet's title row."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    head = book.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "align": "center",
         "valign": "vcenter"}
    )  # fmt: skip
    box = book.add_format({"border": 1, "align": "center"})
    draft = report["status"] != "published"
    title = title_of(report) + (f"（{DRAFT_MARK}）" if draft else "")
    status = "；".join(status_lines(report))
    for n, grid in grids(report).items():
        sheet = book.add_worksheet(SHEETS[n])
        sheet.write(0, 0, title, bold)
        sheet.write(1, 0, moment_line(report))
        sheet.write(2, 0, status)
        labels = _LABEL_WIDTHS[n]
        for c, width in enumerate(labels):
            sheet.set_column(c, c, width)
        sheet.set_column(len(labels), grid.width - 1, 10)
        _write(sheet, grid, head, box)
    book.close()
    return buffer.getvalue()


def _write(sheet: Any, grid: Grid, head: Any, box: Any) -> None:
    for r, c, cell in positions(grid):
        row, style = TOP + r, head if cell.head else box
        value: Any = cell.text if cell.head or cell.value is None else cell.value
        if cell.colspan > 1 or cell.rowspan > 1:
            last_row, last_col = row + cell.rowspan - 1, c + cell.colspan - 1
            sheet.merge_range(row, c, last_row, last_col, value, style)
        elif isinstance(value, str):
            sheet.write_string(row, c, value, style)
        else:
            sheet.write_number(row, c, value, style)
