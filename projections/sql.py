"""One SQL text for views on PostgreSQL and SQLite.

Views are eventsourcing tracking recorders: each write runs in one transaction with
``_insert_tracking``, so a view row and the position it reflects commit together
(exactly once). Queries are written with ``?`` placeholders and portable types
(TEXT for ids, ISO dates and JSON; INTEGER for flags) so one implementation serves both
stores; the two leaf classes only choose the recorder base.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL

from infra.pgrecorder import advisory_key, with_fewer_retries
from infra.sqlite import NamedTrackingSQLiteRecorder
from projections.pending import BufferedRows

Row = dict[str, Any]


def iso_moment(moment: datetime) -> str:
    """Fixed-width UTC text, so that text order is time order in both stores."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def iso_day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def like_pattern(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere (escape character backslash)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


PATTERN_OPS = "/*pattern_ops*/"
"""Written after a path column in an index's DDL: PostgreSQL's ``text_pattern_ops``
(byte order, whatever the database's collation), so that ``subtree_clause``'s
range is one index range; on SQLite a comment (its TEXT order is byte order)."""


def subtree_clause(column: str = "tenant") -> str:
    """``column`` is the path or lies below it: one range of byte order (the
    path up to ``path/``, '/' following '.') and, within it, the path itself or
    anything from ``path.`` on. On PostgreSQL ``~>=~`` and ``~<~`` compare
    bytes, and an index on ``column`` with ``PATTERN_OPS`` walks just the
    subtree; ``LIKE ?`` with a parameter could use no index and read the whole
    table (a county's overview read all 610,266 version rows at 10^6 events).
    SQLite gets ``>=`` and ``<`` (``SqlView._sql``)."""
    return f"({column} ~>=~ ? AND {column} ~<~ ? AND ({column} = ? OR {column} ~>=~ ?))"


def subtree_params(path: str) -> list[str]:
    return [path, path + "/", path, path + "."]


class _Batch:
    """One open batch transaction."""

    def __init__(self, curs: Any) -> None:
        self.curs = curs
        self.pending: dict[str, Any] = {}  # rows a view writes set-wise at the end
        self.rows = BufferedRows()  # the same, through SqlView._rows (any view)


def lock_view_ddl(curs: Any, schema: str) -> None:
    """One PostgreSQL session at a time changes the views' tables, until its
    transaction ends (SQLite's write lock already serialises them)."""
    name = f"gongkai view ddl {schema}"
    curs.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key(name),))


class SqlView(TrackingRecorder):
    """Portable view behaviour over whichever recorder base the leaf class picks."""

    ddl: ClassVar[tuple[str, ...]] = ()
    tables: ClassVar[tuple[str, ...]] = ()
    tracking_table_name: ClassVar[str] = "notification_tracking"
    # Raise when the tables' shape changes: an installation whose stored shape is
    # older drops the view at start-up, and the runner rebuilds it from the log
    # (CREATE TABLE IF NOT EXISTS alone would keep the old columns and break).
    schema_version: ClassVar[int] = 1
    datastore: PostgresDatastore | SQLiteDatastore

    def create_table(self) -> None:
        """Create the view's tables; first drop them if their shape is stale.

        Once ``view_schemas`` exists, the version check, the drop and the new
        version row share one transaction under the DDL lock, so that processes
        starting together neither drop each other's fresh tables nor collide
        creating ``view_schemas``. That transaction's first statement writes (a
        view without a row is at version 1, from before versions): SQLite then
        takes its write lock there, waiting for it, instead of failing to
        upgrade a read snapshot that another writer has moved past."""
        with self.datastore.transaction(commit=True) as curs:
            self._lock_ddl(curs)
            curs.execute(
                "CREATE TABLE IF NOT EXISTS view_schemas "
                "(view_name TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
        with self.datastore.transaction(commit=True) as curs:
            self._lock_ddl(curs)
            curs.execute(
                self._sql(
                    "INSERT INTO view_schemas (view_name, version) VALUES (?, 1) "
                    "ON CONFLICT (view_name) DO NOTHING"
                ),
                (self.tracking_table_name,),
            )
            curs.execute(
                self._sql("SELECT version FROM view_schemas WHERE view_name = ?"),
                (self.tracking_table_name,),
            )
            row = curs.fetchone()
            assert row is not None  # the row was just made sure of
            if int(dict(row)["version"]) != self.schema_version:
                self._drop_tables(curs)
                curs.execute(
                    self._sql(
                        "UPDATE view_schemas SET version = ? WHERE view_name = ?"
                    ),
                    (self.schema_version, self.tracking_table_name),
                )
        super().create_table()  # type: ignore[misc]

    def _lock_ddl(self, curs: Any) -> None:
        if isinstance(self.datastore, PostgresDatastore):
            lock_view_ddl(curs, self.datastore.schema)

    def plain_indexes(self) -> list[tuple[str, str]]:
        """Name and statement of each plain secondary index in ``ddl`` (``CREATE
        INDEX IF NOT EXISTS name ...``; unique ones are constraints and stay)."""
        found = []
        for statement in self.ddl:
            words = statement.split()
            if words[:5] == ["CREATE", "INDEX", "IF", "NOT", "EXISTS"]:
                found.append((words[5], statement))
        return found

    def drop_plain_indexes(self) -> None:
        """For a rebuild into empty tables: no index but keys and constraints while
        the rows go in (``create_plain_indexes`` builds each once at the end, one
        sort instead of an insertion per row). The handlers read by key only."""
        with self.datastore.transaction(commit=True) as curs:
            for name, _ in self.plain_indexes():
                curs.execute(f"DROP INDEX IF EXISTS {name}")

    def create_plain_indexes(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for _, statement in self.plain_indexes():
                curs.execute(statement)

    def analyze(self) -> None:
        """Fresh planner statistics (and, on PostgreSQL, the visibility map that
        index-only scans need) after a bulk write such as a rebuild."""
        if self.is_postgres:
            datastore: Any = self.datastore
            with datastore.get_connection() as conn:  # autocommit: VACUUM allowed
                for table in self.tables:
                    conn.execute(f"VACUUM (ANALYZE) {table}")
            return
        with self.datastore.transaction(commit=True) as curs:
            for table in self.tables:
                curs.execute(f"ANALYZE {table}")

    @property
    def is_postgres(self) -> bool:
        return isinstance(self.datastore, PostgresDatastore)

    # Prompt failure while the store is down (a read waiting on a view answers 503
    # within seconds), instead of the library's ten retries per call.
    def max_tracking_id(self, application_name: str) -> int | None:
        found: int | None = with_fewer_retries(super().max_tracking_id)(
            application_name
        )
        return found

    def has_tracking_id(
        self, application_name: str, notification_id: int | None
    ) -> bool:
        found: bool = with_fewer_retries(super().has_tracking_id)(
            application_name, notification_id
        )
        return found

    def _sql(self, text: str) -> str:
        if self.is_postgres:
            return text.replace("?", "%s")
        return text.replace("~>=~", ">=").replace("~<~", "<")

    @property
    def _batch(self) -> _Batch | None:
        """The batch this thread has open on this view, if any."""
        local = self.__dict__.get("_batch_local")
        if local is None:
            local = self.__dict__.setdefault("_batch_local", threading.local())
        found: _Batch | None = getattr(local, "batch", None)
        return found

    @contextmanager
    def batch(self, first: Tracking, last: Tracking) -> Iterator[None]:
        """Run the handlers of the events ``first`` .. ``last`` in ONE transaction
        (a rebuild or a catch-up).

        The position is recorded at ``first`` before anything else (taking SQLite's
        write lock before any read, and refusing a batch already applied) and
        raised to ``last`` at the end, so the rows and the position commit together
        or not at all. Every ``_write`` and ``_query`` inside joins the batch, so a
        handler reads what earlier handlers of the batch wrote. A view must write
        only through ``_write`` (or ``_flush``): a transaction of its own would commit
        apart from the batch's position (and wait on SQLite's write lock).
        """
        if self._batch is not None:
            msg = "batches do not nest"
            raise RuntimeError(msg)
        local = self.__dict__["_batch_local"]
        with self.datastore.transaction(commit=True) as curs:
            local.batch = batch = _Batch(curs)
            try:
                with self._pipeline(curs):
                    self._insert_tracking(curs, first)  # type: ignore[attr-defined]
                    yield
                self._flush(curs, batch.pending)  # COPY: not in pipeline mode
                self._write_rows(curs, batch.rows)
            finally:
                local.batch = None
            if last.notification_id > first.notification_id:
                self._insert_tracking(curs, last)  # type: ignore[attr-defined]

    def _flush(self, curs: Any, pending: dict[str, Any]) -> None:
        """Write what handlers left in ``pending`` for set-wise writing at the end
        of a batch (a view that buffers overrides this; see DisclosureView)."""

    @contextmanager
    def _rows(self, tracking: Tracking) -> Iterator[BufferedRows]:
        """Rows the caller describes (``replace`` / ``append``, projections/
        pending.py): inside ``batch()`` buffered and written set-wise when the
        batch ends; outside it written at once, in the transaction that records
        ``tracking``. Either way with the position, exactly once."""
        batch = self._batch
        if batch is not None:
            yield batch.rows
            return
        rows = BufferedRows()
        yield rows
        with self._write(tracking) as curs:
            self._write_rows(curs, rows)

    def _write_rows(self, curs: Any, pending: BufferedRows) -> None:
        """Each table's replaced keys deleted in one statement, then all its rows
        inserted in one (COPY on PostgreSQL). Not in pipeline mode (COPY)."""
        for table, rows in pending.tables.items():
            if rows.groups:
                keys = list(rows.groups)
                if self.is_postgres:
                    self._exec(
                        curs, f"DELETE FROM {table} WHERE {rows.key_column} = ANY(?)",
                        [keys],
                    )  # fmt: skip
                else:
                    self._exec_many(
                        curs,
                        f"DELETE FROM {table} WHERE {rows.key_column} = ?",
                        [[k] for k in keys],
                    )
            self._insert_many(curs, table, ",".join(rows.columns), rows.rows())
        pending.tables.clear()

    def _pipeline(self, curs: Any) -> AbstractContextManager[Any]:
        """On PostgreSQL, psycopg's pipeline mode: the batch's statements go out
        without waiting for each result (a read waits for what it must see)."""
        return curs.connection.pipeline() if self.is_postgres else nullcontext()

    @contextmanager
    def _write(self, tracking: Tracking) -> Iterator[Any]:
        """A transaction that records ``tracking`` first (taking SQLite's write lock
        before any read), then lets the caller write the view rows. Inside
        ``batch()`` it is the batch's transaction, whose positions cover this one."""
        batch = self._batch
        if batch is not None:
            yield batch.curs
            return
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)  # type: ignore[attr-defined]
            yield curs

    def _exec(self, curs: Any, text: str, params: Sequence[Any] = ()) -> None:
        curs.execute(self._sql(text), tuple(params))

    def _one(self, curs: Any, text: str, params: Sequence[Any] = ()) -> Row | None:
        curs.execute(self._sql(text), tuple(params))
        row = curs.fetchone()
        return None if row is None else dict(row)

    def _exec_many(self, curs: Any, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            curs.executemany(self._sql(text), [tuple(r) for r in rows])

    def _insert_many(
        self, curs: Any, table: str, columns: str, rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert ``rows`` into ``table`` (``columns`` comma-separated): COPY on
        PostgreSQL (one stream, no per-row statement), executemany on SQLite. A
        duplicate key fails the whole transaction either way."""
        if not rows:
            return
        if self.is_postgres:
            with curs.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ",".join("?" * len(rows[0]))
        curs.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",
            [tuple(r) for r in rows],
        )

    def _query(self, text: str, params: Sequence[Any] = ()) -> list[Row]:
        batch = self._batch
        if batch is not None:  # a handler reading inside a batch sees its writes
            batch.curs.execute(self._sql(text), tuple(params))
            return [dict(r) for r in batch.curs.fetchall()]
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(text), tuple(params))
            return [dict(r) for r in curs.fetchall()]

    def drop(self) -> None:
        """Drop the view's tables and its tracking table (for a rebuild)."""
        with self.datastore.transaction(commit=True) as curs:
            self._drop_tables(curs)

    def _drop_tables(self, curs: Any) -> None:
        for table in (*self.tables, self.tracking_table_name):
            curs.execute(f"DROP TABLE IF EXISTS {table}")
        # The recorder remembers whether its tracking table existed; forget it, so
        # that create_table() starts the table afresh (with its migration marker).
        self.tracking_table_exists = False
        self.tracking_migration_previous = None
        self.tracking_migration_current = None


class PostgresSqlView(PostgresTrackingRecorder):
    """Leaf base for PostgreSQL views: adds the view's DDL to the recorder's."""

    ddl: ClassVar[tuple[str, ...]] = ()

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        statements = [s.replace(PATTERN_OPS, "text_pattern_ops") for s in self.ddl]
        self.sql_create_statements.extend(SQL(s) for s in statements)  # type: ignore[arg-type]

    def _create_table(self, curs: Any) -> None:
        """One session at a time creates view tables: processes starting together
        on a fresh database otherwise collide inside ``CREATE TABLE IF NOT
        EXISTS`` (a duplicate type name) or ``CREATE INDEX``."""
        lock_view_ddl(curs, self.datastore.schema)
        self._reread_tracking_state(curs)
        super()._create_table(curs)

    def _reread_tracking_state(self, curs: Any) -> None:
        """Look again, under the lock, at what the library looked at before it:
        another session may have created the tracking table in between, and the
        library would then insert its migration row a second time and fail
        ("Failed to record tracking for __migration__ 1")."""
        table = f"{self.datastore.schema}.{self.tracking_table_name}"
        row = curs.execute("SELECT to_regclass(%s) IS NOT NULL AS found", (table,))
        found = row.fetchone()
        if found is None or not found["found"]:
            return
        migrated = self._max_tracking_id(self.table_migration_identifier, curs)
        self.tracking_table_exists = True
        self.tracking_migration_previous = migrated
        self.tracking_migration_current = migrated


class SQLiteSqlView(NamedTrackingSQLiteRecorder):
    """Leaf base for SQLite views: adds the view's DDL to the recorder's."""

    ddl: ClassVar[tuple[str, ...]] = ()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.ddl]
