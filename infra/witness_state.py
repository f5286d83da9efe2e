"""A witness's memory: the latest checkpoint it cosigned for each log origin.

C2SP tlog-witness requires the check of the old size and the update to the new
checkpoint to be one atomic step (else two racing requests could roll a log back).
Here that step runs inside one SQLite ``BEGIN IMMEDIATE`` transaction, with the
caller's consistency check called in the middle.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

Check = Callable[[int, bytes | None], None]  # (stored size, stored root) → raise


class OldSizeMismatchError(Exception):
    """The submitter's old size is not what this witness last cosigned."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the latest cosigned size is {size}")
        self.size = size


class WitnessState:
    """One SQLite file: origin → (size, root hash, note, cosigned at)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS witnessed (origin TEXT PRIMARY KEY,"
                " size INTEGER NOT NULL, root_hash BLOB NOT NULL,"
                " note TEXT NOT NULL, cosigned_at INTEGER NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def latest(self, origin: str) -> tuple[int, bytes] | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT size, root_hash FROM witnessed WHERE origin = ?", (origin,)
            ).fetchone()
        return (int(row[0]), bytes(row[1])) if row else None

    def advance(
        self,
        origin: str,
        *,
        old_size: int,
        size: int,
        root_hash: bytes,
        note: str,
        now: int,
        check: Check,
    ) -> None:
        """Move ``origin`` to ``size``/``root_hash`` if ``old_size`` is the stored
        size (0 when none) and ``check`` passes, atomically."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute(
                "SELECT size, root_hash FROM witnessed WHERE origin = ?", (origin,)
            ).fetchone()
            stored, root = (int(row[0]), bytes(row[1])) if row else (0, None)
            if old_size != stored:
                raise OldSizeMismatchError(stored)
            check(stored, root)
            db.execute(
                "INSERT INTO witnessed (origin, size, root_hash, note, cosigned_at)"
                " VALUES (?,?,?,?,?) ON CONFLICT (origin) DO UPDATE SET"
                " size = excluded.size, root_hash = excluded.root_hash,"
                " note = excluded.note, cosigned_at = excluded.cosigned_at",
                (origin, size, root_hash, note, now),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()
