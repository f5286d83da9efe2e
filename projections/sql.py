"""One SQL text for views on PostgreSQL and SQLite.

Views are eventsourcing tracking recorders: each write runs in one transaction with
``_insert_tracking``, so a view row and the position it reflects commit together
(exactly once). Queries are written with ``?`` placeholders and portable types
(TEXT for ids, ISO dates and JSON; INTEGER for flags) so one implementation serves both
stores; the two leaf classes only choose the recorder base.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL

from infra.pgrecorder import with_fewer_retries
from infra.sqlite import NamedTrackingSQLiteRecorder

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


def subtree_clause(column: str = "tenant") -> str:
    return f"({column} = ? OR {column} LIKE ?)"


def subtree_params(path: str) -> list[str]:
    return [path, path + ".%"]


class SqlView(TrackingRecorder):
    """Portable view behaviour over whichever recorder base the leaf class picks."""

    ddl: ClassVar[tuple[str, ...]] = ()
    tables: ClassVar[tuple[str, ...]] = ()
    tracking_table_name: ClassVar[str] = "notification_tracking"
    datastore: PostgresDatastore | SQLiteDatastore

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
        return text.replace("?", "%s") if self.is_postgres else text

    @contextmanager
    def _write(self, tracking: Tracking) -> Iterator[Any]:
        """A transaction that records ``tracking`` first (taking SQLite's write lock
        before any read), then lets the caller write the view rows."""
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)  # type: ignore[attr-defined]
            yield curs

    def _exec(self, curs: Any, text: str, params: Sequence[Any] = ()) -> None:
        curs.execute(self._sql(text), tuple(params))

    def _one(self, curs: Any, text: str, params: Sequence[Any] = ()) -> Row | None:
        curs.execute(self._sql(text), tuple(params))
        row = curs.fetchone()
        return None if row is None else dict(row)

    def _query(self, text: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(text), tuple(params))
            return [dict(r) for r in curs.fetchall()]

    def drop(self) -> None:
        """Drop the view's tables and its tracking table (for a rebuild)."""
        with self.datastore.transaction(commit=True) as curs:
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
        self.sql_create_statements.extend(SQL(statement) for statement in self.ddl)  # type: ignore[arg-type]


class SQLiteSqlView(NamedTrackingSQLiteRecorder):
    """Leaf base for SQLite views: adds the view's DDL to the recorder's."""

    ddl: ClassVar[tuple[str, ...]] = ()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.ddl]
