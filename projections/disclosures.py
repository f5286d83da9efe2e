"""Disclosure views: every version of every item, and each item's current state.

``disclosure_versions`` holds one row per event with the item's whole state after it,
so "what was public on 1 March, as the platform knew it on 5 March" is one query over
``effective_at`` and ``recorded_at``. ``disclosure_current`` is the latest row per item;
``disclosure_counts`` counts items by their latest version; ``disclosure_withheld``
names the items withdrawn on the grounds of personal data (涉及个人隐私), whose content
the lists and streams leave out. Row shape and validity bookkeeping:
disclosure_rows.py; the queries: disclosure_queries.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.disclosures.disclosure import Disclosure
from projections.disclosure_queries import DisclosureQueries, ListFilter
from projections.disclosure_rows import (
    COLUMNS,
    COUNT_UP,
    COVER,
    JSON_COLUMNS,
    SUPERSEDE,
    VALIDITY,
    Delta,
    PendingRows,
    decode,
    first_after_stored,
    supersede_params,
    table_ddl,
)
from projections.sql import (
    PATTERN_OPS,
    PostgresSqlView,
    Row,
    SQLiteSqlView,
    dumps,
    iso_day,
    iso_moment,
)

__all__ = ["DisclosureProjection", "DisclosureView", "ListFilter", "decode"]


class DisclosureView(DisclosureQueries):
    tables = (
        "disclosure_versions",
        "disclosure_current",
        "disclosure_counts",
        "disclosure_withheld",
    )
    tracking_table_name = "disclosures_tracking"
    schema_version = 2  # 2: validity, min/max moments, counts, covering indexes
    ddl = (
        table_ddl("disclosure_versions", "id, version"),
        table_ddl("disclosure_current", "id"),
        # Items per tenant, category and withdrawn flag of their newest version:
        # the total of a list "now" without counting every row (count_public).
        "CREATE TABLE IF NOT EXISTS disclosure_counts (tenant TEXT NOT NULL, "
        "category TEXT NOT NULL, withdrawn INTEGER NOT NULL, n BIGINT NOT NULL, "
        "PRIMARY KEY (tenant, category, withdrawn))",
        # Items withdrawn for personal data, and the withdrawal's version. A table
        # of its own, not a column: no withdrawal before it had the grounds, so an
        # existing view gets it (empty, and right) at its next start, no rebuild.
        "CREATE TABLE IF NOT EXISTS disclosure_withheld (id TEXT PRIMARY KEY, "
        "tenant TEXT NOT NULL, version INTEGER NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS disclosure_withheld_position "
        "ON disclosure_withheld (position)",
        "CREATE INDEX IF NOT EXISTS disclosure_current_max_effective "
        "ON disclosure_current (max_effective_at)",
        "CREATE INDEX IF NOT EXISTS disclosure_current_max_recorded "
        "ON disclosure_current (max_recorded_at)",
        # A tenant's rows, or a subtree's (subtree_clause: one range of byte
        # order, PATTERN_OPS). They replace the indexes on (tenant, ...) in the
        # database's collation, which a subtree could not use: an existing view
        # gets them, and loses those, at its next start (only indexes change).
        f"CREATE INDEX IF NOT EXISTS disclosure_versions_subtree_cover "
        f"ON disclosure_versions (tenant {PATTERN_OPS}, first_position, {COVER})",
        "DROP INDEX IF EXISTS disclosure_versions_tenant_cover",
        "CREATE INDEX IF NOT EXISTS disclosure_current_subtree "
        f"ON disclosure_current (tenant {PATTERN_OPS}, first_position)",
        "DROP INDEX IF EXISTS disclosure_current_tenant",
        # The backdated versions (few): the "backdated" filter's EXISTS.
        "CREATE INDEX IF NOT EXISTS disclosure_versions_backdated "
        "ON disclosure_versions (id, recorded_at, backdated_working_days) "
        "WHERE backdated_working_days > 0",
        "CREATE INDEX IF NOT EXISTS disclosure_counts_subtree "
        f"ON disclosure_counts (tenant {PATTERN_OPS}, category, withdrawn, n)",
        # A subtree list (subtree_clause) walks this newest first and
        # stops at its limit, instead of sorting the whole subtree's history.
        f"CREATE INDEX IF NOT EXISTS disclosure_versions_position_cover "
        f"ON disclosure_versions (first_position, tenant, {COVER})",
        # A category's newest items (the catalogue shows a few per category).
        f"CREATE INDEX IF NOT EXISTS disclosure_versions_category_cover "
        f"ON disclosure_versions (tenant, category, published_on, first_position, "
        f"{COVER})",
        # ... and its newest late ones: without it the walk above passes every
        # on-time item first (9.5 ms for a category of 12,000 items). Only an
        # index, no row changes: an existing view gets it at its next start.
        f"CREATE INDEX IF NOT EXISTS disclosure_versions_late_cover "
        f"ON disclosure_versions (tenant, category, published_on, first_position, "
        f"{COVER}) WHERE working_days_late > 0",
    )

    # Writes -------------------------------------------------------------------------

    def record(
        self,
        state: Row,
        tracking: Tracking,
        before: Delta | None = None,
        withheld: bool = False,
    ) -> None:
        """Store a new version row and make it the current one, atomically; the
        item's earlier versions learn when they stopped being the newest, and the
        counts move from ``before`` (the previous version's tenant, category and
        withdrawn flag) to this one's. ``withheld``: a withdrawal for personal
        data, remembered in ``disclosure_withheld`` in the same transaction."""
        state = {**state, **dict.fromkeys(VALIDITY)}
        for at in ("effective_at", "recorded_at"):
            state[f"min_{at}"] = min(state.get(f"min_{at}") or state[at], state[at])
            state[f"max_{at}"] = max(state.get(f"max_{at}") or state[at], state[at])
        values = [dumps(state[c]) if c in JSON_COLUMNS else state[c] for c in COLUMNS]
        after: Delta = (state["tenant"], state["category"], int(state["withdrawn"]))
        deltas = [(after, 1)] if before is None else [(before, -1), (after, 1)]
        withhold = [state["id"], state["tenant"], state["version"], state["position"]]
        batch = self._batch
        if batch is not None:  # written set-wise when the batch ends (_flush)
            if withheld:  # rare: written at once
                self._exec(batch.curs, WITHHOLD, withhold)
            pending: PendingRows = batch.pending.setdefault(
                "disclosures", PendingRows()
            )
            pending.add(state["id"], values)
            for key, n in deltas:
                pending.counts[key] = pending.counts.get(key, 0) + n
            return
        marks = ",".join("?" * len(COLUMNS))
        names = ",".join(COLUMNS)
        with self._write(tracking) as curs:
            if withheld:
                self._exec(curs, WITHHOLD, withhold)
            self._exec_many(curs, COUNT_UP, [[*key, n] for key, n in deltas])
            if state["version"] > 1:
                self._exec(
                    curs,
                    SUPERSEDE,
                    supersede_params(state["id"], first_after_stored(values)),
                )
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
        batch: PendingRows = pending.pop("disclosures")
        versions, current = batch.versions, batch.current
        names = ",".join(COLUMNS)
        self._exec_many(
            curs,
            SUPERSEDE,
            [supersede_params(k, v) for k, v in batch.after_stored.items()],
        )
        self._exec_many(curs, COUNT_UP, [[*k, n] for k, n in batch.counts.items() if n])
        self._insert_many(curs, "disclosure_versions", names, versions)
        self._exec_many(
            curs, "DELETE FROM disclosure_current WHERE id = ?", [[k] for k in current]
        )
        self._insert_many(curs, "disclosure_current", names, list(current.values()))

    def preload(self, disclosure_ids: set[str]) -> None:
        """Inside a batch: read the current rows of ``disclosure_ids`` in a few
        queries, for ``current_state`` (a revision or withdrawal reads its item's
        current version: one round trip each, most of a rebuild's time here)."""
        batch = self._batch
        if batch is None or not disclosure_ids:
            return
        found: dict[str, Row] = batch.pending.setdefault("preloaded", {})
        wanted = sorted(i for i in disclosure_ids if i not in found)
        for at in range(0, len(wanted), PRELOAD_CHUNK):
            chunk = wanted[at : at + PRELOAD_CHUNK]
            marks = ",".join("?" * len(chunk))
            for row in self._query(
                f"SELECT {','.join(COLUMNS)} FROM disclosure_current "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                found[row["id"]] = row

    def current_state(self, disclosure_id: str) -> Row | None:
        batch = self._batch
        if batch is not None and "disclosures" in batch.pending:
            values = batch.pending["disclosures"].current.get(disclosure_id)
            if values is not None:
                return decode(dict(zip(COLUMNS, values, strict=True)))
        if batch is not None and "preloaded" in batch.pending:
            row = batch.pending["preloaded"].get(disclosure_id)
            if row is not None:  # as read at the batch's start: nothing since
                return decode(row)
        rows = self._query(
            f"SELECT {','.join(COLUMNS)} FROM disclosure_current WHERE id = ?",
            [disclosure_id],
        )
        return decode(rows[0]) if rows else None


PRELOAD_CHUNK = 500  # ids per query (SQLite's limit of bound parameters)

WITHHOLD = (
    "INSERT INTO disclosure_withheld (id, tenant, version, position) "
    "VALUES (?, ?, ?, ?)"
)


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

    def prepare(self, events: Sequence[Any]) -> None:
        """Before a batch's handlers: the current rows every revision and
        withdrawal of the batch will read, in one query (``DisclosureView.preload``)."""
        self.view.preload(
            {
                str(e.originator_id)
                for e in events
                if isinstance(e, Disclosure.Revised | Disclosure.Withdrawn)
            }
        )

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
        before = (state["tenant"], state["category"], state["withdrawn"])
        for field in ("title", "body", "channels", "category", "attachments"):
            value = getattr(ev, field)
            if value is not None:
                state[field] = value
        state.update(event="revised", reason=ev.reason, **_common(ev, tracking))
        self.view.record(state, tracking, before)

    @process_event.register
    def _withdrawn(self, e: Disclosure.Withdrawn, tracking: Tracking) -> None:
        ev: Any = e
        state = self._previous(ev)
        before = (state["tenant"], state["category"], state["withdrawn"])
        state.update(
            event="withdrawn", withdrawn=1, reason=ev.reason, **_common(ev, tracking)
        )
        self.view.record(state, tracking, before, withheld=ev.personal_data)

    def _previous(self, ev: Any) -> Row:
        state = self.view.current_state(str(ev.originator_id))
        if state is None:  # pragma: no cover - the log guarantees order
            msg = f"no earlier version of disclosure {ev.originator_id}"
            raise LookupError(msg)
        state["withdrawn"] = int(state["withdrawn"])
        return state
