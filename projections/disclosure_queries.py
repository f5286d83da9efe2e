"""Reads of the disclosure views: an item at a moment, its history, the public
list and its total, and the per-category facts the catalogue shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from projections.disclosure_rows import (
    COLUMNS,
    LISTED,
    VISIBLE,
    decode,
    visible_params,
)
from projections.sql import Row, SqlView, like_pattern, subtree_clause, subtree_params


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


class TenantCount(NamedTuple):
    """How many items of one tenant a list holds, and their working days late."""

    items: int
    working_days_late: int


class DisclosureQueries(SqlView):
    """The query half of DisclosureView (tables and writes are there)."""

    def get(self, disclosure_id: str, *, as_of: str, known_at: str) -> Row | None:
        """The item at ``as_of`` as known at ``known_at`` (withdrawn ones too)."""
        rows = self._query(
            f"SELECT {','.join(COLUMNS)} FROM disclosure_versions "
            "WHERE id = ? AND effective_at <= ? AND recorded_at <= ? "
            "ORDER BY version DESC LIMIT 1",
            [disclosure_id, as_of, known_at],
        )
        return decode(rows[0]) if rows else None

    def withheld(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` were withdrawn on the grounds of personal data (as the
        view knows now): their content is withheld from lists and streams."""
        return set(ids) & self.withheld_ids()

    def withheld_ids(self) -> frozenset[str]:
        """Every item withdrawn for personal data, as the view knows now. Such
        withdrawals are few and a row is never removed (a rebuild writes the same
        rows again), so the view reads only the rows after the last position it
        read: one short query per call, however many ids a caller asks about."""
        seen: tuple[int, frozenset[str]] = self.__dict__.get(
            "_withheld_seen", (0, frozenset())
        )
        rows = self._query(
            "SELECT id, position FROM disclosure_withheld WHERE position > ?",
            [seen[0]],
        )
        if not rows:
            return seen[1]
        ids = seen[1] | {str(r["id"]) for r in rows}
        latest = (max(seen[0], *(int(r["position"]) for r in rows)), ids)
        self.__dict__["_withheld_seen"] = latest  # one assignment: threads may race
        return ids

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
        columns: Sequence[str] = COLUMNS,
    ) -> list[Row]:
        """Items public at ``as_of`` as known at ``known_at``, newest first (with
        ``filters``: withdrawn ones too if asked for, and only those that match);
        ``columns`` of each (``LISTED``: what a list shows)."""
        where, params = self._where(
            tenant, as_of, known_at, include_descendants, category, filters
        )
        if before is not None:
            where.append("first_position < ?")
            params.append(before)
        params.append(limit)
        # The page's keys first (from an index alone, when the filters allow),
        # then their rows: skipped versions never cost a table read.
        rows = self._query(
            f"SELECT {','.join('d.' + c for c in columns)} FROM ("
            f"SELECT id, version, first_position FROM disclosure_versions v "
            f"WHERE {' AND '.join(where)} ORDER BY first_position DESC LIMIT ?) k "
            "JOIN disclosure_versions d ON d.id = k.id AND d.version = k.version "
            "ORDER BY k.first_position DESC",
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
        if as_of >= known_at and (
            filters is None
            or filters == ListFilter(backdating_window=filters.backdating_window)
        ):
            return self._count_from_counts(
                tenant, as_of, known_at, include_descendants, category, where, params
            )
        counted = self.count_by_tenant(
            tenant,
            as_of=as_of,
            known_at=known_at,
            include_descendants=include_descendants,
            category=category,
            filters=filters,
        )
        return sum(c.items for c in counted.values())

    def count_by_tenant(
        self,
        tenant: str,
        *,
        as_of: str,
        known_at: str,
        include_descendants: bool,
        category: str | None = None,
        filters: ListFilter | None = None,
    ) -> dict[str, TenantCount]:
        """Per tenant, the items ``list_public`` would list without a limit (and
        the working days late they add up to): one query, whose WHERE is the
        list's own. A count that links to a list is one of these."""
        where, params = self._where(
            tenant, as_of, known_at, include_descendants, category, filters
        )
        rows = self._query(
            "SELECT tenant, COUNT(*) AS n, "
            "COALESCE(SUM(working_days_late), 0) AS days "
            f"FROM disclosure_versions v WHERE {' AND '.join(where)} GROUP BY tenant",
            params,
        )
        return {r["tenant"]: TenantCount(int(r["n"]), int(r["days"])) for r in rows}

    def _count_from_counts(
        self,
        tenant: str,
        as_of: str,
        known_at: str,
        include_descendants: bool,
        category: str | None,
        where: list[str],
        params: list[Any],
    ) -> int:
        """The public items by disclosure_counts (newest versions), less the items
        with a version after (as_of, known_at), plus those items' versions that
        are public then: exact, and quick while few items changed after them (a
        query about now, not the past; see count_public)."""

        def scope(column: str) -> tuple[str, list[Any]]:
            if include_descendants:
                return subtree_clause(column), subtree_params(tenant)
            return f"{column} = ?", [tenant]

        own, own_params = scope("tenant")
        cat = " AND category = ?" if category is not None else ""
        cats = [category] if category is not None else []
        later, later_params = scope("c.tenant")
        # Items with a version after (as_of, known_at): their newest version may
        # not be the public one.
        changed = f"(c.max_effective_at > ? OR c.max_recorded_at > ?) AND {later}"
        changed_params = [as_of, known_at, *later_params]
        rows = self._query(
            "SELECT (SELECT COALESCE(SUM(n), 0) FROM disclosure_counts "
            f"WHERE {own} AND withdrawn = 0{cat}) - (SELECT COUNT(*) "
            f"FROM disclosure_current c WHERE {changed} AND c.withdrawn = 0"
            + cat.replace("category", "c.category")
            + ") + (SELECT COUNT(*) FROM disclosure_versions v WHERE id IN ("
            f"SELECT c.id FROM disclosure_current c WHERE {changed} "
            "AND c.min_effective_at <= ? AND c.min_recorded_at <= ?) "
            f"AND {' AND '.join(where)}) AS n",
            [
                *own_params,
                *cats,
                *changed_params,
                *cats,
                *changed_params,
                as_of,
                known_at,
                *params,
            ],
        )
        return int(rows[0]["n"])

    def category_facts(
        self,
        tenant: str,
        *,
        as_of: str,
        known_at: str,
        include_descendants: bool,
    ) -> list[Row]:
        """Per tenant and category, of the items public at ``as_of`` as known at
        ``known_at``: how many (``items``), how many late (``late``) and the newest
        ``formed_on`` (``latest_formed_on``), summed up by the store."""
        where, params = self._where(
            tenant, as_of, known_at, include_descendants, None, None
        )
        return self._query(
            "SELECT tenant, category, COUNT(*) AS items, "
            "SUM(CASE WHEN working_days_late > 0 THEN 1 ELSE 0 END) AS late, "
            "MAX(formed_on) AS latest_formed_on FROM disclosure_versions v "
            f"WHERE {' AND '.join(where)} GROUP BY tenant, category",
            params,
        )

    def newest_in_categories(
        self,
        pairs: list[tuple[str, str]],
        *,
        as_of: str,
        known_at: str,
        limit: int,
        late: bool = False,
    ) -> list[Row]:
        """The ``limit`` newest published public items (only late ones if
        ``late``) of each (tenant, category) in ``pairs``: one statement, each
        part a short walk of an index; their ``LISTED`` columns (the catalogue
        shows them as a list does)."""
        if not pairs or limit <= 0:
            return []
        parts, params = [], []
        for tenant, category in pairs:
            parts.append(
                "SELECT * FROM (SELECT id, version, published_on, first_position "
                f"FROM disclosure_versions v WHERE tenant = ? AND category = ? AND "
                f"{VISIBLE} AND withdrawn = 0"
                + (" AND working_days_late > 0" if late else "")
                + " ORDER BY published_on DESC, first_position DESC LIMIT ?) p"
                + str(len(parts))
            )
            params += [tenant, category, *visible_params(as_of, known_at), limit]
        rows = self._query(
            f"SELECT {','.join('d.' + c for c in LISTED)} FROM ("
            + " UNION ALL ".join(parts)
            + ") k JOIN disclosure_versions d ON d.id = k.id AND d.version = k.version "
            "ORDER BY d.tenant, d.category, d.published_on DESC, d.first_position DESC",
            params,
        )
        return [decode(r) for r in rows]

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
        where.append(VISIBLE)
        params += visible_params(as_of, known_at)
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
            # ``> 0`` as well (implied by a window of 0 or more) lets the store use
            # disclosure_versions_backdated, which holds the few backdated
            # versions, instead of probing every version of every item.
            positive = "b.backdated_working_days > 0 AND " * (f.backdating_window >= 0)
            where.append(
                ("" if f.backdated else "NOT ")
                + "EXISTS (SELECT 1 FROM disclosure_versions b WHERE b.id = v.id "
                f"AND {positive}b.recorded_at <= ? AND b.backdated_working_days > ?)"
            )
            params += [known_at, f.backdating_window]
        if f.q:
            where.append(  # a withheld body is not searched either
                "(title LIKE ? ESCAPE '\\' OR (body LIKE ? ESCAPE '\\' AND v.id NOT IN "
                "(SELECT id FROM disclosure_withheld)))"
            )
            params += [like_pattern(f.q)] * 2
        if f.formed_from is not None:
            where.append("formed_on >= ?")
            params.append(f.formed_from)
        if f.formed_to is not None:
            where.append("formed_on <= ?")
            params.append(f.formed_to)
        return where, params
