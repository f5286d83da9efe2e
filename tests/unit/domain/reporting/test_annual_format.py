"""The national format's tables as data; answers, applicant types and challenges."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from domain.cases.case import Case
from domain.errors import CaseDateError, InvalidInputError
from domain.reporting.annual import (
    APPLICATION_ROWS,
    REASONS,
    RequestFacts,
    applications_table,
    classify_answer,
    parse_applicant_type,
    parse_outcome,
    parse_route,
)
from domain.reporting.challenge import Challenge, ChallengeDecidedError
from domain.reporting.drafts import AnnualReport, check_section

ACTOR = {"id": "clerk@x", "tenant": "x", "roles": "clerk"}
NOW = datetime(2026, 1, 5, 2, tzinfo=UTC)


def test_table_three_has_every_row_of_the_format() -> None:
    assert len(APPLICATION_ROWS) == 2 + 21 + 2
    assert [len(REASONS[c]) for c in REASONS] == [0, 0, 8, 3, 5, 3]
    labels = {r.code: r.label for r in APPLICATION_ROWS}
    assert labels["refuse.three_safety"].endswith("危及“三安全一稳定”")
    assert labels["carried_out"] == "四、结转下年度继续办理"


@pytest.mark.parametrize(
    ("answer", "reason", "ground", "expected"),
    [
        ("disclose", None, None, ("disclose", None)),
        ("partial", None, "第十五条", ("partial", None)),
        ("not_exist", None, None, ("unable", "not_held")),
        ("not_held", None, None, ("unable", "not_held")),
        ("duplicate", None, None, ("not_processed", "duplicate")),
        ("refuse", None, "涉及商业秘密，第十五条", ("refuse", "third_party")),
        ("refuse", None, "第十四条", ("refuse", "law_prohibits")),
        ("refuse", "属于四类过程性信息", "第十六条", ("refuse", "process")),
        ("unable", "needs_creation", None, ("unable", "needs_creation")),
        ("其他处理", "其他", None, ("other", "other")),
    ],
)
def test_answers_map_onto_the_formats_rows(
    answer: str, reason: str | None, ground: str | None, expected: tuple[str, str]
) -> None:
    assert classify_answer(answer, reason, ground) == expected


@pytest.mark.parametrize(
    ("answer", "reason"),
    [("unable", None), ("disclose", "other"), ("refuse", "nonsense"), ("x", None)],
)
def test_bad_answers_name_their_field(answer: str, reason: str | None) -> None:
    with pytest.raises(InvalidInputError):
        classify_answer(answer, reason, None)


def test_applicant_types_routes_and_outcomes_accept_chinese() -> None:
    assert parse_applicant_type("科研机构") == "research"
    assert parse_applicant_type("legal_service") == "legal_service"
    assert parse_route("复议后起诉") == "lawsuit_after_review"
    assert parse_outcome("维持") == "upheld"
    for bad in (
        lambda: parse_applicant_type("公司"),
        lambda: parse_outcome("尚未审结"),
    ):
        with pytest.raises(InvalidInputError):
            bad()


def test_carry_over_balances() -> None:
    facts = [
        RequestFacts("a", "natural_person", date(2024, 12, 1), None, None, None),
        RequestFacts(
            "b", "research", date(2025, 3, 1), date(2025, 3, 9), "disclose", None
        ),
        RequestFacts("c", "research", date(2025, 12, 30), None, None, None),
    ]
    table = applications_table(facts, date(2025, 1, 1), date(2025, 12, 31))
    assert table.cell("carried_in", "total") == 1
    assert table.cell("new", "research") == 2
    assert table.cell("disclose", "research") == 1
    assert table.cell("carried_out", "total") == 2


def test_a_challenge_is_decided_once_and_not_before_it_was_filed() -> None:
    with pytest.raises(CaseDateError):
        Challenge.file(
            tenant="x",
            case_id=uuid4(),
            route="行政复议",
            filed_on=date(2025, 1, 1),
            resolved_on=date(2025, 2, 1),
            actor=ACTOR,
            effective_at=NOW,
        )
    c = Challenge.file(
        tenant="x",
        case_id=uuid4(),
        route="行政复议",
        filed_on=date(2025, 3, 1),
        resolved_on=date(2025, 2, 1),
        actor=ACTOR,
        effective_at=NOW,
    )
    with pytest.raises(CaseDateError):
        c.decide(
            outcome="维持", decided_on=date(2025, 2, 1), actor=ACTOR, effective_at=NOW
        )
    c.decide(outcome="维持", decided_on=date(2025, 5, 1), actor=ACTOR, effective_at=NOW)
    with pytest.raises(ChallengeDecidedError):
        c.decide(
            outcome="纠正", decided_on=date(2025, 6, 1), actor=ACTOR, effective_at=NOW
        )
    assert [type(e).__name__ for e in c.collect_events()] == ["Filed", "Decided"]


def test_drafts_keep_sections_and_inputs() -> None:
    r = AnnualReport(tenant="x", year=2025, actor=ACTOR, effective_at=NOW)
    r.write(section=1, text="本年度……", inputs={}, actor=ACTOR, effective_at=NOW)
    r.write(
        section=2, text=None, inputs={"fees.amount": 1.5}, actor=ACTOR, effective_at=NOW
    )
    assert r.sections == {"1": "本年度……"}
    assert r.inputs == {"fees.amount": 1.5}
    for section, text, inputs in [
        (3, "x", {}),
        (2, None, {"fees.x": 1}),
        (7, "x", {}),
        (2, None, {"fees.amount": -1}),
    ]:
        with pytest.raises(InvalidInputError):
            check_section(section, text, inputs)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"answer": None, "legal_ground": None}, (None, None)),
        (
            {"answer": "refuse", "legal_ground": "涉及国家秘密"},
            ("refuse", "state_secret"),
        ),
        ({"answer": "not_exist", "legal_ground": None}, ("unable", "not_held")),
        ({"answer": "duplicate", "legal_ground": None}, ("not_processed", "duplicate")),
    ],
)
def test_a_stored_v1_resolution_is_upcast_to_its_report_row(
    stored: dict[str, Any], expected: tuple[str | None, str | None]
) -> None:
    resolved: Any = getattr(Case, "Resolved")  # noqa: B009
    assert resolved.class_version == 2
    state = dict(stored)
    resolved.upcast_v1_v2(state)
    assert (state["answer_category"], state["answer_reason"]) == expected
