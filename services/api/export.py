"""Exports: any table an answer shows, as CSV (UTF-8 with BOM, Chinese headers, so
Excel opens it) or XLSX, chosen by ``?format=csv|xlsx`` or the ``Accept`` header.

The files are for people (the JSON answers are for machines): a moment is China
time to the minute, a share (``Share``: a rate, its interval) a percentage, a yes/no
是/否, a list joined with 、. In XLSX a day or a moment is a real Excel date with a
date format, and a share a number formatted ``0.0%``; in CSV they are text
(``2026-03-02 10:00``, ``51.0%``) that Excel reads back as a date and a percentage.

Rows are consumed from an iterator and written as they come: CSV streams line by
line; XLSX is written by XlsxWriter in constant-memory mode to a temporary file that
is then streamed and deleted.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from urllib.parse import quote

import xlsxwriter
from fastapi import Query, Request
from fastapi.responses import StreamingResponse

from domain.spreadsheet import guard_formula
from domain.timeliness import SHANGHAI
from services.core.display import (
    DAY_TEXT,
    MOMENT_TEXT,
    Share,
    china_minute,
    china_moment,
    percent,
)
from services.disclosures.lists import Moments

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Literal["json", "csv", "xlsx"]
FormatQuery = Annotated[
    Format | None,
    Query(
        description="json (default), csv (UTF-8 with BOM) or xlsx; "
        "or send Accept: text/csv or the XLSX media type",
    ),
]
Column = tuple[str, str]  # (key in the row, Chinese header)
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or the table as CSV or XLSX (?format= or Accept)",
        "content": {
            CSV: {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
CHUNK = 1 << 16


def wanted(request: Request, fmt: Format | None) -> Format:
    """The format asked for: the query parameter, else the Accept header."""
    if fmt is not None:
        return fmt
    accept = request.headers.get("accept", "")
    if XLSX in accept:
        return "xlsx"
    if CSV in accept:
        return "csv"
    return "json"


def cell(value: Any) -> Any:
    """A value as a person reads it in a cell: numbers stay numbers, a share is a
    percentage (``51.0%``), a moment is China time to the minute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Share):
        return percent(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return china_minute(value)
    if isinstance(value, list | tuple):
        return "、".join(str(cell(v)) for v in value)
    if isinstance(value, str):
        return china_minute(value) if MOMENT_TEXT.match(value) else value
    return str(value)


def csv_cell(value: Any) -> Any:
    """``cell`` for a CSV file: text a spreadsheet would run as a formula is
    guarded (XLSX stores text as text and needs no guard)."""
    value = cell(value)
    return guard_formula(value) if isinstance(value, str) else value


def _csv_lines(
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    heading: Sequence[Sequence[str]] = (),
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in heading:
        writer.writerow([csv_cell(text) for text in line])
    if heading:
        writer.writerow([])
    writer.writerow([csv_cell(header) for _, header in columns])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(row.get(key)) for key, _ in columns])
        yield buffer.getvalue().encode("utf-8")


def _xlsx_file(
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    sheet: str,
    heading: Sequence[Sequence[str]] = (),
) -> str:
    handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="gongkai-export-")
    os.close(handle)
    book = xlsxwriter.Workbook(name, {"constant_memory": True})
    try:
        bold = book.add_format({"bold": True})
        formats = {kind: book.add_format({"num_format": f}) for kind, f in XLSX_FORMATS}
        ws = book.add_worksheet(sheet[:31])
        for i, line in enumerate(heading):
            for j, text in enumerate(line):
                ws.write_string(i, j, text)
        top = len(heading) + 1 if heading else 0  # a blank row after the heading
        for j, (_, header) in enumerate(columns):
            ws.write_string(top, j, header, bold)
            ws.set_column(j, j, max(10, min(40, 2 * len(header) + 2)))
        ws.freeze_panes(top + 1, 0)
        for i, row in enumerate(rows, start=top + 1):
            for j, (key, _) in enumerate(columns):
                _xlsx_cell(ws, i, j, row.get(key), formats)
    finally:
        book.close()
    return name


XLSX_FORMATS = (
    ("percent", "0.0%"),
    ("day", "yyyy-mm-dd"),
    ("minute", "yyyy-mm-dd hh:mm"),
)


def _xlsx_cell(ws: Any, i: int, j: int, value: Any, formats: dict[str, Any]) -> None:
    """One cell with its type: a share as a number shown ``0.0%``, a day or a
    moment as an Excel date (China time) shown as one, a number as a number."""
    if isinstance(value, Share):
        ws.write_number(i, j, value, formats["percent"])
        return
    moment = china_moment(value)
    if moment is not None:
        ws.write_datetime(i, j, moment.replace(tzinfo=None), formats["minute"])
        return
    day = _day(value)
    if day is not None:
        ws.write_datetime(i, j, datetime.combine(day, time()), formats["day"])
        return
    shown = cell(value)
    if isinstance(shown, str):
        ws.write_string(i, j, shown)
    else:
        ws.write_number(i, j, shown)


def _day(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and DAY_TEXT.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _file_chunks(name: str) -> Iterator[bytes]:
    try:
        with open(name, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        os.unlink(name)


def export(
    fmt: Literal["csv", "xlsx"],
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    filename: str,
    sheet: str = "数据",
    taken: Taken | None = None,
) -> StreamingResponse:
    """The rows as a CSV or XLSX download named ``filename`` (without extension);
    with ``taken``, the moments are in the name and in the first rows."""
    heading = taken.heading() if taken else ()
    if taken:
        filename = f"{filename}_{taken.suffix()}"
    disposition = f"attachment; filename*=UTF-8''{quote(f'{filename}.{fmt}')}"
    headers = {"Content-Disposition": disposition}
    if fmt == "csv":
        return StreamingResponse(
            _csv_lines(columns, rows, heading),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )
    name = _xlsx_file(columns, rows, sheet, heading)
    return StreamingResponse(_file_chunks(name), media_type=XLSX, headers=headers)


@dataclass(frozen=True)
class Taken:
    """When an export was taken: the ``as_of`` and ``known_at`` of its rows and the
    moment it was made, for its file name and its first rows."""

    moments: Moments
    at: datetime

    def heading(self) -> list[list[str]]:
        """截至, 按当时所知 and 导出时间 in China time to the minute, each with the
        exact query parameter that reproduces the table."""
        (_, as_of), (_, known_at) = self.moments.params()
        return [
            ["截至（as_of）", china_minute(self.moments.as_of), f"as_of={as_of}"],
            [
                "按当时所知（known_at）",
                china_minute(self.moments.known_at),
                f"known_at={known_at}",
            ],
            ["导出时间", china_minute(self.at), ""],
        ]

    def suffix(self) -> str:
        """``as-of-20261031-2359_known-at-…_taken-…`` (China time) for file names."""
        return "_".join(
            f"{name}-{moment.astimezone(SHANGHAI):%Y%m%d-%H%M}"
            for name, moment in (
                ("as-of", self.moments.as_of),
                ("known-at", self.moments.known_at),
                ("taken", self.at),
            )
        )


def rate_columns(key: str, header: str) -> list[Column]:
    """Columns for a rate (value, numerator, denominator, Wilson interval)."""
    return [
        (f"{key}.value", header),
        (f"{key}.numerator", f"{header}分子"),
        (f"{key}.denominator", f"{header}分母"),
        (f"{key}.ci_low", f"{header}95%下限"),
        (f"{key}.ci_high", f"{header}95%上限"),
    ]


def flat_rate(row: dict[str, Any], key: str, rate: dict[str, Any] | None) -> None:
    """Spread a rate dict into ``row`` under the keys ``rate_columns`` names; the
    rate and its interval as shares (percentages in the file)."""
    rate = rate or {}
    ci = rate.get("ci95") or [None, None]
    row[f"{key}.value"] = share(rate.get("value"))
    row[f"{key}.numerator"] = rate.get("numerator")
    row[f"{key}.denominator"] = rate.get("denominator")
    row[f"{key}.ci_low"], row[f"{key}.ci_high"] = share(ci[0]), share(ci[1])


def share(value: float | None) -> Share | None:
    """A fraction to be read as a percentage in an export; None stays None."""
    return None if value is None else Share(value)
