"""What a mirror holds of another installation, in this installation's database.

A prefecture mirrors its counties (docs/federation.md). Each mirror keeps, under its
name and beside (never inside) this installation's own event log:

- ``mirrors``: its configuration (feed URL, the pinned key of the county's top log,
  and for a mirror reading its events from Kafka the broker and topics, as JSON);
  the bearer token is a secret and lives in a 0600 file instead (services/mirror);
- ``mirror_state``: where it is (feed cursor, verified position, state and why);
- ``mirror_keys``: the county's registered log keys per tenant, as the county gave them;
- ``mirror_leaves``: every leaf of every county tenant's Merkle log up to the last
  verified checkpoint: its hash always, its canonical bytes when the feed carried
  its event (the bytes of events the county does not stream are not kept);
- ``mirror_events``: the county's CloudEvents, verified against those leaves;
- ``mirror_pending``: CloudEvents read but not yet covered by a verified checkpoint;
- ``mirror_checkpoints``: the county's signed checkpoints, with this installation's
  cosignature as their witness;
- ``mirror_forks``: the two signed checkpoints that contradict each other.

Nothing in the API writes these tables: the mirrored county is read-only here. They
are not projections (nothing rebuilds them from this installation's log) and must be
backed up with the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import Environment

DDL = (
    "CREATE TABLE IF NOT EXISTS mirrors (name TEXT PRIMARY KEY, feed TEXT NOT NULL,"
    " trust_key TEXT NOT NULL, added_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS mirror_state (name TEXT PRIMARY KEY,"
    " cursor BIGINT NOT NULL, position BIGINT NOT NULL, source_end BIGINT NOT NULL,"
    " state TEXT NOT NULL, detail TEXT NOT NULL, updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS mirror_keys (name TEXT NOT NULL, tenant TEXT NOT NULL,"
    " key TEXT NOT NULL, PRIMARY KEY (name, tenant, key))",
    "CREATE TABLE IF NOT EXISTS mirror_leaves (name TEXT NOT NULL,"
    " tenant TEXT NOT NULL, leaf_index BIGINT NOT NULL, position BIGINT NOT NULL,"
    " event_id TEXT NOT NULL, leaf_hash TEXT NOT NULL, leaf_input TEXT,"
    " PRIMARY KEY (name, tenant, leaf_index))",
    "CREATE TABLE IF NOT EXISTS mirror_events (name TEXT NOT NULL,"
    " position BIGINT NOT NULL, tenant TEXT NOT NULL, event_id TEXT NOT NULL,"
    " type TEXT NOT NULL, cloudevent TEXT NOT NULL, PRIMARY KEY (name, position))",
    "CREATE TABLE IF NOT EXISTS mirror_pending (name TEXT NOT NULL,"
    " position BIGINT NOT NULL, tenant TEXT NOT NULL, cloudevent TEXT NOT NULL,"
    " PRIMARY KEY (name, position))",
    "CREATE TABLE IF NOT EXISTS mirror_checkpoints (name TEXT NOT NULL,"
    " tenant TEXT NOT NULL, size BIGINT NOT NULL, root_hash TEXT NOT NULL,"
    " position BIGINT NOT NULL, note TEXT NOT NULL, cosignature TEXT,"
    " verified_at TEXT NOT NULL, PRIMARY KEY (name, tenant, size))",
    "CREATE TABLE IF NOT EXISTS mirror_forks (name TEXT NOT NULL,"
    " tenant TEXT NOT NULL, held_note TEXT NOT NULL, new_note TEXT NOT NULL,"
    " reason TEXT NOT NULL, found_at TEXT NOT NULL)",
)
TABLES = (
    "mirror_state",
    "mirror_keys",
    "mirror_leaves",
    "mirror_events",
    "mirror_pending",
    "mirror_checkpoints",
    "mirror_forks",
)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class MirrorConfig:
    name: str
    feed: str
    trust_key: str
    added_at: str
    kafka: str | None = None  # JSON: {"bootstrap", "topics", "prefix"}; None: feed


@dataclass(frozen=True)
class MirrorState:
    """``cursor``: the feed position read up to; ``position``: verified up to (every
    event at or before it is covered by a verified checkpoint); ``source_end``: the
    county's log end as its feed last showed it."""

    cursor: int = 0
    position: int = 0
    source_end: int = 0
    state: str = "following"
    detail: str = ""
    updated_at: str = ""


class MirrorStore:
    """The mirror tables in the installation's database (SQLite or PostgreSQL)."""

    def __init__(self, env: dict[str, str]) -> None:
        self._factory: Any = InfrastructureFactory[Any].construct(
            env=Environment("mirrors", env)
        )
        self._datastore: Any = cast(Any, self._factory).datastore
        self._postgres = isinstance(self._datastore, PostgresDatastore)
        with self._datastore.transaction(commit=True) as curs:
            for statement in DDL:
                curs.execute(statement)
            self._add_kafka_column(curs)

    def _add_kafka_column(self, curs: Any) -> None:
        """``mirrors.kafka``, added to databases made before mirrors read Kafka."""
        if self._postgres:  # looked up first: ALTER TABLE locks the table
            curs.execute(
                "SELECT column_name AS name FROM information_schema.columns"
                " WHERE table_name = 'mirrors' AND table_schema = current_schema()"
            )
        else:
            curs.execute("PRAGMA table_info(mirrors)")
        if "kafka" not in {r["name"] for r in curs.fetchall()}:
            suffix = " IF NOT EXISTS" if self._postgres else ""
            curs.execute(f"ALTER TABLE mirrors ADD COLUMN{suffix} kafka TEXT")

    def close(self) -> None:
        self._factory.close()

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s") if self._postgres else text

    def _rows(self, text: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(text), tuple(params))
            return [dict(r) for r in curs.fetchall()]

    def _run(self, text: str, params: Sequence[Any] = ()) -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(self._sql(text), tuple(params))

    def _many(self, curs: Any, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            curs.executemany(self._sql(text), [tuple(r) for r in rows])

    # Configuration -------------------------------------------------------------------

    def add(
        self, name: str, feed: str, trust_key: str, kafka: str | None = None
    ) -> None:
        """Raises KeyError if the name is taken."""
        if self.config(name) is not None:
            raise KeyError(name)
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(
                self._sql(
                    "INSERT INTO mirrors (name, feed, trust_key, added_at, kafka)"
                    " VALUES (?,?,?,?,?)"
                ),
                (name, feed, trust_key, now_text(), kafka),
            )
            curs.execute(
                self._sql(
                    "INSERT INTO mirror_state (name, cursor, position, source_end,"
                    " state, detail, updated_at) VALUES (?,0,0,0,'following','',?)"
                ),
                (name, now_text()),
            )

    def remove(self, name: str, purge: bool = False) -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(self._sql("DELETE FROM mirrors WHERE name = ?"), (name,))
            for table in TABLES if purge else ("mirror_state",):
                curs.execute(self._sql(f"DELETE FROM {table} WHERE name = ?"), (name,))

    def config(self, name: str) -> MirrorConfig | None:
        rows = self._rows(
            "SELECT name, feed, trust_key, added_at, kafka FROM mirrors WHERE name = ?",
            [name],
        )
        return MirrorConfig(**rows[0]) if rows else None

    def configs(self) -> list[MirrorConfig]:
        rows = self._rows("SELECT name, feed, trust_key, added_at, kafka FROM mirrors")
        return sorted((MirrorConfig(**r) for r in rows), key=lambda c: c.name)

    # State ---------------------------------------------------------------------------

    def state(self, name: str) -> MirrorState:
        rows = self._rows(
            "SELECT cursor, position, source_end, state, detail, updated_at"
            " FROM mirror_state WHERE name = ?",
            [name],
        )
        if not rows:
            return MirrorState()
        r = rows[0]
        return MirrorState(
            int(r["cursor"]),
            int(r["position"]),
            int(r["source_end"]),
            r["state"],
            r["detail"],
            r["updated_at"],
        )

    def set_state(self, name: str, state: str, detail: str = "") -> None:
        self._run(
            "UPDATE mirror_state SET state = ?, detail = ?, updated_at = ?"
            " WHERE name = ?",
            [state, detail, now_text(), name],
        )

    def set_source_end(self, name: str, end: int) -> None:
        self._run(
            "UPDATE mirror_state SET source_end = ? WHERE name = ? AND source_end < ?",
            [end, name, end],
        )

    # Keys ----------------------------------------------------------------------------

    def keys(self, name: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self._rows(
            "SELECT tenant, key FROM mirror_keys WHERE name = ? ORDER BY tenant, key",
            [name],
        ):
            out.setdefault(r["tenant"], []).append(r["key"])
        return out

    def add_keys(self, name: str, tenant: str, keys: Sequence[str]) -> None:
        held = set(self.keys(name).get(tenant, []))
        with self._datastore.transaction(commit=True) as curs:
            self._many(
                curs,
                "INSERT INTO mirror_keys (name, tenant, key) VALUES (?,?,?)",
                [(name, tenant, k) for k in keys if k not in held],
            )

    # Pending events ------------------------------------------------------------------

    def add_pending(self, name: str, rows: Sequence[tuple[int, str, str]]) -> None:
        """(position, tenant, CloudEvent JSON) read from the feed, not yet verified;
        a row read twice (the cursor did not move) is kept once."""
        if not rows:
            return
        held = {
            int(r["position"])
            for r in self._rows(
                "SELECT position FROM mirror_pending WHERE name = ? AND position >= ?",
                [name, min(p for p, _, _ in rows)],
            )
        }
        with self._datastore.transaction(commit=True) as curs:
            self._many(
                curs,
                "INSERT INTO mirror_pending (name, position, tenant, cloudevent)"
                " VALUES (?,?,?,?)",
                [(name, *r) for r in rows if r[0] not in held],
            )

    def pending(self, name: str, tenant: str, upto: int) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT position, tenant, cloudevent FROM mirror_pending"
            " WHERE name = ? AND tenant = ? AND position <= ? ORDER BY position",
            [name, tenant, upto],
        )

    def first_pending(self, name: str) -> int | None:
        rows = self._rows(
            "SELECT MIN(position) AS p FROM mirror_pending WHERE name = ?", [name]
        )
        return int(rows[0]["p"]) if rows and rows[0]["p"] is not None else None

    def set_cursor(self, name: str, cursor: int) -> None:
        """Move the feed cursor; the verified position follows: just before the
        first pending event, or the cursor itself."""
        first = self.first_pending(name)
        position = cursor if first is None else min(cursor, first - 1)
        self._run(
            "UPDATE mirror_state SET cursor = ?, position = ?, updated_at = ?"
            " WHERE name = ?",
            [cursor, position, now_text(), name],
        )

    # Leaves, events, checkpoints -----------------------------------------------------

    def leaf_hashes(self, name: str, tenant: str) -> list[bytes]:
        return [
            bytes.fromhex(r["leaf_hash"])
            for r in self._rows(
                "SELECT leaf_hash FROM mirror_leaves WHERE name = ? AND tenant = ?"
                " ORDER BY leaf_index",
                [name, tenant],
            )
        ]

    def leaves(self, name: str, tenant: str) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT leaf_index, position, event_id, leaf_hash, leaf_input"
            " FROM mirror_leaves WHERE name = ? AND tenant = ? ORDER BY leaf_index",
            [name, tenant],
        )

    def tenants(self, name: str) -> list[str]:
        rows = self._rows(
            "SELECT DISTINCT tenant FROM mirror_checkpoints WHERE name = ?", [name]
        )
        return sorted(r["tenant"] for r in rows)

    def commit_checkpoint(
        self,
        name: str,
        checkpoint: dict[str, Any],
        leaves: Sequence[tuple[int, int, str, str, str | None]],
        events: Sequence[tuple[int, str, str, str, str]],
    ) -> None:
        """One verified checkpoint with the leaves it adds (index, position, event id,
        hash, bytes or None) and the events they verify (position, tenant, id, type,
        JSON), moved out of pending: all or nothing."""
        with self._datastore.transaction(commit=True) as curs:
            self._many(
                curs,
                "INSERT INTO mirror_leaves (name, tenant, leaf_index, position,"
                " event_id, leaf_hash, leaf_input) VALUES (?,?,?,?,?,?,?)",
                [(name, checkpoint["tenant"], *leaf) for leaf in leaves],
            )
            self._many(
                curs,
                "INSERT INTO mirror_events (name, position, tenant, event_id, type,"
                " cloudevent) VALUES (?,?,?,?,?,?)",
                [(name, *e) for e in events],
            )
            self._many(
                curs,
                "DELETE FROM mirror_pending WHERE name = ? AND position = ?",
                [(name, e[0]) for e in events],
            )
            curs.execute(
                self._sql(
                    "DELETE FROM mirror_checkpoints WHERE name = ? AND tenant = ?"
                    " AND size = ?"
                ),
                (name, checkpoint["tenant"], checkpoint["size"]),
            )
            curs.execute(
                self._sql(
                    "INSERT INTO mirror_checkpoints (name, tenant, size, root_hash,"
                    " position, note, cosignature, verified_at)"
                    " VALUES (?,?,?,?,?,?,?,?)"
                ),
                (
                    name,
                    checkpoint["tenant"],
                    checkpoint["size"],
                    checkpoint["root_hash"],
                    checkpoint["position"],
                    checkpoint["note"],
                    checkpoint.get("cosignature"),
                    now_text(),
                ),
            )

    def checkpoints(self, name: str, tenant: str | None = None) -> list[dict[str, Any]]:
        if tenant is None:
            return self._rows(
                "SELECT tenant, size, root_hash, position, note, cosignature"
                " FROM mirror_checkpoints WHERE name = ? ORDER BY tenant, size",
                [name],
            )
        return self._rows(
            "SELECT tenant, size, root_hash, position, note, cosignature"
            " FROM mirror_checkpoints WHERE name = ? AND tenant = ? ORDER BY size",
            [name, tenant],
        )

    def latest_checkpoint(self, name: str, tenant: str) -> dict[str, Any] | None:
        rows = self.checkpoints(name, tenant)
        return rows[-1] if rows else None

    def events(self, name: str) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT position, tenant, event_id, type, cloudevent FROM mirror_events"
            " WHERE name = ? ORDER BY position",
            [name],
        )

    def event_count(self, name: str) -> int:
        rows = self._rows(
            "SELECT COUNT(*) AS n FROM mirror_events WHERE name = ?", [name]
        )
        return int(rows[0]["n"])

    # Forks ---------------------------------------------------------------------------

    def add_fork(
        self, name: str, tenant: str, held_note: str, new_note: str, reason: str
    ) -> None:
        self._run(
            "INSERT INTO mirror_forks (name, tenant, held_note, new_note, reason,"
            " found_at) VALUES (?,?,?,?,?,?)",
            [name, tenant, held_note, new_note, reason, now_text()],
        )

    def forks(self, name: str) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT tenant, held_note, new_note, reason, found_at FROM mirror_forks"
            " WHERE name = ? ORDER BY found_at",
            [name],
        )
