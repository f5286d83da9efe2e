"""An application recorder for PostgreSQL that appends in one round trip.

Select it with ``PERSISTENCE_MODULE=eventsourcing.postgres`` and
``APPLICATION_RECORDER_TOPIC=infra.pgrecorder:OrderedPostgresApplicationRecorder``
(the library's ``PostgresFactory.application_recorder`` resolves that topic; no
factory subclass is needed). Optionally ``POSTGRES_POOL_SIZE=1`` (see below).

How
---
``create_table()`` also creates two plpgsql functions next to the events table
(names derived from the table name, so several applications can share a schema):

* ``<table>_append_one(id, version, topic, state, lock_timeout_s, check_ids[],
  check_versions[]) -> bigint`` for the common one-event command, taking scalar
  parameters;
* ``<table>_append_many(ids[], versions[], topics[], states[], lock_timeout_s,
  check_ids[], check_versions[]) -> SETOF bigint`` for several events. The arrays
  are built on the server from scalar placeholders (``ARRAY[%s, %s, ...]``, one
  prepared statement per event count up to 64, array parameters above), and the
  events are inserted in order by a loop of single-row ``INSERT ... VALUES``
  whose plan plpgsql caches.

Each function sets ``lock_timeout`` locally (as the library does), takes
``pg_advisory_xact_lock(<key of this events table>)``, queues
``pg_notify('<table>', '')`` (the channel the library's ``PostgresSubscription``
LISTENs on) and inserts, returning the notification ids in event order. It is
called with one prepared ``SELECT`` on the datastore's autocommit connection, so
the call is its own transaction: lock, insert, notify and commit in one round trip.
(Databases created before the check arrays were added keep the old five-argument
functions beside these; nothing calls them.)

Expected versions. ``insert_events(..., expected_versions={id: version})`` (what
``Application.save(..., expected_versions=...)`` passes down) sends the versions a
command decided on (0: no such aggregate). Under the lock, before inserting, the
function compares them with ``max(originator_version)`` of each (an index probe);
if one differs it returns NULL (no rows) and inserts nothing, and the recorder
raises ``VersionsMovedError``. So the version check of the reference cache rides
in the append's round trip (``services/core/refcache.py``). The NOTIFY queued before the
check still goes out: a follower wakes and finds nothing new.

Group commit. Concurrent ``insert_events`` calls of one process are written by a
leader thread in one call of ``append_many`` (``infra/groupcommit.py``); a
conflict or a moved expected version sends each member alone, so only the
offender fails.

Why commit order is kept
------------------------
The lock is taken before ``nextval()`` is called for ``notification_id`` and is
held to the end of the transaction; PostgreSQL releases it only after the commit
record is flushed and the transaction is visible to new snapshots. So a
transaction takes ids only once every transaction that took lower ids has
committed or rolled back (a rollback leaves a gap that is never filled later),
the ids of one call are contiguous, and a reader tailing ``notification_id >
last`` never sees id N+k before id N. Writers using the library's recorder on the
same table stay ordered with ours: their ``LOCK TABLE ... EXCLUSIVE`` conflicts
with the ``ROW EXCLUSIVE`` lock our ``INSERT`` takes (tested). Writers that insert
without any lock (e.g. the library with ``POSTGRES_ENABLE_DB_FUNCTIONS``, whose
function does not lock) break the guarantee whatever this recorder does.

Duplicate ``(originator_id, originator_version)`` raises ``UniqueViolation``, which
the datastore maps to ``eventsourcing.persistence.IntegrityError``; the whole call
rolls back, so nothing of that command is recorded. Everything else
(``select_notifications``, ``max_notification_id``, ``subscribe``, ...) is inherited.
Calls with a ``tracking`` object are delegated to the library's implementation.

Measurements (2-core VM shared with other jobs, loopback TCP; ``bench/append.py``)
------------------------------------------------------------------------------
Per one-event command; raw psycopg (one prepared ``INSERT`` per autocommit) takes
~330 us, of which ~50 us is the round trip and ~100 us the WAL fdatasync.

* The library's ``insert_events`` runs a pipelined ``BEGIN; SET LOCAL; LOCK TABLE;
  NOTIFY; INSERT ... SELECT FROM unnest(%s::stored_event_uuid[]); sync; COMMIT``:
  two round trips, a composite array dumped by psycopg in Python (~70 us of client
  CPU, versus ~5 us for scalars or ``ARRAY[%s]``), and an ``unnest`` planned per
  call (~80 us more server time than ``INSERT ... VALUES``). Through
  ``Application.save`` it reaches ~0.26 of raw; this recorder ~0.60 (2.2x).
* Our function on a dedicated connection costs only ~30 us more than the raw
  INSERT (plpgsql call, lock, notify); going through the datastore's pool and
  psycopg's dict rows adds ~45 us. psycopg_pool hands idle connections out FIFO,
  so a sequential writer used to cycle through all ``POSTGRES_POOL_SIZE``
  (library default 5) backends, each cache-cold: ~35 us more per call than with
  ``POSTGRES_POOL_SIZE=1``. The recorder makes its datastore's pool LIFO
  (``infra/pgpool.py``): one warm connection sequentially,
  as many as needed under concurrency, and pool sizes 5 and 1 measure the same.
  The rest is ``Application.save``'s own Python: ~50-80 us in a tight loop,
  ~100 us between round trips (cold caches), which caps a zero-cost recorder at
  about raw / (raw + 100 us): 0.75-0.9 of raw depending on how long the raw
  commit's flush takes on the day.
* Group commit, 4 threads saving on one application: each group pays one round
  trip and one flush, so throughput follows the group size (mean 3.9 with the
  leader's short wait for company, 2.4 without). 0.62-0.93 of 4 threads of raw
  INSERTs (which share flushes inside PostgreSQL), against 0.34-0.45 without
  group commit, in the same runs. What is left is ``Application.save``'s Python
  of the whole group, which runs under the GIL before the group is written.
* Advisory lock vs ``LOCK TABLE ... EXCLUSIVE``: equal sequentially, 4-15 % more
  throughput with 4 concurrent writers (the strong table lock takes the table's
  locks off the fast path and is costlier to take and release).
* NOTIFY: no measurable cost sequentially. With 4 concurrent writers NOTIFY
  alone caps commits at ~5,200/s (at commit it takes a cluster-wide lock held
  through the WAL flush, which defeats group commit), but commits here are
  serialised by the append lock anyway and NOTIFY adds ~10-15 % on top of that.
  It is kept in the transaction: ``ListenNotifySubscription`` waits for a
  notification without a timeout, so moving NOTIFY out of the transaction (or
  coalescing it in a background thread) would open a window -- a crash between
  commit and notify -- in which subscribers miss new events until the next write.
"""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING, Any, LiteralString

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composable, Composed, Identifier, Literal, Placeholder

from infra.groupcommit import Expected, GroupCommit, VersionsMovedError
from infra.pgfactory import UnlisteningSubscription
from infra.pgpool import take_most_recent_connection_first

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import StoredEvent

__all__ = ["OrderedPostgresApplicationRecorder", "VersionsMovedError"]

# Above this many events in one call the arrays are sent as array parameters
# rather than built from scalar placeholders (one prepared statement per count).
MAX_EVENTS_PER_CONSTRUCTED_STATEMENT = 64


# While the database is down every attempt waits GONGKAI_PG_CONNECT_TIMEOUT for a
# connection; the library's ten attempts would hold an API request for ten of them.
# Two attempts still ride over one dropped connection and keep the 503 prompt.
ATTEMPTS = 2
_retry = retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=0.2)


def with_fewer_retries(method: Any) -> Any:
    """``method`` (bound) with the library's ten retries cut to ATTEMPTS."""
    inner = getattr(method, "__wrapped__", None)
    if inner is None:
        return method
    return functools.partial(_retry(inner), method.__self__)


def advisory_key(name: str) -> int:
    """A PostgreSQL advisory lock key (a signed 64-bit integer) for ``name``."""
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class OrderedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """Appends with one autocommit call of a plpgsql function per command (or per
    group of concurrent commands)."""

    # Concurrent appends of this process share one call (groupcommit.py).
    group_commit = True
    # The datastore's pool hands out the most recently used connection.
    most_recent_connection_first = True

    def __init__(
        self,
        datastore: PostgresDatastore,
        *,
        events_table_name: str = "stored_events",
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.append_one_function_name = self._function_name("append_one")
        self.append_many_function_name = self._function_name("append_many")
        self.sql_create_statements.append(self._create_append_one_function())
        self.sql_create_statements.append(self._create_append_many_function())

        schema = Identifier(self.datastore.schema)
        timeout = Literal(int(self.datastore.lock_timeout))
        checks = self._sql_check_params()
        # Pre-rendered, so the hot path doesn't compose SQL on every call.
        self._append_one_query: bytes = (
            SQL(
                "SELECT {schema}.{fn}(%s, %s, %s, %s, {timeout}, {checks})"
                " AS notification_id"
            )
            .format(
                schema=schema,
                fn=Identifier(self.append_one_function_name),
                timeout=timeout,
                checks=checks,
            )
            .as_bytes(None)
        )
        self._append_many_arrays_query: bytes = (
            SQL(
                "SELECT notification_id FROM {schema}.{fn}("
                "%s::{id_type}[], %s::bigint[], %s::text[], %s::bytea[], {timeout},"
                " {checks}) WITH ORDINALITY AS t(notification_id, i) ORDER BY i"
            )
            .format(
                schema=schema,
                fn=Identifier(self.append_many_function_name),
                id_type=Identifier(self.datastore.originator_id_type),
                timeout=timeout,
                checks=checks,
            )
            .as_bytes(None)
        )
        self._append_many_queries: dict[int, bytes] = {}
        # UUIDs and integers print without commas or braces: safe in an array literal.
        self._ids_as_text = self.datastore.originator_id_type == "uuid"
        self.grouping = GroupCommit(self._append) if self.group_commit else None
        if self.most_recent_connection_first:
            take_most_recent_connection_first(datastore)

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> UnlisteningSubscription:
        """Follow the log; the listening connection goes back to the (shared) pool
        without its LISTEN."""
        return UnlisteningSubscription(recorder=self, gt=gt, topics=topics)

    # -- schema --------------------------------------------------------------

    def _sql_check_params(self) -> Composed:
        """The expected-versions arguments of every call (NULL, NULL: none)."""
        return SQL("%s::{id_type}[], %s::bigint[]").format(
            id_type=Identifier(self.datastore.originator_id_type)
        )

    def _function_name(self, suffix: str) -> str:
        name = f"{self.events_table_name}_{suffix}"
        if len(name) > self.MAX_IDENTIFIER_LEN:
            digest = hashlib.sha1(
                self.events_table_name.encode(), usedforsecurity=False
            ).hexdigest()[:16]
            name = f"es_{suffix}_{digest}"
        return name

    def _create_table(self, curs: Any) -> None:
        """Create the table and functions with one session at a time: concurrent
        ``CREATE OR REPLACE FUNCTION`` of the same function fails with "tuple
        concurrently updated" (seen when the case projection's reader started while
        ``projections run`` still constructed the other runners)."""
        name = f"eventsourcing ddl {self.datastore.schema}.{self.events_table_name}"
        curs.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key(name),))
        super()._create_table(curs)

    @property
    def append_lock_key(self) -> int:
        """The advisory lock key serialising appends to this events table."""
        name = f"eventsourcing append {self.datastore.schema}.{self.events_table_name}"
        return advisory_key(name)

    def _sql_check_expected(self, moved: LiteralString) -> Composed:
        """Statement run after the lock: ``moved`` (a RETURN) when any aggregate in
        the expected-versions arrays has another current version (0: none)."""
        return SQL(
            " IF p_check_ids IS NOT NULL AND EXISTS ("
            "SELECT FROM unnest(p_check_ids, p_check_versions) AS c(id, v)"
            " WHERE c.v <> coalesce((SELECT max(e.originator_version)"
            " FROM {schema}.{table} e WHERE e.originator_id = c.id), 0))"
            " THEN {moved}; END IF;"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            moved=SQL(moved),
        )

    def _sql_lock_and_notify(self) -> Composed:
        """Statements run first in each append function (before any nextval())."""
        return SQL(
            "PERFORM set_config('lock_timeout', lock_timeout_s || 's', true);"
            " PERFORM pg_advisory_xact_lock({key});"
            " PERFORM pg_notify({channel}, '');"
        ).format(key=Literal(self.append_lock_key), channel=Literal(self.channel_name))

    def _create_append_one_function(self) -> Composed:
        return SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{fn}("
            "p_originator_id {id_type}, p_originator_version bigint,"
            " p_topic text, p_state bytea, lock_timeout_s integer,"
            " p_check_ids {id_type}[], p_check_versions bigint[])"
            " RETURNS bigint LANGUAGE plpgsql AS $BODY$"
            " DECLARE nid bigint;"
            " BEGIN"
            " {lock_and_notify}"
            " {check}"
            " INSERT INTO {schema}.{table}"
            " (originator_id, originator_version, topic, state)"
            " VALUES (p_originator_id, p_originator_version, p_topic, p_state)"
            " RETURNING notification_id INTO nid;"
            " RETURN nid;"
            " END;"
            " $BODY$"
        ).format(
            schema=Identifier(self.datastore.schema),
            fn=Identifier(self.append_one_function_name),
            id_type=Identifier(self.datastore.originator_id_type),
            table=Identifier(self.events_table_name),
            lock_and_notify=self._sql_lock_and_notify(),
            check=self._sql_check_expected("RETURN NULL"),
        )

    def _create_append_many_function(self) -> Composed:
        return SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{fn}("
            "p_originator_ids {id_type}[], p_originator_versions bigint[],"
            " p_topics text[], p_states bytea[], lock_timeout_s integer,"
            " p_check_ids {id_type}[], p_check_versions bigint[])"
            " RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$"
            " DECLARE nid bigint;"
            " BEGIN"
            " {lock_and_notify}"
            " {check}"
            " FOR i IN 1 .. coalesce(cardinality(p_originator_ids), 0) LOOP"
            " INSERT INTO {schema}.{table}"
            " (originator_id, originator_version, topic, state)"
            " VALUES (p_originator_ids[i], p_originator_versions[i],"
            " p_topics[i], p_states[i])"
            " RETURNING notification_id INTO nid;"
            " RETURN NEXT nid;"
            " END LOOP;"
            " RETURN;"
            " END;"
            " $BODY$"
        ).format(
            schema=Identifier(self.datastore.schema),
            fn=Identifier(self.append_many_function_name),
            id_type=Identifier(self.datastore.originator_id_type),
            table=Identifier(self.events_table_name),
            lock_and_notify=self._sql_lock_and_notify(),
            check=self._sql_check_expected("RETURN"),
        )

    def _append_many_query(self, n: int) -> bytes:
        try:
            return self._append_many_queries[n]
        except KeyError:
            pass

        placeholders = SQL(", ").join([Placeholder()] * n)

        def array(element_type: Composable) -> Composed:
            return SQL("ARRAY[{}]::{}[]").format(placeholders, element_type)

        query = (
            SQL(
                "SELECT notification_id FROM {schema}.{fn}("
                "{ids}, {versions}, {topics}, {states}, {timeout}, {checks}"
                ") WITH ORDINALITY AS t(notification_id, i) ORDER BY i"
            )
            .format(
                schema=Identifier(self.datastore.schema),
                fn=Identifier(self.append_many_function_name),
                ids=array(Identifier(self.datastore.originator_id_type)),
                versions=array(SQL("bigint")),
                topics=array(SQL("text")),
                states=array(SQL("bytea")),
                timeout=Literal(int(self.datastore.lock_timeout)),
                checks=self._sql_check_params(),
            )
            .as_bytes(None)
        )
        self._append_many_queries[n] = query
        return query

    # -- writing -------------------------------------------------------------

    select_events = _retry(PostgresApplicationRecorder.select_events.__wrapped__)
    select_notifications = _retry(
        PostgresApplicationRecorder.select_notifications.__wrapped__
    )
    max_notification_id = _retry(
        PostgresApplicationRecorder.max_notification_id.__wrapped__
    )

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Append as one command; ``expected_versions`` (aggregate id -> version,
        0 for none) are checked under the append lock, and if one moved nothing is
        recorded and VersionsMovedError is raised. Concurrent calls of this
        process are committed together (groupcommit.py)."""
        if kwargs.get("tracking") is not None:
            # Not used by application recorders; keep the library's behaviour.
            ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids
        if not stored_events:
            return []
        expected: Expected | None = kwargs.get("expected_versions")
        if self.grouping is None:
            appended: list[int] | None = self._append(stored_events, expected)
            if appended is None:
                raise VersionsMovedError("an aggregate the command decided on moved")
            return appended
        return self.grouping.append(stored_events, expected)

    @_retry
    def _append(
        self, stored_events: Sequence[StoredEvent], expected: Expected | None
    ) -> list[int] | None:
        """One call of the append function: the ids in event order, or None when
        an expected version moved (then nothing was recorded)."""
        n = len(stored_events)
        query: bytes
        params: list[Any]
        if n == 1:
            e = stored_events[0]
            query = self._append_one_query
            params = [e.originator_id, e.originator_version, e.topic, e.state]
        elif n <= MAX_EVENTS_PER_CONSTRUCTED_STATEMENT:
            query = self._append_many_query(n)
            params = [e.originator_id for e in stored_events]
            params += [e.originator_version for e in stored_events]
            params += [e.topic for e in stored_events]
            params += [e.state for e in stored_events]
        else:
            query = self._append_many_arrays_query
            params = [
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ]
        if expected and self._ids_as_text:
            # Array literals: psycopg dumps a list of UUIDs at ~60 us, text at ~5.
            params += [
                "{" + ",".join(map(str, expected)) + "}",
                "{" + ",".join(map(str, expected.values())) + "}",
            ]
        elif expected:
            params += [list(expected), list(expected.values())]
        else:
            params += [None, None]
        with self.datastore.get_connection() as conn:
            # Autocommit connection: the SELECT is the whole transaction.
            rows = conn.execute(query, params, prepare=True).fetchall()
        notification_ids: list[int] = [row["notification_id"] for row in rows]
        if len(notification_ids) != n or notification_ids[0] is None:
            return None  # moved: the function returned before inserting
        return notification_ids
