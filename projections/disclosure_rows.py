"""The shape of a disclosure view row, and the bookkeeping that keeps each
version's validity and the per-tenant counts exact as versions arrive.

A version of an item is the one in force at (as_of, known_at) when it is the newest
with ``effective_at <= as_of`` and ``recorded_at <= known_at``. Each version row keeps
what decides that from its own row: its successor's moments (``next_*``) and the
earliest moments of all later versions (``later_*``), filled in when later versions
arrive, in the same transaction (or batch) that records them.
"""

from __future__ import annotations

from typing import Any

import orjson

from projections.sql import Row

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
    # Validity: filled on a version when later ones arrive (NULL on the newest).
    "next_effective_at",
    "next_recorded_at",
    "later_effective_at",
    "later_recorded_at",
    # The earliest and latest effective and recorded moments of the item's
    # versions so far (on its newest version: of all of them).
    "min_effective_at",
    "min_recorded_at",
    "max_effective_at",
    "max_recorded_at",
)
# What a list shows of a version (services/api/routes/disclosures.py summary): not
# its text, reason or actor (the item's own route has them), nor the validity
# bookkeeping. A list of 50 reads and converts about half the columns.
LISTED = (
    "id",
    "version",
    "first_position",
    "event",
    "tenant",
    "category",
    "title",
    "channels",
    "attachments",
    "formed_on",
    "published_on",
    "due_on",
    "working_days_late",
    "withdrawn",
    "effective_at",
    "recorded_at",
    "backdated_working_days",
    "backdating_reason",
)
VALIDITY = (
    "next_effective_at",
    "next_recorded_at",
    "later_effective_at",
    "later_recorded_at",
)
AT = {
    c: COLUMNS.index(c) for c in ("version", "effective_at", "recorded_at", *VALIDITY)
}
JSON_COLUMNS = ("channels", "attachments", "actor")
COLUMN_TYPES = {
    "version": "INTEGER NOT NULL",
    "position": "BIGINT NOT NULL",
    "first_position": "BIGINT NOT NULL",
    "working_days_late": "INTEGER NOT NULL",
    "withdrawn": "INTEGER NOT NULL",
    "backdated_working_days": "INTEGER NOT NULL",
}


def table_ddl(name: str, key: str) -> str:
    cols = ", ".join(f"{c} {COLUMN_TYPES.get(c, 'TEXT')}" for c in COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS {name} ({cols}, PRIMARY KEY ({key}))"


def decode(row: Row) -> Row:
    """Turn stored JSON text back into lists and dicts, flags into booleans
    (orjson: the same values as ``json.loads`` of what ``dumps`` wrote, faster)."""
    out = dict(row)
    for c in JSON_COLUMNS:
        if c in out:
            out[c] = orjson.loads(out[c]) if out[c] else None
    out["withdrawn"] = bool(out["withdrawn"])
    return out


# What deciding "is this version the one in force at (as_of, known_at)?" reads:
# with these after the leading columns, a list or count walks an index alone.
COVER = (
    "effective_at, recorded_at, later_recorded_at, later_effective_at, "
    "next_recorded_at, next_effective_at, withdrawn, id, version, "
    "category, formed_on, working_days_late"
)

# The version of an item in force at as_of (A) as known at known_at (K) is the
# newest one with effective_at <= A and recorded_at <= K. A version is that one
# unless a later version meets both too: no later one is known by K, or none takes
# effect by A, settles it from its own row; the next version meeting both rules it
# out. Only when a later version is known and another one takes effect by A (but
# the next does not meet both: effective times that went back, or a clock that
# did) does the exact test look at the later rows.
VISIBLE = (
    "effective_at <= ? AND recorded_at <= ? AND CASE "
    "WHEN later_recorded_at IS NULL OR later_recorded_at > ? "
    "OR later_effective_at > ? THEN 1 "
    "WHEN next_recorded_at <= ? AND next_effective_at <= ? THEN 0 "
    "WHEN EXISTS (SELECT 1 FROM disclosure_versions w WHERE w.id = v.id "
    "AND w.version > v.version AND w.effective_at <= ? AND w.recorded_at <= ?) "
    "THEN 0 ELSE 1 END = 1"
)
# (A CASE, not ORs: it keeps the order above, and keeps the planner from turning
# the test into bitmap scans of the whole index, one per OR arm.)


def visible_params(as_of: str, known_at: str) -> list[str]:
    return [as_of, known_at, known_at, as_of, known_at, as_of, as_of, known_at]


COUNT_UP = (
    "INSERT INTO disclosure_counts (tenant, category, withdrawn, n) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (tenant, category, withdrawn) "
    "DO UPDATE SET n = disclosure_counts.n + excluded.n"
)
Delta = tuple[str, str, int]  # tenant, category, withdrawn


# The stored earlier versions of an item, when version N arrives: N-1 learns its
# successor; all learn the earliest later effective and recorded moments.
SUPERSEDE = (
    "UPDATE disclosure_versions SET "
    "next_effective_at = CASE WHEN version = ? THEN ? ELSE next_effective_at END, "
    "next_recorded_at = CASE WHEN version = ? THEN ? ELSE next_recorded_at END, "
    "later_effective_at = CASE WHEN later_effective_at IS NULL "
    "OR later_effective_at > ? THEN ? ELSE later_effective_at END, "
    "later_recorded_at = CASE WHEN later_recorded_at IS NULL "
    "OR later_recorded_at > ? THEN ? ELSE later_recorded_at END "
    "WHERE id = ? AND version < ?"
)


def _supersede(row: list[Any], new: list[Any]) -> None:
    """Fold the newer version ``new`` into the validity of ``row``, an earlier
    version of the same item (in place)."""
    version, eff, rec = (new[AT[c]] for c in ("version", "effective_at", "recorded_at"))
    if row[AT["version"]] == version - 1:
        row[AT["next_effective_at"]], row[AT["next_recorded_at"]] = eff, rec
    for col, moment in (("later_effective_at", eff), ("later_recorded_at", rec)):
        if row[AT[col]] is None or row[AT[col]] > moment:
            row[AT[col]] = moment


class PendingRows:
    """A batch's version rows, written set-wise at its end. Versions of an item
    within the batch update each other's validity here; what the batch adds after
    an item's stored versions is summed up per item for one SUPERSEDE each."""

    def __init__(self) -> None:
        self.versions: list[list[Any]] = []
        self.current: dict[str, list[Any]] = {}  # newest row per item
        self.by_item: dict[str, list[list[Any]]] = {}
        self.after_stored: dict[str, list[Any]] = {}  # first new row, with the
        # earliest effective and recorded moments of the new rows as its "later"
        self.counts: dict[Delta, int] = {}  # changes to disclosure_counts

    def add(self, item: str, values: list[Any]) -> None:
        mine = self.by_item.setdefault(item, [])
        for row in mine:
            _supersede(row, values)
        if item in self.after_stored:
            summary = self.after_stored[item]
            for col, src in (
                ("later_effective_at", "effective_at"),
                ("later_recorded_at", "recorded_at"),
            ):
                summary[AT[col]] = min(summary[AT[col]], values[AT[src]])
        elif not mine and values[AT["version"]] > 1:
            self.after_stored[item] = first_after_stored(values)
        mine.append(values)
        self.versions.append(values)
        self.current[item] = values


def first_after_stored(values: list[Any]) -> list[Any]:
    """A copy of a first new version whose "later" moments are its own (the
    earliest so far of the versions after the stored ones)."""
    summary = list(values)
    summary[AT["later_effective_at"]] = values[AT["effective_at"]]
    summary[AT["later_recorded_at"]] = values[AT["recorded_at"]]
    return summary


def supersede_params(item: str, new: list[Any]) -> list[Any]:
    """SUPERSEDE's parameters for the stored versions of ``item``: ``new`` is
    the first version after them, its "later" moments the earliest of all after."""
    prev = new[AT["version"]] - 1
    eff, rec = new[AT["effective_at"]], new[AT["recorded_at"]]
    later_eff, later_rec = new[AT["later_effective_at"]], new[AT["later_recorded_at"]]
    return [
        prev,
        eff,
        prev,
        rec,
        later_eff,
        later_eff,
        later_rec,
        later_rec,
        item,
        prev + 1,
    ]
