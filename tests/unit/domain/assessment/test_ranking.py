"""Composite of rates, 样本不足 below the minimum sample, ties."""

from __future__ import annotations

import pytest

from domain.assessment.ranking import (
    DEFAULT_WEIGHTS,
    INSUFFICIENT,
    UnitRates,
    rank_units,
)
from domain.cases.stats import Rate
from domain.errors import InvalidInputError


def unit(name: str, n: int, hits: int) -> UnitRates:
    r = Rate(hits, n)
    return UnitRates(name, n, {"response": r, "resolution": r, "satisfaction": r})


def test_small_units_are_listed_not_ranked() -> None:
    rows = rank_units([unit("a", 3, 3), unit("b", 50, 40)], DEFAULT_WEIGHTS, 5)
    assert [(r["unit"], r["rank"], r["status"]) for r in rows] == [
        ("b", 1, "ranked"),
        ("a", None, INSUFFICIENT),
    ]
    assert rows[0]["composite"] == pytest.approx(0.8)
    low, high = rows[0]["interval"]
    assert low < 0.8 < high


def test_overlapping_intervals_are_ties_and_separated_ones_are_not() -> None:
    rows = rank_units(
        [unit("a", 200, 190), unit("b", 200, 186), unit("c", 200, 100)],
        DEFAULT_WEIGHTS,
        5,
    )
    assert [(r["unit"], r["rank"], r["tied"]) for r in rows] == [
        ("a", 1, True),
        ("b", 1, True),
        ("c", 3, False),
    ]


def test_weights_are_data() -> None:
    good_reply = UnitRates(
        "a",
        100,
        {"response": Rate(100, 100), "resolution": Rate(0, 100),
         "satisfaction": Rate(0, 100)},
    )  # fmt: skip
    rows = rank_units([good_reply], {"response": 1}, 5)
    assert rows[0]["composite"] == 1.0
    with pytest.raises(InvalidInputError, match="unknown rates"):
        rank_units([good_reply], {"speed": 1}, 5)
