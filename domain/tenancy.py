"""Tenants: counties, towns, villages and units, and the rules of how they nest."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import InvalidInputError, InvalidNestingError, InvalidTenantCodeError

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
PATH_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}(?:\.[a-z0-9][a-z0-9-]{1,39})*$"
"""A tenant path: tenant codes joined by dots, e.g. ``xinhe.tahe``."""
MAX_NAME_LENGTH = 100


class Level(StrEnum):
    """Administrative level of a tenant."""

    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"
    UNIT = "unit"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    Level.COUNTY: "县",
    Level.TOWN: "镇(乡)",
    Level.VILLAGE: "村",
    Level.UNIT: "单位",
}


class UnitKind(StrEnum):
    """What kind of unit a ``unit`` tenant is."""

    SCHOOL = "school"
    DEPARTMENT = "department"
    COMMUNITY = "community"
    STATION = "station"

    @property
    def label(self) -> str:
        return _UNIT_LABELS[self]


_UNIT_LABELS = {
    UnitKind.SCHOOL: "学校",
    UnitKind.DEPARTMENT: "科室",
    UnitKind.COMMUNITY: "社区",
    UnitKind.STATION: "站所",
}

# Which parent level each level may sit under; None means "a root".
ALLOWED_PARENTS: dict[Level, frozenset[Level | None]] = {
    Level.COUNTY: frozenset({None}),
    Level.TOWN: frozenset({Level.COUNTY}),
    Level.VILLAGE: frozenset({Level.TOWN}),
    Level.UNIT: frozenset({Level.COUNTY, Level.TOWN}),
}


LEVEL_SPELLINGS = tuple(
    dict.fromkeys(
        [level.value for level in Level]
        + [level.label for level in Level]
        + ["镇", "乡"]
    )
)
"""Every text ``parse_level`` takes."""


def parse_level(value: str) -> Level:
    """Accept a level code or its Chinese label."""
    text = value.strip()
    for level in Level:
        if text in (level.value, level.label) or (
            level is Level.TOWN and text in ("镇", "乡")
        ):
            return level
    allowed = ", ".join(level.value for level in Level)
    raise InvalidInputError(
        f"unknown level {value!r}; use one of {allowed}", field="level"
    )


UNIT_KIND_SPELLINGS = tuple([k.value for k in UnitKind] + [k.label for k in UnitKind])
"""Every text ``parse_unit_kind`` takes."""


def parse_unit_kind(value: str) -> UnitKind:
    """Accept a unit kind code or its Chinese label."""
    text = value.strip()
    for kind in UnitKind:
        if text in (kind.value, kind.label):
            return kind
    allowed = ", ".join(kind.value for kind in UnitKind)
    raise InvalidInputError(
        f"unknown unit kind {value!r}; use one of {allowed}", field="kind"
    )


def check_code(code: str) -> None:
    """Requires a code of 2–40 lower-case letters, digits and dashes."""
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidTenantCodeError(
            f"code {code!r} must match {CODE_PATTERN.pattern}", field="code"
        )


def check_name(name: str) -> str:
    """Return the trimmed name; requires 1–100 characters."""
    trimmed = name.strip()
    if not trimmed or len(trimmed) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            f"name must have 1 to {MAX_NAME_LENGTH} characters", field="name"
        )
    return trimmed


def check_nesting(level: Level, kind: UnitKind | None, parent: Level | None) -> None:
    """Requires county ⊃ town ⊃ village, units under a county or town, with a kind."""
    if parent not in ALLOWED_PARENTS[level]:
        where = "at the root" if parent is None else f"under a {parent.value}"
        allowed = sorted(p.value if p else "(root)" for p in ALLOWED_PARENTS[level])
        raise InvalidNestingError(
            f"a {level.value} cannot be registered {where}; "
            f"its parent must be: {', '.join(allowed)}",
            field="parent"
            if parent is not None or level is not Level.COUNTY
            else "level",
        )
    if level is Level.UNIT and kind is None:
        raise InvalidNestingError("a unit needs a kind", field="kind")
    if level is not Level.UNIT and kind is not None:
        raise InvalidNestingError(f"a {level.value} takes no kind", field="kind")


def child_path(parent: str | None, code: str) -> str:
    return code if parent is None else f"{parent}.{code}"


def is_within(path: str, ancestor: str) -> bool:
    """True when ``path`` is ``ancestor`` or lies below it."""
    return path == ancestor or path.startswith(ancestor + ".")


def parent_of(path: str) -> str | None:
    head, _, _ = path.rpartition(".")
    return head or None


def ancestors_of(path: str) -> list[str]:
    """Paths from the root down to the parent of ``path``."""
    parts = path.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


@lru_cache(maxsize=65_536)  # derived on every command; uuid5 hashes each time
def tenant_id(path: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:tenant:{path}")


class Tenant(GongkaiAggregate):
    """A government body or unit that records what it discloses and handles."""

    @staticmethod
    def create_id(path: str, **_: Any) -> UUID:
        return tenant_id(path)

    @classmethod
    def register(
        cls,
        *,
        code: str,
        name: str,
        level: Level,
        kind: UnitKind | None,
        parent: Tenant | None,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> Tenant:
        """Check the code, name and nesting, then create the tenant."""
        check_code(code)
        trimmed = check_name(name)
        check_nesting(level, kind, parent.level if parent else None)
        parent_path = parent.path if parent else None
        return cls(
            path=child_path(parent_path, code),
            code=code,
            name=trimmed,
            level=level.value,
            kind=kind.value if kind else None,
            parent=parent_path,
            tenant=child_path(parent_path, code),
            actor=actor,
            effective_at=effective_at,
        )

    @event("Registered")
    def __init__(
        self,
        path: str,
        code: str,
        name: str,
        level: str,
        kind: str | None,
        parent: str | None,
        tenant: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.path = path
        self.code = code
        self.name = name
        self._level = level
        self._kind = kind
        self.parent = parent
        self.tenant = tenant

    @property
    def level(self) -> Level:
        return Level(self._level)

    @property
    def kind(self) -> UnitKind | None:
        return UnitKind(self._kind) if self._kind else None

    @property
    def catalogue_kind(self) -> str:
        """The key the disclosure catalogue uses: the unit kind, else the level."""
        return self._kind or self._level

    @property
    def county(self) -> str:
        """Path of the county at the root of this tenant's tree."""
        return self.path.split(".", 1)[0]

    def rename(
        self, name: str, *, actor: dict[str, str], effective_at: datetime
    ) -> None:
        """Give the tenant a new display name; the code and path never change."""
        trimmed = check_name(name)
        if trimmed == self.name:
            return
        self._renamed(
            name=trimmed,
            previous=self.name,
            tenant=self.path,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Renamed")
    def _renamed(
        self,
        name: str,
        previous: str,
        tenant: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.name = name
