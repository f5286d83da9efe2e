"""Reading the platform's exports back: the heading rows, then the table.

A list or overview export starts with 截至 (as_of), 按当时所知 (known_at) and 导出时间,
a blank row, then the column headers and the rows (services/api/export.py).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl

HEADING = ("截至（as_of）", "按当时所知（known_at）", "导出时间")


def split(rows: list[list[Any]]) -> tuple[dict[str, list[Any]], list[list[Any]]]:
    """The heading (label → the cells after it) and the table (header first)."""
    if rows and rows[0] and rows[0][0] == HEADING[0]:
        heading = {str(r[0]): list(r[1:]) for r in rows[: len(HEADING)]}
        assert tuple(heading) == HEADING, rows[:4]
        assert not any(rows[len(HEADING)]), rows[len(HEADING)]  # the blank row
        return heading, rows[len(HEADING) + 1 :]
    return {}, rows


def records(table: list[list[Any]]) -> list[dict[str, Any]]:
    header = [str(h) for h in table[0]]
    return [dict(zip(header, r, strict=False)) for r in table[1:]]


def csv_rows(content: bytes) -> list[list[Any]]:
    assert content.startswith(b"\xef\xbb\xbf")  # so that Excel reads UTF-8
    return [list(r) for r in csv.reader(io.StringIO(content.decode("utf-8-sig")))]


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def csv_table(content: bytes) -> list[dict[str, Any]]:
    """The rows of a CSV export as dicts by header (the heading skipped)."""
    return records(split(csv_rows(content))[1])


def xlsx_table(content: bytes) -> list[dict[str, Any]]:
    """The rows of an XLSX export as dicts by header (the heading skipped)."""
    return records(split(xlsx_rows(content))[1])
