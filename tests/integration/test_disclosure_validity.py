"""Each version's validity columns answer as_of / known_at exactly as "the newest
version with effective_at <= as_of and recorded_at <= known_at" does, on SQLite and
PostgreSQL, followed event by event and rebuilt in one batch."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.access import Role
from projections.disclosures import DisclosureProjection, ListFilter
from projections.sql import iso_moment
from services.core.batches import apply_batch
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree, principal

TUANJIE = "xinhe.tahe.tuanjie"
CLERK = principal(TUANJIE, Role.CLERK)
EVERY = ListFilter(statuses=("published", "revised", "withdrawn"))
LATE = "系统补录"
FINANCE = "common.finance"


def publish(p: Platform, title: str, published_on: date) -> Any:
    return p.disclosures.publish(
        CLERK,
        TUANJIE,
        category="common.finance",
        title=title,
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["公开栏"],
        formed_on=date(2026, 2, 20),
        published_on=published_on,
        late_reason=LATE,
    )


def histories(p: Platform, clock: MutableClock) -> list[Any]:
    """Three items: a revision taking effect in order (into another category),
    one back-dated behind an earlier revision (effective times going back), and a
    withdrawal."""
    build_tree(p)
    start = clock.moment  # Mon 2 March, 10:00 China
    plain = publish(p, "一月财务收支", date(2026, 3, 2))
    clock.advance(hours=5)
    back = publish(p, "二月财务收支", date(2026, 2, 25))
    clock.advance(days=1)
    p.disclosures.revise(  # into another category: the counts move with it
        CLERK,
        TUANJIE,
        plain.id,
        reason="更正",
        title="一月（更正）",
        category="common.decisions",
    )
    clock.advance(days=1)
    # Version 2 of `back` takes effect now; version 3, recorded a day later, takes
    # effect before version 2 did (a back-dated correction).
    p.disclosures.revise(CLERK, TUANJIE, back.id, reason="更正一", title="二月（一）")
    clock.advance(days=1)
    p.disclosures.revise(
        CLERK,
        TUANJIE,
        back.id,
        reason="更正二",
        title="二月（二）",
        effective_at=start + timedelta(hours=12),
        late_reason=LATE,
    )
    clock.advance(days=1)
    gone = publish(p, "三月财务收支", date(2026, 3, 3))
    clock.advance(hours=2)
    last = p.disclosures.withdraw(CLERK, TUANJIE, gone.id, reason="重复发布")
    clock.advance(hours=1)
    assert p.wait(DisclosureProjection.name, last.position)
    return [plain.id, back.id, gone.id]


def oracle(versions: list[dict[str, Any]], as_of: str, known_at: str) -> int | None:
    """The definition: the newest version in effect by as_of, recorded by known_at."""
    found = [
        v["version"]
        for v in versions
        if v["effective_at"] <= as_of and v["recorded_at"] <= known_at
    ]
    return max(found) if found else None


def moments(versions: list[dict[str, Any]]) -> list[str]:
    """Every effective and recorded moment, and a microsecond either side."""
    out: set[str] = set()
    for v in versions:
        for key in ("effective_at", "recorded_at"):
            at = datetime.fromisoformat(v[key])
            for d in (-1, 0, 1):
                out.add(iso_moment(at + timedelta(microseconds=d)))
    return sorted(out)


def check_against_oracle(p: Platform, ids: list[Any], far: str) -> None:
    view = p.disclosure_view
    by_item = {str(i): view.history(str(i), known_at=far) for i in ids}
    every = [v for vs in by_item.values() for v in vs]
    grid = moments(every)
    for as_of in grid:
        for known_at in grid:
            expected = {
                i: n
                for i, vs in by_item.items()
                if (n := oracle(vs, as_of, known_at)) is not None
            }
            rows = view.list_public(
                TUANJIE,
                as_of=as_of,
                known_at=known_at,
                include_descendants=False,
                filters=EVERY,
            )
            got = {r["id"]: r["version"] for r in rows}
            assert got == expected, (as_of, known_at)
            assert view.count_public(
                TUANJIE,
                as_of=as_of,
                known_at=known_at,
                include_descendants=False,
                filters=EVERY,
            ) == len(expected)
            public = view.count_public(
                "xinhe", as_of=as_of, known_at=known_at, include_descendants=True
            )
            shown = [
                i for i, n in expected.items() if not by_item[i][n - 1]["withdrawn"]
            ]
            assert public == len(shown), (as_of, known_at)
            per_tenant = view.count_by_tenant(
                "xinhe", as_of=as_of, known_at=known_at, include_descendants=True
            )  # what a count that links to the list shows, tenant by tenant
            assert sum(c.items for c in per_tenant.values()) == public
            finance = view.count_public(
                TUANJIE,
                as_of=as_of,
                known_at=known_at,
                include_descendants=False,
                category=FINANCE,
            )
            in_finance = [
                i for i in shown if by_item[i][expected[i] - 1]["category"] == FINANCE
            ]
            assert finance == len(in_finance), (as_of, known_at)


def test_validity_answers_as_the_definition_followed_and_rebuilt(
    platform: Platform, clock: MutableClock
) -> None:
    ids = histories(platform, clock)
    far = iso_moment(clock.moment + timedelta(days=365))
    view = platform.disclosure_view
    back = view.history(str(ids[1]), known_at=far)
    assert back[2]["effective_at"] < back[1]["effective_at"]  # went back
    assert back[0]["next_recorded_at"] == back[1]["recorded_at"]
    assert back[0]["later_effective_at"] == back[2]["effective_at"]
    assert back[2]["next_recorded_at"] is None
    check_against_oracle(platform, ids, far)
    followed = {str(i): view.history(str(i), known_at=far) for i in ids}

    platform.stop_projections()  # the same rows from one batch
    view.drop()
    view.create_table()
    events = list(
        platform.tenants.recorder.select_notifications(
            start=0, limit=1000, topics=DisclosureProjection.topics
        )
    )
    apply_batch(DisclosureProjection(view=view), platform.tenants, events)
    assert {str(i): view.history(str(i), known_at=far) for i in ids} == followed
    check_against_oracle(platform, ids, far)


def test_a_batch_after_stored_versions_updates_them(
    platform: Platform, clock: MutableClock
) -> None:
    ids = histories(platform, clock)
    far = iso_moment(clock.moment + timedelta(days=365))
    view = platform.disclosure_view
    followed = {str(i): view.history(str(i), known_at=far) for i in ids}
    platform.stop_projections()
    view.drop()
    view.create_table()
    events = list(
        platform.tenants.recorder.select_notifications(
            start=0, limit=1000, topics=DisclosureProjection.topics
        )
    )
    projection = DisclosureProjection(view=view)
    for part in (events[:3], events[3:5], events[5:]):  # versions split across
        apply_batch(projection, platform.tenants, part)
    assert {str(i): view.history(str(i), known_at=far) for i in ids} == followed


def test_a_stale_view_shape_is_dropped_for_a_rebuild(
    platform: Platform, clock: MutableClock
) -> None:
    ids = histories(platform, clock)
    view = platform.disclosure_view
    platform.stop_projections()
    with view.datastore.transaction(commit=True) as curs:
        curs.execute(
            view._sql("UPDATE view_schemas SET version = 1 WHERE view_name = ?"),
            ("disclosures_tracking",),
        )
    view.create_table()  # what a start of the upgraded code does
    assert view.max_tracking_id("gongkai") is None
    far = iso_moment(clock.moment + timedelta(days=365))
    assert view.history(str(ids[0]), known_at=far) == []
