"""One PostgreSQL connection pool per process, shared by every application and view.

eventsourcing's ``PostgresFactory`` builds a datastore, and with it a pool, for
each application and each view. A Platform has about twenty of them, so one
process held about 40 connections at rest and ran four pool threads per pool
(88 threads): two processes, or a test suite that opens a few Platforms at once,
exhausted PostgreSQL's default ``max_connections`` of 100 ("sorry, too many
clients already"). Select this factory with
``PERSISTENCE_MODULE=infra.pgfactory:SharedPoolPostgresFactory`` (what
``Settings.eventsourcing_env`` does): factories whose connection settings are the
same share one datastore, counted by reference and closed by the last user.

Every user of the pool takes a connection for one call or one transaction and
gives it back; a subscription's ``LISTEN`` holds one for as long as it follows
the log. The pool opens at most ``GONGKAI_PG_CONNECTIONS`` - 1 (the process's
share of the budget, less the lock's: docs/operations.md, "Connections") and
closes connections beyond ``GONGKAI_PG_POOL_SIZE`` once idle for a minute
(``MAX_IDLE_SECONDS``). A failed connect is reported to ``infra/storestate.py``
at once, so that the API stops waiting on a store that is down.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from typing import Any

import psycopg
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import (
    PostgresDatastore,
    PostgresFactory,
    PostgresSubscription,
)
from eventsourcing.utils import Environment, EnvType
from psycopg.sql import SQL, Identifier

from infra.storestate import connect_failed

__all__ = [
    "SharedPoolPostgresFactory",
    "UnlisteningSubscription",
    "pool_stats",
    "shared_pools",
]

# What configures a datastore: factories that agree on all of these share one.
DATASTORE_KEYS = (
    PostgresFactory.POSTGRES_DBNAME,
    PostgresFactory.POSTGRES_HOST,
    PostgresFactory.POSTGRES_PORT,
    PostgresFactory.POSTGRES_USER,
    PostgresFactory.POSTGRES_PASSWORD,
    PostgresFactory.POSTGRES_GET_PASSWORD_TOPIC,
    PostgresFactory.POSTGRES_CONNECT_TIMEOUT,
    PostgresFactory.POSTGRES_CONN_MAX_AGE,
    PostgresFactory.POSTGRES_PRE_PING,
    PostgresFactory.POSTGRES_MAX_WAITING,
    PostgresFactory.POSTGRES_LOCK_TIMEOUT,
    PostgresFactory.POSTGRES_POOL_SIZE,
    PostgresFactory.POSTGRES_MAX_OVERFLOW,
    PostgresFactory.POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
    PostgresFactory.POSTGRES_SCHEMA,
    PostgresFactory.POSTGRES_SINGLE_ROW_TRACKING,
    PostgresFactory.ORIGINATOR_ID_TYPE,
    PostgresFactory.POSTGRES_ENABLE_DB_FUNCTIONS,
)

# Statements each connection keeps prepared (psycopg's default is 100): one
# connection now serves the queries of every application and view.
PREPARED_MAX = 1000
# psycopg_pool closes one idle connection beyond the pool's minimum per period
# (its default: 10 minutes); a minute brings a burst's extras back sooner.
MAX_IDLE_SECONDS = 60.0

Key = tuple[str | None, ...]

_lock = threading.Lock()
_pools: dict[Key, list[Any]] = {}  # key -> [datastore, number of open factories]


def shared_pools() -> dict[Key, int]:
    """How many open factories use each shared datastore (for tests and health)."""
    with _lock:
        return {key: entry[1] for key, entry in _pools.items()}


def pool_stats() -> dict[str, dict[str, int]]:
    """psycopg_pool's statistics of each shared pool of this process, by database
    name (for /metrics): connections open and idle, requests waiting now, and
    counters since the pool opened."""
    with _lock:
        pools = [(key[0] or "", entry[0].pool) for key, entry in _pools.items()]
    stats: dict[str, dict[str, int]] = {}
    for database, pool in pools:
        mine = stats.setdefault(database, {})
        for name, value in pool.get_stats().items():
            mine[name] = mine.get(name, 0) + value
    return stats


class SharedPoolPostgresFactory(PostgresFactory):
    """A ``PostgresFactory`` whose datastore is shared with every factory of this
    process that has the same connection settings."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        InfrastructureFactory.__init__(self, env)
        self._key: Key = tuple(self.env.get(k) for k in DATASTORE_KEYS)
        self._closed = False
        with _lock:
            entry = _pools.get(self._key)
            if entry is None:
                super().__init__(env)  # builds self.datastore (the pool opens lazily)
                _keep_more_statements_prepared(self.datastore)
                _report_failed_connects(self.datastore)
                self.datastore.pool.max_idle = MAX_IDLE_SECONDS
                _pools[self._key] = [self.datastore, 1]
            else:
                self.datastore = entry[0]
                entry[1] += 1

    def close(self) -> None:
        """Let go of the shared datastore; the last factory to let go closes it."""
        with _lock:
            if self._closed:
                return
            self._closed = True
            entry = _pools.get(self._key)
            if entry is None or entry[0] is not self.datastore:
                return
            entry[1] -= 1
            if entry[1] > 0:
                return
            del _pools[self._key]
        self.datastore.close()

    def __exit__(self, *args: Any) -> None:
        self.close()


def _keep_more_statements_prepared(datastore: PostgresDatastore) -> None:
    pool: Any = datastore.pool
    configure = pool._configure

    def configure_connection(conn: Any) -> None:
        if configure is not None:
            configure(conn)
        conn.prepared_max = PREPARED_MAX

    pool._configure = configure_connection


def _report_failed_connects(datastore: PostgresDatastore) -> None:
    pool: Any = datastore.pool
    connect = pool._connect

    def connecting(timeout: float | None = None) -> Any:
        try:
            return connect(timeout=timeout)
        except psycopg.Error as e:
            connect_failed(e)
            raise

    pool._connect = connecting


class UnlisteningSubscription(PostgresSubscription):
    """The library's subscription, giving its connection back to the pool without
    its ``LISTEN``: a pooled connection still listening would be handed to other
    users while nobody reads its notifications (and PostgreSQL keeps the shared
    notification queue for the slowest listener)."""

    def _listen(self) -> None:
        try:
            with self._recorder.datastore.get_connection() as conn:
                try:
                    conn.execute(
                        SQL("LISTEN {0}").format(
                            Identifier(self._recorder.channel_name)
                        )
                    )
                    while not self._has_been_stopped and not self._thread_error:
                        # At most 0.1 s per wait, so that a stop is seen promptly.
                        for _ in conn.notifies(timeout=0.1, stop_after=1):
                            self._has_been_notified.set()
                finally:
                    with suppress(psycopg.Error):
                        conn.execute("UNLISTEN *")
        except BaseException as e:
            if self._thread_error is None:
                self._thread_error = e
            self.stop()
