"""The CSV writer of every export: text guarded, numbers left numbers."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime

import openpyxl

from services.api.export import _csv_lines, _xlsx_file
from services.core.display import Share


def test_negative_numbers_stay_numbers_and_text_formulas_are_guarded() -> None:
    columns = [("n", "数值"), ("t", "说明"), ("x", "=表头")]
    rows = [
        {"n": -3, "t": "-2+3", "x": "=1+1"},
        {"n": -0.5, "t": "@SUM(1)", "x": "普通文字"},
        {"n": 12, "t": ["-a", "b"], "x": None},
    ]
    text = b"".join(_csv_lines(columns, rows)).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("-3,")  # a number, as Excel reads it
    table = list(csv.reader(io.StringIO(text)))
    assert table == [
        ["数值", "说明", "'=表头"],
        ["-3", "'-2+3", "'=1+1"],
        ["-0.5", "'@SUM(1)", "普通文字"],
        ["12", "'-a、b", ""],
    ]


def test_people_read_shares_as_percentages_and_moments_in_china_time() -> None:
    """The JSON keeps fractions and RFC 3339; the files are for people (#23)."""
    columns = [("r", "答复率"), ("at", "记录时间"), ("on", "受理日期"), ("n", "件数")]
    rows = [
        {
            "r": Share(0.5100999795960008),
            "at": "2026-12-06T11:56:59.955413+00:00",
            "on": "2026-03-02",
            "n": 0.5,
        }
    ]
    text = b"".join(_csv_lines(columns, rows)).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == [
        "51.0%",
        "2026-12-06 19:56",
        "2026-03-02",
        "0.5",
    ]


def test_xlsx_days_and_moments_are_excel_dates_and_shares_percent_numbers() -> None:
    columns = [("r", "答复率"), ("at", "记录时间"), ("on", "受理日期"), ("t", "说明")]
    rows = [
        {
            "r": Share(0.51),
            "at": "2026-12-06T11:56:59.955413+00:00",
            "on": "2026-03-02",
            "t": "2026年3月",
        },
        {"r": None, "at": datetime(2026, 3, 2, 2, 0, tzinfo=UTC), "on": None},
    ]
    name = _xlsx_file(columns, rows, "数据")
    try:
        sheet = openpyxl.load_workbook(name).active
        first = [sheet.cell(2, j) for j in range(1, 5)]
        assert (first[0].value, first[0].number_format) == (0.51, "0.0%")
        assert first[1].is_date
        assert first[1].value == datetime(2026, 12, 6, 19, 56, 59, 955000)
        assert first[1].number_format == "yyyy-mm-dd hh:mm"
        assert first[2].is_date
        assert first[2].value == datetime(2026, 3, 2)
        assert first[2].number_format == "yyyy-mm-dd"
        assert first[3].value == "2026年3月"
        assert sheet.cell(3, 2).value == datetime(2026, 3, 2, 10, 0)
    finally:
        os.unlink(name)


def test_a_heading_comes_first_then_a_blank_row_then_the_table() -> None:
    heading = [["截至（as_of）", "2026-10-31 23:59", "as_of=2026-10-31"]]
    text = b"".join(_csv_lines([("n", "数值")], [{"n": 1}], heading)).decode(
        "utf-8-sig"
    )
    assert list(csv.reader(io.StringIO(text))) == [
        ["截至（as_of）", "2026-10-31 23:59", "as_of=2026-10-31"],
        [],
        ["数值"],
        ["1"],
    ]
