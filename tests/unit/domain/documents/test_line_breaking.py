"""禁则 of the printed 公文 (domain/documents/line_breaking.py), measured with
every character one unit wide (a monospaced 正文, as the 版心's 28 字 a line)."""

from domain.documents.line_breaking import CLOSING, OPENING, break_lines, units


def width(text: str) -> float:
    return float(len(text))


def test_short_text_is_one_line() -> None:
    assert break_lines("责令限期整改。", 28, width) == ["责令限期整改。"]


def test_empty_text_is_one_empty_line() -> None:
    assert break_lines("", 28, width) == [""]


def test_full_stop_never_starts_a_line_the_last_character_comes_down() -> None:
    lines = break_lines("一二三四五。六七", 5, width)
    assert lines == ["一二三四", "五。六七"]


def test_no_line_starts_with_any_closing_mark() -> None:
    for mark in "。，、；：？！）》」』〕】…％”’":
        text = "甲乙丙丁戊" + mark + "己庚"
        lines = break_lines(text, 5, width)
        assert "".join(lines) == text
        assert all(line[0] not in CLOSING for line in lines), (mark, lines)


def test_no_line_ends_with_an_opening_mark() -> None:
    for mark in "（《「『〔【“‘":
        text = "甲乙丙丁" + mark + "戊己庚"
        lines = break_lines(text, 5, width)
        assert "".join(lines) == text
        assert all(line[-1] not in OPENING for line in lines), (mark, lines)
        assert lines[1].startswith(mark + "戊")


def test_numbers_and_latin_runs_stay_whole() -> None:
    text = "应缴金额1730.49元，依据GB/T 9704-2012执行"
    lines = break_lines(text, 9, width)
    assert "1730.49" in "".join(lines)
    assert any("1730.49" in line for line in lines)
    assert any("GB/T" in line for line in lines)
    assert any("9704-2012" in line for line in lines)


def test_wenhao_does_not_split_inside_its_brackets() -> None:
    lines = break_lines("根据新政公开〔2026〕3号通知", 7, width)
    assert lines == ["根据新政公开", "〔2026〕3", "号通知"]


def test_a_run_longer_than_a_line_is_cut_by_characters() -> None:
    assert break_lines("ABCDEFGHIJ", 4, width) == ["ABCD", "EFGH", "IJ"]


def test_spaces_at_a_break_are_dropped() -> None:
    assert break_lines("alpha beta gamma", 10, width) == ["alpha beta", "gamma"]


def test_two_em_dash_stays_whole_and_with_its_word() -> None:
    lines = break_lines("一二三四——五六", 5, width)
    assert all(not line.startswith("—") for line in lines)
    assert "".join(lines) == "一二三四——五六"


def test_indent_is_kept_and_text_is_never_lost() -> None:
    text = "\u3000\u3000" + "本次考核共十二个单位参加，其中优秀三个、良好五个。" * 4
    lines = break_lines(text, 28, width)
    assert lines[0].startswith("\u3000\u3000")
    assert "".join(lines) == text
    assert all(len(line) <= 28 for line in lines)
    assert all(line[0] not in CLOSING for line in lines)


def test_units_glue_marks_to_their_neighbours() -> None:
    assert units("（甲）。") == ["（甲）。"]
    assert units("第2026号，") == ["第", "2026", "号，"]
