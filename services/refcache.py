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
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return isinstance(
            self._recorder, PostgresApplicationRecorder | SQLiteApplicationRecorder
        )

    def get(self, key: Any, ids: Sequence[UUID], derive: Callable[[], T]) -> T:
        """The value for ``key``, derived from the aggregates ``ids`` (by ``derive``,
        which must read only them) unless a cached one has their current versions."""
        if not self.enabled:
            return derive()
        memo: dict[UUID, int] | None = getattr(self._local, "memo", None)
        if memo is not None and all(i in memo for i in ids):
            versions = tuple(memo[i] for i in ids)
        else:
            versions = self.versions(ids)
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
        self._local.memo = dict(zip(ids, self.versions(ids), strict=True))
        try:
            yield
        finally:
            self._local.memo = None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

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
        return tuple(found.get(i, 0) for i in ids)
