"""The annual report as an XLSX workbook: one sheet per table, as in the format."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from services.reporting.annual_render import moment_line, title_of


def report_xlsx(report: dict[str, Any]) -> bytes:
    """Sheets 二 (主动公开), 三 (申请) and 四 (复议诉讼), numbers as numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "border": 1, "text_wrap": True})
    box = book.add_format({"border": 1})
    tables = report["tables"]

    sheet = book.add_worksheet("二、主动公开")
    sheet.write(0, 0, title_of(report), bold)
    sheet.write(1, 0, moment_line(report))
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 2, 24)
    at = 2
    for row in tables["proactive"]["rows"]:
        for col in row["columns"]:
            sheet.write(at, 0, row["label"], box)
            sheet.write(at, 1, col["label"], box)
            value = row["cells"][col["code"]]
            if value is None:
                sheet.write_blank(at, 2, None, box)
            else:
                sheet.write_number(at, 2, value, box)
            at += 1

    for name, table in (
        ("三、依申请公开", tables["applications"]),
        ("四、复议诉讼", tables["reviews_lawsuits"]),
    ):
        sheet = book.add_worksheet(name)
        sheet.set_column(0, 0, 60)
        sheet.set_column(1, len(table["columns"]), 12)
        sheet.write(0, 0, title_of(report), bold)
        sheet.write(1, 0, moment_line(report))
        for j, col in enumerate(table["columns"], start=1):
            sheet.write(2, j, col["label"], bold)
        for i, row in enumerate(table["rows"], start=3):
            sheet.write(i, 0, row["label"], box)
            for j, col in enumerate(table["columns"], start=1):
                sheet.write_number(i, j, row["cells"][col["code"]], box)
    book.close()
    return buffer.getvalue()
