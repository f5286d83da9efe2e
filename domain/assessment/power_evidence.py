"""The power list (权责清单) as objective evidence for the item on 行政权力公开.

第十条 (二) "机构设置、工作职责和管理权限的公开" is where the template asks whether a
unit has published its powers; a campaign's own item may say 行政权力 instead. A
reviewer of such an item sees, per unit and as known at the period's end: whether a
list was in force (the board publishes the version in force, so in force is
published), its powers, risk points by level and measures, powers with no risk
assessed, high risks without a measure (must be none), and, for cases received in
the period that name one of its powers, how many were handled, the on-time share and
the complaints. The figures are shown beside the points, never turned into points.

On time: completed by the period's end on or before the due date (the power's
promised limit shortens it). Late: completed after it, or still open past it at the
period's end. Still open and not yet due, or not accepted (不予受理): neither, so
outside the share's denominator. Complaints naming a power are counted apart, not
as cases handled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.assessment.criteria import Criterion
from domain.cases.stats import Rate
from domain.powers.listing import PowerListing, coverage
from domain.powers.vocabulary import RiskLevel

POWER_ITEM_WORDS = ("行政权力", "管理权限")
"""An item whose title holds one of these takes the power list as its evidence."""

COMPLAINT = "complaint"
LEVELS = tuple(level.value for level in RiskLevel)


def power_items(criteria: Iterable[Criterion]) -> list[str]:
    """Codes of the items the power list is evidence for (c02 in the template)."""
    return [c.code for c in criteria if any(w in c.title for w in POWER_ITEM_WORDS)]


@dataclass(frozen=True)
class PowerCase:
    """A case naming a power, as the case view knew it: dates as ISO days."""

    id: str
    power: str
    kind: str
    received_on: date
    due_on: date | None
    completed_on: date | None
    rejected: bool = False


@dataclass(frozen=True)
class ListInForce:
    """The version of the list in force at the period's end and when it took effect."""

    version: int
    approved_on: date
    listing: PowerListing


def _outcome(case: PowerCase, period_to: date) -> str:
    """on_time, late, open or rejected (不予受理: handled, but owed no result), as
    at the end of ``period_to``."""
    if case.rejected:
        return "rejected"
    done = (
        case.completed_on
        if case.completed_on and case.completed_on <= period_to
        else None
    )
    if done is not None:
        return "late" if case.due_on is not None and done > case.due_on else "on_time"
    if case.due_on is not None and period_to > case.due_on:
        return "late"
    return "open"


def case_evidence(
    cases: Sequence[PowerCase],
    powers: dict[str, str],
    period_from: date,
    period_to: date,
) -> dict[str, Any]:
    """Cases received in the period naming a power (``powers``: code → name): the
    totals, the on-time share, the late cases' refs, and one row per power named."""
    mine = [c for c in cases if period_from <= c.received_on <= period_to]
    handled = [c for c in mine if c.kind != COMPLAINT]
    outcome = {c.id: _outcome(c, period_to) for c in handled}
    late = [c for c in handled if outcome[c.id] == "late"]
    on_time = sum(1 for c in handled if outcome[c.id] == "on_time")
    rows = []
    for code in sorted({c.power for c in mine}):
        own = [c for c in handled if c.power == code]
        rows.append(
            {
                "code": code,
                "name": powers.get(code, code),
                "handled": len(own),
                "on_time": sum(1 for c in own if outcome[c.id] == "on_time"),
                "late": sum(1 for c in own if outcome[c.id] == "late"),
                "complaints": sum(
                    1 for c in mine if c.power == code and c.kind == COMPLAINT
                ),
            }
        )
    return {
        "cases_handled": len(handled),
        "cases_on_time": Rate(on_time, on_time + len(late)).to_dict(),
        "cases_open": sum(1 for c in handled if outcome[c.id] == "open"),
        "complaints": len(mine) - len(handled),
        "late_cases": [f"case:{c.id}" for c in late],
        "by_power": rows,
    }


def power_list_evidence(
    in_force: ListInForce | None,
    cases: Sequence[PowerCase],
    period_from: date,
    period_to: date,
) -> dict[str, Any]:
    """The evidence a reviewer sees for the 行政权力公开 item (see the module)."""
    figures = coverage(in_force.listing) if in_force else None
    names = {p.code: p.name for p in in_force.listing.powers} if in_force else {}
    unmitigated = list(figures.unmitigated_high) if figures else []
    return {
        "in_force": in_force is not None,
        "published": in_force is not None,
        "version": in_force.version if in_force else None,
        "approved_on": in_force.approved_on.isoformat() if in_force else None,
        "powers": figures.in_force if figures else 0,
        "with_process": figures.with_process if figures else 0,
        "risks": dict(figures.risks) if figures else dict.fromkeys(LEVELS, 0),
        "risk_total": figures.risk_total if figures else 0,
        "measures": figures.measures if figures else 0,
        "measures_per_risk": figures.measures_per_risk if figures else 0.0,
        "unassessed": list(figures.unassessed) if figures else [],
        "unmitigated_high": unmitigated,
        "unmitigated_high_ok": not unmitigated,
        **case_evidence(cases, names, period_from, period_to),
    }
