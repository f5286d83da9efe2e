"""The power list as CSV: the columns a unit's existing 权责清单 spreadsheet has,
read with errors that name the line and the column in Chinese, and written back
(guarded against formula injection) as the template a unit edits. Processes and
risk points are not columns: they are kept by power code across a CSV load
(docs/powers.md). Pure: strings in and out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from domain.errors import GongkaiError
from domain.powers.errors import PowerListFormatError
from domain.powers.power import MAX_PROMISED_DAYS, NO_FEE, Power
from domain.powers.vocabulary import Labelled, PowerKind, PowerState
from domain.spreadsheet import (
    UnreadableCsvError,
    csv_rows,
    guard_formula,
)

COL_CODE = "权力编码"
COL_NAME = "权力名称"
COL_KIND = "权力类型"
COL_LAW = "法律依据"
COL_ARTICLE = "依据条款"
COL_OFFICE = "承办机构"
COL_POST = "责任岗位"
COL_LIMIT = "承诺时限（工作日）"
COL_FEE = "收费说明"
COL_FEE_ITEM = "收费标准项目"
COL_STATE = "状态"
COL_STATE_ON = "状态日期"

CSV_COLUMNS: tuple[str, ...] = (
    COL_CODE,
    COL_NAME,
    COL_KIND,
    COL_LAW,
    COL_ARTICLE,
    COL_OFFICE,
    COL_POST,
    COL_LIMIT,
)
OPTIONAL_CSV_COLUMNS: tuple[str, ...] = (COL_FEE, COL_FEE_ITEM, COL_STATE, COL_STATE_ON)
_ALIASES: Mapping[str, str] = {"承诺时限": COL_LIMIT, "承诺时限(工作日)": COL_LIMIT}
_FIELD_COLUMNS: Mapping[str, str] = {
    "code": COL_CODE,
    "name": COL_NAME,
    "kind": COL_KIND,
    "basis_law": COL_LAW,
    "basis_article": COL_ARTICLE,
    "office": COL_OFFICE,
    "post": COL_POST,
    "time_limit_days": COL_LIMIT,
    "fee": COL_FEE,
    "fee_item": COL_FEE_ITEM,
    "state": COL_STATE,
    "state_on": COL_STATE_ON,
}
_ROW_REASONS: Mapping[str, str] = {
    "code": "须为 1 至 40 位字母、数字、点、连字符或下划线，如 XK-001",
    "fee_item": "须为本单位收费标准中的项目代码，如 site",
    "time_limit_days": f"须为 1 至 {MAX_PROMISED_DAYS} 之间的整数",
    "state_on": "权力已修改或已废止的，须填写日期",
}


def parse_powers_csv(text: str) -> tuple[Power, ...]:
    """Read a power-list CSV, checking every cell before accepting any row.

    Tolerates a UTF-8 BOM, CRLF, blank lines and extra columns. Raises
    ``PowerListFormatError`` (1-based line, Chinese column) on the first problem.
    """
    rows = _read_rows(text.removeprefix("\ufeff"))
    if not rows:
        raise PowerListFormatError("文件是空的", line=1)
    header_line, header = rows[0]
    index = _header_index(header, header_line)
    if len(rows) == 1:
        raise PowerListFormatError("只有表头，没有权力事项", line=header_line)
    powers: list[Power] = []
    first_seen: dict[str, int] = {}
    for line, cells in rows[1:]:
        power = _parse_row(cells, index, line, len(header))
        if power.code in first_seen:
            raise PowerListFormatError(
                f"编码「{power.code}」与第 {first_seen[power.code]} 行重复",
                line=line,
                column=COL_CODE,
            )
        first_seen[power.code] = line
        powers.append(power)
    return tuple(powers)


def _read_rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with stripped cells, each with the line it starts on."""
    try:
        return csv_rows(text)
    except UnreadableCsvError as exc:
        raise PowerListFormatError(
            f"不是可读的 CSV 文件（{exc.reason}）", line=exc.line
        ) from exc


def _header_index(header: Sequence[str], line: int) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, raw in enumerate(header):
        name = _ALIASES.get(raw, raw)
        if name in CSV_COLUMNS or name in OPTIONAL_CSV_COLUMNS:
            if name in index:
                raise PowerListFormatError("此列出现了两次", line=line, column=name)
            index[name] = position
    missing = [name for name in CSV_COLUMNS if name not in index]
    if missing:
        raise PowerListFormatError(
            f"表头缺少此列；表头须包含：{'、'.join(CSV_COLUMNS)}",
            line=line,
            column=missing[0],
        )
    return index


def _parse_row(
    cells: Sequence[str], index: Mapping[str, int], line: int, width: int
) -> Power:
    if any(cells[width:]):
        raise PowerListFormatError(
            f"此行有 {len(cells)} 格，比表头的 {width} 列多", line=line
        )

    def cell(column: str, *, required: bool = True) -> str:
        position = index.get(column)
        value = (
            cells[position] if position is not None and position < len(cells) else ""
        )
        if required and not value:
            raise PowerListFormatError("不能为空", line=line, column=column)
        return value

    def choice(column: str, enum: type[Labelled], default: str) -> str:
        value = cell(column, required=False) or default
        found = enum.parse(value)
        if found is None:
            raise PowerListFormatError(
                f"「{value}」不是可选的值，请填写：{'、'.join(m.label for m in enum)}",
                line=line,
                column=column,
            )
        return found.value

    limit = cell(COL_LIMIT, required=False)
    if limit and not limit.isdigit():
        raise PowerListFormatError(
            f"「{limit}」不是工作日天数，请填写整数，不承诺时限的留空",
            line=line,
            column=COL_LIMIT,
        )
    state_on = cell(COL_STATE_ON, required=False)
    try:
        day = date.fromisoformat(state_on) if state_on else None
    except ValueError:
        raise PowerListFormatError(
            f"「{state_on}」不是日期，请按 2026-03-01 的格式填写",
            line=line,
            column=COL_STATE_ON,
        ) from None
    data = {
        "code": cell(COL_CODE),
        "name": cell(COL_NAME),
        "kind": choice(COL_KIND, PowerKind, ""),
        "basis_law": cell(COL_LAW),
        "basis_article": cell(COL_ARTICLE),
        "office": cell(COL_OFFICE),
        "post": cell(COL_POST),
        "time_limit_days": int(limit) if limit else None,
        "fee": cell(COL_FEE, required=False) or NO_FEE,
        "fee_item": cell(COL_FEE_ITEM, required=False) or None,
        "state": choice(COL_STATE, PowerState, PowerState.IN_FORCE.label),
        "state_on": day.isoformat() if day else None,
    }
    try:
        return Power.from_dict(data)
    except GongkaiError as exc:
        name = (exc.field or "").rsplit(".", 1)[-1]
        raise PowerListFormatError(
            _ROW_REASONS.get(name, "内容过长或不符合要求"),
            line=line,
            column=_FIELD_COLUMNS.get(name, ""),
        ) from exc


def powers_to_csv(powers: Iterable[Power]) -> str:
    """The powers as CSV (Chinese labels, CRLF) that ``parse_powers_csv`` reads
    back unchanged. A cell a spreadsheet would take for a formula is guarded with
    an apostrophe, which reading drops."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((*CSV_COLUMNS, *OPTIONAL_CSV_COLUMNS))
    for p in powers:
        cells = (
            p.code,
            p.name,
            p.kind.label,
            p.basis_law,
            p.basis_article,
            p.office,
            p.post,
            "" if p.time_limit_days is None else str(p.time_limit_days),
            p.fee,
            p.fee_item or "",
            p.state.label,
            p.state_on.isoformat() if p.state_on else "",
        )
        writer.writerow([guard_formula(c) for c in cells])
    return buffer.getvalue()
