"""The county overview and catalogue coverage as the platform knew them at a moment.

Everything is read from the views (tenant directory, disclosure versions, case events)
in a few queries over the whole subtree; the rules (coverage, case figures) are the
domain's. The catalogue and the working-day calendar are taken at the versions the
log held at ``known_at``, so last month's report can be reproduced as it stood then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.cases.stats import Rate, case_statistics
from domain.disclosures.catalogue import CatalogueEntry, entries_for
from domain.disclosures.coverage import (
    CategoryCoverage,
    CategoryFacts,
    PublicItem,
    coverage,
    coverage_of,
)
from domain.reference import (
    CALENDAR_ID,
    CountyCatalogue,
    HolidaySchedules,
    catalogue_id,
)
from domain.timeliness import local_date
from domain.workdays import WorkingDayCalendar
from projections.case_list import known_facts
from projections.case_rows import facts_of
from projections.cases import CLOSED_STATES
from projections.disclosures import ListFilter
from projections.sql import Row, iso_moment
from services.core.base import GongkaiApplication
from services.core.ports import Running

A = TypeVar("A", bound=Aggregate)
ALL_STATUSES = ListFilter(statuses=("published", "revised", "withdrawn"))
LIMIT = 1_000_000


def as_known(
    app: GongkaiApplication, aggregate_id: UUID, cls: type[A], known_at: datetime
) -> A | None:
    """The aggregate as its events recorded by ``known_at`` left it (None before)."""
    version = None
    for stored in app.recorder.select_events(aggregate_id):
        event = app.mapper.to_domain_event(stored)
        if event.timestamp > known_at:
            break
        version = event.originator_version
    if version is None:
        return None
    found = app.repository.get(aggregate_id, version=version)
    return found if isinstance(found, cls) else None


@dataclass(frozen=True)
class Reference:
    """The catalogue entries per kind and the calendar, as known at a moment."""

    catalogue: tuple[CatalogueEntry, ...] | None
    catalogue_version: int
    calendar: WorkingDayCalendar

    def entries(self, kind: str) -> tuple[CatalogueEntry, ...]:
        if self.catalogue:
            return entries_for(kind, self.catalogue)
        return entries_for(kind)

    def required(self, kind: str) -> list[CatalogueEntry]:
        return [e for e in self.entries(kind) if e.required]

    def labels(self, kind: str) -> dict[str, str]:
        """Code → Chinese label (一级/二级) of the entries for ``kind``."""
        return {e.code: f"{e.level1}/{e.level2}" for e in self.entries(kind)}


def reference_at(platform: Running, county: str, known_at: datetime) -> Reference:
    app = platform.disclosures
    own = as_known(app, catalogue_id(county), CountyCatalogue, known_at)
    schedules = as_known(app, CALENDAR_ID, HolidaySchedules, known_at)
    return Reference(
        catalogue=own.merged() if own else None,
        catalogue_version=own.loads if own else 0,
        calendar=schedules.calendar() if schedules else WorkingDayCalendar(),
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


def subtree_rows(
    platform: Running, path: str, as_of: datetime, known_at: datetime
) -> list[Row]:
    """Every item of the subtree as it stood at ``as_of`` known at ``known_at``,
    withdrawn ones included."""
    rows: list[Row] = platform.disclosure_view.list_public(
        path,
        as_of=iso_moment(as_of),
        known_at=iso_moment(known_at),
        include_descendants=True,
        limit=LIMIT,
        filters=ALL_STATUSES,
    )
    return rows


def catalogue_coverage(
    reference: Reference, kind: str, rows: Iterable[Row], as_of: datetime
) -> list[CategoryCoverage]:
    """Coverage of a tenant of ``kind`` by its rows (withdrawn ones do not count)."""
    return coverage(
        reference.required(kind),
        public_items(rows),
        local_date(as_of),
        reference.calendar,
    )


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


COUNTS = (
    "required",
    "missing",
    "overdue",
    "published",
    "late_items",
    "backdated_items",
    "withdrawals",
    "cases",
    "open_cases",
    "overdue_cases",
)
RATES = ("reply_rate", "on_time_rate", "satisfaction_rate")


def overview(
    platform: Running,
    path: str,
    as_of: datetime,
    known_at: datetime,
    *,
    basically_counts_as_satisfied: bool = True,
) -> list[Row]:
    """One row per tenant of the subtree (depth-first), a subtotal after each town's
    block and a total at the end; counts plus rates with numerator, denominator and
    the 95 % Wilson interval. Cases are those received by ``as_of``, each as the
    platform knew it at the earlier of ``as_of`` and ``known_at``."""
    tenants = platform.directory.subtree(path)
    reference = reference_at(platform, path.split(".", 1)[0], known_at)
    items = subtree_rows(platform, path, as_of, known_at)
    backdated = platform.disclosure_view.backdated_ids(
        path,
        known_at=iso_moment(known_at),
        window=platform.disclosures.backdating_window,
    )
    case_moment = min(as_of, known_at)
    today = local_date(as_of).isoformat()
    facts = [
        f
        for f in known_facts(platform.case_view, path, iso_moment(case_moment))
        if f["received_on"] <= today
    ]
    by_tenant: dict[str, list[Row]] = defaultdict(list)
    for r in items:
        by_tenant[r["tenant"]].append(r)
    cases_by: dict[str, list[Row]] = defaultdict(list)
    for f in facts:
        cases_by[f["tenant"]].append(f)

    rows: list[Row] = []
    for t in tenants:
        mine = by_tenant.get(t["path"], [])
        kind = t["kind"] or t["level"]
        result = catalogue_coverage(reference, kind, mine, as_of)
        public = [r for r in mine if not r["withdrawn"]]
        late = [r["working_days_late"] for r in public if r["working_days_late"] > 0]
        tenant_cases = cases_by.get(t["path"], [])
        owed = [
            f
            for f in tenant_cases
            if f["state"] not in CLOSED_STATES and f["completed_on"] is None
        ]
        row: Row = {
            "row_type": "tenant",
            "tenant": t["path"],
            "name": t["name"],
            "level": t["level"],
            "kind": t["kind"],
            "required": len(result),
            "missing": sum(c.status == "missing" for c in result),
            "overdue": sum(c.status == "overdue" for c in result),
            "missing_codes": [c.entry.code for c in result if c.status == "missing"],
            "overdue_codes": [c.entry.code for c in result if c.status == "overdue"],
            "published": len(public),
            "late_items": len(late),
            "late_days_total": sum(late),
            "backdated_items": sum(r["id"] in backdated for r in mine),
            "withdrawals": sum(bool(r["withdrawn"]) for r in mine),
            "cases": len(tenant_cases),
            "open_cases": sum(f["state"] not in CLOSED_STATES for f in tenant_cases),
            "overdue_cases": sum(
                bool(f["due_on"] and f["due_on"] < today) for f in owed
            ),
            "_facts": tenant_cases,
        }
        rows.append(row)
    out: list[Row] = []
    for row in rows:
        out.append(_finish(dict(row), basically_counts_as_satisfied))
        town = _town_of(row, tenants)
        if town is not None and _last_of_block(row["tenant"], town, rows):
            block = [r for r in rows if _within(r["tenant"], town["path"])]
            out.append(
                _finish(_sum(block, "subtotal", town), basically_counts_as_satisfied)
            )
    total = _sum(rows, "total", tenants[0] if tenants else None)
    out.append(_finish(total, basically_counts_as_satisfied))
    return out


def _within(child: str, parent: str) -> bool:
    return child == parent or child.startswith(parent + ".")


def _town_of(row: Row, tenants: list[Row]) -> Row | None:
    for t in tenants:
        if t["level"] == "town" and _within(row["tenant"], t["path"]):
            return t
    return None


def _last_of_block(path: str, town: Row, rows: list[Row]) -> bool:
    inside = [r["tenant"] for r in rows if _within(r["tenant"], town["path"])]
    return bool(inside) and inside[-1] == path


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
