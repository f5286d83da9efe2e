"""One projection process per store: a lock that runners and rebuilds must hold.

Rebuilding drops the view tables; doing that while another process follows the log
would corrupt the views. On SQLite the lock is an advisory file lock next to the
database; on PostgreSQL a session advisory lock, so processes on different hosts
(the compose ``projections`` service) exclude each other too.
"""

from __future__ import annotations

import fcntl
import hashlib
from pathlib import Path
from typing import IO, Any

import psycopg

from infra.settings import Settings


class ProjectionsBusyError(Exception):
    """Another process is following the log or rebuilding the views."""


def _key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key."""
    return int.from_bytes(
        hashlib.sha256(name.encode()).digest()[:8], "big", signed=True
    )


class ProjectionLock:
    """Held while this process runs projection runners or rebuilds the views."""

    def __init__(self, settings: Settings, name: str = "projections") -> None:
        self._settings = settings
        self._name = name
        self._file: IO[str] | None = None
        self._conn: psycopg.Connection[Any] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None or self._conn is not None

    def acquire(self) -> None:
        """Take the lock or raise ProjectionsBusyError at once (never waits)."""
        if self.held:
            return
        if self._settings.store_kind == "sqlite":
            path = Path(str(self._settings.sqlite_path()) + f".{self._name}.lock")
            handle = path.open("w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                raise ProjectionsBusyError(self._busy(self._name)) from None
            self._file = handle
            return
        conn = psycopg.connect(self._settings.effective_database_url, autocommit=True)
        row = conn.execute(
            "SELECT pg_try_advisory_lock(%s)", (_key(f"gongkai:{self._name}"),)
        ).fetchone()
        if not row or not row[0]:
            conn.close()
            raise ProjectionsBusyError(self._busy(self._name))
        self._conn = conn

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._conn is not None:
            self._conn.close()  # ends the session, which releases the lock
            self._conn = None

    @staticmethod
    def _busy(name: str) -> str:
        if name != "projections":
            return f"another `gongkai {name}` already runs on this store"
        return (
            "another process is following the log or rebuilding the views "
            "(stop `gongkai serve` / `gongkai projections run` first)"
        )
