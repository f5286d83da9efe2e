"""The power list's CSV: the documented columns round-trip, and every bad cell is
named by its line and Chinese column."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.error_words import facts_of, phrase
from domain.powers.errors import PowerListFormatError
from domain.powers.power import Power
from domain.powers.power_csv import CSV_COLUMNS, parse_powers_csv, powers_to_csv
from domain.powers.vocabulary import PowerKind, PowerState
from services.demo.power_data import scenic_power_listing

HEADER = ",".join(CSV_COLUMNS)
GOOD = (
    "XK-001,商业广告审批,行政许可,《风景名胜区条例》,第二十九条,管理处,"
    "规划建设科科长,15"
)


def catalogue_only(power: Power) -> Power:
    return replace(power, process=())


def test_the_scenic_list_round_trips_through_csv() -> None:
    powers = tuple(catalogue_only(p) for p in scenic_power_listing().powers)
    text = powers_to_csv(powers)
    assert text.startswith("权力编码,权力名称,权力类型")
    assert parse_powers_csv(text) == powers
    assert parse_powers_csv("\ufeff" + text.replace("\r\n", "\n") + "\n\n") == powers


def test_optional_columns_default_and_states_carry_their_dates() -> None:
    text = (
        HEADER + ",状态,状态日期\r\n" + GOOD + ",,\r\n"
        "CF-009,对乱扔垃圾的处罚,行政处罚,条例,第四十五条,执法队,队长,,已废止,2026-01-05\r\n"
    )
    first, second = parse_powers_csv(text)
    assert first.fee == "不收费"
    assert first.state is PowerState.IN_FORCE
    assert first.kind is PowerKind.LICENSING
    assert first.time_limit_days == 15
    assert second.time_limit_days is None
    assert not second.in_force
    assert second.state_on is not None
    assert second.state_on.isoformat() == "2026-01-05"


def test_a_formula_cell_is_guarded_and_read_back() -> None:
    first = catalogue_only(scenic_power_listing().powers[0])
    power = replace(first, name="=HYPERLINK(1)")
    text = powers_to_csv([power])
    assert ",'=HYPERLINK(1)," in text
    assert parse_powers_csv(text) == (power,)


@pytest.mark.parametrize(
    ("row", "line", "column", "words"),
    [
        (GOOD.replace("行政许可", "行政许可证"), 2, "权力类型", "不是可选的值"),
        (GOOD.replace(",15", ",十五"), 2, "承诺时限（工作日）", "不是工作日天数"),
        (GOOD.replace(",15", ",400"), 2, "承诺时限（工作日）", "1 至 365"),
        (GOOD.replace("XK-001", "许可001"), 2, "权力编码", "如 XK-001"),
        (GOOD.replace("管理处", ""), 2, "承办机构", "不能为空"),
        (GOOD + ",多余", 2, "", "比表头的 8 列多"),
        (GOOD + "\r\n" + GOOD, 3, "权力编码", "与第 2 行重复"),
    ],
)
def test_a_bad_cell_names_its_line_and_column_in_chinese(
    row: str, line: int, column: str, words: str
) -> None:
    with pytest.raises(PowerListFormatError) as caught:
        parse_powers_csv(HEADER + "\r\n" + row + "\r\n")
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert words in error.reason
    said = phrase(error.slug, **facts_of(error))
    assert said.startswith(f"权责清单文件第 {line} 行")
    assert (f"「{column}」列" in said) == bool(column)


def test_a_state_other_than_in_force_needs_its_date() -> None:
    with pytest.raises(PowerListFormatError) as caught:
        parse_powers_csv(HEADER + ",状态\r\n" + GOOD + ",已修改\r\n")
    assert caught.value.column == "状态日期"


def test_the_header_must_name_every_column() -> None:
    with pytest.raises(PowerListFormatError) as caught:
        parse_powers_csv(HEADER.replace(",责任岗位", "") + "\r\nx\r\n")
    assert (caught.value.line, caught.value.column) == (1, "责任岗位")
    with pytest.raises(PowerListFormatError, match="line 1"):
        parse_powers_csv(HEADER + "\r\n")
    with pytest.raises(PowerListFormatError):
        parse_powers_csv("")
