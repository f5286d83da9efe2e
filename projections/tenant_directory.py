"""The tenant directory: every tenant's path, name, level and children."""

from __future__ import annotations

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.tenancy import Tenant
from projections.sql import (
    PATTERN_OPS,
    PostgresSqlView,
    Row,
    SQLiteSqlView,
    SqlView,
    iso_moment,
    subtree_clause,
    subtree_params,
)

COLUMNS = "path, code, name, level, kind, parent, depth, registered_at, recorded_at"


class TenantDirectoryView(SqlView):
    tables = ("tenant_directory",)
    tracking_table_name = "tenant_directory_tracking"
    ddl = (
        "CREATE TABLE IF NOT EXISTS tenant_directory ("
        " path TEXT PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL,"
        " level TEXT NOT NULL, kind TEXT, parent TEXT, depth INTEGER NOT NULL,"
        " registered_at TEXT NOT NULL, recorded_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS tenant_directory_parent "
        "ON tenant_directory (parent)",
        # A subtree (subtree_clause) is one range of this index.
        "CREATE INDEX IF NOT EXISTS tenant_directory_subtree "
        f"ON tenant_directory (path {PATTERN_OPS})",
    )

    def register(self, row: Row, tracking: Tracking) -> None:
        with self._write(tracking) as curs:
            self._exec(
                curs,
                f"INSERT INTO tenant_directory ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                [row[c.strip()] for c in COLUMNS.split(",")],
            )

    def rename(self, path: str, name: str, tracking: Tracking) -> None:
        with self._write(tracking) as curs:
            self._exec(
                curs,
                "UPDATE tenant_directory SET name = ? WHERE path = ?",
                [name, path],
            )

    def get(self, path: str) -> Row | None:
        rows = self._query(
            f"SELECT {COLUMNS} FROM tenant_directory WHERE path = ?", [path]
        )
        return rows[0] if rows else None

    def children(self, path: str) -> list[Row]:
        return self._query(
            f"SELECT {COLUMNS} FROM tenant_directory WHERE parent = ? ORDER BY code",
            [path],
        )

    def roots(self) -> list[Row]:
        return self._query(
            f"SELECT {COLUMNS} FROM tenant_directory WHERE parent IS NULL ORDER BY code"
        )

    def subtree(self, path: str) -> list[Row]:
        return self._query(
            f"SELECT {COLUMNS} FROM tenant_directory WHERE {subtree_clause('path')} "
            "ORDER BY path",
            subtree_params(path),
        )


class PostgresTenantDirectoryView(TenantDirectoryView, PostgresSqlView):
    pass


class SQLiteTenantDirectoryView(TenantDirectoryView, SQLiteSqlView):
    pass


class TenantDirectory(Projection[TenantDirectoryView]):
    name = "tenant_directory"
    topics = (get_topic(Tenant.Registered), get_topic(Tenant.Renamed))

    @singledispatchmethod
    def process_event(
        self, domain_event: DomainEventProtocol[object], tracking: Tracking
    ) -> None:
        """Ignore events this view does not need."""

    @process_event.register
    def _registered(self, e: Tenant.Registered, tracking: Tracking) -> None:
        self.view.register(
            {
                "path": e.path,  # type: ignore[attr-defined]
                "code": e.code,  # type: ignore[attr-defined]
                "name": e.name,  # type: ignore[attr-defined]
                "level": e.level,  # type: ignore[attr-defined]
                "kind": e.kind,  # type: ignore[attr-defined]
                "parent": e.parent,  # type: ignore[attr-defined]
                "depth": e.path.count("."),  # type: ignore[attr-defined]
                "registered_at": iso_moment(e.effective_at),  # type: ignore[attr-defined]
                "recorded_at": iso_moment(e.timestamp),
            },
            tracking,
        )

    @process_event.register
    def _renamed(self, e: Tenant.Renamed, tracking: Tracking) -> None:
        self.view.rename(e.tenant, e.name, tracking)  # type: ignore[attr-defined]
