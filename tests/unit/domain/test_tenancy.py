"""Tenants: codes, names, how levels nest, tree paths, and the events a tenant emits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.errors import (
    InvalidInputError,
    InvalidNestingError,
    InvalidTenantCodeError,
    TenantError,
)
from domain.tenancy import (
    MAX_NAME_LENGTH,
    Level,
    Tenant,
    UnitKind,
    ancestors_of,
    check_code,
    check_name,
    check_nesting,
    child_path,
    is_within,
    parent_of,
    parse_level,
    parse_unit_kind,
    tenant_id,
)

ACTOR = {"id": "admin-1", "tenant": "", "roles": "admin"}
WHEN = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def payload(event: object) -> dict[str, Any]:
    """The fields an event carries."""
    return dict(vars(event))


def register(
    code: str,
    level: Level,
    parent: Tenant | None = None,
    *,
    name: str = "某地",
    kind: UnitKind | None = None,
) -> Tenant:
    return Tenant.register(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        actor=ACTOR,
        effective_at=WHEN,
    )


def drained(tenant: Tenant) -> Tenant:
    """The tenant with its pending events collected, as after a save."""
    tenant.collect_events()
    return tenant


@pytest.fixture
def county() -> Tenant:
    return drained(register("xinhe", Level.COUNTY, name="新河县"))


@pytest.fixture
def town(county: Tenant) -> Tenant:
    return drained(register("tahe", Level.TOWN, county, name="塔河镇"))


@pytest.fixture
def village(town: Tenant) -> Tenant:
    return drained(register("dongcun", Level.VILLAGE, town, name="东村"))


# Codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["ab", "a" * 40, "xinhe", "tahe-2", "0a", "9-village", "a-b-c"],
)
def test_code_of_2_to_40_lower_case_letters_digits_and_dashes_is_accepted(
    code: str,
) -> None:
    check_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "a",
        "a" * 41,
        "-ab",
        "-",
        "Xinhe",
        "XINHE",
        "新河",
        "xin he",
        " xinhe",
        "xinhe\n",
        "xin_he",
        "xin.he",
        "xinhé",
    ],
)
def test_code_outside_the_pattern_is_rejected_on_field_code(code: str) -> None:
    with pytest.raises(InvalidTenantCodeError) as caught:
        check_code(code)
    assert caught.value.field == "code"
    assert isinstance(caught.value, TenantError)
    assert isinstance(caught.value, InvalidInputError)


def test_register_with_an_invalid_code_creates_no_tenant() -> None:
    with pytest.raises(InvalidTenantCodeError):
        register("Xinhe", Level.COUNTY)


# Names ------------------------------------------------------------------------------


def test_name_is_trimmed() -> None:
    assert check_name("  新河县 \t") == "新河县"


def test_name_of_exactly_the_maximum_length_is_accepted_after_trimming() -> None:
    name = "县" * MAX_NAME_LENGTH
    assert check_name(f"  {name}  ") == name


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "县" * (MAX_NAME_LENGTH + 1)])
def test_empty_or_too_long_name_is_rejected_on_field_name(name: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_name(name)
    assert caught.value.field == "name"


def test_registered_name_is_stored_trimmed() -> None:
    tenant = register("xinhe", Level.COUNTY, name="  新河县  ")
    assert tenant.name == "新河县"
    (event,) = tenant.collect_events()
    assert payload(event)["name"] == "新河县"


# Nesting ----------------------------------------------------------------------------

ALLOWED = {
    (Level.COUNTY, None),
    (Level.TOWN, Level.COUNTY),
    (Level.VILLAGE, Level.TOWN),
    (Level.UNIT, Level.COUNTY),
    (Level.UNIT, Level.TOWN),
}
EVERY_PLACEMENT = [(level, parent) for level in Level for parent in [None, *Level]]


def kind_for(level: Level) -> UnitKind | None:
    return UnitKind.SCHOOL if level is Level.UNIT else None


@pytest.mark.parametrize(
    ("level", "parent"),
    sorted(ALLOWED, key=str),
    ids=lambda v: str(v) if v else "root",
)
def test_allowed_nesting_is_accepted(level: Level, parent: Level | None) -> None:
    check_nesting(level, kind_for(level), parent)


@pytest.mark.parametrize(
    ("level", "parent"),
    [p for p in EVERY_PLACEMENT if p not in ALLOWED],
    ids=lambda v: str(v) if v else "root",
)
def test_every_other_nesting_is_rejected_on_field_parent(
    level: Level, parent: Level | None
) -> None:
    with pytest.raises(InvalidNestingError) as caught:
        check_nesting(level, kind_for(level), parent)
    assert caught.value.field == "parent"


def test_county_is_registered_at_the_root(county: Tenant) -> None:
    assert county.path == "xinhe"
    assert county.parent is None
    assert county.level is Level.COUNTY


def test_town_is_registered_under_a_county(town: Tenant) -> None:
    assert town.path == "xinhe.tahe"
    assert town.parent == "xinhe"
    assert town.level is Level.TOWN


def test_village_is_registered_under_a_town(village: Tenant) -> None:
    assert village.path == "xinhe.tahe.dongcun"
    assert village.parent == "xinhe.tahe"
    assert village.county == "xinhe"


def test_unit_with_a_kind_is_registered_under_a_county(county: Tenant) -> None:
    unit = register("jiaoyu", Level.UNIT, county, kind=UnitKind.DEPARTMENT)
    assert unit.path == "xinhe.jiaoyu"
    assert unit.kind is UnitKind.DEPARTMENT
    assert unit.catalogue_kind == "department"


def test_unit_with_a_kind_is_registered_under_a_town(town: Tenant) -> None:
    unit = register("zhongxue", Level.UNIT, town, kind=UnitKind.SCHOOL)
    assert unit.path == "xinhe.tahe.zhongxue"
    assert unit.kind is UnitKind.SCHOOL
    assert unit.catalogue_kind == "school"


def test_village_under_a_county_is_rejected(county: Tenant) -> None:
    with pytest.raises(InvalidNestingError) as caught:
        register("dongcun", Level.VILLAGE, county)
    assert caught.value.field == "parent"


def test_unit_under_a_village_is_rejected(village: Tenant) -> None:
    with pytest.raises(InvalidNestingError) as caught:
        register("xiaoxue", Level.UNIT, village, kind=UnitKind.SCHOOL)
    assert caught.value.field == "parent"


def test_town_at_the_root_is_rejected_on_field_parent() -> None:
    with pytest.raises(InvalidNestingError) as caught:
        register("tahe", Level.TOWN)
    assert caught.value.field == "parent"


def test_county_under_a_county_is_rejected(county: Tenant) -> None:
    with pytest.raises(InvalidNestingError) as caught:
        register("qinghe", Level.COUNTY, county)
    assert caught.value.field == "parent"


def test_unit_without_a_kind_is_rejected_on_field_kind(town: Tenant) -> None:
    with pytest.raises(InvalidNestingError) as caught:
        register("zhongxue", Level.UNIT, town)
    assert caught.value.field == "kind"


@pytest.mark.parametrize(
    ("level", "parent"),
    [(Level.COUNTY, None), (Level.TOWN, Level.COUNTY), (Level.VILLAGE, Level.TOWN)],
)
def test_kind_on_a_non_unit_is_rejected_on_field_kind(
    level: Level, parent: Level | None
) -> None:
    with pytest.raises(InvalidNestingError) as caught:
        check_nesting(level, UnitKind.COMMUNITY, parent)
    assert caught.value.field == "kind"


def test_kind_on_a_registered_town_is_rejected(county: Tenant) -> None:
    with pytest.raises(InvalidNestingError):
        register("tahe", Level.TOWN, county, kind=UnitKind.STATION)


# Paths ------------------------------------------------------------------------------


def test_child_path_of_no_parent_is_the_code() -> None:
    assert child_path(None, "xinhe") == "xinhe"


def test_child_path_joins_parent_and_code_with_a_dot() -> None:
    assert child_path("xinhe.tahe", "dongcun") == "xinhe.tahe.dongcun"


def test_a_path_is_within_itself() -> None:
    assert is_within("xinhe.tahe", "xinhe.tahe")


def test_a_descendant_is_within_its_ancestors() -> None:
    assert is_within("xinhe.tahe.dongcun", "xinhe.tahe")
    assert is_within("xinhe.tahe.dongcun", "xinhe")


def test_an_ancestor_is_not_within_its_descendant() -> None:
    assert not is_within("xinhe", "xinhe.tahe")


def test_a_sibling_is_not_within_another_sibling() -> None:
    assert not is_within("xinhe.ta", "xinhe.tahe")
    assert not is_within("qinghe", "xinhe")


def test_a_path_sharing_a_text_prefix_is_not_within_it() -> None:
    assert not is_within("xinhe.tahe", "xinhe.ta")
    assert not is_within("xinhe.tahe.dongcun", "xinhe.ta")
    assert not is_within("xinhe2", "xinhe")
    assert is_within("xinhe.ta.xicun", "xinhe.ta")


def test_a_county_has_no_parent() -> None:
    assert parent_of("xinhe") is None


def test_parent_of_drops_the_last_code() -> None:
    assert parent_of("xinhe.tahe") == "xinhe"
    assert parent_of("xinhe.tahe.dongcun") == "xinhe.tahe"


def test_a_county_has_no_ancestors() -> None:
    assert ancestors_of("xinhe") == []


def test_ancestors_run_from_the_root_down_to_the_parent() -> None:
    assert ancestors_of("xinhe.tahe.dongcun") == ["xinhe", "xinhe.tahe"]


def test_tenant_id_is_derived_from_the_path() -> None:
    assert tenant_id("xinhe.tahe") == tenant_id("xinhe.tahe")
    assert tenant_id("xinhe.tahe") != tenant_id("xinhe.ta")


def test_registered_tenant_id_is_the_id_of_its_path(town: Tenant) -> None:
    assert town.id == tenant_id("xinhe.tahe")


# Events -----------------------------------------------------------------------------


def test_register_emits_registered_with_tenant_actor_and_effective_at(
    county: Tenant,
) -> None:
    tenant = register("tahe", Level.TOWN, county, name="塔河镇")
    events = tenant.collect_events()
    assert [type(e).__name__ for e in events] == ["Registered"]
    fields = payload(events[0])
    assert fields["path"] == "xinhe.tahe"
    assert fields["tenant"] == "xinhe.tahe"
    assert fields["code"] == "tahe"
    assert fields["name"] == "塔河镇"
    assert fields["level"] == "town"
    assert fields["kind"] is None
    assert fields["parent"] == "xinhe"
    assert fields["actor"] == ACTOR
    assert fields["effective_at"] == WHEN


def test_registered_unit_records_its_kind_code(town: Tenant) -> None:
    unit = register("zhongxue", Level.UNIT, town, kind=UnitKind.SCHOOL)
    (event,) = unit.collect_events()
    assert payload(event)["kind"] == "school"
    assert payload(event)["level"] == "unit"


def test_catalogue_kind_of_a_non_unit_is_its_level(village: Tenant) -> None:
    assert village.kind is None
    assert village.catalogue_kind == "village"


def test_rename_emits_renamed_with_new_and_previous_name(town: Tenant) -> None:
    later = datetime(2026, 3, 3, tzinfo=UTC)
    town.rename("  塔河乡 ", actor=ACTOR, effective_at=later)
    assert town.name == "塔河乡"
    events = town.collect_events()
    assert [type(e).__name__ for e in events] == ["Renamed"]
    fields = payload(events[0])
    assert fields["name"] == "塔河乡"
    assert fields["previous"] == "塔河镇"
    assert fields["tenant"] == "xinhe.tahe"
    assert fields["actor"] == ACTOR
    assert fields["effective_at"] == later


def test_rename_keeps_code_and_path(town: Tenant) -> None:
    town.rename("塔河乡", actor=ACTOR, effective_at=WHEN)
    assert town.code == "tahe"
    assert town.path == "xinhe.tahe"


def test_renaming_to_the_same_name_emits_nothing(town: Tenant) -> None:
    version = town.version
    town.rename(" 塔河镇 ", actor=ACTOR, effective_at=WHEN)
    assert town.collect_events() == []
    assert town.version == version


def test_renaming_to_an_empty_name_is_rejected_and_emits_nothing(town: Tenant) -> None:
    with pytest.raises(InvalidInputError) as caught:
        town.rename("  ", actor=ACTOR, effective_at=WHEN)
    assert caught.value.field == "name"
    assert town.collect_events() == []
    assert town.name == "塔河镇"


# Parsing levels and kinds -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("county", Level.COUNTY),
        ("县", Level.COUNTY),
        ("town", Level.TOWN),
        ("镇", Level.TOWN),
        ("乡", Level.TOWN),
        ("镇(乡)", Level.TOWN),
        ("village", Level.VILLAGE),
        ("村", Level.VILLAGE),
        ("unit", Level.UNIT),
        ("单位", Level.UNIT),
        ("  县 ", Level.COUNTY),
    ],
)
def test_parse_level_accepts_codes_and_chinese_labels(text: str, level: Level) -> None:
    assert parse_level(text) is level


@pytest.mark.parametrize("text", ["省", "City", "", "乡镇街道"])
def test_parse_level_rejects_unknown_levels_on_field_level(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_level(text)
    assert caught.value.field == "level"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("school", UnitKind.SCHOOL),
        ("学校", UnitKind.SCHOOL),
        ("department", UnitKind.DEPARTMENT),
        ("科室", UnitKind.DEPARTMENT),
        ("community", UnitKind.COMMUNITY),
        ("社区", UnitKind.COMMUNITY),
        ("station", UnitKind.STATION),
        ("站所", UnitKind.STATION),
        (" 学校 ", UnitKind.SCHOOL),
    ],
)
def test_parse_unit_kind_accepts_codes_and_chinese_labels(
    text: str, kind: UnitKind
) -> None:
    assert parse_unit_kind(text) is kind


@pytest.mark.parametrize("text", ["医院", "hospital", ""])
def test_parse_unit_kind_rejects_unknown_kinds_on_field_kind(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_unit_kind(text)
    assert caught.value.field == "kind"
