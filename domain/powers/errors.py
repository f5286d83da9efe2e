"""Errors of the power list. Each slug has its Chinese words in
``domain/error_words.py``."""

from __future__ import annotations

from domain.errors import (
    ConflictError,
    ForbiddenError,
    GongkaiError,
    InvalidInputError,
    NotFoundError,
)


class PowerError(GongkaiError):
    """Root of power-list errors."""


class PowerListFormatError(PowerError, InvalidInputError):
    """A power-list CSV cannot be read. ``line`` is 1-based counting the header,
    ``column`` the Chinese column name ("" for the whole row) and ``reason`` says
    what is wrong in Chinese, so a clerk can fix the cell in the spreadsheet."""

    slug = "invalid-power-list"

    def __init__(self, reason: str, *, line: int, column: str = "") -> None:
        where = f"「{column}」列" if column else ""
        super().__init__(f"line {line}{where}: {reason}", field=column or None)
        self.line = line
        self.column = column
        self.where = where
        self.reason = reason


class InvalidPowerError(PowerError, InvalidInputError):
    """A power, a step of its process or a risk point breaks a rule."""

    slug = "invalid-power"


class UnknownPowerError(PowerError, InvalidInputError):
    """A case or a risk names a power the list in force does not hold."""

    slug = "unknown-power"


class UnknownFeeItemError(PowerError, InvalidInputError):
    """A power names a fee item (``fee_item``) its unit's fee standard (收费标准)
    does not hold, or the unit keeps no fee standard."""

    slug = "unknown-fee-item"


class PowerListNotFoundError(PowerError, NotFoundError):
    slug = "power-list-not-found"


class PowerNotFoundError(PowerError, NotFoundError):
    slug = "power-not-found"


class NoPendingVersionError(PowerError, ConflictError):
    """The review names a version that is not the one awaiting review."""

    slug = "no-pending-power-list"


class UnmitigatedRiskError(PowerError, ConflictError):
    """A version holds a high risk point without a prevention measure: it cannot
    take effect (the seed's rule: every 廉政风险点 has its 防范措施)."""

    slug = "unmitigated-high-risk"

    def __init__(self, detail: str, *, count: int) -> None:
        super().__init__(detail, field="risks")
        self.count = count


class SelfReviewError(PowerError, ForbiddenError):
    """清权确权 is a second pair of eyes: the drafter may not approve its own list."""

    slug = "self-review"
