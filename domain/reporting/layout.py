"""How 国办公开办函〔2021〕30号 lays out tables 二, 三 and 四, as data.

One description serves every format (JSON, HTML, PDF, XLSX, the published text):
header rows of cells that span columns and rows (``Head``), the label cells that
start in each body row of table 三 (its result rows are grouped under
``三、本年度办理结果`` and their category, as HTML's rowspan does), the four parts of
table 二 under their items of 条例第二十条, and the one row of fifteen cells of table
四. Also the check of table 三's 勾稽关系, which a report must pass to be published.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from domain.reporting.annual import (
    APPLICANT_TYPES,
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    CATEGORIES,
    CHALLENGE_COLUMNS,
    PROACTIVE_COLUMNS,
    PROACTIVE_ROWS,
    PROACTIVE_SECTIONS,
    REASONS,
    ROUTES,
    Line,
    category_label,
    result_code,
)


@dataclass(frozen=True)
class Head:
    """A header or label cell: its text and how many columns and rows it spans."""

    label: str
    colspan: int = 1
    rowspan: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "colspan": self.colspan, "rowspan": self.rowspan}


@dataclass(frozen=True)
class Group:
    """Rows (or columns) under a common label; ``codes`` are all of them, in order,
    nested groups' included."""

    code: str
    label: str
    codes: tuple[str, ...]
    groups: tuple[Group, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "codes": list(self.codes),
            "groups": [g.to_dict() for g in self.groups],
        }


Header = tuple[tuple[Head, ...], ...]


def header_json(header: Header) -> list[list[dict[str, Any]]]:
    return [[h.to_dict() for h in row] for row in header]


# Table 二 -----------------------------------------------------------------------

PROACTIVE_WIDTH = 4
"""信息内容 and at most three figures: a part with one figure spans it over three."""
PROACTIVE_LABEL = "信息内容"
_PROACTIVE_LABELS = {r.code: r.label for r in PROACTIVE_ROWS}


def proactive_header(section: str) -> tuple[Head, ...]:
    """The header row of a part of table 二: 信息内容 and its figures' names."""
    rows = next(rows for code, _, rows in PROACTIVE_SECTIONS if code == section)
    columns = PROACTIVE_COLUMNS[rows[0]]
    span = (PROACTIVE_WIDTH - 1) // len(columns)
    return (Head(PROACTIVE_LABEL), *(Head(c.label, span) for c in columns))


def proactive_sections() -> Iterator[tuple[str, str, tuple[Line, ...]]]:
    """(code, 第二十条第（一）项, its rows) for the four parts."""
    for code, title, rows in PROACTIVE_SECTIONS:
        yield code, title, tuple(Line(r, _PROACTIVE_LABELS[r]) for r in rows)


# Table 三 -----------------------------------------------------------------------

BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICATION_LABEL_COLUMNS = 3
APPLICATION_HEADER: Header = (
    (Head(BALANCE_NOTE, APPLICATION_LABEL_COLUMNS, 3), Head("申请人情况", 7)),
    (Head("自然人", 1, 2), Head("法人或其他组织", 5), Head("总计", 1, 2)),
    tuple(Head(t.label) for t in APPLICANT_TYPES[1:]),
)
RESULTS_LABEL = "三、本年度办理结果"
_RESULT_CODES = tuple(
    r.code
    for r in APPLICATION_ROWS
    if r.code not in ("new", "carried_in", "carried_out")
)


def _application_heads() -> Mapping[str, tuple[Head, ...]]:
    labels = {r.code: r.label for r in APPLICATION_ROWS}
    width = APPLICATION_LABEL_COLUMNS
    heads: dict[str, tuple[Head, ...]] = {
        code: (Head(labels[code], width),)
        for code in ("new", "carried_in", "carried_out")
    }
    block = Head(RESULTS_LABEL, 1, len(_RESULT_CODES))
    first = True
    for i, cat in enumerate(CATEGORIES):
        reasons = REASONS[cat.code]
        if not reasons:
            own: tuple[Head, ...] = (Head(labels[cat.code], width - 1),)
            heads[cat.code] = ((block,) if first else ()) + own
            first = False
            continue
        for n, r in enumerate(reasons):
            code = result_code(cat.code, r.code)
            group = (Head(category_label(i), 1, len(reasons)),) if n == 0 else ()
            heads[code] = (*group, Head(labels[code]))
    heads["results_total"] = (Head(labels["results_total"], width - 1),)
    return MappingProxyType(heads)


APPLICATION_HEADS: Mapping[str, tuple[Head, ...]] = _application_heads()
"""The label cells that start in each body row, spans included: together with the
seven figures each body row fills ten columns."""


def _application_groups() -> tuple[Group, ...]:
    categories = tuple(
        Group(
            cat.code,
            category_label(i),
            tuple(result_code(cat.code, r.code) for r in REASONS[cat.code]),
        )
        for i, cat in enumerate(CATEGORIES)
        if REASONS[cat.code]
    )
    return (Group("results", RESULTS_LABEL, _RESULT_CODES, categories),)


APPLICATION_GROUPS: tuple[Group, ...] = _application_groups()


def row_path(code: str, groups: tuple[Group, ...] = APPLICATION_GROUPS) -> list[str]:
    """The labels of the groups a row is in, outermost first."""
    for g in groups:
        if code in g.codes:
            return [g.label, *row_path(code, g.groups)]
    return []


def unbalanced(cells: Mapping[tuple[str, str], float]) -> list[str]:
    """The columns of table 三 whose 勾稽关系 fails: 一 + 二 ≠ 三（七） + 四, or
    （七）总计 ≠ the sum of the results, or 总计 ≠ the sum of the applicant types.
    ``cells`` maps (row, column) to the figure; a missing cell is 0."""

    def at(row: str, column: str) -> float:
        return cells.get((row, column), 0)

    broken = []
    for col in APPLICATION_COLUMNS:
        c = col.code
        results = sum(at(r, c) for r in _RESULT_CODES if r != "results_total")
        if (
            at("new", c) + at("carried_in", c)
            != at("results_total", c) + at("carried_out", c)
            or at("results_total", c) != results
        ):
            broken.append(c)
    for row in APPLICATION_ROWS:
        types = sum(at(row.code, t.code) for t in APPLICANT_TYPES)
        if types != at(row.code, "total") and "total" not in broken:
            broken.append("total")
    return broken


# Table 四 -----------------------------------------------------------------------

LAWSUIT_LABEL = "行政诉讼"
_ROUTE_HEADS = {
    "review": "行政复议",
    "lawsuit_direct": "未经复议直接起诉",
    "lawsuit_after_review": "复议后起诉",
}
CHALLENGE_CELLS: tuple[Line, ...] = tuple(
    Line(f"{route.code}.{outcome.code}", outcome.label)
    for route in ROUTES
    for outcome in CHALLENGE_COLUMNS
)
"""The fifteen cells of table 四's one row: ``review.upheld`` … ``review.total``,
``lawsuit_direct.*``, ``lawsuit_after_review.*``."""
_FIVE = len(CHALLENGE_COLUMNS)
CHALLENGE_HEADER: Header = (
    (Head(_ROUTE_HEADS["review"], _FIVE), Head(LAWSUIT_LABEL, 2 * _FIVE)),
    (
        *(Head(o.label, 1, 2) for o in CHALLENGE_COLUMNS),
        Head(_ROUTE_HEADS["lawsuit_direct"], _FIVE),
        Head(_ROUTE_HEADS["lawsuit_after_review"], _FIVE),
    ),
    tuple(Head(o.label) for o in CHALLENGE_COLUMNS) * 2,
)


def _route_group(route: str) -> Group:
    codes = tuple(c.code for c in CHALLENGE_CELLS if c.code.startswith(route + "."))
    return Group(route, _ROUTE_HEADS[route], codes)


CHALLENGE_GROUPS: tuple[Group, ...] = (
    _route_group("review"),
    Group(
        "lawsuit",
        LAWSUIT_LABEL,
        tuple(c.code for c in CHALLENGE_CELLS if c.code.startswith("lawsuit")),
        (_route_group("lawsuit_direct"), _route_group("lawsuit_after_review")),
    ),
)
"""Groups of table 四's columns: 行政复议, and 行政诉讼 with its two routes."""
