"""``gongkai backup DIR`` and ``gongkai restore DIR``: the store, keys and vault.

A backup directory holds

    manifest.json            format, store kind, log position, SHA-256 of every file
    store/gongkai.db         SQLite: a consistent copy by the online backup API
    store/gongkai.dump       PostgreSQL: ``pg_dump --format=custom``
    keys/…                   the tenants' Ed25519 signing keys ($GONGKAI_KEY_DIR)
    vault/…                  the applicants' AES keys ($GONGKAI_VAULT_DIR)
    token-secret             $GONGKAI_HOME/token-secret, when there is one

The store is copied first and the key directories after it: a key made in between
is an orphan in the backup (harmless), while every key the copied log needs is
already on disk when it is copied. An applicant erased in between reads as erased
after a restore, as intended. Restore verifies every checksum first and writes only
into an empty installation (no events, no keys, no vault keys).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from glob import glob
from pathlib import Path
from typing import Any

import psycopg

from infra.settings import Settings
from infra.tokens import SECRET_FILE

FORMAT = "gongkai-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "store/gongkai.db"
PG_FILE = "store/gongkai.dump"
EVENT_TABLES = ("stored_events", "gongkai_events")  # SQLite, PostgreSQL


class BackupError(Exception):
    """A backup cannot be written, verified or restored; the message says why."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            yield path


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: on PATH, else the newest /usr/lib/postgresql/*."""
    found = shutil.which(name)
    candidates = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    if found:
        return found
    raise BackupError(f"{name} not found: install the PostgreSQL client tools")


def _run(*args: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        list(args), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")


# Backup ------------------------------------------------------------------------------


def backup(settings: Settings, target: Path) -> dict[str, Any]:
    """Write a backup of this installation into ``target`` (new or empty)."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: give a new directory")
    if settings.store_kind == "sqlite" and not settings.sqlite_path().exists():
        raise BackupError(f"no store at {settings.sqlite_path()}: nothing to back up")
    (target / "store").mkdir(parents=True, exist_ok=True)
    if settings.store_kind == "sqlite":
        _sqlite_copy(settings.sqlite_path(), target / SQLITE_FILE)
        position = _position_sqlite(target / SQLITE_FILE)
    else:
        url = settings.effective_database_url
        with psycopg.connect(url, autocommit=True) as conn:
            # pg_dump reads one snapshot; this is a lower bound of its position.
            position = _position_pg(conn)
        _run(
            pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target / PG_FILE}",
            f"--dbname={url}",
        )
    for name, source in (
        ("keys", settings.effective_key_dir),
        ("vault", settings.effective_vault_dir),
    ):
        if source.is_dir():
            shutil.copytree(source, target / name)
    secret = settings.home / SECRET_FILE
    if secret.is_file():
        shutil.copy2(secret, target / SECRET_FILE)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "installation": settings.installation,
        "store": settings.store_kind,
        "position": position,
        "files": {
            str(p.relative_to(target)): {
                "sha256": sha256_of(p),
                "bytes": p.stat().st_size,
            }
            for p in _files(target)
        },
    }
    (target / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy while writers go on: SQLite's online backup API."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()


def _position_sqlite(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "stored_events" not in tables:
            return 0
        row = conn.execute("SELECT max(rowid) FROM stored_events").fetchone()
        return int(row[0] or 0)
    finally:
        conn.close()


def _position_pg(conn: psycopg.Connection[Any]) -> int:
    exists = conn.execute("SELECT to_regclass('gongkai_events')").fetchone()
    if not exists or exists[0] is None:
        return 0
    row = conn.execute("SELECT max(notification_id) FROM gongkai_events").fetchone()
    return int(row[0] or 0) if row else 0


# Verify and restore -------------------------------------------------------------------


def verify(source: Path) -> dict[str, Any]:
    """Check the manifest and every checksum; return the manifest."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source / MANIFEST} is missing: not a backup") from None
    except ValueError as e:
        raise BackupError(f"{source / MANIFEST} is not JSON: {e}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    listed: dict[str, dict[str, Any]] = manifest.get("files", {})
    present = {str(p.relative_to(source)) for p in _files(source)}
    if missing := sorted(set(listed) - present):
        raise BackupError(f"missing from {source}: {', '.join(missing)}")
    if extra := sorted(present - set(listed)):
        raise BackupError(f"not in the manifest: {', '.join(extra)}")
    for name, expected in listed.items():
        if sha256_of(source / name) != expected["sha256"]:
            raise BackupError(f"checksum mismatch: {source / name} was altered")
    store_file = SQLITE_FILE if manifest["store"] == "sqlite" else PG_FILE
    if store_file not in listed:
        raise BackupError(f"{store_file} is missing from the manifest")
    return manifest


def _not_empty(settings: Settings) -> list[str]:
    """What makes the target installation non-empty (empty list: it is empty)."""
    found: list[str] = []
    if settings.store_kind == "sqlite":
        path = settings.sqlite_path()
        if path.exists() and _position_sqlite(path) > 0:
            found.append(f"the store {path} holds events")
    else:
        with psycopg.connect(settings.effective_database_url) as conn:
            if _position_pg(conn) > 0:
                found.append("the PostgreSQL database holds events")
    for directory in (settings.effective_key_dir, settings.effective_vault_dir):
        if directory.is_dir() and any(directory.iterdir()):
            found.append(f"{directory} holds keys")
    return found


def restore(settings: Settings, source: Path) -> dict[str, Any]:
    """Restore the backup in ``source`` into this (empty) installation."""
    manifest = verify(source)
    if manifest["store"] != settings.store_kind:
        raise BackupError(
            f"the backup is of a {manifest['store']} store; this installation's "
            f"GONGKAI_DATABASE_URL is {settings.store_kind}"
        )
    if found := _not_empty(settings):
        raise BackupError(
            "restore writes only into an empty installation, but "
            + "; ".join(found)
            + " (point GONGKAI_HOME and GONGKAI_DATABASE_URL at new ones)"
        )
    if settings.store_kind == "sqlite":
        path = settings.sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)  # empty, checked above
        _sqlite_copy(source / SQLITE_FILE, path)
        position = _position_sqlite(path)
    else:
        url = settings.effective_database_url
        with psycopg.connect(url, autocommit=True) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
        clean = ["--clean", "--if-exists"] if tables and tables[0] else []
        _run(
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *clean,
            f"--dbname={url}",
            str(source / PG_FILE),
        )
        with psycopg.connect(url, autocommit=True) as conn:
            position = _position_pg(conn)
    if position < int(manifest["position"]):
        raise BackupError(
            f"restored log ends at {position}, the manifest says {manifest['position']}"
        )
    for name, target in (
        ("keys", settings.effective_key_dir),
        ("vault", settings.effective_vault_dir),
    ):
        if (source / name).is_dir():
            target.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copytree(source / name, target, dirs_exist_ok=True)
            os.chmod(target, 0o700)
    secret = settings.home / SECRET_FILE
    if (source / SECRET_FILE).is_file() and not secret.exists():
        shutil.copy2(source / SECRET_FILE, secret)
    applied = catch_up_views(settings)
    return {**manifest, "restored_position": position, "views_caught_up": applied}


def catch_up_views(settings: Settings, batch: int = 500) -> int:
    """Apply the events the copied views had not reached when the backup was taken.

    A backup of a running platform catches its views a few events behind the log;
    without this, ``gongkai audit verify`` would judge checkpoints against an audit
    view that lacks the key registrations they rely on. Runs what the projection
    runners would (same handlers, same tracking), without the checkpointer, so the
    log itself is not touched. Returns the number of events applied.
    """
    from eventsourcing.persistence import Tracking

    from services.core.base import APP_NAME
    from services.core.views import AUDIT_NAME, PROJECTIONS
    from services.platform.followers import append_leaf
    from services.platform.runtime import Platform

    platform = Platform(settings)
    applied = 0
    try:
        platform.projection_lock.acquire()
        app = platform.tenants
        for spec in (*PROJECTIONS, None):
            name = spec.name if spec else AUDIT_NAME
            view: Any = platform.views[name]
            projection = spec.projection(view=view) if spec else None
            topics = spec.projection.topics if spec else ()
            start = view.max_tracking_id(APP_NAME) or 0
            while notifications := list(
                app.recorder.select_notifications(
                    start=start, limit=batch, topics=topics, inclusive_of_start=False
                )
            ):
                for n in notifications:
                    if projection is None:
                        append_leaf(platform, n)
                    else:
                        event = app.mapper.to_domain_event(n)
                        projection.process_event(event, Tracking(APP_NAME, n.id))
                applied += len(notifications)
                start = notifications[-1].id
    finally:
        platform.close()
    return applied
