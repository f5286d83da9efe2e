"""The audit view: one RFC 6962 Merkle log per tenant, appended in log order.

Unlike the other views it follows the *raw* notifications, because a leaf commits to
the event's state exactly as stored (ciphertext stays ciphertext). Each append stores
the leaf, every perfect node it completes and the tenant's new compact range, in one
transaction with the tracking position (exactly once). Proofs then need O(log n)
node reads (domain/ledger/tree.py). Checkpoints are kept in a table that a rebuild
leaves alone (projections/audit_checkpoints.py): they are signed artefacts, and a
rebuilt tree must reproduce them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Tracking

from domain.ledger import (
    Ephemeral,
    NodeRef,
    append_to_range,
    consistency_proof_nodes,
    hash_leaf,
    inclusion_proof_nodes,
    resolve_proof,
    root_from_range,
)
from domain.ledger.leaf import Leaf
from projections.audit_checkpoints import CHECKPOINT_DDL, CheckpointTable
from projections.sql import PostgresSqlView, Row, SQLiteSqlView

NAME = "audit"


@dataclass(frozen=True)
class Head:
    """A tenant's tree: its size, compact range and root."""

    tenant: str
    size: int
    compact_range: list[bytes]
    root_hash: bytes


class AuditView(CheckpointTable):
    tables = ("audit_leaves", "audit_nodes", "audit_heads")
    tracking_table_name = "audit_tracking"
    ddl = (
        "CREATE TABLE IF NOT EXISTS audit_leaves (tenant TEXT NOT NULL,"
        " leaf_index BIGINT NOT NULL, position BIGINT NOT NULL, event_id TEXT NOT NULL,"
        " leaf_hash TEXT NOT NULL, leaf_input TEXT NOT NULL,"
        " PRIMARY KEY (tenant, leaf_index))",
        "CREATE UNIQUE INDEX IF NOT EXISTS audit_leaves_event"
        " ON audit_leaves (event_id)",
        "CREATE TABLE IF NOT EXISTS audit_nodes (tenant TEXT NOT NULL,"
        " level INTEGER NOT NULL, idx BIGINT NOT NULL, hash TEXT NOT NULL,"
        " PRIMARY KEY (tenant, level, idx))",
        "CREATE TABLE IF NOT EXISTS audit_heads (tenant TEXT PRIMARY KEY,"
        " size BIGINT NOT NULL, compact_range TEXT NOT NULL, root_hash TEXT NOT NULL)",
        *CHECKPOINT_DDL,
    )

    # Appends ------------------------------------------------------------------------

    def append(self, leaf: Leaf, tracking: Tracking) -> None:
        """Add ``leaf`` to its tenant's tree, with the tracking position, atomically."""
        self.append_many([leaf], tracking)

    def append_many(self, leaves: Sequence[Leaf], tracking: Tracking) -> None:
        """Add ``leaves`` (in log order, ``tracking`` the last one's position) to
        their tenants' trees in ONE transaction: the leaves, every perfect node they
        complete, each tenant's new head and the tracking position commit together
        or not at all (exactly once: a batch already applied, even in part, is
        refused by the tracking row or the unique event id and changes nothing).

        This is the one place where the audit log commits; hashing is done before
        the transaction opens, so it holds its locks only for the heads read and the
        inserts.
        """
        if not leaves:
            return
        encoded = [
            (leaf, data, hash_leaf(data)) for leaf in leaves for data in [leaf.encode()]
        ]
        tenants = sorted({leaf.tenant for leaf in leaves})
        with self._write(tracking) as curs:
            heads = self._open_heads(curs, tenants)
            fresh = {t for t in tenants if t not in heads}
            leaf_rows: list[tuple[Any, ...]] = []
            node_rows: list[tuple[Any, ...]] = []
            for leaf, data, leaf_hash in encoded:
                range_, size = heads.get(leaf.tenant, ([], 0))
                range_, nodes = append_to_range(range_, size, leaf_hash)
                heads[leaf.tenant] = (range_, size + 1)
                leaf_rows.append(
                    (
                        leaf.tenant,
                        size,
                        leaf.position,
                        event_id(leaf),
                        leaf_hash.hex(),
                        data.decode("utf-8"),
                    )
                )
                node_rows.extend((leaf.tenant, lv, ix, h.hex()) for lv, ix, h in nodes)
            self._insert_many(curs, "audit_leaves", LEAF_COLUMNS, leaf_rows)
            self._insert_many(
                curs, "audit_nodes", "tenant, level, idx, hash", node_rows
            )
            head_rows = [
                (
                    size,
                    json.dumps([h.hex() for h in range_]),
                    root_from_range(range_, size).hex(),
                    tenant,
                )
                for tenant in tenants
                for range_, size in [heads[tenant]]
            ]
            self._exec_many(
                curs, UPDATE_HEAD, [r for r in head_rows if r[3] not in fresh]
            )
            self._exec_many(curs, INSERT_HEAD, [r for r in head_rows if r[3] in fresh])

    def _open_heads(
        self, curs: Any, tenants: list[str]
    ) -> dict[str, tuple[list[bytes], int]]:
        """The compact range and size of each tenant's tree that has one."""
        marks = ",".join("?" * len(tenants))
        self._exec(
            curs,
            "SELECT tenant, size, compact_range FROM audit_heads"
            f" WHERE tenant IN ({marks})",
            tenants,
        )
        return {
            r["tenant"]: (
                [bytes.fromhex(h) for h in json.loads(r["compact_range"])],
                int(r["size"]),
            )
            for r in curs.fetchall()
        }

    # Reads --------------------------------------------------------------------------

    def head(self, tenant: str) -> Head:
        rows = self._query(
            "SELECT size, compact_range, root_hash FROM audit_heads WHERE tenant = ?",
            [tenant],
        )
        if not rows:
            return Head(tenant, 0, [], root_from_range([], 0))
        r = rows[0]
        return Head(
            tenant,
            int(r["size"]),
            [bytes.fromhex(h) for h in json.loads(r["compact_range"])],
            bytes.fromhex(r["root_hash"]),
        )

    def heads(self) -> list[Head]:
        rows = self._query("SELECT tenant FROM audit_heads ORDER BY tenant")
        return [self.head(r["tenant"]) for r in rows]

    def node(self, tenant: str, level: int, index: int) -> bytes:
        rows = self._query(
            "SELECT hash FROM audit_nodes WHERE tenant = ? AND level = ? AND idx = ?",
            [tenant, level, index],
        )
        if not rows:
            msg = f"no node ({level}, {index}) in the log of {tenant}"
            raise LookupError(msg)
        return bytes.fromhex(rows[0]["hash"])

    def leaf(self, tenant: str, index: int) -> Row | None:
        rows = self._query(
            "SELECT tenant, leaf_index, position, event_id, leaf_hash, leaf_input"
            " FROM audit_leaves WHERE tenant = ? AND leaf_index = ?",
            [tenant, index],
        )
        return rows[0] if rows else None

    def leaf_for_event(self, event: str) -> Row | None:
        rows = self._query(
            "SELECT tenant, leaf_index, position, event_id, leaf_hash, leaf_input"
            " FROM audit_leaves WHERE event_id = ?",
            [event],
        )
        return rows[0] if rows else None

    def leaves(self, tenant: str) -> list[Row]:
        return self._query(
            "SELECT tenant, leaf_index, position, event_id, leaf_hash, leaf_input"
            " FROM audit_leaves WHERE tenant = ? ORDER BY leaf_index",
            [tenant],
        )

    def event_ids(self, tenant: str, start: int, end: int) -> list[Row]:
        """``event_id`` and ``leaf_index`` of leaves ``start`` … ``end - 1``."""
        return self._query(
            "SELECT event_id, leaf_index FROM audit_leaves"
            " WHERE tenant = ? AND leaf_index >= ? AND leaf_index < ?"
            " ORDER BY leaf_index",
            [tenant, start, end],
        )

    def leaves_between(self, tenant: str, first: int, last: int) -> list[Row]:
        """Leaves ``first``…``last`` (inclusive) of the tenant's log, in order."""
        return self._query(
            "SELECT tenant, leaf_index, position, event_id, leaf_hash, leaf_input"
            " FROM audit_leaves WHERE tenant = ? AND leaf_index BETWEEN ? AND ?"
            " ORDER BY leaf_index",
            [tenant, first, last],
        )

    def leaves_of_aggregate(self, aggregate_id: str) -> list[Row]:
        return self._query(
            "SELECT tenant, leaf_index, position, event_id, leaf_hash, leaf_input"
            " FROM audit_leaves WHERE event_id LIKE ? ORDER BY position",
            [aggregate_id + ":%"],
        )

    def inclusion_proof(self, tenant: str, index: int, size: int) -> list[bytes]:
        return self._proof(tenant, inclusion_proof_nodes(index, size))

    def consistency_proof(self, tenant: str, first: int, second: int) -> list[bytes]:
        return self._proof(tenant, consistency_proof_nodes(first, second))

    def _proof(self, tenant: str, refs: list[NodeRef]) -> list[bytes]:
        """Read every node a proof needs in one query (O(log n) rows), then hash."""
        wanted = sorted(
            {
                (n.level, n.index)
                for ref in refs
                for n in (ref.parts if isinstance(ref, Ephemeral) else (ref,))
            }
        )
        found: dict[tuple[int, int], bytes] = {}
        if wanted:
            match = " OR ".join("(level = ? AND idx = ?)" for _ in wanted)
            rows = self._query(
                "SELECT level, idx, hash FROM audit_nodes"
                f" WHERE tenant = ? AND ({match})",
                [tenant, *(v for pair in wanted for v in pair)],
            )
            found = {
                (int(r["level"]), int(r["idx"])): bytes.fromhex(r["hash"]) for r in rows
            }

        def get(level: int, index: int) -> bytes:
            if (level, index) not in found:
                msg = f"no node ({level}, {index}) in the log of {tenant}"
                raise LookupError(msg)
            return found[(level, index)]

        return resolve_proof(refs, get)


LEAF_COLUMNS = "tenant, leaf_index, position, event_id, leaf_hash, leaf_input"
UPDATE_HEAD = (
    "UPDATE audit_heads SET size = ?, compact_range = ?, root_hash = ? WHERE tenant = ?"
)
INSERT_HEAD = (
    "INSERT INTO audit_heads (size, compact_range, root_hash, tenant) VALUES (?,?,?,?)"
)


class PostgresAuditView(AuditView, PostgresSqlView):
    pass


class SQLiteAuditView(AuditView, SQLiteSqlView):
    pass


def event_id(leaf: Leaf) -> str:
    """A stable event id: the aggregate id and version (same on every re-send)."""
    return f"{leaf.aggregate_id}:{leaf.version}"


def leaf_from(notification: Any, domain_event: Any) -> Leaf:
    """The leaf of a raw stored event; ``domain_event`` is its decoded form."""
    return Leaf(
        tenant=domain_event.tenant,
        aggregate_id=notification.originator_id,
        version=notification.originator_version,
        event_type=notification.topic,
        recorded_at=domain_event.timestamp,
        effective_at=getattr(domain_event, "effective_at", None),
        position=notification.id,
        payload=bytes(notification.state),
    )
