"""Disclosure figures and the flag on points far from what the figures support."""

from __future__ import annotations

from domain.assessment.criteria import Criterion
from domain.assessment.metrics import DisclosedItem, disclosure_figures, flag_points


def test_disclosure_figures_name_the_items_behind_them() -> None:
    figures = disclosure_figures(
        [DisclosedItem("a", 0, 1), DisclosedItem("b", 4, 0), DisclosedItem("c", 2, 0)]
    )
    assert figures["disclosure_on_time"]["numerator"] == 1
    assert figures["disclosure_on_time"]["denominator"] == 3
    assert figures["mean_working_days_late"] == 3
    assert figures["late_items"] == ["disclosure:b", "disclosure:c"]
    assert figures["backdated_items"] == ["disclosure:a"]


def test_points_far_from_the_figures_are_flagged() -> None:
    criteria = (
        Criterion("time", "时限", 50, standards=("s5",)),
        Criterion("happy", "满意", 40, standards=("s7",)),
        Criterion("other", "其他", 10),
    )
    figures = {"disclosure_on_time": 0.5, "satisfaction": 0.9, "coverage": None}
    checks = flag_points(criteria, {"time": 50, "happy": 36, "other": 5}, figures)
    assert checks["time"]["flagged"]  # full points, half on time
    assert not checks["happy"]["flagged"]
    assert "other" not in checks
