"""The log, the projection runners and the views, on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from domain.access import Role
from infra.settings import Settings
from projections.disclosures import DisclosureProjection
from projections.sql import iso_moment
from projections.tenant_directory import TenantDirectory
from services.core.base import APP_NAME
from services.platform.runtime import Platform
from tests.conftest import ADMIN, MutableClock, build_tree, principal

CLERK = principal("xinhe.tahe.tuanjie", Role.CLERK)
TUANJIE = "xinhe.tahe.tuanjie"


def publish(p: Platform, title: str, **kwargs: Any) -> Any:
    fields: dict[str, Any] = {
        "category": "common.finance",
        "title": title,
        "body": "一、收入合计12.6万元；二、支出合计9.8万元。",
        "channels": ["公开栏", "网站"],
        "formed_on": date(2026, 2, 27),
    }
    fields.update(kwargs)
    return p.disclosures.publish(CLERK, TUANJIE, **fields)


def wait(p: Platform, position: int) -> None:
    assert p.wait(DisclosureProjection.name, position)
    # The directory follows the log on its own thread: wait until it has no lag.
    deadline = time.monotonic() + 10
    while p.lag()[TenantDirectory.name]["lag"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert p.lag()[TenantDirectory.name]["lag"] == 0


def test_views_follow_publish_revise_and_withdraw(platform: Platform) -> None:
    build_tree(platform)
    first = publish(platform, "团结村2026年1月财务收支")
    revised = platform.disclosures.revise(
        CLERK, TUANJIE, first.id, reason="更正支出金额", body="二、支出合计9.6万元。"
    )
    second = publish(platform, "团结村低保金发放名单", category="common.subsistence")
    gone = platform.disclosures.withdraw(
        CLERK, TUANJIE, second.id, reason="含身份证号，撤回重审"
    )
    wait(platform, gone.position)

    view = platform.disclosure_view
    now = iso_moment(platform.disclosures.now())
    public = view.list_public(
        TUANJIE, as_of=now, known_at=now, include_descendants=False
    )
    assert [r["id"] for r in public] == [str(first.id)]
    assert public[0]["body"] == "二、支出合计9.6万元。"
    assert public[0]["version"] == revised.version == 2
    history = view.history(str(second.id), known_at=now)
    assert [h["event"] for h in history] == ["published", "withdrawn"]
    assert history[-1]["reason"] == "含身份证号，撤回重审"
    assert platform.directory.get("xinhe.tahe")["name"] == "塔河镇"
    assert [c["path"] for c in platform.directory.children("xinhe.tahe")] == [
        "xinhe.tahe.school-1",
        "xinhe.tahe.tuanjie",
        "xinhe.tahe.xingfu",
    ]


def test_as_of_and_known_at_answer_as_things_stood(
    platform: Platform, clock: MutableClock
) -> None:
    build_tree(platform)
    # Pinned on the board on Mon 2 March, recorded on Thu 12 March with a reason.
    clock.advance(days=10)
    item = publish(
        platform,
        "团结村2026年2月财务收支",
        published_on=date(2026, 3, 2),
        late_reason="公开栏已张贴，系统补录",
    )
    wait(platform, item.position)
    view = platform.disclosure_view

    def ids(as_of: str, known_at: str) -> list[str]:
        rows = view.list_public(
            "xinhe", as_of=as_of, known_at=known_at, include_descendants=True
        )
        return [r["id"] for r in rows]

    recorded = iso_moment(clock.moment)
    assert ids("2026-03-05T00:00:00.000000+00:00", recorded) == [str(item.id)]
    assert ids("2026-03-01T00:00:00.000000+00:00", recorded) == []
    # As the platform knew it on 5 March, nothing was public yet.
    assert ids(recorded, "2026-03-05T00:00:00.000000+00:00") == []
    row = view.get(str(item.id), as_of=recorded, known_at=recorded)
    assert row["backdated_working_days"] == 8
    assert row["backdating_reason"] == "公开栏已张贴，系统补录"


def test_subtree_listing_never_leaks_a_prefix_sibling(platform: Platform) -> None:
    build_tree(platform)
    platform.tenants.register(
        ADMIN, code="tahe2", name="塔河二镇", level="town", parent="xinhe"
    )
    item = publish(platform, "团结村公告")
    wait(platform, item.position)
    now = iso_moment(platform.disclosures.now())
    rows = platform.disclosure_view.list_public(
        "xinhe.tahe2", as_of=now, known_at=now, include_descendants=True
    )
    assert rows == []


def test_runner_resumes_after_restart_without_applying_twice(
    settings: Settings, clock: MutableClock
) -> None:
    first = Platform(settings, clock=clock)
    first.start_projections()
    build_tree(first)
    a = publish(first, "一月财务收支")
    wait(first, a.position)
    first.close()

    offline = Platform(settings, clock=clock)  # records while no runner follows
    for month in range(2, 5):
        last = publish(offline, f"{month}月财务收支")
    assert offline.disclosure_view.max_tracking_id(APP_NAME) == a.position
    offline.close()

    resumed = Platform(settings, clock=clock)
    resumed.start_projections()
    try:
        wait(resumed, last.position)
        now = iso_moment(clock.moment)
        rows = resumed.disclosure_view.list_public(
            TUANJIE, as_of=now, known_at=now, include_descendants=False
        )
        assert len(rows) == 4
        assert resumed.lag()["disclosures"]["lag"] == 0
    finally:
        resumed.close()


def test_a_position_already_applied_is_refused_and_changes_nothing(
    platform: Platform,
) -> None:
    build_tree(platform)
    item = publish(platform, "一月财务收支")
    wait(platform, item.position)
    view = platform.disclosure_view
    event = platform.disclosures.repository.get(item.id)
    projection = DisclosureProjection(view=view)
    pending = platform.disclosures.recorder.select_notifications(
        start=item.position, limit=1
    )
    domain_event = platform.disclosures.mapper.to_domain_event(pending[0])
    with pytest.raises(IntegrityError):
        projection.process_event(domain_event, Tracking(APP_NAME, item.position))
    now = iso_moment(platform.disclosures.now())
    assert len(view.history(str(event.id), known_at=now)) == 1


def test_rebuild_reproduces_every_view_row(
    platform: Platform, clock: MutableClock
) -> None:
    build_tree(platform)
    ids = []
    for month in range(1, 4):
        clock.advance(days=1)
        ids.append(publish(platform, f"{month}月财务收支").id)
    last = platform.disclosures.revise(
        CLERK, TUANJIE, ids[0], reason="更正", title="1月财务收支（更正）"
    )
    wait(platform, last.position)
    now = iso_moment(clock.moment + timedelta(seconds=1))

    def snapshot() -> list[Any]:
        view = platform.disclosure_view
        return [view.history(str(i), known_at=now) for i in ids] + [
            platform.directory.subtree("xinhe")
        ]

    before = snapshot()
    platform.stop_projections()
    seen: list[tuple[str, int, int]] = []
    counts = platform.rebuild(progress=lambda n, d, t: seen.append((n, d, t)))
    assert counts == {
        "tenant_directory": 7,
        "disclosures": 4,
        "cases": 0,
        "staff_list": 0,
        "campaign_history": 0,
        "power_list_versions": 0,
        "audit": 11,
    }
    assert ("disclosures", 4, 4) in seen
    assert seen[-1] == ("audit", 11, 11)
    assert snapshot() == before


def test_a_rebuild_is_refused_while_another_process_follows_the_log(
    platform: Platform, settings: Settings, clock: MutableClock
) -> None:
    from infra.runlock import ProjectionsBusyError

    other = Platform(settings, clock=clock)
    try:
        with pytest.raises(ProjectionsBusyError):
            other.rebuild()
        with pytest.raises(ProjectionsBusyError):
            other.start_projections()
    finally:
        other.close()
    platform.stop_projections()
    again = Platform(settings, clock=clock)
    try:
        assert again.rebuild()["tenant_directory"] == 0
    finally:
        again.close()
