"""One version of a unit's power list: its powers and their risk points, checked
together, and the figures the county reads from it (清权确权 coverage). Pure."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.powers.errors import (
    InvalidPowerError,
    UnknownFeeItemError,
    UnknownPowerError,
)
from domain.powers.power import Power
from domain.powers.risks import RiskPoint
from domain.powers.vocabulary import MeasureKind, RiskLevel

MAX_POWERS = 2000
MAX_RISKS = 5000


@dataclass(frozen=True)
class PowerListing:
    """Powers (distinct codes) and risk points (distinct codes, each on a listed
    power and, when it names one, on a step of that power's process)."""

    powers: tuple[Power, ...]
    risks: tuple[RiskPoint, ...] = ()

    def __post_init__(self) -> None:
        if len(self.powers) > MAX_POWERS or len(self.risks) > MAX_RISKS:
            raise InvalidPowerError(
                f"a list holds at most {MAX_POWERS} powers and {MAX_RISKS} risks",
                field="powers",
            )
        by_code: dict[str, Power] = {}
        for i, power in enumerate(self.powers):
            if power.code in by_code:
                raise InvalidPowerError(
                    f"power code {power.code!r} appears twice",
                    field=f"powers[{i}].code",
                )
            by_code[power.code] = power
        seen: set[str] = set()
        for i, risk in enumerate(self.risks):
            where = f"risks[{i}]"
            if risk.code in seen:
                raise InvalidPowerError(
                    f"risk code {risk.code!r} appears twice", field=f"{where}.code"
                )
            seen.add(risk.code)
            owner = by_code.get(risk.power)
            if owner is None:
                raise UnknownPowerError(
                    f"risk {risk.code} names power {risk.power!r}, not in the list",
                    field=f"{where}.power",
                )
            if risk.step is not None and risk.step not in owner.step_names():
                raise InvalidPowerError(
                    f"risk {risk.code} names step {risk.step!r}, which is no step"
                    f" of {owner.code}",
                    field=f"{where}.step",
                )

    def power(self, code: str) -> Power | None:
        return next((p for p in self.powers if p.code == code), None)

    def require_fee_items(self, known: Collection[str]) -> None:
        """Requires every power's ``fee_item`` to be an item code of the unit's fee
        standard (``known``: the codes of its latest version, empty without one),
        so that the list never points at a fee the unit has not published."""
        for i, power in enumerate(self.powers):
            if power.fee_item is not None and power.fee_item not in known:
                have = "、".join(sorted(known)) or "none: no fee standard published"
                raise UnknownFeeItemError(
                    f"{power.code}: fee item {power.fee_item!r} is not in the fee "
                    f"standard (items: {have})",
                    field=f"powers[{i}].fee_item",
                )

    def risks_of(self, code: str) -> tuple[RiskPoint, ...]:
        return tuple(r for r in self.risks if r.power == code)

    def unmitigated_high(self) -> tuple[RiskPoint, ...]:
        return tuple(r for r in self.risks if r.unmitigated_high)

    def to_dict(self) -> dict[str, Any]:
        return {
            "powers": [p.to_dict() for p in self.powers],
            "risks": [r.to_dict() for r in self.risks],
        }

    @classmethod
    def from_dicts(
        cls, powers: Sequence[Mapping[str, Any]], risks: Sequence[Mapping[str, Any]]
    ) -> PowerListing:
        return cls(
            tuple(Power.from_dict(p, f"powers[{i}]") for i, p in enumerate(powers)),
            tuple(RiskPoint.from_dict(r, f"risks[{i}]") for i, r in enumerate(risks)),
        )

    def with_risks_of(self, other: PowerListing) -> PowerListing:
        """These powers with ``other``'s processes and risk points carried over by
        code (a CSV holds the catalogue only): a power keeps its process when it
        has none here, and a risk is kept while its power and step still exist."""
        carried = []
        for power in self.powers:
            before = other.power(power.code)
            if not power.process and before is not None and before.process:
                power = Power(**{**vars(power), "process": before.process})
            carried.append(power)
        powers = {p.code: p for p in carried}
        risks = tuple(
            r
            for r in (self.risks or other.risks)
            if r.power in powers
            and (r.step is None or r.step in powers[r.power].step_names())
        )
        return PowerListing(tuple(carried), risks)


@dataclass(frozen=True)
class Coverage:
    """What the county reads of one version: counts by level, measures per risk,
    powers with no risk assessed, and high risks without a measure."""

    powers: int
    in_force: int
    with_process: int
    risks: Mapping[str, int]
    measures: int
    measures_by_kind: Mapping[str, int]
    unassessed: tuple[str, ...]
    unmitigated_high: tuple[str, ...]

    @property
    def risk_total(self) -> int:
        return sum(self.risks.values())

    @property
    def measures_per_risk(self) -> float:
        return round(self.measures / self.risk_total, 2) if self.risk_total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "powers": self.powers,
            "in_force": self.in_force,
            "with_process": self.with_process,
            "risks": dict(self.risks),
            "risk_total": self.risk_total,
            "measures": self.measures,
            "measures_by_kind": dict(self.measures_by_kind),
            "measures_per_risk": self.measures_per_risk,
            "unassessed": list(self.unassessed),
            "unmitigated_high": list(self.unmitigated_high),
        }


def coverage(listing: PowerListing) -> Coverage:
    """The figures of ``listing``; abolished powers count in ``powers`` only."""
    live = [p for p in listing.powers if p.in_force]
    assessed = {r.power for r in listing.risks}
    return Coverage(
        powers=len(listing.powers),
        in_force=len(live),
        with_process=sum(1 for p in live if p.process),
        risks={
            level.value: sum(1 for r in listing.risks if r.level is level)
            for level in RiskLevel
        },
        measures=sum(len(r.measures) for r in listing.risks),
        measures_by_kind={
            kind.value: sum(
                1 for r in listing.risks for m in r.measures if m.kind is kind
            )
            for kind in MeasureKind
        },
        unassessed=tuple(p.code for p in live if p.code not in assessed),
        unmitigated_high=tuple(r.code for r in listing.unmitigated_high()),
    )
