"""Helpers for tests that stage sessions queueing on PostgreSQL advisory locks."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def lock_waiters(url: str) -> int:
    """How many sessions wait for an advisory lock on the database at ``url``."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
    assert row is not None
    return int(row[0])
