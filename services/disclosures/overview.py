"""The county overview and catalogue coverage as the platform knew them at a moment.

Everything is read from the views (tenant directory, disclosure versions, case events)
in a few queries over the whole subtree; the rules (coverage, case figures) are the
domain's. The catalogue and the working-day calendar are taken at the versions the
log held at ``known_at``, so last month's report can be reproduced as it stood then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from domain.cases.stats import Rate, case_statistics
from domain.disclosures.catalogue import CatalogueEntry, entries_for
from domain.disclosures.coverage import (
    CategoryCoverage,
    CategoryFacts,
    PublicItem,
    coverage_of,
)
from domain.reference import (
    CALENDAR_ID,
    CountyCatalogue,
    HolidaySchedules,
    catalogue_id,
)
from domain.timeliness import local_date
from domain.workdays import WorkingDayCalendar, default_calendar
from projections.case_list import known_facts
from projections.case_rows import facts_of
from projections.disclosure_queries import TenantCount
from projections.sql import Row, iso_moment
from services.core.base import GongkaiApplication
from services.core.ports import Running
from services.disclosures.lists import (
    EVERY_STATUS,
    Listed,
    Moments,
    Selection,
    case_scope,
    count_by_tenant,
)


@dataclass(frozen=True)
class Reference:
    """The catalogue entries per kind and the calendar, as known at a moment."""

    catalogue: tuple[CatalogueEntry, ...] | None
    catalogue_version: int
    calendar: WorkingDayCalendar
    _by_kind: dict[str, tuple[CatalogueEntry, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def entries(self, kind: str) -> tuple[CatalogueEntry, ...]:
        """Remembered per kind: an overview asks once per tenant (206 tenants of a
        county filtered the whole catalogue 412 times, 95 ms at 10^5 events)."""
        found = self._by_kind.get(kind)
        if found is None:
            found = (
                entries_for(kind, self.catalogue)
                if self.catalogue
                else entries_for(kind)
            )
            self._by_kind[kind] = found
        return found

    def required(self, kind: str) -> list[CatalogueEntry]:
        return [e for e in self.entries(kind) if e.required]

    def labels(self, kind: str) -> dict[str, str]:
        """Code → Chinese label (一级/二级) of the entries for ``kind``."""
        return {e.code: f"{e.level1}/{e.level2}" for e in self.entries(kind)}


def version_known(
    app: GongkaiApplication, aggregate_id: UUID, known_at: datetime
) -> int | None:
    """The aggregate's version as its events recorded by ``known_at`` left it."""
    version = None
    for stored in app.recorder.select_events(aggregate_id):
        event = app.mapper.to_domain_event(stored)
        if event.timestamp > known_at:
            break
        version = event.originator_version
    return version


# Per application, what a reference aggregate at a version derives to (the log
# never changes, so this is exact); bounded, a few entries per county in use.
_DERIVED: WeakKeyDictionary[GongkaiApplication, dict[tuple[UUID, int], Any]] = (
    WeakKeyDictionary()
)
DERIVED_KEPT = 256


def _derived_at(app: GongkaiApplication, aggregate_id: UUID, known_at: datetime) -> Any:
    """What the reference aggregate as known at ``known_at`` (None before it
    existed), built once per version: the catalogue merged with the defaults,
    the calendar with every holiday schedule (a calendar took 0.5 ms to build
    for each catalogue read)."""
    version = version_known(app, aggregate_id, known_at)
    if version is None:
        return None
    kept = _DERIVED.setdefault(app, {})
    key = (aggregate_id, version)
    if key not in kept:
        found = app.repository.get(aggregate_id, version=version)
        if isinstance(found, CountyCatalogue):
            derived: Any = (found.merged(), found.loads)
        elif isinstance(found, HolidaySchedules):
            derived = found.calendar()
        else:
            derived = None
        if len(kept) >= DERIVED_KEPT:
            kept.clear()
        kept[key] = derived
    return kept[key]


def reference_at(platform: Running, county: str, known_at: datetime) -> Reference:
    app = platform.disclosures
    own = _derived_at(app, catalogue_id(county), known_at)
    calendar = _derived_at(app, CALENDAR_ID, known_at)
    return Reference(
        catalogue=own[0] if own else None,
        catalogue_version=own[1] if own else 0,
        calendar=calendar or default_calendar(),
    )


def public_items(rows: Iterable[Row]) -> list[PublicItem]:
    return [
        PublicItem(
            r["id"],
            r["category"],
            datetime.fromisoformat(r["formed_on"]).date(),
            datetime.fromisoformat(r["published_on"]).date(),
            r["working_days_late"],
        )
        for r in rows
        if not r["withdrawn"]
    ]


@dataclass(frozen=True)
class CatalogueFacts:
    """Per tenant, per category: the facts coverage needs, summed up by the view,
    and the rows of the newest items (and newest late ones) it shows."""

    facts: dict[str, dict[str, CategoryFacts]]
    rows: dict[str, Row]  # by item id


def catalogue_facts(
    platform: Running,
    path: str,
    as_of: datetime,
    known_at: datetime,
    *,
    include_descendants: bool,
    wanted: dict[str, set[str]],
    newest: int,
) -> CatalogueFacts:
    """The facts of the categories ``wanted`` per tenant (the required ones), with
    the ``newest`` items of each: three queries, however many items there are."""
    view = platform.disclosure_view
    a, k = iso_moment(as_of), iso_moment(known_at)
    sums = [
        r
        for r in view.category_facts(
            path, as_of=a, known_at=k, include_descendants=include_descendants
        )
        if r["category"] in wanted.get(r["tenant"], set())
    ]
    pairs = [(r["tenant"], r["category"]) for r in sums]
    late = [(r["tenant"], r["category"]) for r in sums if r["late"]]
    found: dict[tuple[str, str], list[Row]] = defaultdict(list)
    found_late: dict[tuple[str, str], list[Row]] = defaultdict(list)
    rows: dict[str, Row] = {}
    for into, which, only_late in ((found, pairs, False), (found_late, late, True)):
        for r in view.newest_in_categories(
            which, as_of=a, known_at=k, limit=newest, late=only_late
        ):
            into[(r["tenant"], r["category"])].append(r)
            rows[r["id"]] = r
    facts: dict[str, dict[str, CategoryFacts]] = defaultdict(dict)
    for r in sums:
        key = (r["tenant"], r["category"])
        facts[r["tenant"]][r["category"]] = CategoryFacts(
            count=int(r["items"]),
            latest_formed_on=datetime.fromisoformat(r["latest_formed_on"]).date(),
            late_count=int(r["late"] or 0),
            newest=tuple(public_items(found[key])),
            newest_late=tuple(public_items(found_late[key])),
        )
    return CatalogueFacts(dict(facts), rows)


def coverage_from_facts(
    reference: Reference, kind: str, facts: dict[str, CategoryFacts], as_of: datetime
) -> list[CategoryCoverage]:
    """Coverage of a tenant of ``kind`` by the facts of its categories."""
    return coverage_of(
        reference.required(kind), facts, local_date(as_of), reference.calendar
    )


OVERVIEW_COUNTS: dict[str, Selection] = {
    "required": Selection("coverage"),
    "missing": Selection("coverage", statuses=("missing",)),
    "overdue": Selection("coverage", statuses=("overdue",)),
    "published": Selection("disclosures"),
    "late_items": Selection("disclosures", late=True),
    "backdated_items": Selection("disclosures", statuses=EVERY_STATUS, backdated=True),
    "withdrawals": Selection("disclosures", statuses=("withdrawn",)),
    "cases": Selection("cases"),
    "open_cases": Selection("cases", open=True),
    "overdue_cases": Selection("cases", overdue=True),
}
"""Each count of the overview and the list it is the total of."""
COUNTS = tuple(OVERVIEW_COUNTS)
RATES = ("reply_rate", "on_time_rate", "satisfaction_rate")


def subtree_coverage(
    platform: Running,
    path: str,
    tenants: list[Row],
    reference: Reference,
    moments: Moments,
) -> dict[str, list[CategoryCoverage]]:
    """Per tenant of the subtree, its coverage as the catalogue route computes it."""
    found = catalogue_facts(
        platform,
        path,
        moments.as_of,
        moments.known_at,
        include_descendants=True,
        wanted={
            t["path"]: {e.code for e in reference.required(t["kind"] or t["level"])}
            for t in tenants
        },
        newest=0,
    )
    return {
        t["path"]: coverage_from_facts(
            reference,
            t["kind"] or t["level"],
            found.facts.get(t["path"], {}),
            moments.as_of,
        )
        for t in tenants
    }


def overview(
    platform: Running,
    path: str,
    moments: Moments,
    *,
    now: datetime,
    basically_counts_as_satisfied: bool = True,
) -> list[Row]:
    """One row per tenant of the subtree (depth-first), a subtotal after each town's
    block and a total at the end; counts plus rates with numerator, denominator and
    the 95 % Wilson interval. Each count is the total of the list in the row's
    ``lists`` (the tenant's own for a tenant row, the town's or county's subtree
    for a subtotal or the total), counted by that list's query. Cases are those
    received by ``as_of``, each as the platform knew it at the earlier of ``as_of``
    and ``known_at``."""
    tenants = platform.directory.subtree(path)
    reference = reference_at(platform, path.split(".", 1)[0], moments.known_at)
    coverage = subtree_coverage(platform, path, tenants, reference, moments)
    counted = count_by_tenant(
        platform,
        path,
        include_descendants=True,
        moments=moments,
        now=now,
        selections=OVERVIEW_COUNTS,
        coverage=coverage,
    )
    scope = case_scope(path, include_descendants=True, moments=moments, now=now)
    last_day = (scope.received_to or local_date(now)).isoformat()
    facts = [
        f
        for f in known_facts(platform.case_view, path, scope.known_at or "")
        if f["received_on"] <= last_day
    ]
    cases_by: dict[str, list[Row]] = defaultdict(list)
    for f in facts:
        cases_by[f["tenant"]].append(f)

    def lists(tenant: str, subtree: bool) -> dict[str, Listed]:
        return {
            key: Listed(s, tenant, subtree, moments)
            for key, s in OVERVIEW_COUNTS.items()
        }

    rows: list[Row] = []
    for t in tenants:
        result = coverage[t["path"]]
        row: Row = {
            "row_type": "tenant",
            "tenant": t["path"],
            "name": t["name"],
            "level": t["level"],
            "kind": t["kind"],
            "missing_codes": [c.entry.code for c in result if c.status == "missing"],
            "overdue_codes": [c.entry.code for c in result if c.status == "overdue"],
            "late_days_total": counted["late_items"]
            .get(t["path"], NONE)
            .working_days_late,
            "_facts": cases_by.get(t["path"], []),
            "lists": lists(t["path"], False),
        }
        for key in COUNTS:
            row[key] = counted[key].get(t["path"], NONE).items
        rows.append(row)
    out: list[Row] = []
    blocks = _town_blocks(rows, tenants)
    for i, row in enumerate(rows):
        out.append(_finish(dict(row), basically_counts_as_satisfied))
        ends = blocks.get(i)
        if ends is not None:
            town, block = ends
            subtotal = _sum(block, "subtotal", town)
            subtotal["lists"] = lists(town["path"], True)
            out.append(_finish(subtotal, basically_counts_as_satisfied))
    total = _sum(rows, "total", tenants[0] if tenants else None)
    total["lists"] = lists(path, True)
    out.append(_finish(total, basically_counts_as_satisfied))
    return out


NONE = TenantCount(0, 0)


def _town_blocks(
    rows: list[Row], tenants: list[Row]
) -> dict[int, tuple[Row, list[Row]]]:
    """Per town of the subtree, its block (the rows within it, in order), keyed by
    the index of the block's last row: the subtotal follows that row. One pass
    over the rows (it scanned every row per row before: quadratic in tenants)."""
    towns = {t["path"]: t for t in tenants if t["level"] == "town"}
    blocks: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        town = _town_path(row["tenant"], towns)
        if town is not None:
            blocks.setdefault(town, []).append(i)
    return {at[-1]: (towns[town], [rows[i] for i in at]) for town, at in blocks.items()}


def _town_path(path: str, towns: dict[str, Row]) -> str | None:
    """The town ``path`` is within (itself or an ancestor; a town's parent is a
    county, so there is at most one), or None."""
    parts = path.split(".")
    for n in range(1, len(parts) + 1):
        if ".".join(parts[:n]) in towns:
            return ".".join(parts[:n])
    return None


def _sum(rows: list[Row], row_type: str, tenant: Row | None) -> Row:
    out: Row = {
        "row_type": row_type,
        "tenant": tenant["path"] if tenant else None,
        "name": f"{tenant['name']}{'小计' if row_type == 'subtotal' else '合计'}"
        if tenant
        else "合计",
        "level": tenant["level"] if tenant else None,
        "kind": tenant["kind"] if tenant else None,
        "missing_codes": [],
        "overdue_codes": [],
        "late_days_total": sum(r["late_days_total"] for r in rows),
        "_facts": [f for r in rows for f in r["_facts"]],
    }
    for key in COUNTS:
        out[key] = sum(r[key] for r in rows)
    return out


def _finish(row: Row, basically: bool) -> Row:
    facts = [facts_of(f) for f in row.pop("_facts")]
    figures = case_statistics(facts, basically_counts_as_satisfied=basically)
    row["mean_working_days_late"] = (
        round(row["late_days_total"] / row["late_items"], 2)
        if row["late_items"]
        else None
    )
    rates: dict[str, Rate] = {
        "reply_rate": figures.reply_rate,
        "on_time_rate": figures.on_time_rate,
        "satisfaction_rate": figures.satisfaction_rate,
    }
    for key, rate in rates.items():
        row[key] = rate.to_dict()
    return row
