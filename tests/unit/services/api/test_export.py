"""The CSV writer of every export: text guarded, numbers left numbers."""

from __future__ import annotations

import csv
import io

from services.api.export import _csv_lines


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
