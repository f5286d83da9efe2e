"""One clear message, naming the path, when the state directory cannot be written.

``$GONGKAI_HOME`` holds the SQLite store, the token secret, the signing keys and
the vault. When it is read-only, missing its permissions, or on a full disk, the
CLI says so in one line and exits 1 instead of printing a traceback:
``check_writable`` runs before ``serve`` and ``demo`` start, and ``reported``
wraps the whole command for failures that come later (a disk that fills up
during ``gongkai demo``). It also puts a PostgreSQL that cannot be reached in
plain words (refused, too many clients, …: ``infra/storestate.py``).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eventsourcing.persistence import PersistenceError

from infra.settings import Settings
from infra.storestate import CONNECT_ERRORS, StoreState, describe

FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


class StateDirError(Exception):
    """The state directory or the SQLite store cannot be written."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path, self.reason = str(path), reason


def _why(error: OSError) -> str:
    if error.errno in FULL:
        return "no space left (the disk is full or a file size limit was reached)"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{error.strerror}: give the user running gongkai write access"
    return error.strerror or str(error)


def check_writable(settings: Settings) -> None:
    """Raise StateDirError unless every directory gongkai writes can be written."""
    dirs = [settings.home]
    if settings.store_kind == "sqlite":
        dirs.append(settings.sqlite_path().parent)
    for directory in dict.fromkeys(dirs):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            probe = directory / f".gongkai-write-probe-{os.getpid()}"
            probe.write_bytes(b"\0" * 4096)
            probe.unlink()
        except OSError as e:
            raise StateDirError(directory, _why(e)) from None
    if settings.store_kind == "sqlite" and settings.sqlite_path().exists():
        path = settings.sqlite_path()
        try:
            conn = sqlite3.connect(path, timeout=30)
            try:
                conn.execute("BEGIN IMMEDIATE")  # takes the write lock, writes nothing
                conn.rollback()
            finally:
                conn.close()
        except sqlite3.Error as e:
            raise StateDirError(path, str(e)) from None


def _describe(error: BaseException, settings: Settings | None) -> StateDirError | None:
    if isinstance(error, StateDirError):
        return error
    if isinstance(error, OSError) and error.filename:
        if error.errno in (*FULL, errno.EACCES, errno.EPERM, errno.EROFS):
            return StateDirError(error.filename, _why(error))
        return None
    sqlite_store = settings is not None and settings.store_kind == "sqlite"
    if sqlite_store and isinstance(error, (sqlite3.Error, PersistenceError)):
        assert settings is not None
        text = str(error)
        if "full" in text or "disk I/O" in text:
            text += " (is the disk full, or a file size limit reached?)"
        elif "readonly" in text or "unable to open" in text:
            text += " (is the directory writable by this user?)"
        else:
            return None
        return StateDirError(settings.sqlite_path(), text)
    return None


@contextmanager
def reported(print_error: object) -> Iterator[None]:
    """Turn state-directory failures into one line on stderr and exit status 1."""
    try:
        yield
    except Exception as e:  # anything else keeps its traceback
        try:
            settings: Settings | None = Settings()
        except Exception:  # the settings error is reported elsewhere
            settings = None
        found = _describe(e, settings) or _describe_cause(e, settings)
        text = str(found) if found else _store_reason(e, settings)
        if text is None:
            raise
        assert callable(print_error)
        print_error(text)
        raise SystemExit(1) from None


def _store_reason(error: BaseException, settings: Settings | None) -> str | None:
    """Why PostgreSQL could not be used, if that is what ``error`` is: a fresh
    probe's reason (a pool only says it timed out), else the error's own."""
    if settings is None or settings.store_kind != "postgresql":
        return None
    if not isinstance(error, CONNECT_ERRORS):
        return None
    store = StoreState(settings)
    try:
        return store.probe_once() or describe(error, store.where)[1]
    finally:
        store.close()


def _describe_cause(
    error: BaseException, settings: Settings | None
) -> StateDirError | None:
    cause = error.__cause__ or error.__context__
    seen = 0
    while cause is not None and seen < 5:
        found = _describe(cause, settings)
        if found is not None:
            return found
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return None
