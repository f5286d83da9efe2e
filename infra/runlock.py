"""One projection process per store: a lock that runners and rebuilds must hold.

Rebuilding drops the view tables; doing that while another process follows the log
would corrupt the views. On SQLite the lock is an advisory file lock next to the
database; on PostgreSQL a session advisory lock, so processes on different hosts
(the compose ``projections`` service) exclude each other too.

Whoever holds the lock is alive: PostgreSQL ends a session, and with it the lock,
when its process dies, as the kernel drops a dead process's file lock. So any
process can tell whether the log is followed (``held_anywhere``): the API
processes of ``gongkai serve --workers`` report it in ``/v1/health``.
"""

from __future__ import annotations

import fcntl
import hashlib
import time
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

import psycopg

from infra.settings import Settings


class ProjectionsBusyError(Exception):
    """Another process is following the log or rebuilding the views."""


# A look by ``held_anywhere`` takes the file lock shared for an instant;
# ``acquire`` tries again a few times rather than take that for a holder.
FILE_LOCK_TRIES, FILE_LOCK_PAUSE = 5, 0.01

# Sessions of this database holding the advisory lock of a key (a bigint key is
# stored as its high and low 32 bits in classid and objid, with objsubid 1).
HOLDERS_SQL = """
SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 1
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND classid = %s::bigint::oid AND objid = %s::bigint::oid
"""


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
            handle = self._path.open("w")
            for attempt in range(FILE_LOCK_TRIES):
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if attempt + 1 == FILE_LOCK_TRIES:
                        handle.close()
                        raise ProjectionsBusyError(self._busy(self._name)) from None
                    time.sleep(FILE_LOCK_PAUSE)
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

    @property
    def _path(self) -> Path:
        return Path(str(self._settings.sqlite_path()) + f".{self._name}.lock")

    def held_anywhere(self, conn: psycopg.Connection[Any] | None = None) -> bool:
        """Whether a live process (this one included) holds the lock. On
        PostgreSQL ``conn`` (any connection to the store) asks ``pg_locks``."""
        if self.held:
            return True
        if self._settings.store_kind == "sqlite":
            try:
                handle = self._path.open("a")
            except FileNotFoundError:
                return False
            with handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(handle, fcntl.LOCK_UN)
            return False
        assert conn is not None, "held_anywhere on PostgreSQL needs a connection"
        key = _key(f"gongkai:{self._name}")
        high, low = (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF
        row = conn.execute(HOLDERS_SQL, (high, low)).fetchone()
        return bool(row and _first(row))

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._conn is not None:
            # Unlock before hanging up: the session's end also releases it, but
            # the backend ends a moment after the client closes, and a taker in
            # that moment (this process's own next start) would find it busy.
            with suppress(psycopg.Error):
                self._conn.execute(
                    "SELECT pg_advisory_unlock(%s)", (_key(f"gongkai:{self._name}"),)
                )
            self._conn.close()
            self._conn = None

    @staticmethod
    def _busy(name: str) -> str:
        if name != "projections":
            return f"another `gongkai {name}` already runs on this store"
        return (
            "another process is following the log or rebuilding the views "
            "(stop `gongkai serve` / `gongkai projections run` first)"
        )


def _first(row: Any) -> Any:
    """The first column of a tuple row or a dict row (the pool's)."""
    return next(iter(row.values())) if isinstance(row, dict) else row[0]
