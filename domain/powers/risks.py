"""廉政风险点 and 防范措施: a risk of abuse attached to a power or to one step of its
process, its level, and the measures (制度, 技术, 监督) that prevent it, each with
the post responsible. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.powers.errors import InvalidPowerError
from domain.powers.process import clean_text
from domain.powers.vocabulary import MeasureKind, RiskLevel

RISK_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_MEASURES = 10


@dataclass(frozen=True)
class Measure:
    """A prevention measure: its kind, what is done, and the post that does it."""

    kind: MeasureKind
    text: str
    post: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "text": self.text, "post": self.post}


@dataclass(frozen=True)
class RiskPoint:
    """A 廉政风险点 on power ``power`` (its code), at step ``step`` or at the power
    as a whole (None)."""

    code: str
    power: str
    step: str | None
    description: str
    level: RiskLevel
    measures: tuple[Measure, ...] = ()

    @property
    def unmitigated_high(self) -> bool:
        """A high risk without a measure: a version holding one cannot take effect."""
        return self.level is RiskLevel.HIGH and not self.measures

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "power": self.power,
            "step": self.step,
            "description": self.description,
            "level": self.level.value,
            "measures": [m.to_dict() for m in self.measures],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], field: str = "risk") -> RiskPoint:
        """A risk point from JSON (codes or Chinese labels), checked alone; the
        list checks that its power and step exist."""
        if not isinstance(data, Mapping):
            raise InvalidPowerError(f"{field} must be an object", field=field)
        code = clean_text(data.get("code"), f"{field}.code", limit=40)
        if not RISK_CODE.fullmatch(code):
            raise InvalidPowerError(
                f"risk code {code!r} must be letters, digits, '.', '-' or '_'",
                field=f"{field}.code",
            )
        level = RiskLevel.parse(str(data.get("level", "")))
        if level is None:
            raise InvalidPowerError(
                f"{field}.level must be one of {RiskLevel.allowed()}",
                field=f"{field}.level",
            )
        raw = data.get("measures", [])
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            raise InvalidPowerError(
                f"{field}.measures must be a list", field=f"{field}.measures"
            )
        if len(raw) > MAX_MEASURES:
            raise InvalidPowerError(
                f"{field} has more than {MAX_MEASURES} measures",
                field=f"{field}.measures",
            )
        step = data.get("step")
        return cls(
            code=code,
            power=clean_text(data.get("power"), f"{field}.power", limit=40),
            step=None if step in (None, "") else clean_text(step, f"{field}.step"),
            description=clean_text(
                data.get("description"), f"{field}.description", limit=500
            ),
            level=level,
            measures=tuple(
                _measure(m, f"{field}.measures[{i}]") for i, m in enumerate(raw)
            ),
        )


def _measure(data: object, field: str) -> Measure:
    if not isinstance(data, Mapping):
        raise InvalidPowerError(f"{field} must be an object", field=field)
    kind = MeasureKind.parse(str(data.get("kind", "")))
    if kind is None:
        raise InvalidPowerError(
            f"{field}.kind must be one of {MeasureKind.allowed()}",
            field=f"{field}.kind",
        )
    return Measure(
        kind=kind,
        text=clean_text(data.get("text"), f"{field}.text", limit=500),
        post=clean_text(data.get("post"), f"{field}.post"),
    )
