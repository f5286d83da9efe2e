"""What commands read but rarely changes, kept by aggregate version.

Every command used to rebuild its tenant, the county's catalogue and the calendar
from their events before it could decide anything (a round trip and a rebuild
each). ``ReferenceCache`` keeps what was derived from such aggregates (the tenant
itself, a built ``WorkingDayCalendar``, the
catalogue entries that apply) together with the versions of the aggregates it came
from. Before an entry is used, ONE query asks the store for the current versions of
those aggregates (an index-only lookup that returns a row per aggregate); only if one
moved, or the entry is missing, is it derived afresh. So a rule changed by any
process is seen by the very next command anywhere: the cache saves the reading and
rebuilding, never the freshness check. (It is exactly as fresh as the re-read it
replaces: both look at the store before the command decides.) A command that
reads several of them opens a ``scope`` naming them all, so the check is one query
for the whole command.

Checked at the append
---------------------
On PostgreSQL with the project's recorder the check need not be a round trip of its
own. A command run through ``checking_at_append`` (``services.core.base``'s
``rules_checked_at_append``) decides on the versions this cache last saw, and
hands them to its save: the append function compares them with the store's under
the append lock, in the same round trip as the insert, and records nothing if one
moved (``VersionsMovedError``); the command is then decided again with the check
up front. A command that refuses, or ends without saving, checks before it
answers. So no command is recorded, or refused, on a rule that changed before it
was recorded: the same freshness as the query up front, one round trip fewer. An
aggregate this cache has never seen a version of is checked up front as before.

On the in-memory store (unit tests) nothing is cached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from infra.pgrecorder import OrderedPostgresApplicationRecorder

T = TypeVar("T")

Versions = tuple[int, ...]  # per aggregate id, 0 when it does not exist

MAX_ENTRIES = 10_000


class ReferenceCache:
    """Derived values keyed by a name, valid while their aggregates' versions hold."""

    def __init__(self, recorder: Any) -> None:
        self._recorder = recorder
        self._entries: dict[Any, tuple[Versions, Any]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._known: dict[UUID, int] = {}  # the last version read of each
        self.hits = 0
        self.misses = 0
        self.deferred_checks = 0  # look-ups whose check went with the append
        self.decided_again = 0  # commands run again because a rule moved
        self.check_at_append = True  # False: always check up front (bench)

    @property
    def enabled(self) -> bool:
        return isinstance(
            self._recorder, PostgresApplicationRecorder | SQLiteApplicationRecorder
        )

    @property
    def checks_at_append(self) -> bool:
        """Whether commands leave the check to the append (the recorder can)."""
        return self.check_at_append and isinstance(
            self._recorder, OrderedPostgresApplicationRecorder
        )

    @property
    def deferring(self) -> bool:
        return getattr(self._local, "deferred", None) is not None

    @contextmanager
    def checking_at_append(self) -> Iterator[None]:
        """One attempt at a command whose look-ups use the versions last seen and
        leave their check to the next save (``take_deferred``)."""
        self._local.deferred = {}
        self._local.saved = False
        try:
            yield
        finally:
            self._local.deferred = None

    def take_deferred(self) -> dict[UUID, int] | None:
        """For a save: the versions look-ups decided on since the last save, to be
        checked by it (and forgotten here)."""
        deferred: dict[UUID, int] | None = getattr(self._local, "deferred", None)
        if deferred is None:
            return None
        self._local.saved = True
        if not deferred:
            return None
        self._local.deferred = {}
        return deferred

    def deferred_moved(self) -> bool:
        """At the end of an attempt that did not save: did a version it decided on
        move (then it must be decided again)? Once a save was tried, its append
        checked everything read before it, and the attempt stands."""
        if getattr(self._local, "saved", False):
            return False
        deferred = self.take_deferred()
        if deferred is None:
            return False
        return self.versions(list(deferred)) != tuple(deferred.values())

    def _current(self, ids: Sequence[UUID]) -> Versions:
        """The versions to decide on: read now, or (when deferring and all were
        seen before) the last seen, noted for the save to check."""
        deferred: dict[UUID, int] | None = getattr(self._local, "deferred", None)
        if deferred is not None:
            with self._lock:
                known = [self._known.get(i) for i in ids]
            if None not in known:
                versions = tuple(v for v in known if v is not None)
                deferred.update(zip(ids, versions, strict=True))
                self.deferred_checks += 1
                return versions
        return self.versions(ids)

    def get(self, key: Any, ids: Sequence[UUID], derive: Callable[[], T]) -> T:
        """The value for ``key``, derived from the aggregates ``ids`` (by ``derive``,
        which must read only them) unless a cached one has their current versions."""
        if not self.enabled:
            return derive()
        memo: dict[UUID, int] | None = getattr(self._local, "memo", None)
        if memo is not None and all(i in memo for i in ids):
            versions = tuple(memo[i] for i in ids)
        else:
            versions = self._current(ids)
        with self._lock:
            found = self._entries.get(key)
        if found is not None and found[0] == versions:
            self.hits += 1
            value: T = found[1]
            return value
        self.misses += 1
        value = derive()
        # Stored under the versions read BEFORE deriving: if an aggregate moved in
        # between, the next look-up sees them as stale and derives again.
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (versions, value)
        return value

    @contextmanager
    def scope(self, ids: Sequence[UUID]) -> Iterator[None]:
        """One command: the versions of ``ids`` are read ONCE, in one query, and
        every look-up inside that needs only them uses that reading (the command
        then decides on one consistent view of its rules). Nested scopes join."""
        if not self.enabled or getattr(self._local, "memo", None) is not None:
            yield
            return
        self._local.memo = dict(zip(ids, self._current(ids), strict=True))
        try:
            yield
        finally:
            self._local.memo = None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._known.clear()

    def versions(self, ids: Sequence[UUID]) -> Versions:
        """The current version of each aggregate (0 if it has no events)."""
        recorder = self._recorder
        table = recorder.events_table_name
        if isinstance(recorder, PostgresApplicationRecorder):
            with recorder.datastore.get_connection() as conn:
                rows = conn.execute(
                    f"SELECT originator_id, max(originator_version) AS v FROM {table}"
                    " WHERE originator_id = ANY(%s) GROUP BY originator_id",
                    (list(ids),),
                    prepare=True,
                ).fetchall()
            found = {UUID(str(r["originator_id"])): int(r["v"]) for r in rows}
        else:
            marks = ",".join("?" * len(ids))
            with recorder.datastore.transaction(commit=False) as curs:
                curs.execute(
                    f"SELECT originator_id, max(originator_version) FROM {table}"
                    f" WHERE originator_id IN ({marks}) GROUP BY originator_id",
                    [i.hex for i in ids],
                )
                found = {UUID(r[0]): int(r[1]) for r in curs.fetchall()}
        versions = tuple(found.get(i, 0) for i in ids)
        with self._lock:
            if len(self._known) >= MAX_ENTRIES:
                self._known.clear()
            self._known.update(zip(ids, versions, strict=True))
        return versions
