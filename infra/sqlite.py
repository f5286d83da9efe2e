"""SQLite pieces the library lacks: a subscribable recorder, per-view tracking.

eventsourcing's SQLite application recorder cannot ``subscribe``; this one polls, so the
library's ``ProjectionRunner`` follows a SQLite log exactly as it follows PostgreSQL's
LISTEN/NOTIFY (the pull loop re-reads after every wake-up).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    ListenNotifySubscription,
    Subscription,
)
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteDatastore,
    SQLiteFactory,
    SQLiteTrackingRecorder,
)
from eventsourcing.utils import Environment, EnvType

POLL_SECONDS = 0.1
# Prepared statements each connection keeps (Python's sqlite3 default is 128).
STATEMENTS_KEPT = 256


class PollingSubscription(ListenNotifySubscription[SQLiteApplicationRecorder]):
    """Wakes the pull loop every ``POLL_SECONDS`` instead of on a NOTIFY."""

    def __init__(
        self,
        recorder: SQLiteApplicationRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._poll_thread = threading.Thread(target=self._poll, daemon=True)
        self._poll_thread.start()

    def _poll(self) -> None:
        while not self._has_been_stopped:
            self._has_been_notified.set()
            threading.Event().wait(POLL_SECONDS)

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._poll_thread.join()


class PollingSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """SQLite application recorder that supports ``subscribe`` by polling."""

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return PollingSubscription(recorder=self, gt=gt, topics=topics)  # type: ignore[return-value]


class NamedTrackingSQLiteRecorder(SQLiteTrackingRecorder):
    """Tracking in ``<tracking_table_name>`` rather than the library's shared table.

    The library's SQLite recorder keeps every view's position in one ``tracking``
    table keyed by application name, so two views of one application would share a
    position. PostgreSQL names the table per view; this does the same on SQLite.
    """

    tracking_table_name = "notification_tracking"

    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        t = self.tracking_table_name
        self.insert_tracking_statement = (
            f"INSERT INTO {t} VALUES (:application_name, :notification_id) "
            "ON CONFLICT (application_name) DO UPDATE "
            "SET notification_id = :notification_id "
            f"WHERE {t}.notification_id < :notification_id "
            "RETURNING notification_id"
        )
        self.select_max_tracking_id_statement = (
            f"SELECT MAX(notification_id) FROM {t} WHERE application_name=?"
        )

    def construct_create_table_statements(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.tracking_table_name} ("
            "application_name TEXT, notification_id INTEGER, "
            "PRIMARY KEY (application_name)) WITHOUT ROWID"
        ]


class StatementCachingPool(SQLiteConnectionPool):
    """The library's pool, with connections that keep their prepared statements.

    The library opens each connection with ``cached_statements=True``, which is 1:
    every statement (``BEGIN``, each query, ``ROLLBACK``) pushed the one before
    out, so each query was parsed and planned again every time it ran. A county
    list ran five statements per request; the catalogue's newest items per
    category, one ``UNION ALL`` of about 6 KB, cost more to prepare than to run.
    Otherwise the same as the library's ``_create_connection``."""

    def _create_connection(self) -> SQLiteConnection:
        try:
            c = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # auto-commit: transactions say BEGIN
                cached_statements=STATEMENTS_KEPT,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as e:
            raise InterfaceError(e) from e
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            cursor = c.cursor()
            cursor.execute("PRAGMA journal_mode;")
            if cursor.fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL;")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        c.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=c, max_age=self.max_age)


class SizedPoolSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory with ``SQLITE_POOL_SIZE`` connections kept.

    The library keeps 5 and opens up to 10 more on demand, closing each when it is
    returned to a full pool: with more request threads than 5 reading one store,
    every query beyond the fifth opened a connection (under the pool's lock) and
    closed it again."""

    SQLITE_POOL_SIZE = "SQLITE_POOL_SIZE"

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        size = int(self.env.get(self.SQLITE_POOL_SIZE) or 5)
        given = self.datastore
        self.datastore = SQLiteDatastore(
            db_name=given.pool.db_name,
            lock_timeout=given.pool.lock_timeout,
            pool_size=size,
            max_overflow=size,
            single_row_tracking=given.single_row_tracking,
            originator_id_type=given.originator_id_type,
        )
        given.close()  # never used: it opens connections only on demand
        pool = self.datastore.pool
        self.datastore.pool = StatementCachingPool(
            db_name=pool.db_name,
            lock_timeout=pool.lock_timeout,
            pool_size=size,
            max_overflow=size,
        )
        pool.close()
