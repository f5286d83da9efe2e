"""Case figures: Wilson intervals, percentiles and the rates reports quote."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cases.stats import (
    CaseFacts,
    Rate,
    Rating,
    case_statistics,
    mean,
    percentile,
)
from domain.errors import InvalidInputError

DAY = date(2026, 3, 2)


def wilson_by_quadratic(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson bounds as the roots of (p̂ − p)² = z² p(1 − p)/n, solved directly."""
    p_hat = k / n
    a = 1 + z * z / n
    b = -(2 * p_hat + z * z / n)
    c = p_hat * p_hat
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def case(
    kind: str = "complaint",
    channel: str = "hotline",
    *,
    signed: bool = True,
    accepted: bool | None = True,
    resolved_after: int | None = None,
    due_after: int | None = None,
    replied: bool = False,
    rating: str | None = None,
    days: int | None = None,
) -> CaseFacts:
    return CaseFacts(
        kind=kind,
        channel=channel,
        signed=signed,
        received_on=DAY,
        accepted=accepted,
        rejected=accepted is False,
        resolved_on=None if resolved_after is None else DAY + timedelta(resolved_after),
        due_on=None if due_after is None else DAY + timedelta(due_after),
        replied=replied,
        rating=rating,
        working_days_to_resolve=days,
    )


# Rate and the Wilson interval --------------------------------------------------------


def test_an_empty_rate_has_no_value_and_no_interval() -> None:
    rate = Rate(0, 0)
    assert rate.value is None
    assert rate.wilson() is None
    assert rate.to_dict() == {
        "value": None,
        "numerator": 0,
        "denominator": 0,
        "ci95": None,
    }


def test_five_of_ten_has_the_textbook_interval() -> None:
    interval = Rate(5, 10).wilson()
    assert interval is not None
    assert interval == pytest.approx((0.2366, 0.7634), abs=5e-5)


def test_seventeen_of_seventeen_reaches_exactly_one() -> None:
    interval = Rate(17, 17).wilson()
    assert interval is not None
    low, high = interval
    assert round(low, 4) == 0.8157
    assert high == 1.0


def test_none_of_ten_starts_exactly_at_zero() -> None:
    interval = Rate(0, 10).wilson()
    assert interval is not None
    assert interval[0] == 0.0
    assert round(interval[1], 4) == 0.2775


def test_the_interval_matches_the_quadratic_form() -> None:
    interval = Rate(170, 200).wilson()
    assert interval is not None
    expected = wilson_by_quadratic(170, 200)
    assert interval == pytest.approx(expected, abs=1e-12)
    assert (round(interval[0], 4), round(interval[1], 4)) == (0.7939, 0.8929)


def test_a_wider_z_gives_a_wider_interval() -> None:
    narrow, wide = Rate(30, 60).wilson(1.645), Rate(30, 60).wilson(2.576)
    assert narrow is not None
    assert wide is not None
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_two_cases_rank_with_less_certainty_than_two_hundred() -> None:
    small, large = Rate(2, 2).wilson(), Rate(190, 200).wilson()
    assert small is not None
    assert large is not None
    assert small[0] < large[0]


@pytest.mark.parametrize(("numerator", "denominator"), [(-1, 3), (4, 3), (1, 0)])
def test_a_rate_outside_its_denominator_is_refused(
    numerator: int, denominator: int
) -> None:
    with pytest.raises(InvalidInputError):
        Rate(numerator, denominator)


@given(
    st.integers(1, 1_000_000).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_the_interval_holds_the_estimate_and_lies_in_the_unit_interval(
    pair: tuple[int, int],
) -> None:
    rate = Rate(*pair)
    interval = rate.wilson()
    assert interval is not None
    assert rate.value is not None
    low, high = interval
    assert 0.0 <= low <= rate.value <= high <= 1.0


# Percentile and mean -----------------------------------------------------------------


def test_p90_is_the_nearest_rank_value() -> None:
    days = [float(d) for d in range(1, 11)]  # 1 … 10
    assert percentile(days, 90) == 9.0
    assert percentile([*days, 11.0], 90) == 10.0  # rank ⌈9.9⌉ = 10
    assert percentile([7.0], 90) == 7.0
    assert percentile(days, 0) == 1.0
    assert percentile(days, 100) == 10.0
    assert percentile([], 90) is None


def test_p90_ignores_input_order() -> None:
    assert percentile([20.0, 3.0, 5.0, 1.0, 8.0], 90) == 20.0
    assert percentile([20.0, 3.0, 5.0, 1.0, 8.0], 50) == 5.0


@pytest.mark.parametrize("p", [-1.0, 100.5, math.nan])
def test_a_percentile_outside_0_to_100_is_refused(p: float) -> None:
    with pytest.raises(InvalidInputError):
        percentile([1.0], p)


def test_mean_of_nothing_is_none() -> None:
    assert mean([]) is None
    assert mean([1.0, 2.0, 6.0]) == 3.0


# Case facts and statistics -----------------------------------------------------------


def test_the_third_document_scenario_is_reproduced_from_facts() -> None:
    # 今年共受理市民投诉17件次,其中市长信箱投诉6件,市民投诉11件,做到了件件有反馈
    cases = [case(channel="mailbox", replied=True) for _ in range(6)] + [
        case(channel="hotline", replied=True) for _ in range(11)
    ]

    stats = case_statistics(cases)

    assert stats.received == 17
    assert stats.by_kind == {"complaint": 17}
    assert stats.by_channel == {"hotline": 11, "mailbox": 6}
    assert stats.reply_rate.value == 1.0
    assert (stats.reply_rate.numerator, stats.reply_rate.denominator) == (17, 17)


def test_satisfaction_counts_basically_satisfied_only_if_the_rule_says_so() -> None:
    ratings = [Rating.SATISFIED] * 6 + [Rating.BASICALLY_SATISFIED] * 3
    ratings += [Rating.UNSATISFIED]
    cases = [case(resolved_after=5, replied=True, rating=r) for r in ratings]
    cases.append(case(resolved_after=5, replied=True))  # not rated: not counted

    lenient = case_statistics(cases).satisfaction_rate
    strict = case_statistics(cases, basically_counts_as_satisfied=False)

    assert (lenient.numerator, lenient.denominator) == (9, 10)
    assert (
        strict.satisfaction_rate.numerator,
        strict.satisfaction_rate.denominator,
    ) == (6, 10)
    assert strict.basically_counts_as_satisfied is False


def test_acceptance_counts_only_decided_cases() -> None:
    cases = [case(accepted=True)] * 3 + [case(accepted=False)] + [case(accepted=None)]
    rate = case_statistics(cases).acceptance_rate
    assert (rate.numerator, rate.denominator) == (3, 4)


def test_on_time_counts_resolved_cases_with_a_due_date() -> None:
    cases = [
        case(resolved_after=10, due_after=10),  # on the due day: on time
        case(resolved_after=3, due_after=10),
        case(resolved_after=11, due_after=10),  # late
        case(resolved_after=4),  # no due date: not counted
        case(due_after=1),  # still open: not counted
    ]
    rate = case_statistics(cases).on_time_rate
    assert (rate.numerator, rate.denominator) == (2, 3)


def test_reply_rate_counts_every_received_case() -> None:
    cases = [
        case(resolved_after=2, replied=True),
        case(resolved_after=2),  # resolved but never told
        case(),  # still open: pulls the rate down until answered
        case(accepted=False, replied=True),  # rejection notice with where to go
    ]
    rate = case_statistics(cases).reply_rate
    assert (rate.numerator, rate.denominator) == (2, 4)


def test_feedback_counts_signed_resolved_cases_with_a_rating() -> None:
    cases = [
        case(resolved_after=1, replied=True, rating="satisfied"),
        case(resolved_after=1, replied=True),
        case(resolved_after=1, replied=True, signed=False, rating="satisfied"),
        case(signed=True),  # open: not yet owed feedback
    ]
    stats = case_statistics(cases)
    assert (stats.feedback_rate.numerator, stats.feedback_rate.denominator) == (1, 2)
    assert stats.satisfaction_rate.denominator == 2  # anonymous ratings still count


def test_working_days_give_mean_and_p90() -> None:
    cases = [case(resolved_after=d, days=d) for d in range(1, 11)] + [case()]
    stats = case_statistics(cases)
    assert stats.mean_working_days_to_resolve == 5.5
    assert stats.p90_working_days_to_resolve == 9.0


def test_no_cases_give_empty_figures() -> None:
    stats = case_statistics([])
    assert stats.received == 0
    assert stats.reply_rate.value is None
    assert stats.p90_working_days_to_resolve is None


def test_the_figures_are_json_ready() -> None:
    cases = [
        case("complaint", "mailbox", resolved_after=3, due_after=5, replied=True),
        case("inquiry", "web", resolved_after=2, replied=True, rating="satisfied"),
    ]
    data = case_statistics(cases).to_dict()
    assert json.loads(json.dumps(data)) == data
    reply = data["reply_rate"]
    assert isinstance(reply, dict)
    assert reply["value"] == 1.0
    assert reply["numerator"] == reply["denominator"] == 2
    assert reply["ci95"][1] == 1.0
    assert data["by_kind"] == {"complaint": 1, "inquiry": 1}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accepted": True, "rejected": True}, "case.rejected"),
        ({"accepted": False, "rejected": False}, "case.rejected"),
        ({"resolved_on": DAY - timedelta(1)}, "case.resolved_on"),
        ({"rating": "happy"}, "case.rating"),
        ({"working_days_to_resolve": 3}, "case.working_days_to_resolve"),
        (
            {"resolved_on": DAY, "working_days_to_resolve": -1},
            "case.working_days_to_resolve",
        ),
    ],
)
def test_inconsistent_case_facts_are_refused(
    changes: dict[str, object], field: str
) -> None:
    base: dict[str, object] = {
        "kind": "complaint",
        "channel": "hotline",
        "signed": True,
        "received_on": DAY,
    }
    with pytest.raises(InvalidInputError) as raised:
        CaseFacts(**{**base, **changes})  # type: ignore[arg-type]
    assert raised.value.field == field
