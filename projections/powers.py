"""The power lists' versions, with the coverage figures of each: what the county
reads of every unit (counts by risk level, measures per risk, powers with no risk
assessed, high risks without a measure) without loading each unit's list."""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.cases.case import Case
from domain.powers.listing import PowerListing, coverage
from domain.powers.power_list import PowerList
from projections.sql import (
    PostgresSqlView,
    Row,
    SQLiteSqlView,
    SqlView,
    dumps,
    iso_moment,
    subtree_clause,
    subtree_params,
)

COLUMNS = (
    "tenant, version, state, source, drafted_by, drafted_at, decided_by,"
    " decided_at, opinion, figures"
)
DRAFTED, APPROVED, RETURNED, SUPERSEDED = (
    "drafted",
    "approved",
    "returned",
    "superseded",
)


class PowerListView(SqlView):
    tables = ("power_list_versions", "power_cases")
    tracking_table_name = "power_list_versions_tracking"
    ddl = (
        "CREATE TABLE IF NOT EXISTS power_list_versions (tenant TEXT NOT NULL,"
        " version INTEGER NOT NULL, state TEXT NOT NULL, source TEXT NOT NULL,"
        " drafted_by TEXT NOT NULL, drafted_at TEXT NOT NULL, decided_by TEXT,"
        " decided_at TEXT, opinion TEXT, figures TEXT NOT NULL,"
        " PRIMARY KEY (tenant, version))",
        "CREATE TABLE IF NOT EXISTS power_cases (case_id TEXT PRIMARY KEY,"
        " tenant TEXT NOT NULL, power TEXT NOT NULL, named_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS power_cases_tenant ON power_cases (tenant, power)",
    )

    def case_named(self, row: Row, tracking: Tracking) -> None:
        """A case names the power it exercises (naming again replaces it)."""
        with self._write(tracking) as curs:
            self._exec(
                curs, "DELETE FROM power_cases WHERE case_id = ?", [row["case_id"]]
            )
            self._exec(
                curs,
                "INSERT INTO power_cases (case_id, tenant, power, named_at)"
                " VALUES (?,?,?,?)",
                [row["case_id"], row["tenant"], row["power"], row["named_at"]],
            )

    def cases_of(self, tenant: str) -> list[Row]:
        """Every case of ``tenant`` that names a power: its id, the power and
        when it was named (recorded time)."""
        return self._query(
            "SELECT case_id, power, named_at FROM power_cases WHERE tenant = ?"
            " ORDER BY case_id",
            [tenant],
        )

    def drafted(self, row: Row, tracking: Tracking) -> None:
        """A new version; a draft still pending is superseded by it."""
        names = [c.strip() for c in COLUMNS.split(",")]
        with self._write(tracking) as curs:
            self._exec(
                curs,
                "UPDATE power_list_versions SET state = ? WHERE tenant = ?"
                " AND state = ?",
                [SUPERSEDED, row["tenant"], DRAFTED],
            )
            self._exec(
                curs,
                f"INSERT INTO power_list_versions ({COLUMNS}) VALUES "
                f"({','.join('?' for _ in names)})",
                [row.get(c) for c in names],
            )

    def decided(
        self, tenant: str, version: int, values: dict[str, Any], tracking: Tracking
    ) -> None:
        with self._write(tracking) as curs:
            if values["state"] == APPROVED:
                self._exec(
                    curs,
                    "UPDATE power_list_versions SET state = ? WHERE tenant = ?"
                    " AND state = ?",
                    [SUPERSEDED, tenant, APPROVED],
                )
            assignments = ", ".join(f"{column} = ?" for column in values)
            self._exec(
                curs,
                f"UPDATE power_list_versions SET {assignments}"
                " WHERE tenant = ? AND version = ?",
                [*values.values(), tenant, version],
            )

    def versions(self, tenant: str) -> list[Row]:
        """Every version of ``tenant``'s list, newest first."""
        return self._decode(
            self._query(
                f"SELECT {COLUMNS} FROM power_list_versions WHERE tenant = ?"
                " ORDER BY version DESC",
                [tenant],
            )
        )

    def current(self, path: str) -> list[Row]:
        """For each tenant at or under ``path``: its version in force and its
        pending draft (a row each), by tenant."""
        return self._decode(
            self._query(
                f"SELECT {COLUMNS} FROM power_list_versions WHERE"
                f" {subtree_clause()} AND state IN (?, ?) ORDER BY tenant, version",
                [*subtree_params(path), APPROVED, DRAFTED],
            )
        )

    @staticmethod
    def _decode(rows: list[Row]) -> list[Row]:
        for row in rows:
            row["figures"] = json.loads(row["figures"])
        return rows


class PostgresPowerListView(PowerListView, PostgresSqlView):
    pass


class SQLitePowerListView(PowerListView, SQLiteSqlView):
    pass


class PowerListProjection(Projection[PowerListView]):
    name = "power_list_versions"
    topics = (
        get_topic(PowerList.Drafted),
        get_topic(PowerList.Approved),
        get_topic(PowerList.Returned),
        get_topic(Case.PowerNamed),
    )

    @singledispatchmethod
    def process_event(
        self, domain_event: DomainEventProtocol[object], tracking: Tracking
    ) -> None:
        """Ignore events this view does not need."""

    @process_event.register
    def _drafted(self, e: PowerList.Drafted, tracking: Tracking) -> None:
        listing = PowerListing.from_dicts(e.powers, e.risks)  # type: ignore[attr-defined]
        self.view.drafted(
            {
                "tenant": e.tenant,  # type: ignore[attr-defined]
                "version": e.version,  # type: ignore[attr-defined]
                "state": DRAFTED,
                "source": e.source,  # type: ignore[attr-defined]
                "drafted_by": e.actor.get("id", ""),  # type: ignore[attr-defined]
                "drafted_at": iso_moment(e.effective_at),  # type: ignore[attr-defined]
                "figures": dumps(coverage(listing).to_dict()),
            },
            tracking,
        )

    @process_event.register
    def _case_named(self, e: Case.PowerNamed, tracking: Tracking) -> None:
        self.view.case_named(
            {
                "case_id": str(e.originator_id),
                "tenant": e.tenant,  # type: ignore[attr-defined]
                "power": e.power,  # type: ignore[attr-defined]
                "named_at": iso_moment(e.effective_at),  # type: ignore[attr-defined]
            },
            tracking,
        )

    @process_event.register
    def _approved(self, e: PowerList.Approved, tracking: Tracking) -> None:
        self._decided(e, APPROVED, tracking)

    @process_event.register
    def _returned(self, e: PowerList.Returned, tracking: Tracking) -> None:
        self._decided(e, RETURNED, tracking)

    def _decided(self, e: Any, state: str, tracking: Tracking) -> None:
        self.view.decided(
            e.tenant,
            e.version,
            {
                "state": state,
                "decided_by": e.actor.get("id", ""),
                "decided_at": iso_moment(e.effective_at),
                "opinion": e.opinion,
            },
            tracking,
        )
