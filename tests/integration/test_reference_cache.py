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
from domain.catalogue import DEFAULT_CATALOGUE, catalogue_to_csv, find_entry
from domain.errors import GongkaiError
from domain.reference import YearSchedule
from infra.settings import Settings
from services.runtime import Platform
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
