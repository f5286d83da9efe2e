"""Whether this process can reach its PostgreSQL, and if not, why, in plain words.

A request that finds the store gone waits for a pooled connection for
``GONGKAI_PG_CONNECT_TIMEOUT``, twice (the store retries once): about 10 s each
during an outage. A ``StoreState`` hears of the first failure (a request's, or
the pool's own failed connect: ``infra/pgfactory.py``) and probes the server in a
thread of its own, a fresh connection and ``SELECT 1`` once a second, until it
answers. Meanwhile ``down`` gives the reason and the API answers 503 at once
(``StoreDownError``), health included. The probe connects only while the store
fails and disconnects at once, so it needs no share of the connection budget.

"Too many clients" is a reason but not ``down``: the process's pooled
connections still work, and refusing every request would leave them idle while
they hold the very slots other processes wait for.
"""

from __future__ import annotations

import logging
import threading
import weakref
from urllib.parse import urlparse

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

from infra.settings import Settings

__all__ = [
    "CONNECT_ERRORS",
    "StoreDownError",
    "StoreState",
    "address",
    "connect_failed",
    "describe",
]

log = logging.getLogger("gongkai.store")

PROBE_EVERY_SECONDS = 1.0
PROBE_CONNECT_TIMEOUT = 2  # libpq's (and psycopg's) least connect_timeout


# What a call raises when it cannot reach PostgreSQL (the library wraps psycopg's).
CONNECT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


class StoreDownError(OperationalError):
    """The store is known to be unreachable: answered without trying it."""


def address(url: str) -> str:
    """``host:port`` of a PostgreSQL URL, to name it in messages."""
    parts = urlparse(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"


def describe(error: BaseException, where: str) -> tuple[bool, str]:
    """A failure to connect in plain words, and whether it means the server
    cannot be reached at all (False: it answers, but refuses this connection)."""
    text = str(error).strip()
    low = text.lower()
    if "too many clients" in low or "connection slots are reserved" in low:
        return False, (
            f"PostgreSQL at {where} refuses more connections: too many clients "
            "(its max_connections is reached); lower GONGKAI_PG_CONNECTIONS or "
            "the number of processes, or raise max_connections"
        )
    if "starting up" in low or "shutting down" in low or "recovery mode" in low:
        return True, f"PostgreSQL at {where} is starting up or shutting down"
    if "connection refused" in low or "no such file" in low:
        return True, f"PostgreSQL at {where} refuses connections (is it running?)"
    if "timeout" in low or "timed out" in low or "couldn't get a connection" in low:
        return True, f"PostgreSQL at {where} does not answer in time"
    if "password authentication" in low or "pg_hba.conf" in low:
        return True, (
            f"PostgreSQL at {where} refuses the user or password of "
            "GONGKAI_DATABASE_URL"
        )
    if "does not exist" in low:
        return True, f"PostgreSQL at {where}: {text.splitlines()[-1].strip()}"
    first = text.splitlines()[0] if text else type(error).__name__
    return True, f"PostgreSQL at {where} cannot be reached ({first})"


_states: weakref.WeakSet[StoreState] = weakref.WeakSet()
_states_lock = threading.Lock()


def connect_failed(error: BaseException) -> None:
    """A pool of this process failed to connect: every StoreState probes."""
    with _states_lock:
        states = list(_states)
    for state in states:
        state.suspect()


class StoreState:
    """What this process knows of its store (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        postgres = settings.store_kind == "postgresql"
        self._url = settings.effective_database_url if postgres else ""
        self.where = address(self._url) if postgres else "sqlite"
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._down = False
        self._probing = False
        self._closed = threading.Event()
        self.probes = 0
        with _states_lock:
            _states.add(self)

    @property
    def down(self) -> str | None:
        """Why the store cannot be reached, while it is known not to be."""
        with self._lock:
            return self._reason if self._down else None

    @property
    def reason(self) -> str | None:
        """Why connecting last failed, while the store still fails (any kind)."""
        with self._lock:
            return self._reason

    @property
    def failing(self) -> bool:
        """A failure was seen and the store has not answered since."""
        with self._lock:
            return self._probing

    def suspect(self) -> None:
        """A call failed as if the store were unreachable: probe it (at once, in
        a thread) until it answers. Nothing to do on SQLite."""
        if not self._url or self._closed.is_set():
            return
        with self._lock:
            if self._probing:
                return
            self._probing = True
        threading.Thread(target=self._probe, name="store-probe", daemon=True).start()

    def probe_once(self) -> str | None:
        """Connect and ``SELECT 1``; None if that worked (or on SQLite), else
        the reason, which ``reason`` (and ``down``) then also give."""
        if not self._url:
            return None
        try:
            with psycopg.connect(
                self._url, connect_timeout=PROBE_CONNECT_TIMEOUT, autocommit=True
            ) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as e:
            unreachable, reason = describe(e, self.where)
            with self._lock:
                self._reason, self._down = reason, unreachable
            return reason
        return None

    def _probe(self) -> None:
        while not self._closed.is_set():
            self.probes += 1
            before = self.reason
            reason = self.probe_once()
            if reason is not None and reason != before:
                log.warning("%s", reason)
            if reason is None:
                with self._lock:
                    if self._reason is not None:
                        log.warning("PostgreSQL at %s answers again", self.where)
                    self._reason, self._down, self._probing = None, False, False
                return
            self._closed.wait(PROBE_EVERY_SECONDS)
        with self._lock:
            self._probing = False

    def close(self) -> None:
        self._closed.set()
        with _states_lock:
            _states.discard(self)
