"""The format's layout as data (spans, groups, the fifteen cells of table 四), table
三's 勾稽关系, and the publication rules of 条例第四十九条."""

from __future__ import annotations

from datetime import date

import pytest

from domain.error_words import PHRASES
from domain.reporting.annual import APPLICATION_ROWS, PROACTIVE_ITEMS
from domain.reporting.layout import (
    APPLICATION_HEADS,
    CHALLENGE_CELLS,
    CHALLENGE_HEADER,
    Head,
    row_path,
    unbalanced,
)
from domain.reporting.publication import (
    ReportTooEarlyError,
    ReportUnbalancedError,
    check_publishable,
    deadline,
    deadline_text,
    is_late,
    publishable_from,
)


def test_table_two_labels_are_the_rows_alone() -> None:
    assert dict(PROACTIVE_ITEMS) == {
        "rules": "规章",
        "normative": "行政规范性文件",
        "licensing": "行政许可",
        "punishment": "行政处罚",
        "coercion": "行政强制",
        "fees": "行政事业性收费",
    }


def test_table_three_rows_are_grouped_as_the_format() -> None:
    assert APPLICATION_HEADS["disclose"] == (
        Head("三、本年度办理结果", 1, 22),
        Head("（一）予以公开", 2, 1),
    )
    assert APPLICATION_HEADS["refuse.state_secret"] == (
        Head("（三）不予公开", 1, 8),
        Head("1.属于国家秘密"),
    )
    assert APPLICATION_HEADS["refuse.inquiry"] == (Head("8.属于行政查询事项"),)
    assert APPLICATION_HEADS["results_total"] == (Head("（七）总计", 2),)
    assert APPLICATION_HEADS["carried_out"] == (Head("四、结转下年度继续办理", 3),)
    assert row_path("other.unpaid_fee") == ["三、本年度办理结果", "（六）其他处理"]
    assert row_path("new") == []
    assert set(APPLICATION_HEADS) == {r.code for r in APPLICATION_ROWS}


def test_table_four_is_one_row_of_fifteen() -> None:
    assert len(CHALLENGE_CELLS) == 15
    assert CHALLENGE_CELLS[0].code == "review.upheld"
    assert CHALLENGE_CELLS[-1].code == "lawsuit_after_review.total"
    assert [sum(h.colspan for h in row) for row in CHALLENGE_HEADER] == [15, 15, 10]


def _balanced() -> dict[tuple[str, str], float]:
    cells = {
        ("new", "natural_person"): 3,
        ("carried_in", "natural_person"): 1,
        ("disclose", "natural_person"): 2,
        ("results_total", "natural_person"): 2,
        ("carried_out", "natural_person"): 2,
    }
    for (row, _), n in list(cells.items()):
        cells[(row, "total")] = n
    return cells


@pytest.mark.parametrize(
    ("change", "broken"),
    [
        ({}, []),
        ({("carried_out", "natural_person"): 1, ("carried_out", "total"): 1},
         ["natural_person", "total"]),
        ({("results_total", "natural_person"): 3, ("carried_out", "natural_person"): 1,
          ("results_total", "total"): 3, ("carried_out", "total"): 1},
         ["natural_person", "total"]),
        ({("new", "total"): 4, ("carried_out", "total"): 3}, ["total"]),
    ],
)  # fmt: skip
def test_the_balance_of_table_three(
    change: dict[tuple[str, str], float], broken: list[str]
) -> None:
    assert unbalanced({**_balanced(), **change}) == broken


def test_a_report_is_published_from_1_january_and_only_balanced() -> None:
    assert publishable_from(2025) == date(2026, 1, 1)
    with pytest.raises(ReportTooEarlyError) as early:
        check_publishable(2025, date(2025, 12, 31), [])
    assert early.value.status == 409
    check_publishable(2025, date(2026, 1, 1), [])
    with pytest.raises(ReportUnbalancedError) as unbalanced_error:
        check_publishable(2025, date(2026, 1, 5), ["natural_person"])
    assert unbalanced_error.value.status == 409
    for error in (early.value, unbalanced_error.value):
        assert error.slug in PHRASES
    assert "勾稽关系" in PHRASES["annual-report-unbalanced"]


def test_the_statutory_day_and_lateness() -> None:
    assert deadline(2025, top=False) == date(2026, 1, 31)
    assert deadline(2025, top=True) == date(2026, 3, 31)
    assert deadline_text(date(2026, 1, 31)) == (
        "法定公布期限：2026年1月31日前（《中华人民共和国政府信息公开条例》第四十九条）"
    )
    assert not is_late(date(2026, 1, 31), date(2026, 1, 31))
    assert is_late(date(2026, 2, 1), date(2026, 1, 31))
