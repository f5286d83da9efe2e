"""Objective figures beside reviewers' points, and the flag for points far from them.

Disclosure figures over the items a target published in the period (as known at the
period's end): on-time share (no working day late), mean working days late over the
late items, back-dated share (``effective_at`` earlier than the recording). Catalogue
coverage is the share of required categories covered. Case figures are those of
``domain.cases.stats``. A reviewed item is checked against the figures its standards
speak to (s2 内容全面 → coverage, s5 时限 → on-time share, s7 群众满意 → satisfaction);
points whose share of the item differs from the figure by more than ``FLAG_GAP`` are
flagged for a second look, not changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.assessment.criteria import Criterion
from domain.cases.stats import Rate, mean

FLAG_GAP = 0.3
STANDARD_FIGURES = {"s2": "coverage", "s5": "disclosure_on_time", "s7": "satisfaction"}


@dataclass(frozen=True)
class DisclosedItem:
    id: str
    working_days_late: int
    backdated_working_days: int


def disclosure_figures(items: Sequence[DisclosedItem]) -> dict[str, Any]:
    """On-time share, mean working days late (of the late ones), back-dated share,
    each with the ids behind it."""
    late = [i for i in items if i.working_days_late > 0]
    backdated = [i for i in items if i.backdated_working_days > 0]
    return {
        "disclosure_on_time": Rate(len(items) - len(late), len(items)).to_dict(),
        "mean_working_days_late": mean([float(i.working_days_late) for i in late]),
        "backdated": Rate(len(backdated), len(items)).to_dict(),
        "late_items": [f"disclosure:{i.id}" for i in late],
        "backdated_items": [f"disclosure:{i.id}" for i in backdated],
        "items": [f"disclosure:{i.id}" for i in items],
    }


def flag_points(
    criteria: Sequence[Criterion],
    points: Mapping[str, float],
    figures: Mapping[str, float | None],
) -> dict[str, dict[str, Any]]:
    """Per item with a figure: the figure the standards point to (their mean), the
    reviewed share of the item's points, and whether they are over FLAG_GAP apart."""
    out: dict[str, dict[str, Any]] = {}
    for c in criteria:
        names = sorted(
            {STANDARD_FIGURES[s] for s in c.standards if s in STANDARD_FIGURES}
        )
        values = [v for n in names if (v := figures.get(n)) is not None]
        if not values or c.code not in points:
            continue
        expected = sum(values) / len(values)
        share = points[c.code] / c.points
        out[c.code] = {
            "figures": names,
            "expected_share": round(expected, 4),
            "reviewed_share": round(share, 4),
            "flagged": abs(share - expected) > FLAG_GAP,
        }
    return out
