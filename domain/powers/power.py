"""One power of the list (一项职权): code, name, kind, legal basis, who is
responsible, the promised time limit, fees and state, with its process. Pure.

Fees are a free-text description (``fee``, e.g. 不收费 or 按…标准收取) and, where the
unit keeps a fee standard (收费标准), the code of its item (``fee_item``): the power
list does not own fee amounts, it points at them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from domain.powers.errors import InvalidPowerError
from domain.powers.process import Step, clean_text, parse_process, process_days
from domain.powers.vocabulary import Labelled, PowerKind, PowerState

POWER_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
FEE_ITEM_CODE = POWER_CODE
MAX_PROMISED_DAYS = 365
NO_FEE = "不收费"
L = TypeVar("L", bound=Labelled)


@dataclass(frozen=True)
class Power:
    """A power as listed. Requires a code like ``XK-001``, a promised limit of 1 to
    365 working days when given, and a process whose steps fit in that limit."""

    code: str
    name: str
    kind: PowerKind
    basis_law: str
    basis_article: str
    office: str
    post: str
    time_limit_days: int | None
    fee: str = NO_FEE
    fee_item: str | None = None
    state: PowerState = PowerState.IN_FORCE
    state_on: date | None = None
    process: tuple[Step, ...] = ()

    def __post_init__(self) -> None:
        if not POWER_CODE.fullmatch(self.code):
            raise InvalidPowerError(
                f"power code {self.code!r} must be 1-40 letters, digits, '.', '-'"
                " or '_', like XK-001",
                field="code",
            )
        if self.fee_item is not None and not FEE_ITEM_CODE.fullmatch(self.fee_item):
            raise InvalidPowerError(
                f"fee item {self.fee_item!r} of {self.code} is no item code",
                field="fee_item",
            )
        days = self.time_limit_days
        if days is not None and not 1 <= days <= MAX_PROMISED_DAYS:
            raise InvalidPowerError(
                f"time limit of {self.code} must be 1 to {MAX_PROMISED_DAYS}"
                " working days",
                field="time_limit_days",
            )
        if days is not None and process_days(self.process) > days:
            raise InvalidPowerError(
                f"the steps of {self.code} take {process_days(self.process)} working"
                f" days, more than its promised {days}",
                field="process",
            )
        if self.state is not PowerState.IN_FORCE and self.state_on is None:
            raise InvalidPowerError(
                f"{self.code} is {self.state.value}: give the date", field="state_on"
            )

    @property
    def in_force(self) -> bool:
        """Exercised today (in force or as amended), not abolished."""
        return self.state is not PowerState.ABOLISHED

    def step_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.process)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, enums as codes, for storing in an event."""
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind.value,
            "basis_law": self.basis_law,
            "basis_article": self.basis_article,
            "office": self.office,
            "post": self.post,
            "time_limit_days": self.time_limit_days,
            "fee": self.fee,
            "fee_item": self.fee_item,
            "state": self.state.value,
            "state_on": self.state_on.isoformat() if self.state_on else None,
            "process": [s.to_dict() for s in self.process],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], field: str = "power") -> Power:
        """A power from JSON (codes or Chinese labels for the enums), checked."""
        if not isinstance(data, Mapping):
            raise InvalidPowerError(f"{field} must be an object", field=field)
        days = data.get("time_limit_days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int)):
            raise InvalidPowerError(
                f"{field}.time_limit_days must be a number",
                field=f"{field}.time_limit_days",
            )
        fee_item = data.get("fee_item")
        state_on = data.get("state_on")
        return cls(
            code=clean_text(data.get("code"), f"{field}.code", limit=40),
            name=clean_text(data.get("name"), f"{field}.name"),
            kind=_member(PowerKind, data.get("kind"), f"{field}.kind"),
            basis_law=clean_text(data.get("basis_law"), f"{field}.basis_law"),
            basis_article=clean_text(
                data.get("basis_article"), f"{field}.basis_article", limit=200
            ),
            office=clean_text(data.get("office"), f"{field}.office"),
            post=clean_text(data.get("post"), f"{field}.post"),
            time_limit_days=days,
            fee=clean_text(data.get("fee") or NO_FEE, f"{field}.fee", limit=500),
            fee_item=None
            if fee_item in (None, "")
            else clean_text(fee_item, f"{field}.fee_item", limit=40),
            state=_member(
                PowerState, data.get("state") or PowerState.IN_FORCE, f"{field}.state"
            ),
            state_on=None if state_on in (None, "") else _date(state_on, field),
            process=parse_process(data.get("process", []), f"{field}.process"),
        )


def _member(enum: type[L], value: object, field: str) -> L:
    found = enum.parse(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidPowerError(
            f"{field} {value!r} is not allowed; use one of {enum.allowed()}",
            field=field,
        )
    return found


def _date(value: object, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidPowerError(
            f"{field}.state_on {value!r} is no date like 2026-03-01",
            field=f"{field}.state_on",
        ) from None
