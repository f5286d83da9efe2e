"""Grades (第十二条), scoring a set of item points, the veto, the league order and
the notice window.

Fractional scores are never rounded: 89.5 is below 90, so it is 良好; 59.5 is 不合格.
``grade`` is the one place that turns a score into a grade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from domain.assessment.criteria import Criterion
from domain.errors import CriteriaError
from domain.workdays import WorkingDayCalendar

NOTICE_WORKING_DAYS = 7  # 第十五条（四）: 公示7个工作日


class Grade(StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"  # noqa: S105 (a grade, not a secret)
    FAIL = "fail"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Grade.EXCELLENT: "优秀",
    Grade.GOOD: "良好",
    Grade.PASS: "合格",
    Grade.FAIL: "不合格",
}


def grade(score: float, *, vetoed: bool = False) -> Grade:
    """优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格; no rounding; a veto fails."""
    if vetoed:
        return Grade.FAIL
    if score >= 90:
        return Grade.EXCELLENT
    if score >= 80:
        return Grade.GOOD
    if score >= 60:
        return Grade.PASS
    return Grade.FAIL


def check_points(
    criteria: Sequence[Criterion], points: Mapping[str, float]
) -> dict[str, float]:
    """Requires a 0..max value for every item and no unknown codes."""
    by_code = {c.code: c for c in criteria}
    unknown = sorted(set(points) - by_code.keys())
    if unknown:
        raise CriteriaError(f"unknown items {', '.join(unknown)}", field="items")
    missing = [c.code for c in criteria if c.code not in points]
    if missing:
        raise CriteriaError(f"no points for {', '.join(missing)}", field="items")
    for code, value in points.items():
        if not 0 <= value <= by_code[code].points:
            raise CriteriaError(
                f"{code} takes 0 to {by_code[code].points:g} points, not {value:g}",
                field="items",
            )
    return {c.code: float(points[c.code]) for c in criteria}


@dataclass(frozen=True)
class Result:
    """A target's score, grade, the vetoing items and the failed items."""

    score: float
    grade: Grade
    vetoed_by: tuple[str, ...]
    failed_items: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "grade": self.grade.value,
            "grade_label": self.grade.label,
            "vetoed_by": list(self.vetoed_by),
            "failed_items": list(self.failed_items),
        }


def assess(criteria: Sequence[Criterion], points: Mapping[str, float]) -> Result:
    """Score ``points`` (checked) against ``criteria``: sum, veto, grade."""
    checked = check_points(criteria, points)
    failed = tuple(c.code for c in criteria if c.fails(checked[c.code]))
    vetoed = tuple(c.code for c in criteria if c.veto and c.code in failed)
    score = round(sum(checked.values()), 6)  # float noise only; never to a grade
    return Result(score, grade(score, vetoed=bool(vetoed)), vetoed, failed)


def league_order(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Scored rows (each with ``grade`` and ``score``) best first, each with its
    ``rank``: by grade first, then by score, so a vetoed 95 (不合格) ranks below
    every 合格 unit; rows of the same grade and score share a rank (1, 2, 2, 4)."""
    place = {g.value: i for i, g in enumerate(Grade)}  # best first
    ordered = sorted(rows, key=lambda r: (place[r["grade"]], -r["score"]))
    out: list[dict[str, Any]] = []
    for i, row in enumerate(ordered):
        before = out[-1] if out else None
        same = before is not None and (before["grade"], before["score"]) == (
            row["grade"],
            row["score"],
        )
        out.append({**row, "rank": before["rank"] if before and same else i + 1})
    return out


def mean_points(reviews: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Item by item, the mean of several reviewers' points. Requires one review."""
    if not reviews:
        raise CriteriaError("no review yet", field="items")
    codes = reviews[0].keys()
    return {c: sum(r[c] for r in reviews) / len(reviews) for c in codes}


def notice_ends_on(
    published_on: date, calendar: WorkingDayCalendar, days: int = NOTICE_WORKING_DAYS
) -> date:
    """The last day of the public notice: the 7th working day after publication
    (the day of publication does not count; 调休 Saturdays do, holidays do not)."""
    return calendar.add_working_days(published_on, days)


def notice_over(ends_on: date, today: date) -> bool:
    """The notice period is over from the day after its last day."""
    return today > ends_on
