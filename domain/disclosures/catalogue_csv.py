"""The catalogue as CSV: a county's 标准目录 read in the columns of
国办发〔2019〕54号, and the defaults written back as the template a county edits.
Pure: strings in and out."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from domain.disclosures.catalogue_entry import (
    AUDIENCE_LABELS,
    CODE_PATTERN,
    KIND_ALIASES,
    KIND_LABELS,
    LEVEL_LABELS,
    MODE_LABELS,
    PERIOD_ALIASES,
    PERIOD_LABELS,
    TENANT_KINDS,
    CatalogueEntry,
    ChannelRequirement,
    EnumT,
    allowed_values,
    parse_channel,
    parse_member,
)
from domain.errors import (
    CatalogueFormatError,
    UnknownChannelError,
    join_codes,
)
from domain.reporting.annual import PROACTIVE_ITEMS
from domain.spreadsheet import (
    UnreadableCsvError,
    csv_rows,
    guard_formula,
)

# CSV --------------------------------------------------------------------------------

_COL_CODE = "类别代码"
_COL_LEVEL1 = "一级事项"
_COL_LEVEL2 = "二级事项"
_COL_CONTENT = "公开内容"
_COL_BASIS = "公开依据"
_COL_TIME_LIMIT = "公开时限"
_COL_PERIOD = "公开周期"
_COL_SUBJECT = "公开主体"
_COL_CHANNELS = "公开渠道和载体"
_COL_AUDIENCE = "公开对象"
_COL_MODE = "公开方式"
_COL_LEVEL = "公开层级"
_COL_APPLIES_TO = "适用对象"
_COL_REQUIRED = "是否必需"

CSV_COLUMNS: tuple[str, ...] = (
    _COL_CODE,
    _COL_LEVEL1,
    _COL_LEVEL2,
    _COL_CONTENT,
    _COL_BASIS,
    _COL_TIME_LIMIT,
    _COL_PERIOD,
    _COL_SUBJECT,
    _COL_CHANNELS,
    _COL_AUDIENCE,
    _COL_MODE,
    _COL_LEVEL,
    _COL_APPLIES_TO,
    _COL_REQUIRED,
)
_COL_ANNUAL_ITEM = "年报项目"  # optional: the annual report's table 二 row
OPTIONAL_CSV_COLUMNS: tuple[str, ...] = (_COL_ANNUAL_ITEM,)

_LIST_SEPARATORS = re.compile(r"[;；、,，]")
_CHANNEL_ITEM = re.compile(
    r"(?P<name>[^()（）]+?)\s*(?:[(（]\s*(?P<flag>[^()（）]*?)\s*[)）])?"
)
_CHANNEL_FLAGS: Mapping[str, bool] = MappingProxyType(
    {"必选": True, "可选": False, "required": True, "optional": False}
)
_YES_NO: Mapping[str, bool] = MappingProxyType(
    {"是": True, "否": False, "true": True, "false": False}
)


def parse_catalogue_csv(text: str) -> tuple[CatalogueEntry, ...]:
    """Read a county's catalogue CSV, checking every cell before accepting any row.

    Tolerates a UTF-8 BOM, CRLF, blank lines and extra columns. Raises
    ``CatalogueFormatError`` (1-based line, Chinese column name) on the first problem.
    """
    rows = _read_rows(text.removeprefix("\ufeff"))
    if not rows:
        raise CatalogueFormatError("the file is empty", line=1)
    header_line, header = rows[0]
    index = _header_index(header, header_line)
    if len(rows) == 1:
        raise CatalogueFormatError(
            "the file has a header but no entries", line=header_line
        )
    entries: list[CatalogueEntry] = []
    first_seen: dict[str, int] = {}
    for line, cells in rows[1:]:
        entry = _parse_row(cells, index, line, len(header))
        if entry.code in first_seen:
            raise CatalogueFormatError(
                f"{_COL_CODE} {entry.code!r} repeats line {first_seen[entry.code]}",
                line=line,
                column=_COL_CODE,
            )
        first_seen[entry.code] = line
        entries.append(entry)
    return tuple(entries)


def _read_rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with stripped cells, each with the line it starts on."""
    try:
        return csv_rows(text)
    except UnreadableCsvError as exc:
        raise CatalogueFormatError(
            f"not a readable CSV file: {exc.reason}", line=exc.line
        ) from exc


def _header_index(header: Sequence[str], line: int) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        if name in CSV_COLUMNS or name in OPTIONAL_CSV_COLUMNS:
            if name in index:
                raise CatalogueFormatError(
                    f"column {name} appears twice", line=line, column=name
                )
            index[name] = position
    missing = [name for name in CSV_COLUMNS if name not in index]
    if missing:
        raise CatalogueFormatError(
            f"missing column(s) {join_codes(missing)}; the header must name"
            f" {join_codes(CSV_COLUMNS)}",
            line=line,
            column=missing[0],
        )
    return index


def _parse_row(
    cells: Sequence[str], index: Mapping[str, int], line: int, width: int
) -> CatalogueEntry:
    if any(cells[width:]):
        raise CatalogueFormatError(
            f"row has {len(cells)} cells but the header only {width}", line=line
        )

    def cell(column: str) -> str:
        position = index[column]
        value = cells[position] if position < len(cells) else ""
        if not value:
            raise CatalogueFormatError(
                f"{column} must not be empty", line=line, column=column
            )
        return value

    def choice(
        column: str,
        labels: Mapping[EnumT, str],
        aliases: Mapping[str, EnumT] | None = None,
    ) -> EnumT:
        value = cell(column)
        found = parse_member(labels, value, aliases)
        if found is None:
            raise CatalogueFormatError(
                f"{column} {value!r} is not allowed; "
                f"use one of {allowed_values(labels)}",
                line=line,
                column=column,
            )
        return found

    code = cell(_COL_CODE)
    if not CODE_PATTERN.fullmatch(code):
        raise CatalogueFormatError(
            f"{_COL_CODE} {code!r} must be lower-case ASCII words joined by dots,"
            " like 'town.rural-policy'",
            line=line,
            column=_COL_CODE,
        )
    required = cell(_COL_REQUIRED)
    if required.lower() not in _YES_NO:
        raise CatalogueFormatError(
            f"{_COL_REQUIRED} {required!r} is not allowed; use 是 or 否",
            line=line,
            column=_COL_REQUIRED,
        )
    return CatalogueEntry(
        code=code,
        level1=cell(_COL_LEVEL1),
        level2=cell(_COL_LEVEL2),
        content=cell(_COL_CONTENT),
        basis=cell(_COL_BASIS),
        time_limit=cell(_COL_TIME_LIMIT),
        period=choice(_COL_PERIOD, PERIOD_LABELS, PERIOD_ALIASES),
        subject=cell(_COL_SUBJECT),
        channels=_parse_channels(cell(_COL_CHANNELS), line),
        audience=choice(_COL_AUDIENCE, AUDIENCE_LABELS),
        mode=choice(_COL_MODE, MODE_LABELS),
        level=choice(_COL_LEVEL, LEVEL_LABELS),
        applies_to=_parse_kinds(cell(_COL_APPLIES_TO), line),
        required=_YES_NO[required.lower()],
        annual_item=_parse_annual_item(cells, index, line),
    )


def _parse_annual_item(
    cells: Sequence[str], index: Mapping[str, int], line: int
) -> str | None:
    """``年报项目``: a row of table 二 by code or name (行政规范性文件), or empty."""
    position = index.get(_COL_ANNUAL_ITEM)
    value = cells[position] if position is not None and position < len(cells) else ""
    if not value:
        return None
    for code, name in PROACTIVE_ITEMS.items():
        if value in (code, name):
            return code
    allowed = join_codes([f"{c}/{n}" for c, n in PROACTIVE_ITEMS.items()])
    raise CatalogueFormatError(
        f"{_COL_ANNUAL_ITEM} {value!r} is no row of table 二; use one of {allowed}",
        line=line,
        column=_COL_ANNUAL_ITEM,
    )


def _parse_channels(value: str, line: int) -> tuple[ChannelRequirement, ...]:
    """``公开栏(必选);网站(可选)``; a channel without a flag is 必选."""
    found: list[ChannelRequirement] = []
    for item in _split(value):
        match = _CHANNEL_ITEM.fullmatch(item)
        flag = _CHANNEL_FLAGS.get(match.group("flag") or "必选") if match else None
        if match is None or flag is None:
            raise CatalogueFormatError(
                f"{_COL_CHANNELS} item {item!r} must look like 公开栏(必选) or"
                " 网站(可选)",
                line=line,
                column=_COL_CHANNELS,
            )
        try:
            channel = parse_channel(match.group("name"))
        except UnknownChannelError as exc:
            raise CatalogueFormatError(
                exc.detail, line=line, column=_COL_CHANNELS
            ) from exc
        if any(r.channel is channel for r in found):
            raise CatalogueFormatError(
                f"{_COL_CHANNELS} names {channel.label} twice",
                line=line,
                column=_COL_CHANNELS,
            )
        found.append(ChannelRequirement(channel, flag))
    if not found:
        raise CatalogueFormatError(
            f"{_COL_CHANNELS} names no channel", line=line, column=_COL_CHANNELS
        )
    return tuple(found)


def _parse_kinds(value: str, line: int) -> tuple[str, ...]:
    """``县;镇`` or ``town、village``: tenant kinds by code or Chinese name."""
    kinds: list[str] = []
    by_label = {label: kind for kind, label in KIND_LABELS.items()} | dict(KIND_ALIASES)
    for item in _split(value):
        kind = item if item in TENANT_KINDS else by_label.get(item)
        if kind is None:
            allowed = join_codes([f"{k}/{label}" for k, label in KIND_LABELS.items()])
            raise CatalogueFormatError(
                f"{_COL_APPLIES_TO} {item!r} is not a tenant kind; use {allowed}",
                line=line,
                column=_COL_APPLIES_TO,
            )
        if kind in kinds:
            raise CatalogueFormatError(
                f"{_COL_APPLIES_TO} names {kind} twice",
                line=line,
                column=_COL_APPLIES_TO,
            )
        kinds.append(kind)
    if not kinds:
        raise CatalogueFormatError(
            f"{_COL_APPLIES_TO} names no tenant kind", line=line, column=_COL_APPLIES_TO
        )
    return tuple(kinds)


def _split(value: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip()]


def catalogue_to_csv(entries: Iterable[CatalogueEntry]) -> str:
    """The entries as CSV (Chinese labels, CRLF) that ``parse_catalogue_csv`` reads
    back unchanged; offered as the template a county edits. A cell a spreadsheet
    would take for a formula is guarded with an apostrophe, which reading drops."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((*CSV_COLUMNS, *OPTIONAL_CSV_COLUMNS))
    for e in entries:
        cells = (
            e.code,
            e.level1,
            e.level2,
            e.content,
            e.basis,
            e.time_limit,
            e.period.label,
            e.subject,
            ";".join(
                f"{c.channel.label}({'必选' if c.required else '可选'})"
                for c in e.channels
            ),
            e.audience.label,
            e.mode.label,
            e.level.label,
            "、".join(KIND_LABELS[k] for k in e.applies_to),
            "是" if e.required else "否",
            PROACTIVE_ITEMS[e.annual_item] if e.annual_item else "",
        )
        writer.writerow([guard_formula(c) for c in cells])
    return buffer.getvalue()
