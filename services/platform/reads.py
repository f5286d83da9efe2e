"""Reads keyed by the log: where the views stand, and answers kept by that.

Every read is a function of (the query, the caller's scope, the positions of the
views it reads, and the reference data it derives rules from). ``Positions.read``
takes all of those in ONE small query (each view's tracking position, and how many
events the reference aggregates of a county have: its catalogue, the holiday
calendar, the case rules and services of each level). Taken before the read runs,
they are a lower bound of what the read then sees (a view commits its rows with its
position), so an answer stored under them is never older than they say: a later
read with the same positions may use it, and one whose positions moved computes
afresh. Nothing expires by time.

``ReadCache`` keeps rendered answers (bytes) by that key, bounded by size (least
recently used goes first); GONGKAI_READ_CACHE_MB=0 keeps nothing (bench's cold
numbers). The HTTP side (ETag, 304, Cache-Control) is ``services.api.revalidate``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder

from domain.documents.series import series_id
from domain.fees.standard import standard_id
from domain.reference import CALENDAR_ID, case_rules_id, catalogue_id, services_id
from domain.tenancy import ancestors_of
from projections.sql import SqlView
from services.core.base import APP_NAME

Key = tuple[Any, ...]


def reference_ids(path: str) -> list[UUID]:
    """The aggregates a read of ``path`` derives rules from: the holiday calendar,
    its county's catalogue, and the case rules and services at it and above; and
    those its board reads without a view: its fee standard, and its series of
    征收通知书 numbers (a notice reaches the board only when it takes a number)."""
    levels = [*ancestors_of(path), path]
    return [
        CALENDAR_ID,
        catalogue_id(levels[0]),
        *(case_rules_id(p) for p in levels),
        *(services_id(p) for p in levels),
        standard_id(path),
        series_id(path, "levy"),
    ]


class Positions:
    """Reads the views' positions and the reference data's event count, at once."""

    def __init__(self, recorder: Any, views: dict[str, SqlView]) -> None:
        self._recorder = recorder
        self._names = list(views)
        self._tables = [views[n].tracking_table_name for n in self._names]
        self.postgres = isinstance(recorder, PostgresApplicationRecorder)

    def _sql(self, count: int) -> str:
        mark = "%s" if self.postgres else "?"
        views = ", ".join(
            f"(SELECT max(notification_id) FROM {t} WHERE application_name = {mark})"
            f" AS p{i}"
            for i, t in enumerate(self._tables)
        )
        ids = f"= ANY({mark})" if self.postgres else f"IN ({', '.join([mark] * count)})"
        table = self._recorder.events_table_name
        return (
            f"SELECT {views},"
            f" (SELECT count(*) FROM {table} WHERE originator_id {ids}) AS refs"
        )

    def read(self, path: str) -> dict[str, int]:
        """Each view's position by name, and ``reference``: events of the
        reference aggregates ``path`` reads (only grows when one changes)."""
        ids = reference_ids(path)
        names = [APP_NAME] * len(self._tables)
        if self.postgres:
            with self._recorder.datastore.get_connection() as conn:
                row = conn.execute(
                    self._sql(len(ids)), [*names, ids], prepare=True
                ).fetchone()
            values = list(row.values()) if isinstance(row, dict) else list(row)
        else:
            with self._recorder.datastore.transaction(commit=False) as curs:
                curs.execute(self._sql(len(ids)), [*names, *(i.hex for i in ids)])
                values = list(curs.fetchone())
        found = {n: int(v or 0) for n, v in zip(self._names, values, strict=False)}
        found["reference"] = int(values[-1] or 0)
        return found


@dataclass(frozen=True)
class Stored:
    """A rendered answer: what a later read with the same key sends as is."""

    body: bytes
    media_type: str
    etag: str
    # the whole answer's headers as the middlewares sent them (services/api/front.py)
    headers: tuple[tuple[bytes, bytes], ...] = ()


def etag_of(key: Key) -> str:
    """A weak entity tag of a read's key (the same key, the same answer's meaning;
    bytes may differ in what a page prints of the moment it was rendered)."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
    return f'W/"{digest}"'


class ReadCache:
    """Rendered answers by key, least recently used evicted past ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, Stored] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: Key) -> Stored | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Key, stored: Stored) -> None:
        size = len(stored.body)
        if not self.enabled or size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old.body)
            self._entries[key] = stored
            self._size += size
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._entries)


def read_key(
    query: str,
    scope: Sequence[Any],
    positions: dict[str, int],
    views: Sequence[str],
    day: str,
) -> Key:
    """The key of one read: its query, the caller's scope, the positions of the
    views it reads and of the reference data, and the China day (what is late or
    overdue turns at midnight)."""
    return (
        query,
        tuple(scope),
        tuple(positions[v] for v in views),
        positions["reference"],
        day,
    )


class Reads:
    """The process's positions reader and answer cache (``Platform.reads``)."""

    def __init__(self, recorder: Any, views: dict[str, SqlView], max_bytes: int):
        self.positions = Positions(recorder, views)
        self.cache = ReadCache(max_bytes)
