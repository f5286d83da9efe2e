"""Two sessions create the same view on a fresh PostgreSQL database at once.

CI once failed here: the relay process and a test both created the relay's
tracking table; the second, having looked before the first created it, inserted
the migration row again ("Failed to record tracking for __migration__ 1").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore

from infra.pgrecorder import advisory_key
from services.streams.relay import POSITION, PostgresRelayPositions
from tests.integration.pglocks import lock_waiters, wait_until


def datastore(url: str) -> PostgresDatastore:
    u = urlsplit(url)
    return PostgresDatastore(
        dbname=u.path.lstrip("/"),
        host=u.hostname or "127.0.0.1",
        port=str(u.port or 5432),
        user=u.username or "postgres",
        password=u.password or "",
        pool_size=1,
        max_overflow=0,
    )


@contextmanager
def ddl_lock_held(url: str) -> Iterator[None]:
    """Hold the views' DDL lock from outside, so both sessions get past the
    library's first look and then queue on the lock."""
    key = advisory_key("gongkai view ddl public")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


def relay_view(store: PostgresDatastore) -> PostgresRelayPositions:
    return PostgresRelayPositions(store, tracking_table_name="relay_tracking")


def tracking_rows(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT application_name, notification_id FROM relay_tracking"
        ).fetchall()
    return [(str(name), int(position)) for name, position in rows]


def test_two_sessions_creating_one_view_together_both_succeed(
    fresh_pg_url: str,
) -> None:
    stores = [datastore(fresh_pg_url) for _ in range(2)]
    views = [relay_view(store) for store in stores]
    errors: list[BaseException] = []

    def create(view: PostgresRelayPositions) -> None:
        try:
            view.create_table()
        except BaseException as e:  # the test looks at it
            errors.append(e)

    threads = [threading.Thread(target=create, args=(view,)) for view in views]
    try:
        with ddl_lock_held(fresh_pg_url):
            for thread in threads:
                thread.start()
            wait_until(lambda: lock_waiters(fresh_pg_url) == 2)
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert tracking_rows(fresh_pg_url) == [("__migration__", 1)]
    finally:
        for store in stores:
            store.close()


def test_a_session_that_looked_before_another_created_the_table_still_succeeds(
    fresh_pg_url: str,
) -> None:
    """The library looks for the tracking table before it takes any lock; this
    session looked (and found nothing) while another one created it."""
    stores = [datastore(fresh_pg_url) for _ in range(2)]
    try:
        first, late = (relay_view(store) for store in stores)
        first.create_table()
        first.insert_tracking(Tracking(POSITION, 7))
        assert late.tracking_table_exists is False  # what its look had found
        with stores[1].transaction(commit=True) as curs:
            late._create_table(curs)
        assert sorted(tracking_rows(fresh_pg_url)) == [
            ("__migration__", 1),
            (POSITION, 7),
        ]
        assert late.max_tracking_id(POSITION) == 7
    finally:
        for store in stores:
            store.close()
