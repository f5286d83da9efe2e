"""Batched followers keep exactly-once when their process is killed (PostgreSQL).

``gongkai projections run`` is started as a real subprocess with small batches and
killed with SIGKILL twice: once while a batch is in the middle of its transaction
(held there by a table lock this test takes), once after it has committed some
batches. A last run resumes to the end. Then every event is a leaf exactly once,
and every head and view row equals what a fresh rebuild produces.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.access import Role
from infra.settings import Settings
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree, principal

TUANJIE = "xinhe.tahe.tuanjie"
XINGFU = "xinhe.tahe.xingfu"
ITEMS = 120
BATCH = 7
DEADLINE_S = 60.0


def follower_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "GONGKAI_DATABASE_URL": settings.effective_database_url,
        "GONGKAI_HOME": str(settings.home),
        "GONGKAI_TOKEN_SECRET": secrets.token_urlsafe(32),
        "GONGKAI_FOLLOW_BATCH": str(BATCH),
        "GONGKAI_CHECKPOINT_EVERY_EVENTS": "1000000",  # no checkpoint events meanwhile
        "GONGKAI_CHECKPOINT_EVERY_SECONDS": "86400",
    }


def start_follower(settings: Settings) -> subprocess.Popen[bytes]:
    gongkai = Path(sys.executable).with_name("gongkai")
    return subprocess.Popen(
        [str(gongkai), "projections", "run"],
        env=follower_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def until(condition: Any, what: str) -> None:
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > DEADLINE_S:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def position(conn: psycopg.Connection[Any], table: str) -> int:
    try:
        row = conn.execute(
            f"SELECT notification_id FROM {table} WHERE application_name = 'gongkai'"
        ).fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    return int(row[0]) if row else 0


def waiting_on_lock(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_locks"
        " WHERE NOT granted AND relation = 'audit_nodes'::regclass"
    ).fetchone()
    return bool(row and row[0])


def snapshot(conn: psycopg.Connection[Any]) -> dict[str, list[tuple[Any, ...]]]:
    tables = {
        "audit_heads": "tenant",
        "audit_leaves": "tenant, leaf_index",
        "audit_nodes": "tenant, level, idx",
        "disclosure_versions": "id, version",
        "disclosure_current": "id",
        "tenant_directory": "path",
    }
    return {
        t: conn.execute(f"SELECT * FROM {t} ORDER BY {order}").fetchall()
        for t, order in tables.items()
    }


def test_killed_followers_resume_with_every_event_applied_once(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        home=tmp_path / "home",
        database_url=fresh_pg_url,
        token_secret=secrets.token_urlsafe(32),
        read_wait_seconds=10.0,
    )
    clock = MutableClock()
    platform = Platform(settings, clock=clock)  # creates the view tables
    try:
        build_tree(platform)
        for i in range(ITEMS):
            path = TUANJIE if i % 3 else XINGFU
            clock.advance(minutes=1)
            platform.disclosures.publish(
                principal(path, Role.CLERK),
                path,
                category="common.finance",
                title=f"2026年第{i}号财务收支",
                body="一、收入合计12.6万元；二、支出合计9.8万元。",
                channels=["公开栏"],
                formed_on=date(2026, 2, 27),
            )
        end = platform.max_position()

        with psycopg.connect(fresh_pg_url, autocommit=True) as watch:
            # 1. Killed in the middle of a batch: the follower's first audit batch
            #    waits on a lock this test holds, inside its transaction.
            with psycopg.connect(fresh_pg_url) as blocker:
                blocker.execute("LOCK TABLE audit_nodes IN EXCLUSIVE MODE")
                proc = start_follower(settings)
                until(lambda: waiting_on_lock(watch), "a batch waiting on the lock")
                kill(proc)
                blocker.rollback()
            assert position(watch, "audit_tracking") == 0  # nothing half-committed

            # 2. Killed between batches, after some have committed.
            proc = start_follower(settings)
            until(lambda: position(watch, "audit_tracking") > 0, "some batches")
            kill(proc)
            first_kill = position(watch, "audit_tracking")
            assert 0 < first_kill <= end

            # 3. A last run resumes from the committed positions to the end.
            proc = start_follower(settings)
            try:
                for table in ("audit_tracking", "disclosures_tracking"):
                    until(
                        lambda t=table: position(watch, t) >= end,  # type: ignore[misc]
                        f"{table} at {end}",
                    )
            finally:
                kill(proc)

            leaves = watch.execute(
                "SELECT position, event_id FROM audit_leaves ORDER BY position"
            ).fetchall()
            assert [p for p, _ in leaves] == list(range(1, end + 1))
            assert len({e for _, e in leaves}) == end
            followed = snapshot(watch)

            platform.rebuild()
            rebuilt = snapshot(watch)
        for table, rows in rebuilt.items():
            assert followed[table] == rows, table
    finally:
        platform.close()
