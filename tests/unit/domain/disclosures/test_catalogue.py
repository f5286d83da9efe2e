"""The disclosure catalogue: seed defaults, county overlays and the CSV format."""

from __future__ import annotations

import ast
import json
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from domain.disclosures import catalogue as catalogue_module
from domain.disclosures import catalogue_defaults as catalogue_defaults_module
from domain.disclosures.catalogue import (
    CODE_PATTERN,
    CSV_COLUMNS,
    KIND_LABELS,
    TENANT_KINDS,
    Audience,
    CatalogueEntry,
    Channel,
    ChannelRequirement,
    DisclosureMode,
    Period,
    PublicLevel,
    catalogue_to_csv,
    entries_for,
    find_entry,
    merge_catalogues,
    parse_catalogue_csv,
    parse_channel,
)
from domain.disclosures.catalogue_defaults import DEFAULT_CATALOGUE
from domain.errors import (
    CatalogueFormatError,
    InvalidInputError,
    UnknownChannelError,
)

GOOD_ROW = {
    "类别代码": "town.water",
    "一级事项": "公共事务",
    "二级事项": "农田水利工程",
    "公开内容": "农田水利工程建设运营情况。",
    "公开依据": "《中华人民共和国政府信息公开条例》第二十一条",
    "公开时限": "信息形成或变更之日起20个工作日内公开",
    "公开周期": "随时",
    "公开主体": "镇人民政府",
    "公开渠道和载体": "公开栏(必选);网站(可选)",
    "公开对象": "全社会",
    "公开方式": "主动",
    "公开层级": "乡级",
    "适用对象": "镇;村",
    "是否必需": "是",
}


def csv_text(*rows: dict[str, str], columns: tuple[str, ...] = CSV_COLUMNS) -> str:
    """A CSV with ``columns`` as header and one line per row (no quoting needed)."""
    lines = [",".join(columns)]
    lines += [",".join(row.get(c, "") for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def row(**changes: str) -> dict[str, str]:
    """GOOD_ROW with cells changed; keyword names are the Chinese column names."""
    return {**GOOD_ROW, **changes}


def parse_error(text: str) -> CatalogueFormatError:
    with pytest.raises(CatalogueFormatError) as caught:
        parse_catalogue_csv(text)
    return caught.value


# The default catalogue -------------------------------------------------------------


@pytest.mark.parametrize("kind", TENANT_KINDS)
def test_every_tenant_kind_has_a_required_entry(kind: str) -> None:
    assert any(e.required for e in entries_for(kind))


def test_default_codes_are_unique_and_well_formed() -> None:
    codes = [e.code for e in DEFAULT_CATALOGUE]
    assert len(codes) == len(set(codes))
    assert all(CODE_PATTERN.fullmatch(c) for c in codes)


def test_each_seed_section_maps_to_its_tenant_kinds() -> None:
    by_prefix: dict[str, set[tuple[str, ...]]] = {}
    for e in DEFAULT_CATALOGUE:
        by_prefix.setdefault(e.code.split(".")[0], set()).add(e.applies_to)
    assert set(by_prefix) == {"common", "department", "school", "town", "staff"}
    assert by_prefix["department"] == {("department", "station")}
    assert by_prefix["school"] == {("school",)}
    assert by_prefix["town"] == {("county", "town")}
    assert by_prefix["staff"] == {("county", "town", "department", "school")}
    assert len([e for e in DEFAULT_CATALOGUE if e.code.startswith("common.")]) >= 10


def test_staff_entries_are_for_specific_people_and_others_for_everyone() -> None:
    for e in DEFAULT_CATALOGUE:
        expected = Audience.SPECIFIC if e.code.startswith("staff.") else Audience.PUBLIC
        assert e.audience is expected, e.code
        assert e.mode is DisclosureMode.PROACTIVE


def test_elected_village_and_community_cadres_are_not_under_cadre_selection() -> None:
    cadres = find_entry("common.cadres", DEFAULT_CATALOGUE)
    assert cadres is not None
    assert "village" not in cadres.applies_to
    assert "community" not in cadres.applies_to


def test_every_default_entry_has_a_required_channel_and_public_ones_a_board() -> None:
    for e in DEFAULT_CATALOGUE:
        assert any(c.required for c in e.channels), e.code
        if e.audience is Audience.PUBLIC:
            assert ChannelRequirement(Channel.NOTICE_BOARD, True) in e.channels


def test_periodic_defaults_use_realistic_cadences() -> None:
    def period(code: str) -> Period:
        entry = find_entry(code, DEFAULT_CATALOGUE)
        assert entry is not None
        return entry.period

    assert period("common.finance") is Period.QUARTERLY
    assert period("common.subsistence") is Period.MONTHLY
    assert period("common.planning") is Period.ON_CHANGE
    assert period("staff.assessment") is Period.YEARLY


def test_period_max_gap_days_decides_when_a_periodic_category_is_overdue() -> None:
    assert Period.ON_CHANGE.max_gap_days() is None
    assert [
        p.max_gap_days()
        for p in (Period.MONTHLY, Period.QUARTERLY, Period.HALF_YEARLY, Period.YEARLY)
    ] == [31, 92, 183, 366]


def test_every_code_has_a_chinese_label() -> None:
    assert Channel.NOTICE_BOARD.label == "公开栏"
    assert Channel.PRESS_CONFERENCE.label == "新闻发布会"
    assert Period.QUARTERLY.label == "按季度"
    assert Audience.SPECIFIC.label == "特定群众"
    assert DisclosureMode.ON_REQUEST.label == "依申请"
    assert PublicLevel.TOWN.label == "乡级"
    assert set(KIND_LABELS) == set(TENANT_KINDS)
    for enum in (Channel, Period, Audience, DisclosureMode, PublicLevel):
        assert all(m.label and not m.label.isascii() for m in enum)


@pytest.mark.parametrize("module", [catalogue_module, catalogue_defaults_module])
def test_catalogue_module_imports_only_the_standard_library_and_domain(
    module: ModuleType,
) -> None:
    source = Path(module.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - {"domain"} <= sys.stdlib_module_names | {"__future__"}


# Channels --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("notice_board", Channel.NOTICE_BOARD),
        ("公开栏", Channel.NOTICE_BOARD),
        (" 网站 ", Channel.WEBSITE),
        ("电子显示屏", Channel.SCREEN),
        ("便民手册", Channel.HANDBOOK),
        ("press_conference", Channel.PRESS_CONFERENCE),
    ],
)
def test_parse_channel_accepts_code_or_chinese_label(
    text: str, expected: Channel
) -> None:
    assert parse_channel(text) is expected


def test_parse_channel_rejects_unknown_names_listing_the_allowed_ones() -> None:
    with pytest.raises(UnknownChannelError) as caught:
        parse_channel("微信公众号")
    assert caught.value.field == "channel"
    assert "微信公众号" in caught.value.detail
    assert "notice_board/公开栏" in caught.value.detail


# Entries ---------------------------------------------------------------------------


def test_to_dict_is_json_safe_and_from_dict_round_trips_exactly() -> None:
    for entry in DEFAULT_CATALOGUE:
        data = json.loads(json.dumps(entry.to_dict(), ensure_ascii=False))
        assert CatalogueEntry.from_dict(data) == entry
    sample = DEFAULT_CATALOGUE[0].to_dict()
    assert sample["period"] == "on_change"
    assert sample["channels"] == [
        {"channel": "notice_board", "required": True},
        {"channel": "website", "required": False},
        {"channel": "meeting", "required": False},
    ]


def test_from_dict_rejects_an_unknown_period_code() -> None:
    data = {**DEFAULT_CATALOGUE[0].to_dict(), "period": "weekly"}
    with pytest.raises(InvalidInputError) as caught:
        CatalogueEntry.from_dict(data)
    assert caught.value.field == "period"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "Finance"}, "code"),
        ({"content": " "}, "content"),
        ({"applies_to": ("city",)}, "applies_to"),
        ({"applies_to": ()}, "applies_to"),
        (
            {
                "channels": (
                    ChannelRequirement(Channel.WEBSITE, True),
                    ChannelRequirement(Channel.WEBSITE, False),
                )
            },
            "channels",
        ),
    ],
)
def test_entry_refuses_broken_invariants(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        replace(DEFAULT_CATALOGUE[0], **changes)
    assert caught.value.field == field


def test_entries_for_keeps_catalogue_order() -> None:
    village = entries_for("village")
    assert [e.code for e in village] == [
        e.code for e in DEFAULT_CATALOGUE if "village" in e.applies_to
    ]
    assert all(e.code.startswith("common.") for e in village)


def test_entries_for_rejects_an_unknown_kind_instead_of_returning_nothing() -> None:
    with pytest.raises(InvalidInputError):
        entries_for("unit")


def test_find_entry_returns_none_for_an_unknown_code() -> None:
    assert find_entry("school.fees", DEFAULT_CATALOGUE) is not None
    assert find_entry("school.uniforms", DEFAULT_CATALOGUE) is None


def test_merge_replaces_same_code_in_place_and_appends_new_codes() -> None:
    finance = find_entry("common.finance", DEFAULT_CATALOGUE)
    assert finance is not None
    monthly = replace(finance, period=Period.MONTHLY, time_limit="每月10日前公开")
    (water,) = parse_catalogue_csv(csv_text(GOOD_ROW))
    merged = merge_catalogues(DEFAULT_CATALOGUE, [water, monthly])
    assert [e.code for e in merged] == [e.code for e in DEFAULT_CATALOGUE] + [
        "town.water"
    ]
    assert find_entry("common.finance", merged) == monthly
    assert find_entry("common.finance", DEFAULT_CATALOGUE) == finance
    assert entries_for("village", merged)[-1] == water


# CSV -------------------------------------------------------------------------------


def test_default_catalogue_exports_to_csv_and_parses_back_unchanged() -> None:
    text = catalogue_to_csv(DEFAULT_CATALOGUE)
    assert text.splitlines()[0].split(",") == [*CSV_COLUMNS, "年报项目"]
    assert "公开栏(必选);网站(可选)" in text
    assert parse_catalogue_csv(text) == DEFAULT_CATALOGUE


def test_cells_that_look_like_formulas_are_guarded_and_read_back() -> None:
    tricky = replace(
        DEFAULT_CATALOGUE[0],
        content='=HYPERLINK("http://evil.example/","click")',
        basis="-2+3",
    )
    text = catalogue_to_csv([tricky])
    assert "'=HYPERLINK" in text
    assert ",'-2+3," in text
    assert parse_catalogue_csv(text) == (tricky,)


def test_the_optional_annual_report_column_maps_an_entry_to_table_two() -> None:
    columns = (*CSV_COLUMNS, "年报项目")
    (entry,) = parse_catalogue_csv(
        csv_text({**GOOD_ROW, "年报项目": "行政处罚"}, columns=columns)
    )
    assert entry.annual_item == "punishment"
    assert CatalogueEntry.from_dict(entry.to_dict()) == entry
    (plain,) = parse_catalogue_csv(csv_text(GOOD_ROW))  # the column may be absent
    assert plain.annual_item is None
    assert "annual_item" not in plain.to_dict()  # stored entries keep their shape
    error = parse_error(csv_text({**GOOD_ROW, "年报项目": "罚款"}, columns=columns))
    assert error.field == "年报项目"


def test_a_utf8_bom_and_crlf_or_lf_line_ends_are_tolerated() -> None:
    text = catalogue_to_csv(DEFAULT_CATALOGUE)
    assert "\r\n" in text
    assert parse_catalogue_csv("\ufeff" + text) == DEFAULT_CATALOGUE
    assert parse_catalogue_csv(text.replace("\r\n", "\n")) == DEFAULT_CATALOGUE


def test_csv_accepts_codes_and_chinese_labels_alike() -> None:
    by_label = parse_catalogue_csv(csv_text(GOOD_ROW))
    by_code = parse_catalogue_csv(
        csv_text(
            row(
                公开周期="on_change",
                公开渠道和载体="notice_board(必选)；website(可选)",
                公开对象="public",
                公开方式="proactive",
                公开层级="town",
                适用对象="town、village",
            )
        )
    )
    assert by_label == by_code
    (entry,) = by_label
    assert entry.applies_to == ("town", "village")
    assert entry.channels == (
        ChannelRequirement(Channel.NOTICE_BOARD, True),
        ChannelRequirement(Channel.WEBSITE, False),
    )


def test_csv_reads_chinese_kind_names_period_words_and_bare_channels() -> None:
    (entry,) = parse_catalogue_csv(
        csv_text(
            row(
                公开周期="按月",
                公开渠道和载体="公开栏;会议（可选）",
                适用对象="县、学校、科室、社区、站所",
                是否必需="否",
            )
        )
    )
    assert entry.period is Period.MONTHLY
    assert entry.channels == (
        ChannelRequirement(Channel.NOTICE_BOARD, True),
        ChannelRequirement(Channel.MEETING, False),
    )
    assert entry.applies_to == (
        "county",
        "school",
        "department",
        "community",
        "station",
    )
    assert entry.required is False


def test_blank_lines_and_extra_columns_are_ignored() -> None:
    columns = (*CSV_COLUMNS, "备注")
    text = "\n" + csv_text(row(备注="县里补充"), columns=columns) + "\n\n"
    assert parse_catalogue_csv(text) == parse_catalogue_csv(csv_text(GOOD_ROW))


@pytest.mark.parametrize(
    ("changes", "column", "mentions"),
    [
        ({"类别代码": "Town.Water"}, "类别代码", "Town.Water"),
        ({"类别代码": "water"}, "类别代码", "water"),
        ({"类别代码": "镇.水利"}, "类别代码", "镇.水利"),
        ({"公开依据": ""}, "公开依据", "公开依据"),
        ({"二级事项": "  "}, "二级事项", "二级事项"),
        ({"公开周期": "每两周"}, "公开周期", "on_change/随时"),
        ({"公开渠道和载体": "公开栏(必选);微信(可选)"}, "公开渠道和载体", "微信"),
        ({"公开渠道和载体": "公开栏(必须)"}, "公开渠道和载体", "公开栏(必须)"),
        ({"公开渠道和载体": "公开栏;公开栏"}, "公开渠道和载体", "公开栏"),
        ({"公开渠道和载体": ";"}, "公开渠道和载体", "公开渠道和载体"),
        ({"公开对象": "群众"}, "公开对象", "全社会"),
        ({"公开方式": "被动"}, "公开方式", "依申请"),
        ({"公开层级": "市级"}, "公开层级", "县级"),
        ({"适用对象": "镇;乡村"}, "适用对象", "乡村"),
        ({"适用对象": "镇;town"}, "适用对象", "town"),
        ({"是否必需": "可能"}, "是否必需", "可能"),
    ],
)
def test_a_bad_cell_is_reported_with_its_line_column_and_value(
    changes: dict[str, str], column: str, mentions: str
) -> None:
    error = parse_error(csv_text(GOOD_ROW | {"类别代码": "town.first"}, row(**changes)))
    assert (error.line, error.field) == (3, column)
    assert mentions in error.detail
    assert str(error).startswith("line 3: ")


def test_a_repeated_code_is_reported_on_its_second_line() -> None:
    error = parse_error(csv_text(GOOD_ROW, row(二级事项="另一项"), GOOD_ROW))
    assert (error.line, error.field) == (3, "类别代码")
    assert "repeats line 2" in error.detail


def test_a_missing_header_column_is_named() -> None:
    columns = tuple(c for c in CSV_COLUMNS if c != "公开时限")
    error = parse_error(csv_text(GOOD_ROW, columns=columns))
    assert (error.line, error.field) == (1, "公开时限")


def test_a_repeated_header_column_is_rejected() -> None:
    error = parse_error(csv_text(GOOD_ROW, columns=(*CSV_COLUMNS, "公开主体")))
    assert (error.line, error.field) == (1, "公开主体")


@pytest.mark.parametrize("text", ["", "\ufeff", "\r\n\r\n", " , ,\n"])
def test_an_empty_file_is_rejected(text: str) -> None:
    assert parse_error(text).line == 1


def test_a_header_without_entries_is_rejected() -> None:
    assert "no entries" in parse_error(csv_text()).detail


def test_a_row_wider_than_the_header_is_rejected() -> None:
    error = parse_error(csv_text(GOOD_ROW).rstrip("\n") + ",多出来的\n")
    assert error.line == 2


@pytest.mark.parametrize(
    "broken", ['town.x,"未闭合的引号\n', 'town.x,"引号"后面多字\n']
)
def test_malformed_csv_quoting_is_a_format_error(broken: str) -> None:
    error = parse_error(csv_text(GOOD_ROW) + broken)
    assert error.line == 3
    assert "not a readable CSV file" in error.detail


def test_line_numbers_count_physical_lines_across_quoted_line_breaks() -> None:
    multi_line = row(类别代码="town.first", 公开内容='"第一段\n第二段"')
    error = parse_error(csv_text(multi_line, row(公开层级="省级")))
    assert (error.line, error.field) == (4, "公开层级")
    (first,) = parse_catalogue_csv(csv_text(multi_line))
    assert first.content == "第一段\n第二段"


def test_the_documented_csv_example_parses_and_overlays_the_defaults() -> None:
    doc = Path(__file__).parents[4] / "docs" / "catalogue.md"
    example = doc.read_text(encoding="utf-8").split("```csv\n")[1].split("```")[0]
    overlay = parse_catalogue_csv(example)
    assert [e.code for e in overlay] == ["common.finance", "town.farm-subsidy"]
    merged = merge_catalogues(DEFAULT_CATALOGUE, overlay)
    assert len(merged) == len(DEFAULT_CATALOGUE) + 1
    finance = find_entry("common.finance", merged)
    assert finance is not None
    assert finance.period is Period.MONTHLY
