"""问卷调查: one answer per code, the period, and the results with 样本不足."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.cases.stats import Rate
from domain.error_words import PHRASES
from domain.errors import ConflictError, InvalidInputError
from domain.participation.questionnaires import (
    CodeSpentError,
    CodeUnknownError,
    NotOpenError,
    Questionnaire,
    code_hash,
    results,
)

ACTOR = {"id": "clerk-1", "tenant": "xinhe.ysfjq", "roles": "clerk"}
NOW = datetime(2026, 3, 2, 2, tzinfo=UTC)
STAMP = {"actor": ACTOR, "effective_at": NOW}
DAY = date(2026, 3, 3)
QUESTIONS = [
    {"kind": "single", "text": "您是否到过景区办事大厅？", "options": ["是", "否"]},
    {
        "kind": "multiple",
        "text": "您通过哪些渠道了解景区信息？",
        "options": ["网站", "公告栏", "微信"],
    },
    {"kind": "scale", "text": "您对景区政务公开工作的总体评价"},
    {"kind": "text", "text": "您的意见和建议"},
]
CODES = [f"CODE{i:06d}" for i in range(40)]


def opened(minimum: int = 30) -> Questionnaire:
    q = Questionnaire.design(
        tenant="xinhe.ysfjq",
        number=1,
        title="景区政务公开满意度调查",
        purpose="征求游客和群众意见",
        questions=QUESTIONS,
        minimum_sample=minimum,
        **STAMP,
    )
    q.issue_codes([code_hash(q.id, c) for c in CODES], **STAMP)
    q.open(opens_on=date(2026, 3, 2), closes_on=date(2026, 3, 31), **STAMP)
    return q


def answer(q: Questionnaire, code: str, answers: list[object]) -> None:
    q.answer(code=code, answers=answers, today=DAY, effective_at=NOW)


def test_one_answer_per_code() -> None:
    q = opened()
    answer(q, "code-000000", [0, [0, 2], 5, "公告栏字太小"])  # printed form works
    with pytest.raises(CodeSpentError) as spent:
        answer(q, CODES[0], [1, [], 4, None])
    assert isinstance(spent.value, ConflictError)
    assert "已使用" in PHRASES[spent.value.slug]
    with pytest.raises(CodeUnknownError):
        answer(q, "NOT-A-CODE", [1, [], 4, None])
    assert q.codes_spent == 1
    assert len(q.choices) == 1


def test_the_answer_event_holds_only_the_codes_hash() -> None:
    q = opened()
    answer(q, CODES[1], [1, [1], 3, None])
    (event,) = [e for e in q.collect_events() if type(e).__name__ == "Answered"]
    assert CODES[1] not in repr(event.__dict__)
    assert event.code_hash == code_hash(q.id, CODES[1])


def test_a_closed_or_unopened_questionnaire_refuses_answers() -> None:
    q = Questionnaire.design(
        tenant="xinhe.ysfjq",
        number=1,
        title="调查",
        purpose="",
        questions=QUESTIONS,
        **STAMP,
    )
    q.issue_codes([code_hash(q.id, CODES[0])], **STAMP)
    with pytest.raises(NotOpenError):
        answer(q, CODES[0], [0, [], 5, None])
    q = opened()
    with pytest.raises(NotOpenError):  # after the period
        q.answer(
            code=CODES[0],
            answers=[0, [], 5, None],
            today=date(2026, 4, 1),
            effective_at=NOW,
        )
    q.close(**STAMP)
    with pytest.raises(NotOpenError):
        answer(q, CODES[0], [0, [], 5, None])
    assert "征集期" in PHRASES[NotOpenError.slug]
    with pytest.raises(NotOpenError):
        q.close(**STAMP)


def test_answers_must_fit_their_questions() -> None:
    q = opened()
    for bad in (
        [2, [], 5, None],
        [0, [3], 5, None],
        [0, [], 6, None],
        [0, [], 5],
        [None, None, None, None],
        [True, [], 5, None],
    ):
        with pytest.raises(InvalidInputError):
            answer(q, CODES[0], bad)
    assert q.codes_spent == 0


def test_a_design_is_checked() -> None:
    for bad in (
        [],
        [{"kind": "single", "text": "一个选项", "options": ["是"]}],
        [{"kind": "scale", "text": "x", "options": ["a", "b"]}],
        [{"kind": "rank", "text": "x"}],
    ):
        with pytest.raises(InvalidInputError):
            Questionnaire.design(
                tenant="t", number=1, title="调查", purpose="", questions=bad, **STAMP
            )


def test_results_shares_with_wilson_and_sample_insufficient() -> None:
    q = opened(minimum=30)
    for i in range(20):
        answer(q, CODES[i], [i % 2, [0], 4 if i < 15 else 2, f"意见{i}"])
    out = results(q, with_texts=False)
    single, multiple, scale, text = out["results"]
    assert single["answered"] == 20
    assert single["insufficient"]
    assert single["options"][0]["share"] == {
        **Rate(10, 20).to_dict(),
        "insufficient": True,
    }
    assert multiple["options"][0]["count"] == 20
    assert scale["satisfied"]["numerator"] == 15
    assert scale["satisfied"]["ci95"] == list(Rate(15, 20).wilson() or ())
    assert out["satisfaction"]["value"] == 0.75
    assert "texts" not in text  # the public never sees free text
    staff = results(q, with_texts=True)
    assert staff["results"][3]["texts"][0] == "意见0"
    for i in range(20, 30):
        answer(q, CODES[i], [0, [], 5, None])
    assert not results(q, with_texts=False)["results"][2]["insufficient"]
