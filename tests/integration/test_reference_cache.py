"""Cached rules are never served stale, even when another process changed them.

Two Platforms on one store stand for two API processes: one caches the tenant, the
county's catalogue and the calendar by publishing; the other changes each of them;
the first one's very next command decides on the new rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.access import Role
from domain.cases.service_catalogue import DEFAULT_SERVICES
from domain.disclosures.catalogue import catalogue_to_csv, find_entry
from domain.disclosures.catalogue_defaults import DEFAULT_CATALOGUE
from domain.errors import GongkaiError
from domain.reference import YearSchedule
from infra.settings import Settings
from services.platform.runtime import Platform
from tests.conftest import ADMIN, MutableClock, build_tree, principal

TUANJIE = "xinhe.tahe.tuanjie"
CLERK = principal(TUANJIE, Role.CLERK)
WATER = "xinhe.water-fees"


def publish(p: Platform, category: str = "common.finance") -> object:
    return p.disclosures.publish(
        CLERK,
        TUANJIE,
        category=category,
        title="2026年12月财务收支",
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["公开栏"],
        formed_on=date(2026, 12, 28),
    )


@pytest.fixture
def other(settings: Settings, clock: MutableClock) -> Iterator[Platform]:
    """A second process on the same store."""
    p = Platform(settings, clock=clock)
    try:
        yield p
    finally:
        p.close()


def test_a_rule_changed_elsewhere_is_used_by_the_next_command(
    platform: Platform, other: Platform, clock: MutableClock
) -> None:
    build_tree(platform)
    clock.moment = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    first = publish(platform)
    with pytest.raises(GongkaiError):  # not in the default catalogue
        publish(platform, WATER)
    hits = platform.disclosures.references.hits
    publish(platform)
    assert platform.disclosures.references.hits > hits  # the cache is in use

    # The catalogue: the other process loads the county's own, with water fees.
    finance = find_entry("common.finance", DEFAULT_CATALOGUE)
    assert finance is not None
    water = replace(finance, code=WATER, level1="水费收缴", applies_to=("village",))
    other.reference.load_catalogue(
        ADMIN, "xinhe", catalogue_to_csv([finance, water]), "新和县目录.csv"
    )
    publish(platform, WATER)

    # The calendar: holidays in January 2027 move the due date of the same item.
    schedule = YearSchedule.build(
        2027, ["2027-01-01", *(f"2027-01-{d:02d}" for d in range(18, 23))], []
    )
    other.reference.upload_holidays(
        ADMIN, "xinhe", year=2027, holidays=sorted(schedule.holidays), workdays=[]
    )
    later = publish(platform)
    assert later.timeliness.due_on > first.timeliness.due_on  # type: ignore[attr-defined]

    # The tenant: renamed elsewhere, read here.
    other.tenants.rename(ADMIN, TUANJIE, "团结村（更名）", None)
    assert platform.disclosures.tenant(TUANJIE).name == "团结村（更名）"


def test_a_case_acted_on_elsewhere_is_decided_on_its_stored_state(
    platform: Platform, other: Platform
) -> None:
    build_tree(platform)
    clerk = principal(TUANJIE, Role.CLERK)
    filed = platform.cases.file(
        clerk,
        TUANJIE,
        kind="complaint",
        channel="hotline",
        summary="村道路灯损坏三个月无人维修",
        signed=False,
    )
    platform.cases.accept(clerk, TUANJIE, filed.id)  # kept here, as accepted
    other.cases.assign(
        clerk,
        TUANJIE,
        filed.id,
        department="社会事务服务部",
        handler="李四",
        promised_working_days=10,
    )
    # Extending a complaint needs it assigned: the copy kept here (accepted) would
    # refuse; the stored case (assigned elsewhere) allows it.
    extended = platform.cases.extend(
        clerk, TUANJIE, filed.id, working_days=5, reason="需现场核实", approver="王主任"
    )
    assert extended.version == 4
    other.cases.resolve(clerk, TUANJIE, filed.id, result="已更换路灯")
    # The copy kept here is a version behind: dropped, decided on the stored case.
    replied = platform.cases.reply(
        clerk, TUANJIE, filed.id, method="电话", content="路灯已修复"
    )
    assert replied.version == 6
    stored = other.cases.case(clerk, TUANJIE, filed.id)
    assert stored.version == 6


NEW_SERVICE = "svc.well-water"


def file(p: Platform, category: str | None = None) -> object:
    return p.cases.file(
        CLERK,
        TUANJIE,
        kind="service_request",
        channel="visit",
        category=category,
        summary="申请接通自来水",
        signed=False,
    )


def test_a_service_changed_elsewhere_is_used_by_the_next_filing(
    platform: Platform, other: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_tree(platform)
    county = principal("xinhe", Role.ADMIN)
    with pytest.raises(GongkaiError):
        file(platform, NEW_SERVICE)
    file(platform)
    refs = platform.cases.references
    queries: list[object] = []
    counted = refs.versions

    def versions(ids: object) -> object:
        queries.append(ids)
        return counted(ids)  # type: ignore[arg-type]

    monkeypatch.setattr(refs, "versions", versions)
    file(platform)
    if refs.checks_at_append:
        # The rules' check went with the append: no version query of its own.
        assert queries == []

    # Added elsewhere: a filing here that its cached rules would refuse is
    # checked before it is refused, and decided again on the new rules.
    service = replace(DEFAULT_SERVICES[0], code=NEW_SERVICE, name="井水改自来水")
    other.reference.load_services(county, "xinhe", [service.to_dict()])
    filed = file(platform, NEW_SERVICE)
    assert filed.version == 1  # type: ignore[attr-defined]
    deferred = refs.checks_at_append
    assert refs.decided_again == (1 if deferred else 0)

    # Removed elsewhere: a filing its cached rules would allow is not recorded
    # (the append sees the services moved); decided again, it is refused.
    other.reference.load_services(county, "xinhe", [])
    before = platform.max_position()
    with pytest.raises(GongkaiError):
        file(platform, NEW_SERVICE)
    assert platform.max_position() == before
    assert refs.decided_again == (2 if deferred else 0)


def test_case_rules_changed_elsewhere_are_used_by_the_next_action(
    platform: Platform, other: Platform
) -> None:
    build_tree(platform)
    county = principal("xinhe", Role.ADMIN)

    def assigned() -> object:
        case = file(platform).id  # type: ignore[attr-defined]
        platform.cases.accept(CLERK, TUANJIE, case)
        platform.cases.assign(
            CLERK,
            TUANJIE,
            case,
            department="社会事务服务部",
            handler="李四",
            promised_working_days=10,
        )
        return case

    def extend(case: object) -> object:
        return platform.cases.extend(
            CLERK, TUANJIE, case, working_days=5, reason="需现场核实", approver="王主任"
        )

    extend(assigned())  # the default rules (one extension) are cached here
    other.reference.set_case_rules(
        county, "xinhe", max_extensions=0, basically_satisfied_counts=True
    )
    case = assigned()
    refs = platform.cases.references
    with pytest.raises(GongkaiError):
        extend(case)
    assert refs.decided_again == (1 if refs.checks_at_append else 0)
    other.reference.set_case_rules(
        county, "xinhe", max_extensions=2, basically_satisfied_counts=True
    )
    extend(case)
    assert extend(case).version == 5  # type: ignore[attr-defined]
