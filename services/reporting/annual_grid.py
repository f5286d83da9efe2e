"""Tables 二, 三 and 四 of a report as grids of spanning cells, the one layout the
HTML, the PDF, the XLSX workbook and the published text are drawn from.

A grid is written as HTML writes a table: each row lists the cells that start in
it, a cell spanning columns and rows; ``positions`` places them on the plane (for a
workbook's merged ranges).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Table = Mapping[str, Any]


@dataclass(frozen=True)
class Cell:
    """A label (``head``) or a figure; a figure keeps its value, the ids behind it
    and, in table 二, where it came from (``input``, ``log``, ``missing``)."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    head: bool = False
    value: float | None = None
    refs: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Grid:
    """A table: ``width`` columns, the first ``header_rows`` rows its header."""

    width: int
    header_rows: int
    rows: list[list[Cell]] = field(default_factory=list)


def number(value: float) -> str:
    """A figure as the format prints it: 0, 12, 3.25 (万元)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return str(int(value))


def _head(h: Mapping[str, Any]) -> Cell:
    return Cell(h["label"], h["colspan"], h["rowspan"], head=True)


def _figure(row: Mapping[str, Any], code: str, colspan: int = 1) -> Cell:
    value = row["cells"][code]
    return Cell(
        number(value),
        colspan,
        value=value,
        refs=tuple(row.get("refs", {}).get(code, [])),
        source=row.get("sources", {}).get(code, ""),
    )


def proactive_grid(table: Table) -> Grid:
    """Table 二: four parts, each a title row (第二十条第（一）项) across the table,
    its header row (信息内容 and its figures' names) and its rows."""
    width = int(table["width"])
    rows: list[list[Cell]] = []
    for section in table["sections"]:
        rows.append([Cell(section["title"], width, head=True)])
        rows.append([_head(h) for h in section["header"]])
        span = (width - 1) // len(section["columns"])
        for row in section["rows"]:
            rows.append(
                [
                    Cell(row["label"], head=True),
                    *(_figure(row, c["code"], span) for c in section["columns"]),
                ]
            )
    return Grid(width, 0, rows)


def applications_grid(table: Table) -> Grid:
    """Table 三: the 勾稽关系 note in the corner of three header rows, then each
    row's label cells (grouped by rowspan) and its seven figures."""
    header = [[_head(h) for h in row] for row in table["header"]]
    body = [
        [
            *(_head(h) for h in row["heads"]),
            *(_figure(row, c["code"]) for c in table["columns"]),
        ]
        for row in table["rows"]
    ]
    width = int(table["label_columns"]) + len(table["columns"])
    return Grid(width, len(header), header + body)


def challenges_grid(table: Table) -> Grid:
    """Table 四: three header rows (行政复议 | 行政诉讼, then its two routes) over one
    row of fifteen figures."""
    header = [[_head(h) for h in row] for row in table["header"]]
    (row,) = table["rows"]
    body = [[_figure(row, c["code"]) for c in table["columns"]]]
    return Grid(len(table["columns"]), len(header), header + body)


def grids(report: Mapping[str, Any]) -> dict[str, Grid]:
    """The grids of sections 二, 三 and 四, by section number."""
    tables = report["tables"]
    return {
        "2": proactive_grid(tables["proactive"]),
        "3": applications_grid(tables["applications"]),
        "4": challenges_grid(tables["reviews_lawsuits"]),
    }


def positions(grid: Grid) -> Iterator[tuple[int, int, Cell]]:
    """(row, column, cell) of every cell, skipping the places rowspans cover."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(grid.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            yield r, c, cell
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan


def text_lines(grid: Grid) -> list[str]:
    """The grid as lines of text, one per row, cells joined by `` | ``; a label
    that spans rows is written once, on its first row."""
    return [" | ".join(cell.text for cell in row) for row in grid.rows]
