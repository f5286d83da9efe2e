"""The disclosure catalogue (公开目录): what each kind of tenant must make public.

Rows follow the columns of the national 基层政务公开标准目录 (国办发〔2019〕54号) so
a county can upload its own catalogue in the shape it already keeps. The defaults come
from the seed plan (三(二)1–5, 三(三)); a county's CSV is laid over them by code. Pure:
data lives in literals and CSV is read from and written to strings.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from domain.errors import (
    CatalogueFormatError,
    InvalidInputError,
    UnknownChannelError,
    join_codes,
)
from domain.reporting.annual import PROACTIVE_ITEMS

_E = TypeVar("_E", bound=StrEnum)


class Channel(StrEnum):
    """Where a disclosure is shown (公开形式); the seed insists on a fixed board."""

    NOTICE_BOARD = "notice_board"
    WEBSITE = "website"
    SCREEN = "screen"
    MEETING = "meeting"
    HANDBOOK = "handbook"
    PRESS_CONFERENCE = "press_conference"

    @property
    def label(self) -> str:
        """Chinese name, as clerks and CSV files write it."""
        return _CHANNEL_LABELS[self]


class Period(StrEnum):
    """Machine-readable cadence of 公开时限, so overdue periodic categories show."""

    ON_CHANGE = "on_change"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        """Chinese name, as the CSV 公开周期 column writes it."""
        return _PERIOD_LABELS[self]

    def max_gap_days(self) -> int | None:
        """Longest allowed gap between two disclosures; None when event-driven.

        ``on_change`` is due 20 working days after the information is formed or
        changed (政府信息公开条例第二十六条), which the calendar counts instead.
        """
        return _MAX_GAP_DAYS[self]


class Audience(StrEnum):
    """公开对象: everyone, or only the people concerned (e.g. a unit's own staff)."""

    PUBLIC = "public"
    SPECIFIC = "specific"

    @property
    def label(self) -> str:
        """Chinese name used in the national catalogue."""
        return _AUDIENCE_LABELS[self]


class DisclosureMode(StrEnum):
    """公开方式: published unasked, or only answered on request."""

    PROACTIVE = "proactive"
    ON_REQUEST = "on_request"

    @property
    def label(self) -> str:
        """Chinese name used in the national catalogue."""
        return _MODE_LABELS[self]


class PublicLevel(StrEnum):
    """公开层级: the government level that compiles and discloses the information."""

    COUNTY = "county"
    TOWN = "town"

    @property
    def label(self) -> str:
        """Chinese name used in the national catalogue."""
        return _LEVEL_LABELS[self]


_CHANNEL_LABELS: Mapping[Channel, str] = MappingProxyType(
    {
        Channel.NOTICE_BOARD: "公开栏",
        Channel.WEBSITE: "网站",
        Channel.SCREEN: "电子显示屏",
        Channel.MEETING: "会议",
        Channel.HANDBOOK: "便民手册",
        Channel.PRESS_CONFERENCE: "新闻发布会",
    }
)
_PERIOD_LABELS: Mapping[Period, str] = MappingProxyType(
    {
        Period.ON_CHANGE: "随时",
        Period.MONTHLY: "按月",
        Period.QUARTERLY: "按季度",
        Period.HALF_YEARLY: "按半年",
        Period.YEARLY: "按年",
    }
)
_PERIOD_ALIASES: Mapping[str, Period] = MappingProxyType(
    {
        "及时": Period.ON_CHANGE,
        "每月": Period.MONTHLY,
        "每季度": Period.QUARTERLY,
        "每半年": Period.HALF_YEARLY,
        "每年": Period.YEARLY,
    }
)
_MAX_GAP_DAYS: Mapping[Period, int | None] = MappingProxyType(
    {
        Period.ON_CHANGE: None,
        Period.MONTHLY: 31,
        Period.QUARTERLY: 92,
        Period.HALF_YEARLY: 183,
        Period.YEARLY: 366,
    }
)
_AUDIENCE_LABELS: Mapping[Audience, str] = MappingProxyType(
    {Audience.PUBLIC: "全社会", Audience.SPECIFIC: "特定群众"}
)
_MODE_LABELS: Mapping[DisclosureMode, str] = MappingProxyType(
    {DisclosureMode.PROACTIVE: "主动", DisclosureMode.ON_REQUEST: "依申请"}
)
_LEVEL_LABELS: Mapping[PublicLevel, str] = MappingProxyType(
    {PublicLevel.COUNTY: "县级", PublicLevel.TOWN: "乡级"}
)

TENANT_KINDS: tuple[str, ...] = (
    "county",
    "town",
    "village",
    "school",
    "department",
    "community",
    "station",
)
KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "county": "县",
        "town": "镇",
        "village": "村",
        "school": "学校",
        "department": "科室",
        "community": "社区",
        "station": "站所",
    }
)
_KIND_ALIASES: Mapping[str, str] = MappingProxyType({"乡": "town", "乡镇": "town"})

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$")


def _member(
    labels: Mapping[_E, str], text: str, aliases: Mapping[str, _E] | None = None
) -> _E | None:
    """The member whose code or Chinese label is ``text``, else None."""
    key = text.strip()
    for member, label in labels.items():
        if key in (member.value, label):
            return member
    return None if aliases is None else aliases.get(key)


def _allowed(labels: Mapping[_E, str]) -> str:
    return join_codes([f"{member.value}/{label}" for member, label in labels.items()])


def parse_channel(text: str) -> Channel:
    """The channel named by ``text``: its code or its Chinese label."""
    found = _member(_CHANNEL_LABELS, text)
    if found is None:
        raise UnknownChannelError(
            f"unknown channel {text.strip()!r}; allowed: {_allowed(_CHANNEL_LABELS)}",
            field="channel",
        )
    return found


@dataclass(frozen=True)
class ChannelRequirement:
    """A channel an entry is published on, and whether using it is obligatory."""

    channel: Channel
    required: bool


_TEXT_FIELDS = ("level1", "level2", "content", "basis", "time_limit", "subject")


@dataclass(frozen=True)
class CatalogueEntry:
    """One category of the catalogue: a row of the 基层政务公开标准目录.

    Requires a code matching ``CODE_PATTERN``, non-empty stripped text, at least one
    channel and one known tenant kind, none repeated (so CSV round-trips exactly).
    """

    code: str
    level1: str
    level2: str
    content: str
    basis: str
    time_limit: str
    period: Period
    subject: str
    channels: tuple[ChannelRequirement, ...]
    audience: Audience
    mode: DisclosureMode
    level: PublicLevel
    applies_to: tuple[str, ...]
    required: bool = True
    annual_item: str | None = None  # the annual report's table 二 row, e.g. normative

    def __post_init__(self) -> None:
        if self.annual_item is not None and self.annual_item not in PROACTIVE_ITEMS:
            raise InvalidInputError(
                f"annual_item {self.annual_item!r} of {self.code} is no row of table"
                f" 二; use one of {join_codes(list(PROACTIVE_ITEMS))}",
                field="annual_item",
            )
        if not CODE_PATTERN.fullmatch(self.code):
            raise InvalidInputError(
                f"catalogue code {self.code!r} must look like 'common.decisions'",
                field="code",
            )
        for name in _TEXT_FIELDS:
            value: str = getattr(self, name)
            if not value.strip() or value != value.strip():
                raise InvalidInputError(
                    f"{name} of {self.code} must be non-empty text without outer"
                    " spaces",
                    field=name,
                )
        used = [c.channel for c in self.channels]
        if not used or len(set(used)) != len(used):
            raise InvalidInputError(
                f"{self.code} needs at least one channel, each named once",
                field="channels",
            )
        unknown = [k for k in self.applies_to if k not in TENANT_KINDS]
        if (
            not self.applies_to
            or unknown
            or len(set(self.applies_to)) != len(self.applies_to)
        ):
            raise InvalidInputError(
                f"{self.code} must apply to distinct kinds among"
                f" {join_codes(TENANT_KINDS)}",
                field="applies_to",
            )

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form, enums as codes, for storing the entry in an event."""
        return {
            "code": self.code,
            "level1": self.level1,
            "level2": self.level2,
            "content": self.content,
            "basis": self.basis,
            "time_limit": self.time_limit,
            "period": self.period.value,
            "subject": self.subject,
            "channels": [
                {"channel": c.channel.value, "required": c.required}
                for c in self.channels
            ],
            "audience": self.audience.value,
            "mode": self.mode.value,
            "level": self.level.value,
            "applies_to": list(self.applies_to),
            "required": self.required,
            # only when set: entries stored before the field keep their shape
            **({"annual_item": self.annual_item} if self.annual_item else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CatalogueEntry:
        """Rebuild an entry from ``to_dict`` output, checking it again."""
        raw_channels = data.get("channels")
        if not isinstance(raw_channels, list):
            raise InvalidInputError("channels must be a list", field="channels")
        channels = []
        for item in raw_channels:
            if not isinstance(item, Mapping):
                raise InvalidInputError("channel must be an object", field="channels")
            channels.append(
                ChannelRequirement(
                    parse_channel(_text(item, "channel")), _flag(item, "required")
                )
            )
        kinds = data.get("applies_to")
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise InvalidInputError("applies_to must be a list", field="applies_to")
        return cls(
            code=_text(data, "code"),
            level1=_text(data, "level1"),
            level2=_text(data, "level2"),
            content=_text(data, "content"),
            basis=_text(data, "basis"),
            time_limit=_text(data, "time_limit"),
            period=_code(Period, data, "period"),
            subject=_text(data, "subject"),
            channels=tuple(channels),
            audience=_code(Audience, data, "audience"),
            mode=_code(DisclosureMode, data, "mode"),
            level=_code(PublicLevel, data, "level"),
            applies_to=tuple(str(k) for k in kinds),
            required=_flag(data, "required"),
            annual_item=_optional_text(data, "annual_item"),
        )


def _optional_text(data: Mapping[str, object], key: str) -> str | None:
    return None if data.get(key) is None else _text(data, key)


def _text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise InvalidInputError(f"{key} must be text", field=key)
    return value


def _flag(data: Mapping[str, object], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise InvalidInputError(f"{key} must be true or false", field=key)
    return value


def _code(enum: type[_E], data: Mapping[str, object], key: str) -> _E:
    value = _text(data, key)
    try:
        return enum(value)
    except ValueError:
        allowed = join_codes([m.value for m in enum])
        raise InvalidInputError(
            f"{key} {value!r} is not one of {allowed}", field=key
        ) from None


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
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    last = 0
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if any(cells):
                rows.append((last + 1, cells))
            last = reader.line_num
    except csv.Error as exc:
        raise CatalogueFormatError(
            f"not a readable CSV file: {exc}", line=last + 1
        ) from exc
    return rows


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
        column: str, labels: Mapping[_E, str], aliases: Mapping[str, _E] | None = None
    ) -> _E:
        value = cell(column)
        found = _member(labels, value, aliases)
        if found is None:
            raise CatalogueFormatError(
                f"{column} {value!r} is not allowed; use one of {_allowed(labels)}",
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
        period=choice(_COL_PERIOD, _PERIOD_LABELS, _PERIOD_ALIASES),
        subject=cell(_COL_SUBJECT),
        channels=_parse_channels(cell(_COL_CHANNELS), line),
        audience=choice(_COL_AUDIENCE, _AUDIENCE_LABELS),
        mode=choice(_COL_MODE, _MODE_LABELS),
        level=choice(_COL_LEVEL, _LEVEL_LABELS),
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
    by_label = {label: kind for kind, label in KIND_LABELS.items()} | dict(
        _KIND_ALIASES
    )
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
    back unchanged; offered as the template a county edits."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((*CSV_COLUMNS, *OPTIONAL_CSV_COLUMNS))
    for e in entries:
        writer.writerow(
            [
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
            ]
        )
    return buffer.getvalue()


# The default catalogue --------------------------------------------------------------

_OGI = "《中华人民共和国政府信息公开条例》"
_VCO = "《中华人民共和国村民委员会组织法》"
_ON_CHANGE = "信息形成或变更之日起20个工作日内公开"

_BOARD = ChannelRequirement(Channel.NOTICE_BOARD, required=True)
_WEB = ChannelRequirement(Channel.WEBSITE, required=False)
_MEETING = ChannelRequirement(Channel.MEETING, required=False)
_SCREEN = ChannelRequirement(Channel.SCREEN, required=False)
_HANDBOOK = ChannelRequirement(Channel.HANDBOOK, required=False)
_PRESS = ChannelRequirement(Channel.PRESS_CONFERENCE, required=False)
_STAFF_MEETING = ChannelRequirement(Channel.MEETING, required=True)  # 干部职工大会
_INNER_BOARD = ChannelRequirement(Channel.NOTICE_BOARD, required=False)  # 内部公开栏

_ALL = TENANT_KINDS
_TOWN_LEVEL = ("county", "town")
_UNITS = ("department", "station")
_STAFF = ("county", "town", "department", "school")


def _entry(
    code: str,
    level1: str,
    level2: str,
    content: str,
    basis: str,
    time_limit: str,
    period: Period,
    subject: str,
    channels: tuple[ChannelRequirement, ...],
    applies_to: tuple[str, ...],
    *,
    audience: Audience = Audience.PUBLIC,
    level: PublicLevel = PublicLevel.TOWN,
    required: bool = True,
    annual_item: str | None = None,
) -> CatalogueEntry:
    """A proactive default entry; the seed names no on-request category."""
    return CatalogueEntry(
        code=code,
        level1=level1,
        level2=level2,
        content=content,
        basis=basis,
        time_limit=time_limit,
        period=period,
        subject=subject,
        channels=channels,
        audience=audience,
        mode=DisclosureMode.PROACTIVE,
        level=level,
        applies_to=applies_to,
        required=required,
        annual_item=annual_item,
    )


DEFAULT_CATALOGUE: tuple[CatalogueEntry, ...] = (
    # 三(二)1 各单位重点公开的内容 -----------------------------------------------------
    _entry(
        "common.decisions",
        "综合政务",
        "相关文件、重大决定和目标任务",
        "本单位制发或转发的适于公开的文件；涉及群众切身利益的重大决定及其实施情况；"
        "年度工作目标任务及分解落实情况。村（社区）公开村（居）民会议、"
        "村（居）民代表会议讨论决定的事项及其实施情况。",
        f"{_OGI}第十九条、第二十条第（一）项；{_VCO}第三十条第一款第（一）项（村）",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "各单位（文件制发或决定作出单位）",
        (_BOARD, _WEB, _MEETING),
        _ALL,
    ),
    _entry(
        "common.planning",
        "综合政务",
        "发展规划",
        "经济社会发展规划、专项规划和年度计划及其调整情况；村庄规划、"
        "学校发展规划等本单位发展规划及执行情况。",
        f"{_OGI}第二十条第（三）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "各单位（规划编制单位）",
        (_BOARD, _WEB, _MEETING),
        ("county", "town", "village", "school", "department", "community"),
    ),
    _entry(
        "common.finance",
        "财务管理",
        "财务收支",
        "年度预算、决算；财务收支明细；“三公”经费使用情况；"
        "村（社区）集体财务收支和集体资产、资源的经营管理情况。",
        f"《中华人民共和国预算法》第十四条；{_OGI}第二十条第（七）项；{_VCO}第三十条",
        "预算、决算批准后20日内公开；财务收支每季度结束后15日内公开；"
        "村级集体财务往来较多的，每月公布一次",
        Period.QUARTERLY,
        "各单位财务部门；村（社区）经村（居）务监督委员会审核后公布",
        (_BOARD, _WEB),
        _ALL,
    ),
    _entry(
        "common.organisation",
        "机构职能",
        "机构设置、职能及调整变动",
        "机构设置、内设机构及职能；领导班子成员及分工；办公地址、办公时间、"
        "联系方式；机构、职能和人员分工的调整变动情况。",
        f"{_OGI}第二十条第（二）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "各单位办公室",
        (_BOARD, _WEB),
        _ALL,
    ),
    _entry(
        "common.commitments",
        "服务承诺",
        "承诺办理事项及完成情况",
        "年初向社会承诺办理的事项、完成时限和责任人；承诺事项的办理进度和完成情况。",
        f"{_OGI}第十九条",
        "承诺事项确定之日起20个工作日内公开；办理进度和完成情况每半年公开一次",
        Period.HALF_YEARLY,
        "各单位",
        (_BOARD, _WEB, _MEETING),
        _ALL,
    ),
    _entry(
        "common.funds-projects",
        "资金项目",
        "专项资金、财政转移支付资金和重大项目",
        "各类专项资金、财政转移支付资金的来源、分配、拨付和使用情况；"
        "重大项目的审批、招投标、建设进度、资金使用和竣工验收情况。",
        f"{_OGI}第二十条第（七）项、第（十）项；{_VCO}第三十条第一款第（三）项（村）",
        "项目审批、招投标结果形成之日起20个工作日内公开；资金使用情况每季度公开一次",
        Period.QUARTERLY,
        "资金使用单位、项目实施单位",
        (_BOARD, _WEB),
        _ALL,
    ),
    _entry(
        "common.quake-housing",
        "民生工程",
        "抗震安居工程建设",
        "年度抗震安居工程建设任务；补助对象的条件、评定程序和名单；"
        "补助标准和资金拨付情况；工程建设进度和竣工验收情况。",
        f"{_OGI}第二十条第（十）项、第（十一）项，第二十一条",
        "补助对象名单确定后即行公示；建设进度和资金拨付情况每季度公开一次",
        Period.QUARTERLY,
        "县住房和城乡建设部门、镇人民政府、村民委员会",
        (_BOARD, _WEB, _MEETING),
        ("county", "town", "village"),
    ),
    _entry(
        "common.subsistence",
        "社会救助",
        "低保金发放",
        "最低生活保障标准、申请条件和审批程序；保障对象名单（户主姓名、保障人数、"
        "保障金额，不公开身份证号码等个人隐私）；低保金按月发放情况。",
        f"《社会救助暂行办法》第十一条；{_OGI}第二十条第（十一）项",
        "审批结果在申请人所在村、社区公布；发放情况每月公开一次",
        Period.MONTHLY,
        "县民政部门、镇人民政府，村民委员会、社区居民委员会",
        (_BOARD, _WEB),
        ("county", "town", "village", "community"),
    ),
    _entry(
        "common.land",
        "土地征收",
        "征地拆迁和经营性土地使用权出让",
        "土地征收、房屋征收的批准文件、范围、补偿标准、安置方式和补偿款发放情况；"
        "经营性土地使用权出让的地块、方式、条件、公告和结果。",
        "《中华人民共和国土地管理法》第四十七条；《国有土地上房屋征收与补偿条例》"
        f"第十三条；{_OGI}第二十一条",
        "拟征收土地公告不少于30日；其他信息形成或变更之日起20个工作日内公开",
        Period.ON_CHANGE,
        "县人民政府及自然资源部门、镇人民政府，村民委员会、社区居民委员会",
        (_BOARD, _WEB, _MEETING),
        ("county", "town", "village", "community"),
        level=PublicLevel.COUNTY,
    ),
    _entry(
        "common.tax-fees",
        "税费管理",
        "税费征收和减免政策执行",
        "税费征收项目、依据和标准；减免政策的条件和程序；减免对象和金额等执行情况；"
        "村级一事一议筹资筹劳情况。",
        f"{_OGI}第二十条第（八）项、第二十一条",
        "政策形成或变更之日起20个工作日内公开；执行情况每半年公开一次",
        Period.HALF_YEARLY,
        "税费征收单位；村民委员会",
        (_BOARD, _WEB),
        ("county", "town", "village", "department", "station"),
        level=PublicLevel.COUNTY,
    ),
    _entry(
        "common.cadres",
        "干部人事",
        "干部选拔任用",
        "干部选拔任用的职位、条件和程序；拟任人选任前公示；任用结果；"
        "公开招考、招聘的职位、名额、条件和录用结果。",
        f"《党政领导干部选拔任用工作条例》；{_OGI}第二十条第（十四）项",
        "任前公示期不少于5个工作日；任用、录用结果形成之日起20个工作日内公开",
        Period.ON_CHANGE,
        "县委组织部门、各单位人事部门",
        (_BOARD, _WEB),
        ("county", "town", "school", "department", "station"),
        level=PublicLevel.COUNTY,
    ),
    _entry(
        "common.emergencies",
        "应急管理",
        "突发公共事件预报、发生和处置",
        "突发公共事件应急预案；预警信息；突发公共事件的发生、处置和善后情况。",
        f"{_OGI}第二十条第（十二）项；《中华人民共和国突发事件应对法》",
        "预警信息即时发布；处置情况形成之日起20个工作日内公开",
        Period.ON_CHANGE,
        "各单位；重大事件由县、镇人民政府统一发布",
        (_BOARD, _WEB, _SCREEN, _PRESS),
        _ALL,
    ),
    _entry(
        "common.public-affairs",
        "公共事务",
        "与公众切身利益密切相关的公共事务管理",
        "公共服务、公益事业、治安管理、环境卫生等与公众切身利益密切相关的"
        "公共事务管理情况。",
        f"{_OGI}第十九条、第二十一条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "各单位",
        (_BOARD, _WEB, _MEETING),
        _ALL,
    ),
    # 三(二)2 镇政府各部门应当公开的内容 -----------------------------------------------
    _entry(
        "department.policies",
        "部门政策",
        "政策、规定和文件",
        "部门制定实施的政策、规定和适于公开的文件及其解读。",
        f"{_OGI}第二十条第（一）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇政府各部门（科室、站所）",
        (_BOARD, _WEB),
        _UNITS,
        annual_item="normative",
    ),
    _entry(
        "department.legal-basis",
        "办事依据",
        "法律、法规和规章制度",
        "部门办事依据的法律、法规、规章和规章制度的目录及文本。",
        f"{_OGI}第二十条第（五）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇政府各部门（科室、站所）",
        (_BOARD, _WEB, _HANDBOOK),
        _UNITS,
    ),
    _entry(
        "department.service-guide",
        "办事服务",
        "办事条件、标准、时限和程序",
        "办事的条件、标准和要求；所需材料；办事时限、办事程序（流程图）；办事纪律。",
        f"{_OGI}第二十条第（五）项",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇政府各部门（科室、站所）",
        (_BOARD, _WEB, _SCREEN, _HANDBOOK),
        _UNITS,
    ),
    _entry(
        "department.integrity",
        "作风建设",
        "廉政勤政制度和便民措施",
        "廉政勤政制度；首问负责、限时办结等工作制度；便民措施；监督举报电话。",
        f"{_OGI}第十九条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇政府各部门（科室、站所）",
        (_BOARD, _WEB, _HANDBOOK),
        _UNITS,
    ),
    # 三(二)3 学校重点公开的内容 -------------------------------------------------------
    _entry(
        "school.decisions",
        "学校管理",
        "涉及群众利益的决策和重要信息",
        "招生范围、招生计划和录取办法；学生资助、营养改善计划等涉及群众利益的决策；"
        "与学生和家长密切相关的其他重要信息。",
        f"{_OGI}第五十五条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "学校",
        (_BOARD, _WEB, _MEETING),
        ("school",),
    ),
    _entry(
        "school.duties",
        "学校管理",
        "职责权限和服务内容",
        "学校职责权限、内设机构和服务内容；办学规模、师资等基本情况。",
        f"{_OGI}第五十五条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "学校",
        (_BOARD, _WEB),
        ("school",),
    ),
    _entry(
        "school.service-process",
        "办事服务",
        "办事依据、时限、流程和结果",
        "学籍、转学、资助申请等事项的办事依据、时限、流程和结果；办事纪律；服务承诺。",
        f"{_OGI}第五十五条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "学校",
        (_BOARD, _WEB, _HANDBOOK),
        ("school",),
    ),
    _entry(
        "school.fees",
        "收费管理",
        "收费项目和标准",
        "收费项目、收费标准、收费依据、收费范围和批准文号；服务性收费和代收费项目"
        "及标准；收费投诉电话。",
        f"《教育收费公示制度》；{_OGI}第二十条第（八）项、第五十五条",
        "每学期开学前公示；收费项目或标准变更之日起20个工作日内公开",
        Period.HALF_YEARLY,
        "学校",
        (_BOARD, _WEB, _MEETING),
        ("school",),
    ),
    _entry(
        "school.fines",
        "收费管理",
        "罚款标准和收缴情况",
        "罚款（违约金）的标准、依据和收缴情况。",
        f"{_OGI}第五十五条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "学校",
        (_BOARD,),
        ("school",),
        required=False,
    ),
    # 三(二)4 镇级政府应重点公开的内容 (县在本级同样适用) ------------------------------
    _entry(
        "town.rural-policy",
        "农村政策",
        "贯彻落实上级农村政策的措施",
        "贯彻落实上级强农惠农富农政策的具体措施；农业补贴的对象、标准和发放情况。",
        f"{_OGI}第二十一条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇（县）人民政府",
        (_BOARD, _WEB, _MEETING),
        _TOWN_LEVEL,
    ),
    _entry(
        "town.fiscal",
        "财政管理",
        "财政收支和专项资金",
        "本级财政预算、决算和预算执行情况；财政、财务收支情况；"
        "各类专项资金、财政转移支付资金的分配和使用情况。",
        f"《中华人民共和国预算法》第十四条；{_OGI}第二十条第（七）项",
        "预算、决算批准后20日内公开；收支和资金使用情况每季度结束后15日内公开",
        Period.QUARTERLY,
        "镇（县）人民政府财政部门",
        (_BOARD, _WEB),
        _TOWN_LEVEL,
    ),
    _entry(
        "town.collective-debt",
        "财政管理",
        "集体债权债务",
        "镇（县）集体债权、债务的形成原因、金额、债权债务人和清收、偿还情况。",
        f"{_OGI}第十九条、第二十条第（七）项",
        "每年公开一次，次年第一季度内公开上年末债权债务情况",
        Period.YEARLY,
        "镇（县）人民政府财政部门",
        (_BOARD, _WEB),
        _TOWN_LEVEL,
    ),
    _entry(
        "town.other-matters",
        "公共事务",
        "与群众切身利益密切相关的其他事项",
        "农田水利工程建设运营、农村土地承包经营权流转、宅基地使用情况审核、"
        "筹资筹劳等与群众切身利益密切相关的其他事项。",
        f"{_OGI}第二十一条",
        _ON_CHANGE,
        Period.ON_CHANGE,
        "镇（县）人民政府",
        (_BOARD, _WEB, _MEETING),
        _TOWN_LEVEL,
    ),
    # 条例第四十九、五十条: the annual report (国办公开办函〔2021〕30号 format) ------
    _entry(
        "common.annual-report",
        "政府信息公开年报",
        "政府信息公开工作年度报告",
        "上一年度政府信息公开工作年度报告：主动公开、依申请公开、行政复议和"
        "行政诉讼情况及存在的主要问题和改进情况。",
        f"{_OGI}第四十九条、第五十条",
        "每年1月31日前公布（县级人民政府汇总报告3月31日前）",
        Period.YEARLY,
        "各行政机关",
        (_BOARD, _WEB),
        ("county", "town", "department", "station", "school"),
        level=PublicLevel.COUNTY,
        required=False,
    ),
    # 三(二)5 对本机关干部职工应当公开的内容 -------------------------------------------
    _entry(
        "staff.integrity",
        "内部事务",
        "领导干部廉洁自律",
        "领导干部述职述廉和执行廉洁自律规定的情况；公务接待、公务用车等情况。",
        "《中国共产党廉洁自律准则》；《中国共产党党内监督条例》",
        "每年至少公开一次，结合年度述职述廉进行",
        Period.YEARLY,
        "本单位领导班子",
        (_STAFF_MEETING, _INNER_BOARD),
        _STAFF,
        audience=Audience.SPECIFIC,
    ),
    _entry(
        "staff.assessment",
        "内部事务",
        "干部考核奖惩及职工关心的其他事项",
        "干部年度考核结果；奖励和惩处情况；职称评定、评先评优、"
        "福利待遇等干部职工关心的其他重要事项。",
        "《中华人民共和国公务员法》第五章、第八章",
        "年度考核结束后20个工作日内公开；其他事项形成之日起20个工作日内公开",
        Period.YEARLY,
        "本单位人事部门",
        (_STAFF_MEETING, _INNER_BOARD),
        _STAFF,
        audience=Audience.SPECIFIC,
    ),
)


# Queries ----------------------------------------------------------------------------


def entries_for(
    kind: str, catalogue: Sequence[CatalogueEntry] = DEFAULT_CATALOGUE
) -> tuple[CatalogueEntry, ...]:
    """Entries that apply to tenants of ``kind``, in catalogue order.

    Requires ``kind`` in ``TENANT_KINDS``: a typo must not read as "nothing due".
    """
    if kind not in TENANT_KINDS:
        raise InvalidInputError(
            f"unknown tenant kind {kind!r}; allowed: {join_codes(TENANT_KINDS)}",
            field="kind",
        )
    return tuple(e for e in catalogue if kind in e.applies_to)


def find_entry(code: str, catalogue: Sequence[CatalogueEntry]) -> CatalogueEntry | None:
    """The entry with ``code`` in the effective catalogue, if any."""
    return next((e for e in catalogue if e.code == code), None)


def merge_catalogues(
    base: Sequence[CatalogueEntry], overlay: Sequence[CatalogueEntry]
) -> tuple[CatalogueEntry, ...]:
    """A county's catalogue laid over the defaults: same code replaces in place,
    new codes are appended in overlay order (a later duplicate in overlay wins)."""
    merged = {e.code: e for e in base}
    for entry in overlay:
        merged[entry.code] = entry
    return tuple(merged.values())
