"""编号管理: 文号 format, numbers in order per year, voiding, gaps."""

from __future__ import annotations

from datetime import date

import pytest

from domain.documents.numbering import (
    InvalidSeriesCodeError,
    date_text,
    first_gap,
    taken_twice,
    wenhao,
)
from domain.documents.series import (
    AlreadyNumberedError,
    AlreadyVoidedError,
    DocumentSeries,
    IssueOrderError,
    NumberNotIssuedError,
    UnknownDocumentKindError,
    series_id,
)
from domain.errors import InvalidInputError

ACTOR = {"id": "sup@xinhe", "tenant": "xinhe", "roles": "supervisor"}


def series(code: str = "新政公开") -> DocumentSeries:
    return DocumentSeries.open(tenant="xinhe", kind="bulletin", code=code, actor=ACTOR)


def issue(s: DocumentSeries, n: int, on: date) -> dict[str, object]:
    return s.issue(subject={"doc": str(n)}, title=f"通报{n}", issued_on=on, actor=ACTOR)


def test_wenhao_has_no_leading_zeros_and_no_di() -> None:
    assert wenhao("新政公开", 2026, 3) == "新政公开〔2026〕3号"
    assert wenhao("新政公开", 2026, 10) == "新政公开〔2026〕10号"
    with pytest.raises(InvalidInputError):
        wenhao("新政公开", 2026, 0)


def test_date_text_as_gb_t_9704_2012_writes_it() -> None:
    assert date_text(date(2026, 12, 6)) == "2026年12月6日"
    assert date_text(date(2027, 1, 1)) == "2027年1月1日"


@pytest.mark.parametrize("code", ["", "新政〔公开", "新政2", "新 政", "字" * 13])
def test_a_code_that_cannot_head_a_wenhao_is_refused(code: str) -> None:
    with pytest.raises(InvalidSeriesCodeError):
        series(code)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(UnknownDocumentKindError):
        DocumentSeries.open(tenant="xinhe", kind="memo", code="新政", actor=ACTOR)


def test_one_series_per_tenant_and_kind() -> None:
    s = series()
    assert s.id == series_id("xinhe", "bulletin") != series_id("xinhe", "notice")


def test_numbers_follow_issue_order_and_restart_each_year() -> None:
    s = series()
    got = [issue(s, i, date(2026, 3, i))["number"] for i in range(1, 4)]
    assert got == [1, 2, 3]
    assert s.wenhao(s.numbers[2]) == "新政公开〔2026〕3号"
    first_of_2027 = issue(s, 9, date(2027, 1, 4))
    assert s.wenhao(first_of_2027) == "新政公开〔2027〕1号"
    assert s.summary(2026) == {
        "year": 2026, "issued": 3, "voided": 0, "last": 3, "first_gap": None
    }


def test_a_number_is_taken_once_per_document_and_never_back_dated() -> None:
    s = series()
    issue(s, 1, date(2026, 3, 5))
    with pytest.raises(AlreadyNumberedError):
        issue(s, 1, date(2026, 3, 6))
    with pytest.raises(IssueOrderError):
        issue(s, 2, date(2026, 3, 4))
    assert len(s.numbers) == 1


def test_voiding_needs_a_reason_and_keeps_the_number() -> None:
    s = series()
    issue(s, 1, date(2026, 3, 5))
    issue(s, 2, date(2026, 3, 6))
    with pytest.raises(InvalidInputError):
        s.void(year=2026, number=1, reason="  ", on=date(2026, 3, 7), actor=ACTOR)
    s.void(year=2026, number=1, reason="文号错用", on=date(2026, 3, 7), actor=ACTOR)
    with pytest.raises(AlreadyVoidedError):
        s.void(year=2026, number=1, reason="再次", on=date(2026, 3, 7), actor=ACTOR)
    with pytest.raises(NumberNotIssuedError):
        s.void(year=2026, number=3, reason="无此号", on=date(2026, 3, 7), actor=ACTOR)
    # The voided number stays; the next issue does not reuse it.
    assert issue(s, 3, date(2026, 3, 8))["number"] == 3
    assert s.numbers[0]["voided"]["reason"] == "文号错用"
    assert s.summary(2026) == {
        "year": 2026, "issued": 3, "voided": 1, "last": 3, "first_gap": None
    }


def test_replay_gives_the_same_series() -> None:
    s = series()
    issue(s, 1, date(2026, 3, 5))
    s.void(year=2026, number=1, reason="文号错用", on=date(2026, 3, 7), actor=ACTOR)
    events = s.collect_events()
    again = None
    for e in events:
        again = e.mutate(again)
    assert again is not None
    assert again.numbers == s.numbers


def test_gaps_and_repeats() -> None:
    assert first_gap([1, 2, 3]) is None
    assert first_gap([]) is None
    assert first_gap([1, 3, 4]) == 2
    assert first_gap([2]) == 1
    assert taken_twice([1, 2, 2, 3, 3]) == [2, 3]
