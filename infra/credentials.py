"""Staff credentials and sign-in throttles, kept outside the immutable event log.

Password hashes and activation-code digests are secrets: an event log is copied,
streamed and kept forever, so they live in two ordinary tables of the same database
instead, where a hash can be replaced or deleted:

- ``staff_credentials``: username, Argon2id password hash, SHA-256 digest of the
  pending activation code and its expiry;
- ``client_secrets``: an integrator client's id, tenant and the SHA-256 digest of
  its current secret (the index the client list reads);
- ``signin_throttle``: failed attempts per key (an account, an address, the two
  together, a receipt number) in the current window, and until when the key is locked
  or held back.

The events say *that* a staffer was activated or signed in; these tables say *how* to
check them. Both tables are created on first use; they are not projections (nothing
rebuilds them from the log) and must be backed up with the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import Environment

DDL = (
    "CREATE TABLE IF NOT EXISTS staff_credentials ("
    " username TEXT PRIMARY KEY, password_hash TEXT, activation_digest TEXT,"
    " activation_expires TEXT, updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS client_secrets ("
    " client_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, secret_digest TEXT,"
    " updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS signin_throttle ("
    " key TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_start TEXT NOT NULL,"
    " locked_until TEXT)",
)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Credential:
    """What the store holds for one staffer."""

    username: str
    password_hash: str | None
    activation_digest: str | None
    activation_expires: datetime | None


class CredentialStore:
    """Credentials and throttles in the installation's database (SQLite or PG)."""

    def __init__(self, env: dict[str, str]) -> None:
        self._factory: Any = InfrastructureFactory[Any].construct(
            env=Environment("credentials", env)
        )
        # Both stores' factories hold a datastore; the base class does not say so.
        self._datastore: Any = cast(Any, self._factory).datastore
        self._postgres = isinstance(self._datastore, PostgresDatastore)
        with self._datastore.transaction(commit=True) as curs:
            for statement in DDL:
                curs.execute(statement)

    def close(self) -> None:
        self._factory.close()

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s") if self._postgres else text

    def _run(
        self, text: str, params: Sequence[Any] = (), *, commit: bool = True
    ) -> dict[str, Any] | None:
        with self._datastore.transaction(commit=commit) as curs:
            curs.execute(self._sql(text), tuple(params))
            row = curs.fetchone() if "RETURNING" in text or not commit else None
        return None if row is None else dict(row)

    # Credentials ---------------------------------------------------------------------

    def get(self, username: str) -> Credential | None:
        row = self._run(
            "SELECT username, password_hash, activation_digest, activation_expires"
            " FROM staff_credentials WHERE username = ?",
            [username],
            commit=False,
        )
        if row is None:
            return None
        expires = row["activation_expires"]
        return Credential(
            username=row["username"],
            password_hash=row["password_hash"],
            activation_digest=row["activation_digest"],
            activation_expires=datetime.fromisoformat(expires) if expires else None,
        )

    def issue_activation(self, username: str, digest: str, expires: datetime) -> None:
        """A new pending activation code; any password is dropped."""
        self._run(
            "INSERT INTO staff_credentials (username, password_hash, activation_digest,"
            " activation_expires, updated_at) VALUES (?, NULL, ?, ?, ?)"
            " ON CONFLICT (username) DO UPDATE SET password_hash = NULL,"
            " activation_digest = excluded.activation_digest,"
            " activation_expires = excluded.activation_expires,"
            " updated_at = excluded.updated_at",
            [username, digest, _iso(expires), _iso(datetime.now(UTC))],
        )

    def redeem_activation(self, username: str, digest: str, password_hash: str) -> bool:
        """Set the password if ``digest`` is still the pending code; once only."""
        row = self._run(
            "UPDATE staff_credentials SET password_hash = ?, activation_digest = NULL,"
            " activation_expires = NULL, updated_at = ?"
            " WHERE username = ? AND activation_digest = ? RETURNING username",
            [password_hash, _iso(datetime.now(UTC)), username, digest],
        )
        return row is not None

    def set_password_hash(self, username: str, old: str, new: str) -> None:
        """Replace a hash with a rehash of the same password (new parameters)."""
        self._run(
            "UPDATE staff_credentials SET password_hash = ?, updated_at = ?"
            " WHERE username = ? AND password_hash = ?",
            [new, _iso(datetime.now(UTC)), username, old],
        )

    # Integrator clients --------------------------------------------------------------

    def set_client_secret(
        self, client_id: str, tenant: str, digest: str | None
    ) -> None:
        """The digest of a client's current secret (None: no secret works)."""
        self._run(
            "INSERT INTO client_secrets (client_id, tenant, secret_digest, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET"
            " secret_digest = excluded.secret_digest,"
            " updated_at = excluded.updated_at",
            [client_id, tenant, digest, _iso(datetime.now(UTC))],
        )

    def client_secret_digest(self, client_id: str) -> str | None:
        row = self._run(
            "SELECT secret_digest FROM client_secrets WHERE client_id = ?",
            [client_id],
            commit=False,
        )
        return None if row is None else row["secret_digest"]

    def client_ids(self, tenant: str, *, descendants: bool) -> list[str]:
        """The clients registered at ``tenant`` (and below it), oldest first."""
        text = "SELECT client_id FROM client_secrets WHERE tenant = ?"
        params = [tenant]
        if descendants:
            text += " OR tenant LIKE ?"
            params.append(tenant + ".%")
        with self._datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(text + " ORDER BY updated_at"), tuple(params))
            return [row["client_id"] for row in curs.fetchall()]

    # Throttles -----------------------------------------------------------------------

    def locked_until(self, key: str, now: datetime) -> datetime | None:
        """When ``key`` may try again, if it is locked now."""
        row = self._run(
            "SELECT locked_until FROM signin_throttle WHERE key = ?",
            [key],
            commit=False,
        )
        if row is None or row["locked_until"] is None:
            return None
        until = datetime.fromisoformat(row["locked_until"])
        return until if until > now else None

    def failures(self, key: str, now: datetime, window: timedelta) -> int:
        """Failures of ``key`` counted in a window that is still open at ``now``."""
        row = self._run(
            "SELECT failures FROM signin_throttle WHERE key = ? AND window_start >= ?",
            [key, _iso(now - window)],
            commit=False,
        )
        return 0 if row is None else int(row["failures"])

    def count(self, key: str, now: datetime, window: timedelta) -> int:
        """Count one failure for ``key`` in its window (a new window once the last
        is over); returns the failures in the window, this one included."""
        start = _iso(now - window)
        row = self._run(
            "INSERT INTO signin_throttle (key, failures, window_start, locked_until)"
            " VALUES (?, 1, ?, NULL) ON CONFLICT (key) DO UPDATE SET"
            " failures = CASE WHEN signin_throttle.window_start < ? THEN 1"
            "  ELSE signin_throttle.failures + 1 END,"
            " window_start = CASE WHEN signin_throttle.window_start < ? THEN ?"
            "  ELSE signin_throttle.window_start END"
            " RETURNING failures",
            [key, _iso(now), start, start, _iso(now)],
        )
        return 0 if row is None else int(row["failures"])

    def hold(self, key: str, until: datetime) -> None:
        """Refuse ``key`` until ``until``; its count goes on."""
        self._run(
            "UPDATE signin_throttle SET locked_until = ? WHERE key = ?",
            [_iso(until), key],
        )

    def fail(
        self, key: str, now: datetime, limit: int, window: timedelta
    ) -> datetime | None:
        """Count one failure for ``key``; lock it for ``window`` at ``limit`` failures
        within ``window``. Returns when it is locked until, if it now is."""
        if self.count(key, now, window) < limit:
            return None
        until = now + window
        self._run(
            "UPDATE signin_throttle SET locked_until = ?, failures = 0,"
            " window_start = ? WHERE key = ?",
            [_iso(until), _iso(now), key],
        )
        return until

    def clear(self, key: str) -> None:
        self._run("DELETE FROM signin_throttle WHERE key = ?", [key])
