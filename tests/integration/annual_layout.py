"""Checks that a report's tables 二, 三 and 四 are laid out as 国办公开办函〔2021〕30号
lays them out, in its JSON, its HTML and its XLSX workbook, every figure equal to the
JSON's (shared by the annual report tests)."""

from __future__ import annotations

import io
from collections import Counter
from html.parser import HTMLParser
from typing import Any

import openpyxl

from domain.reporting.layout import BALANCE_NOTE
from services.reporting.annual_grid import grids, positions
from services.reporting.annual_render import report_html, report_text
from services.reporting.annual_xlsx import TOP, report_xlsx

FIVE = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
TYPES = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
Span = tuple[str, int, int]  # text, colspan, rowspan


def check_json(report: dict[str, Any]) -> None:
    """Header rows, groups and the fifteen-cell row in the JSON."""
    two = report["tables"]["proactive"]
    assert [
        (s["title"], [h["label"] for h in s["header"]]) for s in two["sections"]
    ] == [
        (
            "第二十条第（一）项",
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ),
        ("第二十条第（五）项", ["信息内容", "本年处理决定数量"]),
        ("第二十条第（六）项", ["信息内容", "本年处理决定数量"]),
        ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"]),
    ]
    assert [[r["label"] for r in s["rows"]] for s in two["sections"]] == [
        ["规章", "行政规范性文件"], ["行政许可"], ["行政处罚", "行政强制"],
        ["行政事业性收费"],
    ]  # fmt: skip
    for section in two["sections"]:
        for row in section["rows"]:
            assert all(isinstance(v, int | float) for v in row["cells"].values())
    three = report["tables"]["applications"]
    assert [
        [(h["label"], h["colspan"], h["rowspan"]) for h in r] for r in three["header"]
    ] == [
        [(BALANCE_NOTE, 3, 3), ("申请人情况", 7, 1)],
        [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)],
        [(t, 1, 1) for t in TYPES],
    ]
    (results,) = three["groups"]
    assert results["label"] == "三、本年度办理结果"
    assert len(results["codes"]) == 22
    assert [(g["label"], len(g["codes"])) for g in results["groups"]] == [
        ("（三）不予公开", 8), ("（四）无法提供", 3), ("（五）不予处理", 5),
        ("（六）其他处理", 3),
    ]  # fmt: skip
    four = report["tables"]["reviews_lawsuits"]
    assert [[h["label"] for h in r] for r in four["header"]] == [
        ["行政复议", "行政诉讼"],
        [*FIVE, "未经复议直接起诉", "复议后起诉"],
        FIVE * 2,
    ]
    (row,) = four["rows"]
    assert len(row["cells"]) == 15
    assert [g["label"] for g in four["groups"]] == ["行政复议", "行政诉讼"]
    assert [g["label"] for g in four["groups"][1]["groups"]] == [
        "未经复议直接起诉", "复议后起诉",
    ]  # fmt: skip


def check_grids(report: dict[str, Any]) -> None:
    """Every place of each table is covered by exactly one cell: the spans of the
    format's layout fit (4 columns for 二, 10 for 三, 15 for 四)."""
    for n, width in (("2", 4), ("3", 10), ("4", 15)):
        grid = grids(report)[n]
        assert grid.width == width
        covered: Counter[tuple[int, int]] = Counter()
        for r, c, cell in positions(grid):
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    covered[(r + dr, c + dc)] += 1
        rows = range(len(grid.rows))
        assert covered == {(r, c): 1 for r in rows for c in range(width)}, n


class _Tables(HTMLParser):
    """The page's tables as rows of (text, colspan, rowspan), header rows apart."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list[list[Span]]]] = []
        self.part = "tbody"
        self.cell: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"thead": [], "tbody": []})
        elif tag in ("thead", "tbody"):
            self.part = tag
        elif tag == "tr":
            self.tables[-1][self.part].append([])
        elif tag in ("td", "th"):
            self.cell = ["", int(a.get("colspan") or 1), int(a.get("rowspan") or 1)]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][self.part][-1].append(tuple(self.cell))
            self.cell = None
        elif tag == "thead":
            self.part = "tbody"

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[0] += data


def html_tables(report: dict[str, Any]) -> list[dict[str, list[list[Span]]]]:
    parser = _Tables()
    parser.feed(report_html(report))
    return parser.tables


def _figures(report: dict[str, Any], table: str) -> list[list[str]]:
    rows = report["tables"][table]["rows"]
    return [[_text(v) for v in r["cells"].values()] for r in rows]


def _text(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_html(report: dict[str, Any]) -> None:
    """The three tables of the page: spans as the format, figures as the JSON."""
    two, three, four = html_tables(report)
    assert two["thead"] == []
    assert two["tbody"][0] == [("第二十条第（一）项", 4, 1)]
    assert two["tbody"][1][0] == ("信息内容", 1, 1)
    assert two["tbody"][5] == [("信息内容", 1, 1), ("本年处理决定数量", 3, 1)]
    assert [len(r) for r in two["tbody"]] == [1, 4, 4, 4, 1, 2, 2, 1, 2, 2, 2, 1, 2, 2]
    assert three["thead"] == [
        [(BALANCE_NOTE, 3, 3), ("申请人情况", 7, 1)],
        [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)],
        [(t, 1, 1) for t in TYPES],
    ]
    body = three["tbody"]
    assert body[2][:2] == [("三、本年度办理结果", 1, 22), ("（一）予以公开", 2, 1)]
    assert body[4][:2] == [("（三）不予公开", 1, 8), ("1.属于国家秘密", 1, 1)]
    assert body[24] == [("四、结转下年度继续办理", 3, 1), *body[24][1:]]
    assert [[c[0] for c in r[-7:]] for r in body] == _figures(report, "applications")
    assert four["thead"] == [
        [("行政复议", 5, 1), ("行政诉讼", 10, 1)],
        [*((t, 1, 2) for t in FIVE), ("未经复议直接起诉", 5, 1), ("复议后起诉", 5, 1)],
        [(t, 1, 1) for t in FIVE * 2],
    ]
    (row,) = four["tbody"]
    assert [c[0] for c in row] == _figures(report, "reviews_lawsuits")[0]


def check_xlsx(report: dict[str, Any]) -> None:
    """The workbook: merged header cells, every figure as the JSON's number."""
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    two, three, four = book.worksheets
    merged = {str(r) for r in three.merged_cells.ranges}
    top = TOP + 1
    assert {f"A{top}:C{top + 2}", f"D{top}:J{top}", f"E{top + 1}:I{top + 1}"} <= merged
    assert {f"D{top + 1}:D{top + 2}", f"J{top + 1}:J{top + 2}"} <= merged
    assert f"A{top + 5}:A{top + 26}" in merged  # 三、本年度办理结果 over 22 rows
    assert three.cell(top, 1).value == BALANCE_NOTE
    assert three.cell(top + 5, 1).value == "三、本年度办理结果"
    rows = report["tables"]["applications"]["rows"]
    for i, row in enumerate(rows):
        got = [three.cell(top + 3 + i, 4 + j).value for j in range(7)]
        assert got == list(row["cells"].values()), row["code"]
    merged4 = {str(r) for r in four.merged_cells.ranges}
    assert {f"A{top}:E{top}", f"F{top}:O{top}", f"F{top + 1}:J{top + 1}"} <= merged4
    assert f"K{top + 1}:O{top + 1}" in merged4
    assert f"A{top + 1}:A{top + 2}" in merged4
    (row,) = report["tables"]["reviews_lawsuits"]["rows"]
    got = [four.cell(top + 3, 1 + j).value for j in range(15)]
    assert got == list(row["cells"].values())
    assert four.cell(top + 4, 1).value is None  # one row, no more
    assert two.cell(top, 1).value == "第二十条第（一）项"
    assert f"A{top}:D{top}" in {str(r) for r in two.merged_cells.ranges}
    figures = [
        two.cell(r, c).value
        for r in range(top, top + 14)
        for c in range(2, 5)
        if isinstance(two.cell(r, c).value, int | float)
    ]
    expected = [
        v
        for s in report["tables"]["proactive"]["sections"]
        for r in s["rows"]
        for v in r["cells"].values()
    ]
    assert figures == expected


def check_text(report: dict[str, Any]) -> None:
    """The published text: table 二 part by part, table 四 one line of fifteen."""
    lines = report_text(report).splitlines()
    two = lines.index("二、主动公开政府信息情况")
    assert lines[two + 1 : two + 3] == [
        "  第二十条第（一）项",
        "  信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
    ]
    four = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    assert lines[four + 1] == "  行政复议 | 行政诉讼"
    (row,) = report["tables"]["reviews_lawsuits"]["rows"]
    assert lines[four + 4] == "  " + " | ".join(_text(v) for v in row["cells"].values())
    assert lines[four + 5] == ""
