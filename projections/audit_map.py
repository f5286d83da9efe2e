"""The aggregate map of a tenant's log at a size, read from the audit view.

The map (domain/ledger/map.py) holds, for every aggregate with events in the log's
first ``size`` leaves, its latest version and that event's leaf index. It is derived
from ``audit_leaves`` at exactly the size a checkpoint signs, so it needs no table of
its own and no hook in the audit follower: a rebuilt audit view yields the same map.

``AuditMap`` keeps each tenant's entries in memory at the last size asked for and
reads only the leaves added since (one indexed range query), so a checkpoint every
100 leaves does not rescan the log; a smaller size than the cached one is read
afresh. The root itself is recomputed from the entries (O(m log m) hashes for m
aggregates: ~0.08 s for 10,000).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from domain.ledger.map import MapEntry, map_proof, map_root
from projections.audit import AuditView


@dataclass
class _Cached:
    size: int = 0
    entries: dict[str, MapEntry] = field(default_factory=dict)
    root: bytes | None = None


class AuditMap:
    """Tenants' aggregate maps over one audit view, cached by size."""

    def __init__(self, view: AuditView) -> None:
        self.view = view
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def entries(self, tenant: str, size: int) -> list[MapEntry]:
        """The map of ``tenant``'s log at ``size`` leaves."""
        with self._lock:
            return list(self._at(tenant, size).entries.values())

    def root(self, tenant: str, size: int) -> bytes:
        """The map root a checkpoint of ``tenant`` at ``size`` commits to."""
        with self._lock:
            cached = self._at(tenant, size)
            if cached.root is None:
                cached.root = map_root(cached.entries.values())
            return cached.root

    def proof(
        self, tenant: str, size: int, aggregate_id: str
    ) -> tuple[MapEntry, list[bytes]]:
        """The aggregate's entry in the map at ``size`` and its proof."""
        with self._lock:
            entries = self._at(tenant, size).entries
            entry = entries[aggregate_id]
            return entry, map_proof(entries.values(), aggregate_id)

    def _at(self, tenant: str, size: int) -> _Cached:
        cached = self._cache.get(tenant)
        if cached is None or cached.size > size:
            fresh = _Cached()
            self._extend(tenant, fresh, size)
            if cached is None:
                self._cache[tenant] = fresh
            return fresh
        if cached.size < size:
            self._extend(tenant, cached, size)
        return cached

    def _extend(self, tenant: str, cached: _Cached, size: int) -> None:
        for row in self.view.event_ids(tenant, cached.size, size):
            aggregate_id, _, version = str(row["event_id"]).rpartition(":")
            index = int(row["leaf_index"])
            cached.entries[aggregate_id] = MapEntry(aggregate_id, int(version), index)
        cached.size, cached.root = size, None


def map_entries(view: AuditView, tenant: str, size: int) -> list[MapEntry]:
    """The map of ``tenant``'s log at ``size`` leaves, read afresh."""
    return AuditMap(view).entries(tenant, size)
