"""Disclosure views: every version of every item, and each item's current state.

``disclosure_versions`` holds one row per event with the item's whole state after it,
so "what was public on 1 March, as the platform knew it on 5 March" is one query over
``effective_at`` and ``recorded_at``. ``disclosure_current`` is the latest row per item.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.disclosure import Disclosure
from projections.sql import (
    PostgresSqlView,
    Row,
    SQLiteSqlView,
    SqlView,
    dumps,
    iso_day,
    iso_moment,
    like_pattern,
    subtree_clause,
    subtree_params,
)

COLUMNS = (
    "id",
    "version",
    "position",
    "first_position",
    "event",
    "tenant",
    "category",
    "title",
    "body",
    "channels",
    "attachments",
    "formed_on",
    "published_on",
    "due_on",
    "working_days_late",
    "withdrawn",
    "reason",
    "actor",
    "effective_at",
    "recorded_at",
    "backdated_working_days",
    "backdating_reason",
)
JSON_COLUMNS = ("channels", "attachments", "actor")
_COLUMN_TYPES = {
    "version": "INTEGER NOT NULL",
    "position": "BIGINT NOT NULL",
    "first_position": "BIGINT NOT NULL",
    "working_days_late": "INTEGER NOT NULL",
    "withdrawn": "INTEGER NOT NULL",
    "backdated_working_days": "INTEGER NOT NULL",
}


@dataclass(frozen=True)
class ListFilter:
    """Filters of the disclosure list beyond scope, moments and category.

    ``statuses`` (published | revised | withdrawn) empty means every public item;
    ``backdated`` means some version was recorded more than ``backdating_window``
    working days after it took effect; dates are ISO text."""

    statuses: tuple[str, ...] = ()
    late: bool | None = None
    backdated: bool | None = None
    backdating_window: int = 3
    q: str | None = None
    formed_from: str | None = None
    formed_to: str | None = None


def _table(name: str, key: str) -> str:
    cols = ", ".join(f"{c} {_COLUMN_TYPES.get(c, 'TEXT')}" for c in COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS {name} ({cols}, PRIMARY KEY ({key}))"


def decode(row: Row) -> Row:
    """Turn stored JSON text back into lists and dicts, flags into booleans."""
    out = dict(row)
    for c in JSON_COLUMNS:
        out[c] = json.loads(out[c]) if out.get(c) else None
    out["withdrawn"] = bool(out["withdrawn"])
    return out


class DisclosureView(SqlView):
    tables = ("disclosure_versions", "disclosure_current")
    tracking_table_name = "disclosures_tracking"
    ddl = (
        _table("disclosure_versions", "id, version"),
        _table("disclosure_current", "id"),
        "CREATE INDEX IF NOT EXISTS disclosure_versions_tenant "
        "ON disclosure_versions (tenant, first_position)",
        "CREATE INDEX IF NOT EXISTS disclosure_current_tenant "
        "ON disclosure_current (tenant, first_position)",
        # A subtree list (tenant = ? OR tenant LIKE ?) walks this newest first and
        # stops at its limit, instead of sorting the whole subtree's history.
        "CREATE INDEX IF NOT EXISTS disclosure_versions_position "
        "ON disclosure_versions (first_position)",
    )

    # Writes -------------------------------------------------------------------------

    def record(self, state: Row, tracking: Tracking) -> None:
        """Store a new version row and make it the current one, atomically."""
        values = [dumps(state[c]) if c in JSON_COLUMNS else state[c] for c in COLUMNS]
        batch = self._batch
        if batch is not None:  # written set-wise when the batch ends (_flush)
            versions, current = batch.pending.setdefault("disclosures", ([], {}))
            versions.append(values)
            current[state["id"]] = values
            return
        marks = ",".join("?" * len(COLUMNS))
        names = ",".join(COLUMNS)
        with self._write(tracking) as curs:
            self._exec(
                curs,
                f"INSERT INTO disclosure_versions ({names}) VALUES ({marks})",
                values,
            )
            self._exec(
                curs, "DELETE FROM disclosure_current WHERE id = ?", [state["id"]]
            )
            self._exec(
                curs,
                f"INSERT INTO disclosure_current ({names}) VALUES ({marks})",
                values,
            )

    def _flush(self, curs: Any, pending: dict[str, Any]) -> None:
        """A batch's rows: every version, then each item's last one as current."""
        if "disclosures" not in pending:
            return
        versions, current = pending.pop("disclosures")
        names = ",".join(COLUMNS)
        self._insert_many(curs, "disclosure_versions", names, versions)
        self._exec_many(
            curs, "DELETE FROM disclosure_current WHERE id = ?", [[k] for k in current]
        )
        self._insert_many(curs, "disclosure_current", names, list(current.values()))

    def current_state(self, disclosure_id: str) -> Row | None:
        batch = self._batch
        if batch is not None and "disclosures" in batch.pending:
            values = batch.pending["disclosures"][1].get(disclosure_id)
            if values is not None:
                return decode(dict(zip(COLUMNS, values, strict=True)))
        rows = self._query(
            f"SELECT {','.join(COLUMNS)} FROM disclosure_current WHERE id = ?",
            [disclosure_id],
        )
        return decode(rows[0]) if rows else None

    # Queries ------------------------------------------------------------------------

    def get(self, disclosure_id: str, *, as_of: str, known_at: str) -> Row | None:
        """The item at ``as_of`` as known at ``known_at`` (withdrawn ones too)."""
        rows = self._query(
            f"SELECT {','.join(COLUMNS)} FROM disclosure_versions "
            "WHERE id = ? AND effective_at <= ? AND recorded_at <= ? "
            "ORDER BY version DESC LIMIT 1",
            [disclosure_id, as_of, known_at],
        )
        return decode(rows[0]) if rows else None

    def history(self, disclosure_id: str, *, known_at: str) -> list[Row]:
        rows = self._query(
            f"SELECT {','.join(COLUMNS)} FROM disclosure_versions "
            "WHERE id = ? AND recorded_at <= ? ORDER BY version",
            [disclosure_id, known_at],
        )
        return [decode(r) for r in rows]

    def list_public(
        self,
        tenant: str,
        *,
        as_of: str,
        known_at: str,
        include_descendants: bool,
        category: str | None = None,
        before: int | None = None,
        limit: int = 50,
        filters: ListFilter | None = None,
    ) -> list[Row]:
        """Items public at ``as_of`` as known at ``known_at``, newest first (with
        ``filters``: withdrawn ones too if asked for, and only those that match)."""
        where, params = self._where(
            tenant, as_of, known_at, include_descendants, category, filters
        )
        if before is not None:
            where.append("first_position < ?")
            params.append(before)
        params.append(limit)
        rows = self._query(
            f"SELECT {','.join(COLUMNS)} FROM disclosure_versions v "
            f"WHERE {' AND '.join(where)} ORDER BY first_position DESC LIMIT ?",
            params,
        )
        return [decode(r) for r in rows]

    def count_public(
        self,
        tenant: str,
        *,
        as_of: str,
        known_at: str,
        include_descendants: bool,
        category: str | None = None,
        filters: ListFilter | None = None,
    ) -> int:
        """How many items ``list_public`` would list without a limit."""
        where, params = self._where(
            tenant, as_of, known_at, include_descendants, category, filters
        )
        rows = self._query(
            f"SELECT COUNT(*) AS n FROM disclosure_versions v "
            f"WHERE {' AND '.join(where)}",
            params,
        )
        return int(rows[0]["n"])

    def backdated_ids(self, tenant: str, *, known_at: str, window: int) -> set[str]:
        """Ids of the subtree's items with a version recorded by ``known_at`` more
        than ``window`` working days after it took effect."""
        rows = self._query(
            "SELECT DISTINCT id FROM disclosure_versions "
            f"WHERE {subtree_clause()} AND recorded_at <= ? "
            "AND backdated_working_days > ?",
            [*subtree_params(tenant), known_at, window],
        )
        return {r["id"] for r in rows}

    @staticmethod
    def _where(
        tenant: str,
        as_of: str,
        known_at: str,
        include_descendants: bool,
        category: str | None,
        filters: ListFilter | None,
    ) -> tuple[list[str], list[Any]]:
        f = filters or ListFilter()
        where = [subtree_clause() if include_descendants else "tenant = ?"]
        params: list[Any] = subtree_params(tenant) if include_descendants else [tenant]
        # The first two conditions are implied by the third; stated, they let the
        # newest-first walk skip later versions without running the subquery.
        where.append(
            "effective_at <= ? AND recorded_at <= ? AND "
            "version = (SELECT MAX(v2.version) FROM disclosure_versions v2 "
            "WHERE v2.id = v.id AND v2.effective_at <= ? AND v2.recorded_at <= ?)"
        )
        params += [as_of, known_at, as_of, known_at]
        statuses = set(f.statuses)
        if not statuses:
            where.append("withdrawn = 0")
        else:
            shown = []
            if "withdrawn" in statuses:
                shown.append("withdrawn = 1")
            if "published" in statuses:
                shown.append("(withdrawn = 0 AND event = 'published')")
            if "revised" in statuses:
                shown.append("(withdrawn = 0 AND event = 'revised')")
            where.append(f"({' OR '.join(shown) or '1 = 0'})")
        if category is not None:
            where.append("category = ?")
            params.append(category)
        if f.late is not None:
            where.append("working_days_late > 0" if f.late else "working_days_late = 0")
        if f.backdated is not None:
            where.append(
                ("" if f.backdated else "NOT ")
                + "EXISTS (SELECT 1 FROM disclosure_versions b WHERE b.id = v.id "
                "AND b.recorded_at <= ? AND b.backdated_working_days > ?)"
            )
            params += [known_at, f.backdating_window]
        if f.q:
            where.append("(title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')")
            params += [like_pattern(f.q)] * 2
        if f.formed_from is not None:
            where.append("formed_on >= ?")
            params.append(f.formed_from)
        if f.formed_to is not None:
            where.append("formed_on <= ?")
            params.append(f.formed_to)
        return where, params


class PostgresDisclosureView(DisclosureView, PostgresSqlView):
    pass


class SQLiteDisclosureView(DisclosureView, SQLiteSqlView):
    pass


def _common(e: Any, tracking: Tracking) -> Row:
    return {
        "version": e.originator_version,
        "position": tracking.notification_id,
        "actor": e.actor,
        "effective_at": iso_moment(e.effective_at),
        "recorded_at": iso_moment(e.timestamp),
        "backdated_working_days": e.backdated_working_days,
        "backdating_reason": e.backdating_reason,
    }


class DisclosureProjection(Projection[DisclosureView]):
    name = "disclosures"
    topics = (
        get_topic(Disclosure.Published),
        get_topic(Disclosure.Revised),
        get_topic(Disclosure.Withdrawn),
    )

    @singledispatchmethod
    def process_event(
        self, domain_event: DomainEventProtocol[object], tracking: Tracking
    ) -> None:
        """Ignore events this view does not need."""

    @process_event.register
    def _published(self, e: Disclosure.Published, tracking: Tracking) -> None:
        ev: Any = e
        state = {
            "id": str(ev.originator_id),
            "first_position": tracking.notification_id,
            "event": "published",
            "tenant": ev.tenant,
            "category": ev.category,
            "title": ev.title,
            "body": ev.body,
            "channels": ev.channels,
            "attachments": ev.attachments,
            "formed_on": iso_day(ev.formed_on),
            "published_on": iso_day(ev.published_on),
            "due_on": iso_day(ev.due_on),
            "working_days_late": ev.working_days_late,
            "withdrawn": 0,
            "reason": None,
            **_common(ev, tracking),
        }
        self.view.record(state, tracking)

    @process_event.register
    def _revised(self, e: Disclosure.Revised, tracking: Tracking) -> None:
        ev: Any = e
        state = self._previous(ev)
        for field in ("title", "body", "channels", "category", "attachments"):
            value = getattr(ev, field)
            if value is not None:
                state[field] = value
        state.update(event="revised", reason=ev.reason, **_common(ev, tracking))
        self.view.record(state, tracking)

    @process_event.register
    def _withdrawn(self, e: Disclosure.Withdrawn, tracking: Tracking) -> None:
        ev: Any = e
        state = self._previous(ev)
        state.update(
            event="withdrawn", withdrawn=1, reason=ev.reason, **_common(ev, tracking)
        )
        self.view.record(state, tracking)

    def _previous(self, ev: Any) -> Row:
        state = self.view.current_state(str(ev.originator_id))
        if state is None:  # pragma: no cover - the log guarantees order
            msg = f"no earlier version of disclosure {ev.originator_id}"
            raise LookupError(msg)
        state["withdrawn"] = int(state["withdrawn"])
        return state
