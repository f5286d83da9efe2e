"""A catalogue entry (公开目录的一项) and its vocabularies: channels, periods,
audiences, modes, levels and the tenant kinds an entry applies to, with their Chinese
labels. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from domain.errors import (
    InvalidInputError,
    UnknownChannelError,
    join_codes,
)
from domain.reporting.annual import PROACTIVE_ITEMS

EnumT = TypeVar("EnumT", bound=StrEnum)


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
        return PERIOD_LABELS[self]

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
        return AUDIENCE_LABELS[self]


class DisclosureMode(StrEnum):
    """公开方式: published unasked, or only answered on request."""

    PROACTIVE = "proactive"
    ON_REQUEST = "on_request"

    @property
    def label(self) -> str:
        """Chinese name used in the national catalogue."""
        return MODE_LABELS[self]


class PublicLevel(StrEnum):
    """公开层级: the government level that compiles and discloses the information."""

    COUNTY = "county"
    TOWN = "town"

    @property
    def label(self) -> str:
        """Chinese name used in the national catalogue."""
        return LEVEL_LABELS[self]


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
PERIOD_LABELS: Mapping[Period, str] = MappingProxyType(
    {
        Period.ON_CHANGE: "随时",
        Period.MONTHLY: "按月",
        Period.QUARTERLY: "按季度",
        Period.HALF_YEARLY: "按半年",
        Period.YEARLY: "按年",
    }
)
PERIOD_ALIASES: Mapping[str, Period] = MappingProxyType(
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
AUDIENCE_LABELS: Mapping[Audience, str] = MappingProxyType(
    {Audience.PUBLIC: "全社会", Audience.SPECIFIC: "特定群众"}
)
MODE_LABELS: Mapping[DisclosureMode, str] = MappingProxyType(
    {DisclosureMode.PROACTIVE: "主动", DisclosureMode.ON_REQUEST: "依申请"}
)
LEVEL_LABELS: Mapping[PublicLevel, str] = MappingProxyType(
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
KIND_ALIASES: Mapping[str, str] = MappingProxyType({"乡": "town", "乡镇": "town"})

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$")


def parse_member(
    labels: Mapping[EnumT, str], text: str, aliases: Mapping[str, EnumT] | None = None
) -> EnumT | None:
    """The member whose code or Chinese label is ``text``, else None."""
    key = text.strip()
    for member, label in labels.items():
        if key in (member.value, label):
            return member
    return None if aliases is None else aliases.get(key)


def allowed_values(labels: Mapping[EnumT, str]) -> str:
    return join_codes([f"{member.value}/{label}" for member, label in labels.items()])


CHANNEL_SPELLINGS = tuple(
    [c.value for c in _CHANNEL_LABELS] + list(_CHANNEL_LABELS.values())
)
"""Every text ``parse_channel`` takes."""


def parse_channel(text: str) -> Channel:
    """The channel named by ``text``: its code or its Chinese label."""
    found = parse_member(_CHANNEL_LABELS, text)
    if found is None:
        raise UnknownChannelError(
            f"unknown channel {text.strip()!r}; "
            f"allowed: {allowed_values(_CHANNEL_LABELS)}",
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


def _code(enum: type[EnumT], data: Mapping[str, object], key: str) -> EnumT:
    value = _text(data, key)
    try:
        return enum(value)
    except ValueError:
        allowed = join_codes([m.value for m in enum])
        raise InvalidInputError(
            f"{key} {value!r} is not one of {allowed}", field=key
        ) from None
