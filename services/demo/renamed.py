"""The demo under another county's name: the same simulated year, renamed.

A federation (docs/federation.md) runs several county installations on one machine,
each with the demo; they must not all be 新和县. Rather than a second copy of the
scenario with other names, the scenario runs unchanged against the platform seen
through ``renamed_platform``: every argument the demo passes to a service (paths,
Chinese names, staff numbers, the principals it acts as, the dataclasses it builds)
is renamed on the way in, so the store only ever holds the new names. The default
county (新和县, ``xinhe``) is not renamed at all: its demo stays byte for byte.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from enum import Enum
from typing import Any, cast

from domain.tenancy import CODE_PATTERN, MAX_NAME_LENGTH
from services.platform.runtime import Platform

DEMO_CODE, DEMO_NAME, DEMO_SHORT, DEMO_BADGE = "xinhe", "新和县", "新和", "XH"
SUFFIXES = ("自治县", "县", "市", "区", "旗")
BADGE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
# A staff number's prefix (``XH-0301``), not the same letters inside a word: an
# activation code the platform hands back (``K7XH-3MXP-…``) must pass unchanged.
STAFF_NUMBER = re.compile(rf"(?<![A-Za-z0-9]){DEMO_BADGE}-(?=\d)")


@dataclasses.dataclass(frozen=True)
class DemoCounty:
    """Which county the demo is: its tenant code, Chinese name and the prefix of
    its staff numbers (``XH-0001``)."""

    code: str = DEMO_CODE
    name: str = DEMO_NAME
    badge: str = DEMO_BADGE

    def __post_init__(self) -> None:
        if not CODE_PATTERN.fullmatch(self.code) or "." in self.code:
            raise ValueError(f"{self.code!r} is not a tenant code (a-z, 0-9, -)")
        if not 2 <= len(self.name) <= MAX_NAME_LENGTH:
            raise ValueError(f"{self.name!r} is not a county's name")
        if not BADGE_PATTERN.fullmatch(self.badge):
            raise ValueError(f"{self.badge!r} is not a staff-number prefix (A-Z, 0-9)")
        if self.is_default:
            return
        # Renaming twice must change nothing: the demo hands back to the platform
        # what the platform returned (already renamed), and it is renamed again.
        if DEMO_CODE in self.code or DEMO_SHORT in self.name:
            raise ValueError("the new name must not contain the demo's own")

    @classmethod
    def parse(cls, text: str) -> DemoCounty:
        """``code:名称[:BADGE]``, e.g. ``shaya:沙雅县`` or ``kuche:库车市:KC``; the
        badge defaults to the code's first two letters in capitals."""
        parts = text.split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"{text!r}: expected code:名称 or code:名称:BADGE")
        code, name = parts[0].strip(), parts[1].strip()
        badge = parts[2].strip() if len(parts) == 3 else code[:2].upper()
        return cls(code=code, name=name, badge=badge)

    @property
    def is_default(self) -> bool:
        return (self.code, self.name, self.badge) == (
            DEMO_CODE,
            DEMO_NAME,
            DEMO_BADGE,
        )

    @property
    def short(self) -> str:
        """The name without its 县/市/区: 新和镇 (the county town) becomes 沙雅镇."""
        for suffix in SUFFIXES:
            if self.name.endswith(suffix) and len(self.name) > len(suffix):
                return self.name[: -len(suffix)]
        return self.name

    def rename(self, text: str) -> str:
        """``text`` with the demo county's code, names and staff numbers replaced."""
        if self.is_default:
            return text
        renamed = (
            text.replace(DEMO_CODE, self.code)
            .replace(DEMO_NAME, self.name)
            .replace(DEMO_SHORT, self.short)
        )
        return STAFF_NUMBER.sub(f"{self.badge}-", renamed)


def renamed(value: Any, county: DemoCounty) -> Any:
    """``value`` with every text in it renamed: strings, and the tuples, lists,
    sets, dicts and dataclasses (principals, applicants, power listings) that
    hold them. Enums (roles, levels) and anything else pass as they are."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return county.rename(value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple
        return type(value)(*(renamed(v, county) for v in value))
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(renamed(v, county) for v in value)
    if isinstance(value, dict):
        return {renamed(k, county): renamed(v, county) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            before = getattr(value, f.name)
            after = renamed(before, county)
            if after is not before and after != before:
                changes[f.name] = after
        return dataclasses.replace(value, **changes) if changes else value
    return value


class _Renaming:
    """``target`` whose methods get their arguments renamed; its other attributes
    (an application, a setting) are handed out as they are."""

    def __init__(self, target: Any, county: DemoCounty) -> None:
        self._target = target
        self._county = county

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value) or isinstance(value, type):
            return value
        county = self._county

        @functools.wraps(value)
        def call(*args: Any, **kwargs: Any) -> Any:
            return value(*renamed(args, county), **renamed(kwargs, county))

        return call


class _RenamedPlatform:
    """The platform whose services (``platform.cases`` …) rename their arguments."""

    def __init__(self, platform: Platform, county: DemoCounty) -> None:
        self._platform = platform
        self._county = county

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._platform, name)
        if callable(value):
            return _Renaming(self._platform, self._county).__getattr__(name)
        return _Renaming(value, self._county)


def renamed_platform(platform: Platform, county: DemoCounty) -> Platform:
    """``platform`` as the demo sees it when it is ``county`` (itself for 新和县)."""
    if county.is_default:
        return platform
    return cast(Platform, _RenamedPlatform(platform, county))
