"""A county's tail deleted in SQL is caught by the cosignatures it gave (#20 §2).

The insider of the issue, on PostgreSQL: delete the top tenant's last events with
their leaves, nodes and checkpoints, put its head and the audit tracking position
back where they were, as if those events had never been. The town's checkpoint that
the county cosigned before the cut is still in the store; its record is not.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path

import psycopg

from domain.access import Role
from domain.ledger import range_from_store, root_from_range
from infra.settings import Settings
from services.audit.evidence import catch_up, checkpoint_now
from services.audit.verify import verify_store
from services.core.base import APP_NAME
from services.core.views import AUDIT_NAME
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree, principal

COUNTY, TOWN, VILLAGE = "xinhe", "xinhe.tahe", "xinhe.tahe.tuanjie"


def publish(p: Platform, path: str, title: str) -> None:
    p.disclosures.publish(
        principal(path, Role.CLERK),
        path,
        category="common.finance",
        title=title,
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["网站"],
        formed_on=date(2026, 2, 27),
    )


def cut_tail(url: str, tenant: str, keep: int) -> list[int]:
    """What someone with write access to the database does: the tenant's events from
    leaf ``keep`` on, their leaves and nodes, the checkpoints over them; the head and
    the tracking position put back. Returns the deleted positions."""
    with psycopg.connect(url, autocommit=True) as pg:
        gone = [
            int(r[0])
            for r in pg.execute(
                "SELECT position FROM audit_leaves "
                "WHERE tenant = %s AND leaf_index >= %s",
                (tenant, keep),
            )
        ]
        pg.execute(
            "DELETE FROM gongkai_events WHERE notification_id = ANY(%s)", (gone,)
        )
        pg.execute(
            "DELETE FROM audit_leaves WHERE tenant = %s AND leaf_index >= %s",
            (tenant, keep),
        )
        pg.execute(  # a node covers leaves idx·2^level … (idx+1)·2^level − 1
            "DELETE FROM audit_nodes "
            "WHERE tenant = %s AND (idx + 1) * (1 << level) > %s",
            (tenant, keep),
        )
        pg.execute(
            "DELETE FROM audit_checkpoints WHERE tenant = %s AND size > %s",
            (tenant, keep),
        )
        nodes = {
            (int(level), int(idx)): bytes.fromhex(hash_)
            for level, idx, hash_ in pg.execute(
                "SELECT level, idx, hash FROM audit_nodes WHERE tenant = %s", (tenant,)
            )
        }
        range_ = range_from_store(keep, lambda level, idx: nodes[level, idx])
        pg.execute(
            "UPDATE audit_heads SET size = %s, compact_range = %s, root_hash = %s "
            "WHERE tenant = %s",
            (
                keep,
                json.dumps([h.hex() for h in range_]),
                root_from_range(range_, keep).hex(),
                tenant,
            ),
        )
        last = pg.execute("SELECT MAX(notification_id) FROM gongkai_events").fetchone()
        assert last is not None
        pg.execute("UPDATE audit_tracking SET notification_id = %s", (last[0],))
    return gone


def test_a_top_tenants_tail_deleted_in_sql_is_reported_as_rewritten(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        home=tmp_path / "home",
        database_url=fresh_pg_url,
        token_secret=secrets.token_urlsafe(32),
        checkpoint_every_events=1_000_000,  # only the checkpoints issued here
        checkpoint_every_seconds=1e9,
    )
    clock = MutableClock()
    platform = Platform(settings, clock=clock)
    platform.start_projections()
    try:
        build_tree(platform)
        publish(platform, VILLAGE, "团结村2026年1月财务收支")
        checkpoint_now(platform, VILLAGE)  # the town records and cosigns it
        town = checkpoint_now(platform, TOWN)  # the county records and cosigns it
        for month in (1, 2, 3, 4):
            clock.advance(minutes=10)
            publish(platform, COUNTY, f"新和县2026年{month}月财务收支")
        county = checkpoint_now(platform, COUNTY)
        catch_up(platform)
        platform.stop_projections()
        assert verify_store(platform).findings == []

        gone = cut_tail(fresh_pg_url, COUNTY, county.size - 5)
        assert len(gone) == 5
        report = verify_store(platform)
    finally:
        platform.close()
    assert [(f.tenant, f.field) for f in report.findings] == [
        (COUNTY, "witnessed.missing")
    ]
    detail = report.findings[0].detail
    assert f"xinhe cosigned the checkpoint of {TOWN} at size {town.size}" in detail
    assert "+08:00" in detail
    assert f"its log ({county.size - 5} events in the store)" in detail
    assert "holds no ChildCheckpointWitnessed of it" in detail
    assert "the tail of xinhe's log was rewritten after that cosignature" in detail


def test_a_record_the_audit_view_has_not_reached_yet_still_counts(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    """A checkpoint is stored right after its parent's record is committed, so the
    store may hold a cosigned checkpoint whose record the view has not appended."""
    settings = Settings(
        home=tmp_path / "home",
        database_url=fresh_pg_url,
        token_secret=secrets.token_urlsafe(32),
        checkpoint_every_events=1_000_000,
        checkpoint_every_seconds=1e9,
    )
    clock = MutableClock()
    platform = Platform(settings, clock=clock)
    platform.start_projections()
    try:
        build_tree(platform)
        publish(platform, VILLAGE, "团结村2026年1月财务收支")
        first = checkpoint_now(platform, VILLAGE)
        publish(platform, VILLAGE, "团结村2026年2月财务收支")
        catch_up(platform)
        platform.stop_projections()  # the follower stops before the town's record
        issued = platform.auditor.issue(VILLAGE)
        report = verify_store(platform)
        audited = platform.views[AUDIT_NAME].max_tracking_id(APP_NAME)
        last = platform.max_position()
    finally:
        platform.close()
    assert issued.size == first.size + 1
    assert audited < last  # the town's record is not audited
    assert report.findings == []
