"""Tenant, disclosure and reference-data commands against the in-memory event store.

Separate ``Application`` instances do not share an in-memory store, so the tests use
one application that has every command (``Platform``) over one store and a clock the
tests set.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.popo import POPOApplicationRecorder

from domain.access import Principal, Role
from domain.disclosures.catalogue import (
    CatalogueEntry,
    catalogue_to_csv,
    entries_for,
    find_entry,
)
from domain.disclosures.catalogue_defaults import DEFAULT_CATALOGUE
from domain.errors import (
    AlreadyWithdrawnError,
    BackdatingError,
    DisclosureNotFoundError,
    ForbiddenError,
    GongkaiError,
    InvalidDateError,
    InvalidNestingError,
    NotFoundError,
    TenantExistsError,
    TenantNotFoundError,
    UnknownCategoryError,
    VersionMismatchError,
)
from domain.tenancy import Level, UnitKind
from domain.timeliness import local_noon
from services.disclosures.commands import Disclosures, Published
from services.tenants.commands import Tenants
from services.tenants.reference import ReferenceData

# Monday 2 March 2026, 10:00 in China.
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


class Platform(Tenants, Disclosures, ReferenceData):
    """Every command over one in-memory store."""


class MutableClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def principal(tenant: str | None, *roles: Role) -> Principal:
    return Principal(
        id=f"{tenant}:{'+'.join(roles)}", tenant=tenant, roles=frozenset(roles)
    )


ROOT = principal(None, Role.ADMIN)


def admin(path: str) -> Principal:
    return principal(path, Role.ADMIN)


def clerk(path: str) -> Principal:
    return principal(path, Role.CLERK)


def supervisor(path: str) -> Principal:
    return principal(path, Role.SUPERVISOR)


def payload(event: object) -> dict[str, Any]:
    return dict(vars(event))


@pytest.fixture(autouse=True)
def _in_memory_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests never reach a database, whatever the shell exports."""
    for name in ("PERSISTENCE_MODULE", "GONGKAI_PERSISTENCE_MODULE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(NOW)


@pytest.fixture
def app(clock: MutableClock) -> Platform:
    return Platform(clock=clock)


@pytest.fixture
def world(app: Platform) -> Platform:
    """Two counties; 新河县 has 塔河镇 and 塔镇 (a path prefix of 塔河镇), each with a
    village; 青河县 has one town with one village."""
    app.register(ROOT, code="xinhe", name="新河县", level="县", parent=None)
    app.register(ROOT, code="qinghe", name="青河县", level="county", parent=None)
    for county, town in (("xinhe", "tahe"), ("xinhe", "ta"), ("qinghe", "hekou")):
        app.register(admin(county), code=town, name=town, level="镇", parent=county)
    for town, village in (
        ("xinhe.tahe", "dongcun"),
        ("xinhe.ta", "xicun"),
        ("qinghe.hekou", "nancun"),
    ):
        app.register(admin(town), code=village, name=village, level="村", parent=town)
    return app


def last_position(app: Platform) -> int:
    return app.recorder.max_notification_id() or 0


def events_of(app: Platform, aggregate_id: UUID) -> list[Any]:
    return list(app.events.get(aggregate_id))


def publish(app: Platform, path: str, **overrides: Any) -> Published:
    fields: dict[str, Any] = {
        "category": "common.decisions",
        "title": "村民代表会议决定事项",
        "body": "经村民代表会议讨论决定……",
        "channels": ["公开栏"],
        "formed_on": date(2026, 2, 10),
    }
    fields.update(overrides)
    return app.publish(clerk(path), path, **fields)


# The in-memory store ----------------------------------------------------------------


def test_each_application_instance_has_its_own_in_memory_store() -> None:
    tenants = Tenants()
    tenants.register(ROOT, code="xinhe", name="新河县", level="县", parent=None)
    with pytest.raises(TenantNotFoundError):
        Disclosures().tenant("xinhe")


def test_one_platform_application_sees_what_each_command_recorded(
    world: Platform,
) -> None:
    assert isinstance(world.recorder, POPOApplicationRecorder)
    assert world.tenant("xinhe.tahe.dongcun").level is Level.VILLAGE
    assert publish(world, "xinhe.tahe.dongcun").version == 1


# Registering tenants ----------------------------------------------------------------


def test_installation_admin_registers_a_county(app: Platform) -> None:
    path, position = app.register(
        ROOT, code="xinhe", name=" 新河县 ", level="县", parent=None
    )
    assert path == "xinhe"
    assert position == last_position(app) == 1
    county = app.tenant("xinhe")
    assert county.level is Level.COUNTY
    assert county.name == "新河县"


def test_county_admin_registers_a_town_and_town_admin_a_village(
    app: Platform,
) -> None:
    app.register(ROOT, code="xinhe", name="新河县", level="县", parent=None)
    town, _ = app.register(
        admin("xinhe"), code="tahe", name="塔河镇", level="乡", parent="xinhe"
    )
    village, position = app.register(
        admin("xinhe.tahe"), code="dongcun", name="东村", level="村", parent=town
    )
    assert (town, village) == ("xinhe.tahe", "xinhe.tahe.dongcun")
    assert position == 3
    assert app.tenant(village).parent == "xinhe.tahe"


def test_registered_event_records_the_acting_admin(world: Platform) -> None:
    (event,) = events_of(world, world.tenant("xinhe.tahe").id)
    assert payload(event)["actor"] == admin("xinhe").actor()


def test_county_admin_registers_a_unit_with_a_chinese_kind(world: Platform) -> None:
    path, _ = world.register(
        admin("xinhe"),
        code="yizhong",
        name="新河一中",
        level="单位",
        parent="xinhe",
        kind="学校",
    )
    unit = world.tenant(path)
    assert unit.kind is UnitKind.SCHOOL
    assert unit.catalogue_kind == "school"


def test_county_admin_registers_a_village_below_its_towns(world: Platform) -> None:
    path, _ = world.register(
        admin("xinhe"), code="beicun", name="北村", level="村", parent="xinhe.tahe"
    )
    assert path == "xinhe.tahe.beicun"


def test_a_non_admin_cannot_register_and_nothing_is_recorded(world: Platform) -> None:
    before = last_position(world)
    for someone in (clerk("xinhe"), supervisor("xinhe")):
        with pytest.raises(ForbiddenError):
            world.register(
                someone, code="xinzhen", name="新镇", level="镇", parent="xinhe"
            )
    assert last_position(world) == before


def test_a_county_admin_cannot_register_a_county(world: Platform) -> None:
    with pytest.raises(ForbiddenError):
        world.register(
            admin("xinhe"), code="sanhe", name="三河县", level="县", parent=None
        )


def test_a_county_admin_cannot_register_in_another_county(world: Platform) -> None:
    with pytest.raises(NotFoundError):
        world.register(
            admin("xinhe"), code="xinzhen", name="新镇", level="镇", parent="qinghe"
        )


def test_a_town_admin_cannot_register_under_its_prefix_sibling(
    world: Platform,
) -> None:
    with pytest.raises(NotFoundError):
        world.register(
            admin("xinhe.ta"),
            code="beicun",
            name="北村",
            level="村",
            parent="xinhe.tahe",
        )


def test_registering_an_existing_path_is_a_conflict(world: Platform) -> None:
    before = last_position(world)
    with pytest.raises(TenantExistsError) as caught:
        world.register(
            admin("xinhe"), code="tahe", name="另一个塔河镇", level="镇", parent="xinhe"
        )
    assert caught.value.field == "code"
    with pytest.raises(TenantExistsError):
        world.register(ROOT, code="xinhe", name="新河县", level="县", parent=None)
    assert last_position(world) == before


@pytest.mark.parametrize("who", [ROOT, admin("xinhe")], ids=["root", "county-admin"])
def test_an_unknown_parent_is_not_found_on_field_parent(
    world: Platform, who: Principal
) -> None:
    with pytest.raises(TenantNotFoundError) as caught:
        world.register(
            who, code="beicun", name="北村", level="村", parent="xinhe.nowhere"
        )
    assert caught.value.field == "parent"


def test_a_village_directly_under_a_county_is_rejected(world: Platform) -> None:
    with pytest.raises(InvalidNestingError):
        world.register(
            admin("xinhe"), code="beicun", name="北村", level="村", parent="xinhe"
        )


def test_a_unit_under_a_village_is_rejected(world: Platform) -> None:
    with pytest.raises(InvalidNestingError):
        world.register(
            admin("xinhe.tahe"),
            code="xiaoxue",
            name="小学",
            level="unit",
            parent="xinhe.tahe.dongcun",
            kind="school",
        )


def test_renaming_with_a_stale_version_is_a_version_mismatch(world: Platform) -> None:
    world.rename(admin("xinhe"), "xinhe.tahe", "塔河乡", expected_version=1)
    with pytest.raises(VersionMismatchError) as caught:
        world.rename(admin("xinhe"), "xinhe.tahe", "塔河镇", expected_version=1)
    assert (caught.value.expected, caught.value.current) == (1, 2)
    assert world.tenant("xinhe.tahe").name == "塔河乡"


# Publishing -------------------------------------------------------------------------


def test_a_clerk_publishes_and_learns_id_version_position_and_timeliness(
    world: Platform,
) -> None:
    result = publish(world, "xinhe.tahe.dongcun")
    assert result.version == 1
    assert result.position == last_position(world)
    assert result.timeliness.due_on == date(2026, 3, 16)
    assert result.timeliness.on_time
    assert result.timeliness.warning is None
    assert result.backdating.working_days == 0
    stored = world.disclosure(
        clerk("xinhe.tahe.dongcun"), "xinhe.tahe.dongcun", result.id
    )
    assert stored.published_on == date(2026, 3, 2)
    assert stored.channels == ["notice_board"]


def test_published_on_today_takes_effect_now(world: Platform) -> None:
    result = publish(world, "xinhe.tahe.dongcun")
    (event,) = events_of(world, result.id)
    assert payload(event)["effective_at"] == NOW


def test_a_late_publication_reports_working_days_late(world: Platform) -> None:
    # Formed Mon 5 Jan, due Mon 2 Feb; 3 Feb to 2 Mar holds 16 working days.
    result = publish(world, "xinhe.tahe.dongcun", formed_on=date(2026, 1, 5))
    assert result.timeliness.due_on == date(2026, 2, 2)
    assert not result.timeliness.on_time
    assert result.timeliness.working_days_late == 16


def test_a_sibling_clerk_cannot_publish_there(world: Platform) -> None:
    with pytest.raises(NotFoundError):
        world.publish(
            clerk("xinhe.ta"),
            "xinhe.tahe",
            category="common.decisions",
            title="标题",
            body="正文",
            channels=["公开栏"],
            formed_on=date(2026, 2, 10),
        )


def test_an_ancestor_clerk_cannot_publish_for_a_descendant(world: Platform) -> None:
    with pytest.raises(ForbiddenError):
        world.publish(
            clerk("xinhe"),
            "xinhe.tahe",
            category="common.decisions",
            title="标题",
            body="正文",
            channels=["公开栏"],
            formed_on=date(2026, 2, 10),
        )


def test_a_supervisor_cannot_publish(world: Platform) -> None:
    before = last_position(world)
    with pytest.raises(ForbiddenError):
        world.publish(
            supervisor("xinhe.tahe"),
            "xinhe.tahe",
            category="common.decisions",
            title="标题",
            body="正文",
            channels=["公开栏"],
            formed_on=date(2026, 2, 10),
        )
    assert last_position(world) == before


def test_an_unknown_category_lists_the_allowed_codes(world: Platform) -> None:
    with pytest.raises(UnknownCategoryError) as caught:
        publish(world, "xinhe.tahe.dongcun", category="town.fiscal")
    assert caught.value.field == "category"
    for allowed in entries_for("village"):
        assert allowed.code in caught.value.detail


def test_publishing_a_few_working_days_back_needs_no_reason(world: Platform) -> None:
    # Thu 26 Feb -> Mon 2 Mar: 27 Feb, 28 Feb (make-up Saturday), 2 Mar.
    result = publish(world, "xinhe.tahe.dongcun", published_on=date(2026, 2, 26))
    assert result.backdating.working_days == 3
    (event,) = events_of(world, result.id)
    assert payload(event)["effective_at"] == local_noon(date(2026, 2, 26))


def test_back_dating_beyond_the_window_needs_a_late_reason(world: Platform) -> None:
    before = last_position(world)
    with pytest.raises(BackdatingError) as caught:
        publish(world, "xinhe.tahe.dongcun", published_on=date(2026, 2, 25))
    assert caught.value.field == "late_reason"
    assert last_position(world) == before

    result = publish(
        world,
        "xinhe.tahe.dongcun",
        published_on=date(2026, 2, 25),
        late_reason="村务公开栏照片补录",
    )
    assert result.backdating.working_days == 4
    assert result.backdating.reason == "村务公开栏照片补录"


def test_publishing_on_a_future_day_is_rejected_on_published_on(
    world: Platform,
) -> None:
    with pytest.raises(InvalidDateError) as caught:
        publish(world, "xinhe.tahe.dongcun", published_on=date(2026, 3, 3))
    assert caught.value.field == "published_on"


# Revising and withdrawing -----------------------------------------------------------


def test_a_clerk_revises_and_withdraws_an_item(world: Platform) -> None:
    path = "xinhe.tahe.dongcun"
    item = publish(world, path)
    revised = world.revise(clerk(path), path, item.id, reason="更正", title="新标题")
    assert revised.version == 2
    withdrawn = world.withdraw(clerk(path), path, item.id, reason="信息有误")
    assert withdrawn.version == 3
    assert withdrawn.position == last_position(world)
    assert world.disclosure(clerk(path), path, item.id).withdrawn


def test_a_sibling_clerk_cannot_revise_there(world: Platform) -> None:
    item = publish(world, "xinhe.tahe")
    with pytest.raises(NotFoundError):
        world.revise(clerk("xinhe.ta"), "xinhe.tahe", item.id, reason="改", title="改")


def test_an_item_is_not_found_under_another_tenant(world: Platform) -> None:
    item = publish(world, "xinhe.tahe")
    with pytest.raises(DisclosureNotFoundError):
        world.revise(clerk("xinhe.ta"), "xinhe.ta", item.id, reason="改", title="改")


def test_revising_a_withdrawn_item_is_rejected(world: Platform) -> None:
    path = "xinhe.tahe.dongcun"
    item = publish(world, path)
    world.withdraw(clerk(path), path, item.id, reason="信息有误")
    with pytest.raises(AlreadyWithdrawnError):
        world.revise(clerk(path), path, item.id, reason="更正", title="新标题")


def test_a_stale_expected_version_carries_expected_and_current(
    world: Platform,
) -> None:
    path = "xinhe.tahe.dongcun"
    item = publish(world, path)
    world.revise(
        clerk(path), path, item.id, reason="更正", title="新标题", expected_version=1
    )
    before = last_position(world)
    with pytest.raises(VersionMismatchError) as caught:
        world.withdraw(
            clerk(path), path, item.id, reason="信息有误", expected_version=1
        )
    assert (caught.value.expected, caught.value.current) == (1, 2)
    assert last_position(world) == before


def test_event_timestamps_are_the_injected_clock(
    world: Platform, clock: MutableClock
) -> None:
    path = "xinhe.tahe.dongcun"
    (registered,) = events_of(world, world.tenant(path).id)
    assert registered.timestamp == NOW
    item = publish(world, path)
    later = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
    clock.now = later
    world.revise(clerk(path), path, item.id, reason="更正", title="新标题")
    published, revised = events_of(world, item.id)
    assert published.timestamp == NOW
    assert revised.timestamp == later
    assert payload(revised)["effective_at"] == later


# County catalogues ------------------------------------------------------------------


def county_catalogue_csv() -> str:
    """common.decisions no longer for villages, plus a new village category."""
    decisions = find_entry("common.decisions", DEFAULT_CATALOGUE)
    assert decisions is not None
    narrowed = replace(
        decisions, applies_to=tuple(k for k in decisions.applies_to if k != "village")
    )
    water = CatalogueEntry(
        code="village.water",
        level1="公共事务",
        level2="农村饮水安全",
        content="村级供水工程建设运营、水质检测结果。",
        basis="《中华人民共和国政府信息公开条例》第二十一条",
        time_limit="信息形成或变更之日起20个工作日内公开",
        period=decisions.period,
        subject="村民委员会",
        channels=decisions.channels,
        audience=decisions.audience,
        mode=decisions.mode,
        level=decisions.level,
        applies_to=("village",),
    )
    return catalogue_to_csv([narrowed, water])


def test_a_county_admin_loads_a_catalogue_that_applies_in_that_county_only(
    world: Platform,
) -> None:
    version, position, entries = world.load_catalogue(
        admin("xinhe"), "xinhe", county_catalogue_csv(), "新河县标准目录2026.csv"
    )
    assert (version, position) == (1, last_position(world))
    assert [e.code for e in entries] == ["common.decisions", "village.water"]

    publish(world, "xinhe.tahe.dongcun", category="village.water")
    with pytest.raises(UnknownCategoryError):
        publish(world, "qinghe.hekou.nancun", category="village.water")


def test_a_loaded_catalogue_replaces_a_default_entry_in_that_county(
    world: Platform,
) -> None:
    world.load_catalogue(admin("xinhe"), "xinhe", county_catalogue_csv(), "v1")
    with pytest.raises(UnknownCategoryError):
        publish(world, "xinhe.tahe.dongcun", category="common.decisions")
    publish(world, "qinghe.hekou.nancun", category="common.decisions")
    publish(world, "xinhe.tahe", category="common.decisions")


def test_each_catalogue_load_is_a_new_version(world: Platform) -> None:
    world.load_catalogue(admin("xinhe"), "xinhe", county_catalogue_csv(), "v1")
    version, _, _ = world.load_catalogue(
        supervisor("xinhe"), "xinhe", county_catalogue_csv(), "v2"
    )
    assert version == 2


@pytest.mark.parametrize(
    ("who", "path"),
    [(admin("xinhe.tahe"), "xinhe.tahe"), (clerk("xinhe"), "xinhe")],
    ids=["town-admin", "county-clerk"],
)
def test_only_a_county_admin_or_supervisor_loads_a_catalogue(
    world: Platform, who: Principal, path: str
) -> None:
    with pytest.raises(ForbiddenError):
        world.load_catalogue(who, path, county_catalogue_csv(), "x.csv")


# Holiday schedules ------------------------------------------------------------------

# A made-up 2027 schedule (not the State Council's): 元旦 Fri 1–Sun 3 Jan; 春节
# Sat 6–Sun 14 Feb with make-up Sat 20 Feb; 国庆 Fri 1–Thu 7 Oct with make-up
# Sun 26 Sep and Sat 9 Oct.
HOLIDAYS_2027 = [
    "2027-01-01",
    "2027-01-02",
    "2027-01-03",
    *(f"2027-02-{d:02d}" for d in range(6, 15)),
    *(f"2027-10-{d:02d}" for d in range(1, 8)),
]
WORKDAYS_2027 = ["2027-02-20", "2027-09-26", "2027-10-09"]


@pytest.fixture
def in_2027(world: Platform, clock: MutableClock) -> Platform:
    clock.now = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)  # Mon 1 Feb, 10:00 in China
    return world


def test_due_dates_in_an_unknown_year_fall_back_to_weekends_with_a_warning(
    in_2027: Platform,
) -> None:
    result = publish(in_2027, "xinhe.tahe.dongcun", formed_on=date(2027, 2, 1))
    assert result.timeliness.due_on == date(2027, 3, 1)
    assert result.timeliness.warning is not None
    assert "2027" in result.timeliness.warning


def test_a_county_supervisor_uploads_2027_and_due_dates_follow_it(
    in_2027: Platform,
) -> None:
    schedule, position = in_2027.upload_holidays(
        supervisor("xinhe"),
        "xinhe",
        year=2027,
        holidays=HOLIDAYS_2027,
        workdays=WORKDAYS_2027,
        source="test fixture",
    )
    assert schedule.year == 2027
    assert position == last_position(in_2027)
    # From Mon 1 Feb: 2–5 Feb are 1–4, 15–19 Feb 5–9, Sat 20 Feb 10, 22–26 Feb
    # 11–15, 1–5 Mar 16–20.
    result = publish(in_2027, "xinhe.tahe.dongcun", formed_on=date(2027, 2, 1))
    assert result.timeliness.due_on == date(2027, 3, 5)
    assert result.timeliness.warning is None
    assert in_2027.calendar().is_working_day(date(2027, 2, 20))


def test_a_town_supervisor_cannot_upload_holidays(in_2027: Platform) -> None:
    before = last_position(in_2027)
    with pytest.raises(ForbiddenError):
        in_2027.upload_holidays(
            supervisor("xinhe.tahe"),
            "xinhe.tahe",
            year=2027,
            holidays=HOLIDAYS_2027,
            workdays=WORKDAYS_2027,
        )
    assert last_position(in_2027) == before
    assert not in_2027.calendar().knows(2027)


def test_a_county_clerk_cannot_upload_holidays(in_2027: Platform) -> None:
    with pytest.raises(ForbiddenError):
        in_2027.upload_holidays(
            clerk("xinhe"),
            "xinhe",
            year=2027,
            holidays=HOLIDAYS_2027,
            workdays=WORKDAYS_2027,
        )


def test_a_county_supervisor_cannot_rewrite_a_year_the_package_already_knows(
    world: Platform,
) -> None:
    # HolidaySchedules holds "schedules for years the calendar package does not
    # know"; the one calendar is shared by every county, so rewriting 2026 from
    # 青河县 would move 新河县's statutory deadlines.
    before = publish(world, "xinhe.tahe.dongcun").timeliness.due_on
    with pytest.raises(GongkaiError):
        world.upload_holidays(
            supervisor("qinghe"),
            "qinghe",
            year=2026,
            holidays=["2026-03-02", "2026-03-03"],
            workdays=[],
        )
    assert not world.calendar().is_working_day(date(2026, 2, 16))  # 春节
    assert publish(world, "xinhe.tahe.dongcun").timeliness.due_on == before


# Dates at the edges -----------------------------------------------------------------


def test_a_formed_on_at_the_end_of_the_calendar_is_invalid_input_not_a_crash(
    world: Platform,
) -> None:
    with pytest.raises(InvalidDateError) as caught:
        publish(world, "xinhe.tahe.dongcun", formed_on=date.max)
    assert caught.value.field == "formed_on"


def test_an_item_cannot_be_withdrawn_before_it_was_published(
    world: Platform,
) -> None:
    path = "xinhe.tahe.dongcun"
    item = publish(world, path)  # published today, Mon 2 March
    with pytest.raises(InvalidDateError):
        world.withdraw(
            clerk(path),
            path,
            item.id,
            reason="信息有误",
            effective_at=datetime(2026, 2, 27, 2, 0, tzinfo=UTC),  # Fri 27 Feb
        )
    assert not world.disclosure(clerk(path), path, item.id).withdrawn


def test_an_item_cannot_be_revised_before_it_was_published(world: Platform) -> None:
    path = "xinhe.tahe.dongcun"
    item = publish(world, path)  # published today, Mon 2 March
    with pytest.raises(InvalidDateError):
        world.revise(
            clerk(path),
            path,
            item.id,
            reason="更正",
            title="新标题",
            effective_at=datetime(2026, 2, 27, 2, 0, tzinfo=UTC),  # Fri 27 Feb
        )
