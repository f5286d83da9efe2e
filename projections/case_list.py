"""The case list: filtered, counted, keyset-paged queries over the case views.

Now (no ``known_at``) the list reads ``case_cards`` and filters in SQL. As the
platform knew it at ``known_at`` (recorded time) it reads, per case, the
``case_events`` row of the latest event recorded by then (state, due date and the
statistical facts just after it) beside the card's descriptive columns, and filters
state and lateness in memory. A count of cases per tenant (``count_by_tenant``) is
the same query grouped, so a number that links to a list is that list's total.

Order: received_on descending, then id descending; the cursor is the last row's
(received_on, id), so pages stay stable while new cases arrive.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from projections.case_rows import completed_day
from projections.cases import CLOSED_STATES, CaseView
from projections.sql import Row, like_pattern, subtree_clause, subtree_params

LIST_COLUMNS = (
    "id",
    "tenant",
    "kind",
    "channel",
    "category",
    "summary",
    "state",
    "signed",
    "received_on",
    "accepted_on",
    "due_on",
    "resolved_on",
    "replied_on",
    "completed_on",
    "handler",
    "backup_handler",
    "department",
    "rating",
    "erased",
    "version",
    "filed_at",
    "updated_at",
)
_FACT_COLUMNS = ("accepted_on", "resolved_on", "replied_on", "rating")
BATCH = 500


@dataclass(frozen=True)
class CaseFilter:
    """What the caller asked for; ``today`` decides lateness of open cases.

    ``late``: resolved (replied) after the due date, or open and owed past it;
    ``overdue``: still owed (open, neither resolved nor replied) past the due date
    (超期未办结)."""

    tenant: str
    today: date
    include_descendants: bool = False
    states: tuple[str, ...] = ()
    open: bool | None = None
    late: bool | None = None
    overdue: bool | None = None
    kind: str | None = None
    channel: str | None = None
    category: str | None = None
    handler: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str | None = None
    known_at: str | None = None  # recorded time, iso_moment text


def is_late(row: Row, today: date) -> bool:
    """Resolved (replied, for a disclosure request) after the due date, or still owed
    and open after it."""
    due = row["due_on"]
    if due is None:
        return False
    done = row["completed_on"]
    if done is not None:
        return bool(done > due)
    return row["state"] not in CLOSED_STATES and due < today.isoformat()


def is_overdue(row: Row, today: date) -> bool:
    """Open, its timed duty not met (no resolution; no reply for a disclosure
    request) and past the due date on ``today``: 超期未办结."""
    due = row["due_on"]
    return (
        due is not None
        and row["completed_on"] is None
        and row["state"] not in CLOSED_STATES
        and due < today.isoformat()
    )


def _descriptive(f: CaseFilter, alias: str) -> tuple[list[str], list[Any]]:
    """Filters on what a case does not change: scope, kind, channel, dates, text."""
    col = f"{alias}."
    if f.include_descendants:
        where, params = [subtree_clause(col + "tenant")], subtree_params(f.tenant)
    else:
        where, params = [col + "tenant = ?"], [f.tenant]
    for name in ("kind", "channel", "category"):
        value = getattr(f, name)
        if value is not None:
            where.append(f"{col}{name} = ?")
            params.append(value)
    if f.handler is not None:
        where.append(f"({col}handler = ? OR {col}backup_handler = ?)")
        params += [f.handler, f.handler]
    if f.received_from is not None:
        where.append(f"{col}received_on >= ?")
        params.append(f.received_from.isoformat())
    if f.received_to is not None:
        where.append(f"{col}received_on <= ?")
        params.append(f.received_to.isoformat())
    if f.q:
        where.append(f"{col}summary LIKE ? ESCAPE '\\'")
        params.append(like_pattern(f.q))
    return where, params


def _now_clauses(f: CaseFilter) -> tuple[list[str], list[Any]]:
    where, params = _descriptive(f, "c")
    if f.states:
        where.append(f"c.state IN ({','.join('?' * len(f.states))})")
        params += list(f.states)
    if f.open is not None:
        where.append(f"c.state {'NOT ' if f.open else ''}IN (?, ?)")
        params += list(CLOSED_STATES)
    if f.late is not None:
        late = (
            "(c.due_on IS NOT NULL AND ((c.completed_on IS NOT NULL AND "
            "c.completed_on > c.due_on) OR (c.completed_on IS NULL AND "
            "c.state NOT IN (?, ?) AND c.due_on < ?)))"
        )
        where.append(late if f.late else f"NOT {late}")
        params += [*CLOSED_STATES, f.today.isoformat()]
    if f.overdue is not None:
        overdue = (
            "(c.due_on IS NOT NULL AND c.completed_on IS NULL AND "
            "c.state NOT IN (?, ?) AND c.due_on < ?)"
        )
        where.append(overdue if f.overdue else f"NOT {overdue}")
        params += [*CLOSED_STATES, f.today.isoformat()]
    return where, params


def _keyset(after: tuple[str, str] | None) -> tuple[str, list[Any]]:
    if after is None:
        return "", []
    return (
        " AND (c.received_on < ? OR (c.received_on = ? AND c.id < ?))",
        [after[0], after[0], after[1]],
    )


def _out(row: Row, today: date) -> Row:
    out = {c: row[c] for c in LIST_COLUMNS}
    out["signed"], out["erased"] = bool(out["signed"]), bool(out["erased"])
    out["late"] = is_late(out, today)
    return out


def _matches(row: Row, f: CaseFilter) -> bool:
    if f.states and row["state"] not in f.states:
        return False
    if f.open is not None and (row["state"] not in CLOSED_STATES) != f.open:
        return False
    if f.overdue is not None and is_overdue(row, f.today) != f.overdue:
        return False
    return f.late is None or row["late"] == f.late


class CaseList:
    """Queries of the case list over a ``CaseView``."""

    def __init__(self, view: CaseView) -> None:
        self.view = view

    def page(
        self, f: CaseFilter, *, after: tuple[str, str] | None, limit: int
    ) -> tuple[list[Row], int]:
        """Up to ``limit`` rows after the key ``after``, and the total that match
        (the sum of ``count_by_tenant``)."""
        if f.known_at is not None:
            known = [r for r in self._known(f) if _matches(r, f)]
            rows = known
            if after is not None:
                rows = [r for r in known if (r["received_on"], r["id"]) < after]
            return rows[:limit], len(known)
        where, params = _now_clauses(f)
        key, key_params = _keyset(after)
        cols = ",".join(f"c.{c}" for c in LIST_COLUMNS)
        rows = self.view._query(
            f"SELECT {cols} FROM case_cards c WHERE {' AND '.join(where)}{key} "
            "ORDER BY c.received_on DESC, c.id DESC LIMIT ?",
            [*params, *key_params, limit],
        )
        total = sum(self.count_by_tenant(f)[0].values())
        return [_out(r, f.today) for r in rows], total

    def count_by_tenant(self, *filters: CaseFilter) -> list[Counter[str]]:
        """Per filter, how many cases of each tenant ``page`` would count: the
        list's own query, grouped. Filters that differ only in state, openness
        and lateness share one read of the cases as known then."""
        known: dict[CaseFilter, list[Row]] = {}
        out = []
        for f in filters:
            if f.known_at is None:
                where, params = _now_clauses(f)
                rows = self.view._query(
                    "SELECT c.tenant, COUNT(*) AS n FROM case_cards c "
                    f"WHERE {' AND '.join(where)} GROUP BY c.tenant",
                    params,
                )
                out.append(Counter({r["tenant"]: int(r["n"]) for r in rows}))
                continue
            base = replace(f, states=(), open=None, late=None, overdue=None)
            if base not in known:
                known[base] = self._known(base)
            out.append(Counter(r["tenant"] for r in known[base] if _matches(r, f)))
        return out

    def iterate(self, f: CaseFilter) -> Iterator[Row]:
        """Every matching row in list order, read in batches (for exports)."""
        after: tuple[str, str] | None = None
        while True:
            rows, _ = self.page(f, after=after, limit=BATCH)
            yield from rows
            if len(rows) < BATCH:
                return
            after = (rows[-1]["received_on"], rows[-1]["id"])

    def _known(self, f: CaseFilter) -> list[Row]:
        """Every case in ``f``'s scope, of its kind, channel, dates and text, as
        known at ``f.known_at``, in list order (state and lateness not yet
        filtered: ``_matches``)."""
        where, params = _descriptive(f, "c")
        cols = ",".join(
            f"c.{c}"
            for c in LIST_COLUMNS
            if c not in ("state", "due_on", "version", "completed_on", *_FACT_COLUMNS)
        )
        rows = self.view._query(
            f"SELECT {cols}, e.state, e.due_on, e.version, e.facts, "
            "e.recorded_at AS known_updated_at FROM case_cards c "
            "JOIN case_events e ON e.case_id = c.id "
            f"WHERE {' AND '.join(where)} AND e.version = (SELECT MAX(e2.version) "
            "FROM case_events e2 WHERE e2.case_id = c.id AND e2.recorded_at <= ?) "
            "ORDER BY c.received_on DESC, c.id DESC",
            [*params, f.known_at],
        )
        out = []
        for row in rows:
            facts = json.loads(row.pop("facts"))
            for c in _FACT_COLUMNS:
                row[c] = facts.get(c)
            row["completed_on"] = completed_day(row)
            row["updated_at"] = row.pop("known_updated_at")
            out.append(_out(row, f.today))
        return out


def known_facts(view: CaseView, tenant: str, known_at: str) -> list[Row]:
    """The statistical facts of every case of ``tenant``'s subtree as known at
    ``known_at``, with its ``tenant`` and ``completed_on`` (the timed duty met)."""
    rows = view._query(
        "SELECT e.tenant, e.facts FROM case_events e "
        f"WHERE {subtree_clause('e.tenant')} AND e.version = (SELECT MAX(e2.version) "
        "FROM case_events e2 WHERE e2.case_id = e.case_id AND e2.recorded_at <= ?)",
        [*subtree_params(tenant), known_at],
    )
    out = []
    for row in rows:
        facts = json.loads(row["facts"])
        facts["tenant"] = row["tenant"]
        facts["completed_on"] = completed_day(facts)
        out.append(facts)
    return out
