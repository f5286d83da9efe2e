"""One aggregate's events with their log positions, a page at a time.

The library's ``select_events`` reads an aggregate's events by version but drops their
notification ids, and ``select_notifications`` has the ids but reads the whole log. A
timeline across subjects needs both: each subject read by its primary key
``(originator_id, originator_version)`` with ``LIMIT``, and each event's position to
merge the subjects in log order. Works on the PostgreSQL and SQLite recorders.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from psycopg.sql import SQL, Identifier

MAX_PAGE = 10_000


def select_subject_events(
    recorder: Any, originator_id: UUID, *, after_version: int, limit: int
) -> list[Notification]:
    """Events of ``originator_id`` with version > ``after_version``, oldest first,
    at most ``limit`` (≤ MAX_PAGE); each carries its notification id."""
    limit = max(1, min(limit, MAX_PAGE))
    table = recorder.events_table_name
    if hasattr(recorder.datastore, "schema"):  # PostgreSQL
        statement = SQL(
            "SELECT notification_id, originator_version, topic, state"
            " FROM {schema}.{table} WHERE originator_id = %s"
            " AND originator_version > %s ORDER BY originator_version LIMIT %s"
        ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(table))
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (originator_id, after_version, limit))
            rows = [
                (r["notification_id"], r["originator_version"], r["topic"], r["state"])
                for r in curs.fetchall()
            ]
    else:  # SQLite keeps the notification id as the rowid, the id as hex
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, originator_version, topic, state FROM {table}"
                " WHERE originator_id = ? AND originator_version > ?"
                " ORDER BY originator_version LIMIT ?",
                (originator_id.hex, after_version, limit),
            )
            rows = [
                (r["rowid"], r["originator_version"], r["topic"], r["state"])
                for r in c.fetchall()
            ]
    return [
        Notification(
            id=int(position),
            originator_id=originator_id,
            originator_version=int(version),
            topic=topic,
            state=bytes(state),
        )
        for position, version, topic, state in rows
    ]
