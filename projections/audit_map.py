"""The aggregate map of a tenant's log at a size, read from the audit view.

The map (domain/ledger/map.py) holds, for every aggregate with events in the log's
first ``size`` leaves, its latest version and that event's leaf index. It is derived
from ``audit_leaves`` on demand, at exactly the size a checkpoint signs, so it needs
no table of its own and no hook in the audit follower: a rebuilt audit view yields
the same map. Cost: one indexed scan of the tenant's ``(event_id, leaf_index)``
pairs per checkpoint or bundle.
"""

from __future__ import annotations

from domain.ledger.map import MapEntry, latest_entries, map_proof, map_root
from projections.audit import AuditView


def map_entries(view: AuditView, tenant: str, size: int) -> list[MapEntry]:
    """The map of ``tenant``'s log at ``size`` leaves."""
    pairs = []
    for row in view.event_ids(tenant, size):
        aggregate_id, _, version = str(row["event_id"]).rpartition(":")
        pairs.append((aggregate_id, int(version), int(row["leaf_index"])))
    return latest_entries(pairs)


def root_at(view: AuditView, tenant: str, size: int) -> bytes:
    """The map root a checkpoint of ``tenant`` at ``size`` commits to."""
    return map_root(map_entries(view, tenant, size))


def proof_at(
    view: AuditView, tenant: str, size: int, aggregate_id: str
) -> tuple[MapEntry, list[bytes]]:
    """The aggregate's entry in the map at ``size`` and its proof."""
    entries = map_entries(view, tenant, size)
    entry = next(e for e in entries if e.aggregate_id == aggregate_id)
    return entry, map_proof(entries, aggregate_id)
