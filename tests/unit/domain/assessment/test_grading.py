"""Criteria template, grade boundaries, veto, notice window across 国庆 with 调休."""

from __future__ import annotations

from datetime import date

import pytest

from domain.assessment.criteria import (
    TEMPLATE,
    Criterion,
    check_criteria,
    criteria_from,
)
from domain.assessment.grading import (
    Grade,
    assess,
    grade,
    league_order,
    notice_ends_on,
    notice_over,
)
from domain.errors import CriteriaError
from domain.workdays import default_calendar


def test_the_template_has_fourteen_items_summing_to_100() -> None:
    assert len(TEMPLATE) == 14
    assert sum(c.points for c in check_criteria(TEMPLATE)) == 100


def test_criteria_not_summing_to_100_name_the_sum() -> None:
    rows = [{"code": "a", "points": 60}, {"code": "b", "points": 39.5}]
    with pytest.raises(CriteriaError, match=r"sum to 99\.5, not 100"):
        criteria_from(rows)


def test_duplicate_codes_and_non_positive_points_are_refused() -> None:
    with pytest.raises(CriteriaError, match="distinct"):
        criteria_from([{"code": "a", "points": 50}, {"code": "a", "points": 50}])
    with pytest.raises(CriteriaError, match="positive"):
        criteria_from([{"code": "a", "points": 100}, {"code": "b", "points": 0}])


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (100, Grade.EXCELLENT),
        (90, Grade.EXCELLENT),
        (89.5, Grade.GOOD),  # never rounded up
        (89, Grade.GOOD),
        (80, Grade.GOOD),
        (79, Grade.PASS),
        (60, Grade.PASS),
        (59.5, Grade.FAIL),
        (59, Grade.FAIL),
    ],
)
def test_grade_boundaries(score: float, expected: Grade) -> None:
    assert grade(score) is expected


def test_labels() -> None:
    assert [g.label for g in Grade] == ["优秀", "良好", "合格", "不合格"]


CRITERIA = (
    Criterion("org", "组织领导", 20, veto=True),
    Criterion("content", "公开内容", 80),
)


def test_a_failed_veto_item_fails_a_high_score() -> None:
    result = assess(CRITERIA, {"org": 11, "content": 80})  # 11 < 60 % of 20
    assert result.score == 91
    assert result.grade is Grade.FAIL
    assert result.vetoed_by == ("org",)
    assert result.failed_items == ("org",)


def test_a_passed_veto_item_does_not_veto() -> None:
    result = assess(CRITERIA, {"org": 12, "content": 78})
    assert (result.score, result.grade, result.vetoed_by) == (90, Grade.EXCELLENT, ())


def test_points_outside_an_item_are_refused() -> None:
    with pytest.raises(CriteriaError, match="0 to 20"):
        assess(CRITERIA, {"org": 21, "content": 0})
    with pytest.raises(CriteriaError, match="no points for content"):
        assess(CRITERIA, {"org": 1})


def test_the_notice_runs_seven_working_days_across_national_day() -> None:
    # Fri 26 Sep 2025; Sun 28 Sep is 调休; 1–8 Oct off; Sat 11 Oct is 调休.
    ends = notice_ends_on(date(2025, 9, 26), default_calendar())
    assert ends == date(2025, 10, 13)
    assert not notice_over(ends, date(2025, 10, 13))
    assert notice_over(ends, date(2025, 10, 14))


def test_the_league_ranks_by_grade_then_score() -> None:
    """A vetoed 95 is 不合格: it ranks below every 合格 (issue #23 §5)."""
    rows = [
        {"target": "yqaerk", "score": 95.0, "grade": "fail"},
        {"target": "tmtglk", "score": 61.0, "grade": "pass"},
        {"target": "xinhe-zhen", "score": 92.9, "grade": "excellent"},
        {"target": "school-1", "score": 55.0, "grade": "fail"},
        {"target": "aiyi", "score": 82.0, "grade": "good"},
        {"target": "heping", "score": 82.0, "grade": "good"},
    ]
    ranked = league_order(rows)
    assert [(r["target"], r["rank"]) for r in ranked] == [
        ("xinhe-zhen", 1),
        ("aiyi", 2),
        ("heping", 2),  # same grade and score: one rank, the next is 4
        ("tmtglk", 4),
        ("yqaerk", 5),
        ("school-1", 6),
    ]
    assert all("rank" not in r for r in rows)  # the input is left as it was
