"""Monthly rankings in the style of 12345 接诉即办: a weighted composite of rates.

Each unit's rates (响应率 = reply rate, 解决率 = on-time resolution rate, 满意率 =
satisfaction rate, all from ``domain.cases.stats``) are combined with the supervisor's
weights (data, default 30/35/35). A unit that received fewer cases than the minimum
sample is listed as 样本不足, not ranked. The composite's interval combines the rates'
95 % Wilson intervals with the same weights. Units are taken best first; a unit whose
interval overlaps the interval of the first unit of the current tie group joins that
group and shares its rank, otherwise it starts a new group (standard competition
ranking: 1, 1, 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.cases.stats import Rate
from domain.errors import InconsistentInputError, InvalidInputError

RATES: dict[str, str] = {
    "response": "响应率",
    "resolution": "解决率",
    "satisfaction": "满意率",
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "response": 30,
    "resolution": 35,
    "satisfaction": 35,
}
DEFAULT_MIN_SAMPLE = 5
INSUFFICIENT = "样本不足"


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Requires known rate names, weights >= 0 and a positive total."""
    unknown = sorted(set(weights) - RATES.keys())
    if unknown:
        raise InvalidInputError(
            f"unknown rates {', '.join(unknown)}; use {', '.join(RATES)}",
            field="weights",
        )
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise InconsistentInputError(
            "weights must be >= 0 with a positive total", field="weights"
        )
    return {k: float(weights.get(k, 0)) for k in RATES}


@dataclass(frozen=True)
class UnitRates:
    unit: str
    received: int
    rates: Mapping[str, Rate]


def rank_units(
    units: Sequence[UnitRates], weights: Mapping[str, float], min_sample: int
) -> list[dict[str, Any]]:
    """Rows best first, then the 样本不足 ones (rank None)."""
    w = check_weights(weights)
    total = sum(w.values())
    scored: list[dict[str, Any]] = []
    short: list[dict[str, Any]] = []
    for u in units:
        row: dict[str, Any] = {
            "unit": u.unit,
            "received": u.received,
            "rates": {k: u.rates[k].to_dict() for k in RATES},
            "composite": None,
            "interval": None,
            "rank": None,
            "tied": False,
            "status": "ranked",
        }
        used = {k: v for k, v in w.items() if v > 0}
        if u.received < min_sample or any(u.rates[k].denominator == 0 for k in used):
            row["status"] = INSUFFICIENT
            short.append(row)
            continue
        composite = sum(v * (u.rates[k].value or 0.0) for k, v in used.items())
        bounds = [u.rates[k].wilson() or (0.0, 1.0) for k in used]
        low = sum(v * b[0] for v, b in zip(used.values(), bounds, strict=True))
        high = sum(v * b[1] for v, b in zip(used.values(), bounds, strict=True))
        row["composite"] = round(composite / total, 6)
        row["interval"] = [round(low / total, 6), round(high / total, 6)]
        scored.append(row)
    scored.sort(key=lambda r: (-r["composite"], r["unit"]))
    leader: dict[str, Any] | None = None
    for i, row in enumerate(scored):
        if leader is not None and row["interval"][1] >= leader["interval"][0]:
            row["rank"] = leader["rank"]
            row["tied"] = leader["tied"] = True
        else:
            row["rank"] = i + 1
            leader = row
    return scored + sorted(short, key=lambda r: r["unit"])


def scheme_id(tenant: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:ranking-scheme:{tenant}")


class RankingScheme(GongkaiAggregate):
    """A supervisor's weights and minimum sample for its monthly rankings."""

    @staticmethod
    def create_id(tenant: str, **_: Any) -> UUID:
        return scheme_id(tenant)

    @classmethod
    def define(
        cls,
        tenant: str,
        weights: Mapping[str, float],
        min_sample: int,
        actor: dict[str, str],
    ) -> RankingScheme:
        return cls(
            tenant=tenant,
            weights=check_weights(weights),
            min_sample=_check_sample(min_sample),
            actor=actor,
        )

    @event("Defined")
    def __init__(
        self,
        tenant: str,
        weights: dict[str, float],
        min_sample: int,
        actor: dict[str, str],
    ) -> None:
        self.tenant, self.weights, self.min_sample = tenant, weights, min_sample

    def change(
        self, weights: Mapping[str, float], min_sample: int, actor: dict[str, str]
    ) -> None:
        self._changed(
            tenant=self.tenant,
            weights=check_weights(weights),
            min_sample=_check_sample(min_sample),
            actor=actor,
        )

    @event("Changed")
    def _changed(
        self,
        tenant: str,
        weights: dict[str, float],
        min_sample: int,
        actor: dict[str, str],
    ) -> None:
        self.weights, self.min_sample = weights, min_sample


def _check_sample(min_sample: int) -> int:
    if not 1 <= min_sample <= 100_000:
        raise InvalidInputError("min_sample must be 1 to 100000", field="min_sample")
    return min_sample
