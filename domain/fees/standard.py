"""The fee standard (收费标准): items, unit, rate and legal basis, published as
versioned data; a notice is computed from the version in force on its date.

Rates are kept as decimal text in the events (``"1.40"``), never as floats, so an
amount computed from them is exact to the 分.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import (
    ConflictError,
    InconsistentInputError,
    InvalidInputError,
    NotFoundError,
)

ITEM_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
MAX_TEXT = 200


class FeeStandardError(InvalidInputError):
    """A fee standard's item that cannot be published."""

    slug = "invalid-fee-standard"


class StandardOrderError(ConflictError):
    """A revision must take effect after the version it follows."""

    slug = "fee-standard-order"


class NoStandardInForceError(NotFoundError):
    slug = "no-fee-standard"


def standard_id(tenant: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:fee-standard:{tenant}")


def decimal_of(value: object, field: str, places: int = 4) -> Decimal:
    """A non-negative decimal with at most ``places`` decimals (text or int; never a
    float, whose binary value is not the written one)."""
    if isinstance(value, float | bool):
        raise InvalidInputError(f"{field}: give a decimal as text", field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInputError(
            f"{field}: {value!r} is no number", field=field
        ) from None
    if not number.is_finite() or number < 0:
        raise InvalidInputError(f"{field}: {value!r} must be ≥ 0", field=field)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise InvalidInputError(
            f"{field}: at most {places} decimal places", field=field
        )
    return number


def _text(row: Mapping[str, Any], key: str) -> str:
    value = str(row.get(key) or "").strip()
    if not value or len(value) > MAX_TEXT:
        raise FeeStandardError(f"item {key} must be 1 to {MAX_TEXT} characters")
    return value


def items_from(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Requires at least one item, each with a distinct code, a name, a unit, a rate
    and its legal basis (依据)."""
    if not rows:
        raise FeeStandardError("a fee standard needs at least one item")
    items: list[dict[str, str]] = []
    for row in rows:
        code = str(row.get("code") or "")
        if not ITEM_CODE.match(code):
            raise FeeStandardError(f"item code {code!r}: lowercase letters, digits, -")
        if any(i["code"] == code for i in items):
            raise InconsistentInputError(f"item {code} given twice", field="items")
        items.append(
            {
                "code": code,
                "name": _text(row, "name"),
                "unit": _text(row, "unit"),
                "rate": str(decimal_of(row.get("rate"), "rate")),
                "basis": _text(row, "basis"),
            }
        )
    return items


class FeeStandard(GongkaiAggregate):
    """A tenant's fee standard, every version kept (the board shows them all)."""

    @staticmethod
    def create_id(tenant: str, **_: Any) -> UUID:
        return standard_id(tenant)

    @classmethod
    def publish(
        cls,
        *,
        tenant: str,
        effective_from: date,
        items: Sequence[Mapping[str, Any]],
        actor: dict[str, str],
    ) -> FeeStandard:
        return cls(
            tenant=tenant,
            effective_from=effective_from,
            items=items_from(items),
            actor=actor,
        )

    @event("Published")
    def __init__(
        self,
        tenant: str,
        effective_from: date,
        items: list[dict[str, str]],
        actor: dict[str, str],
    ) -> None:
        self.tenant = tenant
        self.versions: list[dict[str, Any]] = []
        self._add(effective_from, items, actor)

    def _add(
        self, effective_from: date, items: list[dict[str, str]], actor: dict[str, str]
    ) -> None:
        self.versions.append(
            {
                "version": len(self.versions) + 1,
                "effective_from": effective_from,
                "items": items,
                "by": actor,
            }
        )

    def revise(
        self,
        *,
        effective_from: date,
        items: Sequence[Mapping[str, Any]],
        actor: dict[str, str],
    ) -> None:
        """A new version; requires it to take effect after the last one."""
        last = self.versions[-1]["effective_from"]
        if effective_from <= last:
            raise StandardOrderError(
                f"the version in force from {last} is the latest; a revision takes "
                f"effect after it, not on {effective_from}"
            )
        self._revised(
            tenant=self.tenant,
            effective_from=effective_from,
            items=items_from(items),
            actor=actor,
        )

    @event("Revised")
    def _revised(
        self,
        tenant: str,
        effective_from: date,
        items: list[dict[str, str]],
        actor: dict[str, str],
    ) -> None:
        self._add(effective_from, items, actor)

    def in_force(self, on: date) -> dict[str, Any]:
        """The version in force on ``on`` (the latest that took effect by then)."""
        found = [v for v in self.versions if v["effective_from"] <= on]
        if not found:
            raise NoStandardInForceError(
                f"no fee standard in force on {on} (the first takes effect "
                f"{self.versions[0]['effective_from']})",
                field="dated",
            )
        return found[-1]
