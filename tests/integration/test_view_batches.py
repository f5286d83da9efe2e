"""A batch of events per view transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from domain.access import Role
from projections.disclosures import DisclosureProjection
from projections.sql import iso_moment
from services.core.batches import apply_batch
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree, principal

TUANJIE = "xinhe.tahe.tuanjie"
CLERK = principal(TUANJIE, Role.CLERK)


def publish(p: Platform, title: str) -> Any:
    return p.disclosures.publish(
        CLERK,
        TUANJIE,
        category="common.finance",
        title=title,
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["公开栏"],
        formed_on=date(2026, 2, 27),
    )


def notifications(p: Platform, topics: tuple[str, ...]) -> list[Any]:
    return list(
        p.tenants.recorder.select_notifications(start=0, limit=1000, topics=topics)
    )


def test_one_batch_publishes_revises_and_withdraws_like_one_by_one(
    platform: Platform, clock: MutableClock
) -> None:
    build_tree(platform)
    item = publish(platform, "一月财务收支")
    clock.advance(hours=1)
    platform.disclosures.revise(
        CLERK, TUANJIE, item.id, reason="更正", title="一月（更正）"
    )
    clock.advance(hours=1)
    last = platform.disclosures.withdraw(CLERK, TUANJIE, item.id, reason="重复发布")
    assert platform.wait(DisclosureProjection.name, last.position)
    now = iso_moment(clock.moment + timedelta(seconds=1))
    followed = platform.disclosure_view.history(str(item.id), known_at=now)
    assert [r["event"] for r in followed] == ["published", "revised", "withdrawn"]

    platform.stop_projections()
    view = platform.disclosure_view
    view.drop()
    view.create_table()
    events = notifications(platform, DisclosureProjection.topics)
    apply_batch(DisclosureProjection(view=view), platform.tenants, events)

    assert view.history(str(item.id), known_at=now) == followed
    assert view.max_tracking_id("gongkai") == last.position


def test_a_batch_overlapping_what_was_applied_is_refused_and_changes_nothing(
    platform: Platform, clock: MutableClock
) -> None:
    build_tree(platform)
    first = publish(platform, "一月财务收支")
    assert platform.wait(DisclosureProjection.name, first.position)
    platform.stop_projections()
    clock.advance(hours=1)
    second = publish(platform, "二月财务收支")
    view = platform.disclosure_view
    events = notifications(platform, DisclosureProjection.topics)
    assert [n.id for n in events] == [first.position, second.position]

    with pytest.raises(IntegrityError):  # the first one again, with a new one
        apply_batch(DisclosureProjection(view=view), platform.tenants, events)

    now = iso_moment(clock.moment + timedelta(seconds=1))
    assert view.history(str(second.id), known_at=now) == []
    assert view.max_tracking_id("gongkai") == first.position
    apply_batch(DisclosureProjection(view=view), platform.tenants, events[1:])
    assert len(view.history(str(second.id), known_at=now)) == 1
