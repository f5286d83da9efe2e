"""The signed checkpoints the audit view keeps, numbered in the order they were stored.

Checkpoints are signed artefacts, not a projection of the log: a rebuild leaves
``audit_checkpoints`` alone and the rebuilt trees must reproduce them. Each one gets
a number (``seq``) when it is first stored, taken under a lock held to the commit
(SQLite's single writer; on PostgreSQL a self-conflicting table lock), so numbers
become visible in order: a reader that asks for ``seq > n`` never skips one. A live
stream resumes by that number (services/streams/live.py). Storing a checkpoint
again (with an outside witness's cosignature) keeps its number.
"""

from __future__ import annotations

import sqlite3

from projections.sql import Row, SqlView

CHECKPOINT_DDL = (
    "CREATE TABLE IF NOT EXISTS audit_checkpoints (tenant TEXT NOT NULL,"
    " size BIGINT NOT NULL, root_hash TEXT NOT NULL, note TEXT NOT NULL,"
    " issued_at TEXT NOT NULL, seq BIGINT, PRIMARY KEY (tenant, size))",
)
COLUMNS = "c.tenant, c.size, c.root_hash, c.note, c.issued_at, c.seq"
# Each checkpoint with the log position of the last event it covers (its last leaf).
WITH_POSITION = (
    f"SELECT {COLUMNS}, l.position FROM audit_checkpoints c LEFT JOIN audit_leaves l"
    " ON l.tenant = c.tenant AND l.leaf_index = c.size - 1"
)
# Numbers the checkpoints stored before numbering, in the order of what they cover.
NUMBER_OLD = (
    "UPDATE audit_checkpoints SET seq = (SELECT o.n FROM (SELECT c.tenant, c.size,"
    " ROW_NUMBER() OVER (ORDER BY COALESCE(l.position, 0), c.tenant, c.size)"
    " + (SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints) AS n"
    " FROM audit_checkpoints c LEFT JOIN audit_leaves l ON l.tenant = c.tenant"
    " AND l.leaf_index = c.size - 1 WHERE c.seq IS NULL) o"
    " WHERE o.tenant = audit_checkpoints.tenant AND o.size = audit_checkpoints.size)"
    " WHERE seq IS NULL"
)


class CheckpointTable(SqlView):
    """``audit_checkpoints``: every checkpoint issued, with its number."""

    def create_table(self) -> None:
        super().create_table()
        self._number_checkpoints()

    def _number_checkpoints(self) -> None:
        """Give a table from before numbering its ``seq`` column and numbers."""
        if not self._has_numbers():
            with self.datastore.transaction(commit=True) as curs:
                self._lock_ddl(curs)
                if self.is_postgres:
                    curs.execute(
                        "ALTER TABLE audit_checkpoints ADD COLUMN IF NOT EXISTS"
                        " seq BIGINT"
                    )
                else:
                    try:
                        curs.execute(
                            "ALTER TABLE audit_checkpoints ADD COLUMN seq BIGINT"
                        )
                    except sqlite3.OperationalError as e:
                        if "duplicate column" not in str(e):
                            raise  # else another process added it just now
        with self.datastore.transaction(commit=True) as curs:
            self._lock_ddl(curs)
            curs.execute(NUMBER_OLD)  # nothing to do once numbered
            curs.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS audit_checkpoints_seq"
                " ON audit_checkpoints (seq)"
            )

    def _has_numbers(self) -> bool:
        if self.is_postgres:
            rows = self._query(
                "SELECT 1 AS found FROM information_schema.columns WHERE table_schema"
                " = current_schema() AND table_name = 'audit_checkpoints'"
                " AND column_name = 'seq'"
            )
            return bool(rows)
        rows = self._query("PRAGMA table_info(audit_checkpoints)")
        return any(r["name"] == "seq" for r in rows)

    def save_checkpoint(
        self, tenant: str, size: int, root_hash: bytes, note: str, issued_at: str
    ) -> None:
        """Store a signed checkpoint: numbered if new, its number kept if not."""
        with self.datastore.transaction(commit=True) as curs:
            if self.is_postgres:  # numbers in commit order; readers do not wait
                curs.execute("LOCK TABLE audit_checkpoints IN SHARE ROW EXCLUSIVE MODE")
            self._exec(
                curs,
                "INSERT INTO audit_checkpoints (tenant, size, root_hash, note,"
                " issued_at, seq) VALUES (?, ?, ?, ?, ?,"
                " (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_checkpoints))"
                " ON CONFLICT (tenant, size) DO UPDATE SET root_hash ="
                " excluded.root_hash, note = excluded.note, issued_at ="
                " excluded.issued_at",
                [tenant, size, root_hash.hex(), note, issued_at],
            )

    def latest_checkpoint(self, tenant: str) -> Row | None:
        rows = self._query(
            f"SELECT {COLUMNS} FROM audit_checkpoints c"
            " WHERE tenant = ? ORDER BY size DESC LIMIT 1",
            [tenant],
        )
        return rows[0] if rows else None

    def checkpoints(self, tenant: str | None = None) -> list[Row]:
        where, params = ("WHERE tenant = ?", [tenant]) if tenant else ("", [])
        return self._query(
            f"SELECT {COLUMNS} FROM audit_checkpoints c {where} ORDER BY tenant, size",
            params,
        )

    def checkpoints_covering(self, after: int, upto: int) -> list[Row]:
        """Checkpoints whose last leaf sits at a log position in ``(after, upto]``,
        with that ``position``, in position order."""
        return self._query(
            f"{WITH_POSITION} WHERE l.position > ? AND l.position <= ?"
            " ORDER BY l.position, c.tenant",
            [after, upto],
        )

    def checkpoints_after(self, number: int, limit: int) -> list[Row]:
        """Checkpoints numbered after ``number``, in number order, each with the
        ``position`` of its last leaf (None while the audit view lacks it)."""
        return self._query(
            f"{WITH_POSITION} WHERE c.seq > ? ORDER BY c.seq LIMIT ?", [number, limit]
        )

    def checkpoint_number_at(self, position: int) -> int:
        """The highest number below every checkpoint that covers an event after
        ``position``: all checkpoints numbered up to it cover events up to there."""
        rows = self._query(
            "SELECT MIN(c.seq) AS n FROM audit_checkpoints c LEFT JOIN audit_leaves l"
            " ON l.tenant = c.tenant AND l.leaf_index = c.size - 1"
            " WHERE l.position IS NULL OR l.position > ?",
            [position],
        )
        if rows and rows[0]["n"] is not None:
            return int(rows[0]["n"]) - 1
        rows = self._query("SELECT COALESCE(MAX(seq), 0) AS n FROM audit_checkpoints")
        return int(rows[0]["n"])
