"""Case figures as reports quote them (答复率, 满意率 …), each with its counts and a CI.

Every rate is a ``Rate``: numerator, denominator, point value and the 95 % Wilson score
interval, so that a unit with two cases is not ranked above one with two hundred.

Definitions (all over the cases passed in, e.g. those received in a period):

- ``acceptance_rate`` = accepted ÷ decided (accepted + rejected); undecided cases (still
  waiting for materials) are in neither.
- ``on_time_rate`` = resolved on or before the due date ÷ resolved with a due date. Open
  cases past due are not in it: the case board shows them.
- ``reply_rate`` (答复率) = replied ÷ received. "答复率100%" claims that every case
  received got an answer, so the denominator is every case, not only resolved ones: a
  unit cannot raise it by leaving unanswered cases unresolved. A rejection notice that
  tells the applicant where to go instead counts as a reply when it is recorded as one.
- ``feedback_rate`` (件件有反馈) = signed resolved cases with a rating ÷ signed resolved
  cases. Anonymous complainants cannot be asked.
- ``satisfaction_rate`` (满意率) = satisfied ÷ rated; 基本满意 counts as satisfied iff
  the tenant's rule says so (``basically_counts_as_satisfied``).
- Working days to resolve: arithmetic mean and the nearest-rank 90th percentile.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from domain.errors import InvalidInputError

Z_95 = 1.96


class Rating(StrEnum):
    """An applicant's verdict on how the case was handled."""

    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意


_RATINGS = frozenset(r.value for r in Rating)


@dataclass(frozen=True)
class Rate:
    """A share of cases. Requires 0 <= numerator <= denominator."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if not 0 <= self.numerator <= self.denominator:
            raise InvalidInputError(
                f"a rate needs 0 <= numerator <= denominator, "
                f"not {self.numerator}/{self.denominator}",
                field="rate",
            )

    @property
    def value(self) -> float | None:
        """The point estimate, or None when there is nothing to divide by."""
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator

    def wilson(self, z: float = Z_95) -> tuple[float, float] | None:
        """The Wilson score interval (95 % for z = 1.96); None when denominator is 0.

        centre = (p + z²/2n) / (1 + z²/n),
        half   = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²).
        """
        if z <= 0:
            raise InvalidInputError(f"z must be positive, not {z}", field="z")
        n = self.denominator
        if n == 0:
            return None
        p = self.numerator / n
        z2 = z * z
        scale = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / scale
        half = z / scale * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
        # At p = 0 and p = 1 the bound is exactly 0 or 1; do not let rounding move it.
        low = 0.0 if self.numerator == 0 else max(0.0, centre - half)
        high = 1.0 if self.numerator == n else min(1.0, centre + half)
        return low, high

    def to_dict(self) -> dict[str, object]:
        interval = self.wilson()
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ci95": None if interval is None else [interval[0], interval[1]],
        }


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile (0 <= p <= 100); None when empty.

    The smallest value such that at least p % of the values are at or below it, i.e.
    the value of rank ⌈p·n/100⌉ (at least 1) in ascending order. It is always a value
    that occurred, so "p90 = 12" reads "nine cases in ten took 12 working days or less".
    """
    if not 0 <= p <= 100 or math.isnan(p):
        raise InvalidInputError(f"a percentile lies in 0–100, not {p}", field="p")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(Fraction(p) * len(ordered) / 100))
    return float(ordered[rank - 1])


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; None when empty."""
    if not values:
        return None
    return math.fsum(values) / len(values)


@dataclass(frozen=True)
class CaseFacts:
    """The few facts of one case that the statistics need.

    ``accepted`` is True (受理), False (不予受理, then ``rejected`` is True) or None
    (not decided yet); ``replied`` means the applicant was told the outcome.
    """

    kind: str
    channel: str
    signed: bool
    received_on: date
    accepted: bool | None = None
    rejected: bool = False
    resolved_on: date | None = None
    due_on: date | None = None
    replied: bool = False
    rating: str | None = None
    working_days_to_resolve: int | None = None

    def __post_init__(self) -> None:
        if self.rejected != (self.accepted is False):
            raise InvalidInputError(
                "rejected must be True exactly when accepted is False",
                field="case.rejected",
            )
        if self.resolved_on is not None and self.resolved_on < self.received_on:
            raise InvalidInputError(
                "a case cannot be resolved before it was received",
                field="case.resolved_on",
            )
        if self.rating is not None and self.rating not in _RATINGS:
            raise InvalidInputError(
                f"unknown rating {self.rating!r}", field="case.rating"
            )
        days = self.working_days_to_resolve
        if days is not None and (days < 0 or self.resolved_on is None):
            raise InvalidInputError(
                "working days to resolve must be >= 0 and only for a resolved case",
                field="case.working_days_to_resolve",
            )


@dataclass(frozen=True)
class CaseStatistics:
    """The figures of a set of cases; see the module docstring for each definition."""

    received: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    acceptance_rate: Rate
    on_time_rate: Rate
    reply_rate: Rate
    feedback_rate: Rate
    satisfaction_rate: Rate
    mean_working_days_to_resolve: float | None
    p90_working_days_to_resolve: float | None
    basically_counts_as_satisfied: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: rates as fractions 0–1 with numerator, denominator and ci95."""
        return {
            "received": self.received,
            "by_kind": dict(self.by_kind),
            "by_channel": dict(self.by_channel),
            "acceptance_rate": self.acceptance_rate.to_dict(),
            "on_time_rate": self.on_time_rate.to_dict(),
            "reply_rate": self.reply_rate.to_dict(),
            "feedback_rate": self.feedback_rate.to_dict(),
            "satisfaction_rate": self.satisfaction_rate.to_dict(),
            "mean_working_days_to_resolve": self.mean_working_days_to_resolve,
            "p90_working_days_to_resolve": self.p90_working_days_to_resolve,
            "basically_counts_as_satisfied": self.basically_counts_as_satisfied,
        }


def _on_time(case: CaseFacts) -> bool:
    return (
        case.resolved_on is not None
        and case.due_on is not None
        and case.resolved_on <= case.due_on
    )


def _count(codes: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(codes).items()))


def case_statistics(
    cases: Sequence[CaseFacts], *, basically_counts_as_satisfied: bool = True
) -> CaseStatistics:
    """The figures of ``cases``; 基本满意 counts as satisfied iff the rule says so."""
    decided = [c for c in cases if c.accepted is not None]
    resolved = [c for c in cases if c.resolved_on is not None]
    with_due = [c for c in resolved if c.due_on is not None]
    signed_resolved = [c for c in resolved if c.signed]
    rated = [c for c in cases if c.rating is not None]
    happy = {Rating.SATISFIED.value}
    if basically_counts_as_satisfied:
        happy.add(Rating.BASICALLY_SATISFIED.value)
    days = [
        c.working_days_to_resolve
        for c in cases
        if c.working_days_to_resolve is not None
    ]
    return CaseStatistics(
        received=len(cases),
        by_kind=_count(c.kind for c in cases),
        by_channel=_count(c.channel for c in cases),
        acceptance_rate=Rate(sum(1 for c in decided if c.accepted), len(decided)),
        on_time_rate=Rate(
            sum(1 for c in with_due if _on_time(c)),
            len(with_due),
        ),
        reply_rate=Rate(sum(1 for c in cases if c.replied), len(cases)),
        feedback_rate=Rate(
            sum(1 for c in signed_resolved if c.rating is not None),
            len(signed_resolved),
        ),
        satisfaction_rate=Rate(sum(1 for c in rated if c.rating in happy), len(rated)),
        mean_working_days_to_resolve=mean(days),
        p90_working_days_to_resolve=percentile(days, 90),
        basically_counts_as_satisfied=basically_counts_as_satisfied,
    )
