"""Monthly rankings of a tenant's children (each with its subtree) from the case view,
with the supervisor's weights and minimum sample (a ``RankingScheme``)."""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.access import Principal, Role, require_read, require_role
from domain.assessment.ranking import (
    DEFAULT_MIN_SAMPLE,
    DEFAULT_WEIGHTS,
    RATES,
    RankingScheme,
    UnitRates,
    rank_units,
    scheme_id,
)
from domain.cases.stats import Rate
from services.core.base import GongkaiApplication, recorded

FIGURES = {
    "response": "reply_rate",
    "resolution": "on_time_rate",
    "satisfaction": "satisfaction_rate",
}


class Rankings(GongkaiApplication):
    """Keeps each supervisor's ranking weights."""

    def scheme(self, path: str) -> tuple[dict[str, float], int, int | None]:
        """Weights, minimum sample and version (None: the defaults)."""
        own = self._get(scheme_id(path), RankingScheme)
        if own is None:
            return dict(DEFAULT_WEIGHTS), DEFAULT_MIN_SAMPLE, None
        return dict(own.weights), own.min_sample, own.version

    def set_scheme(
        self,
        principal: Principal,
        path: str,
        weights: Mapping[str, float],
        min_sample: int,
    ) -> int:
        require_role(principal, path, Role.SUPERVISOR)
        self.tenant(path)
        own = self._get(scheme_id(path), RankingScheme)
        with recorded(self):
            if own is None:
                own = RankingScheme.define(path, weights, min_sample, principal.actor())
            else:
                own.change(weights, min_sample, principal.actor())
        return self._commit(own)


def month_bounds(month: str) -> tuple[date, date]:
    """``"2026-10"`` → (1 Oct, 31 Oct)."""
    year, number = (int(p) for p in month.split("-"))
    last = month_calendar.monthrange(year, number)[1]
    return date(year, number, 1), date(year, number, last)


def monthly_ranking(
    platform: Any,
    principal: Principal,
    path: str,
    month: str,
    as_of: str | None,
) -> dict[str, Any]:
    require_read(principal, path)
    app: Rankings = platform.rankings
    app.tenant(path)
    first, last = month_bounds(month)
    weights, min_sample, version = app.scheme(path)
    units = []
    names = {}
    for child in platform.directory.children(path):
        stats = platform.case_view.statistics(
            child["path"],
            include_descendants=True,
            date_from=first,
            date_to=last,
            as_of=as_of,
        )
        names[child["path"]] = child["name"]
        rates = {
            k: Rate(stats[f]["numerator"], stats[f]["denominator"])
            for k, f in FIGURES.items()
        }
        units.append(UnitRates(child["path"], stats["received"], rates))
    rows = rank_units(units, weights, min_sample)
    for row in rows:
        row["unit_name"] = names[row["unit"]]
    return {
        "tenant": path,
        "month": month,
        "weights": weights,
        "rate_labels": RATES,
        "min_sample": min_sample,
        "scheme_version": version,
        "as_of": as_of,
        "rows": rows,
    }
