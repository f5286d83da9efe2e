"""The staff list: badge number, name, post, roles, partner and state of each."""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.people.signin import Outcome, SignIn
from domain.people.staff import Staffer
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
    "staff_id, username, county, number, tenant, name, post, roles, partner, active,"
    " activated, registered_at, last_sign_in_at, version"
)
SIGN_IN_COLUMNS = ("username", "tenant", "at", "outcome", "address", "jti")


class StaffView(SqlView):
    tables = ("staff_list", "staff_sign_ins")
    tracking_table_name = "staff_list_tracking"
    ddl = (
        "CREATE TABLE IF NOT EXISTS staff_list (staff_id TEXT PRIMARY KEY,"
        " username TEXT NOT NULL UNIQUE, county TEXT NOT NULL, number TEXT NOT NULL,"
        " tenant TEXT NOT NULL, name TEXT NOT NULL, post TEXT NOT NULL,"
        " roles TEXT NOT NULL, partner TEXT, active INTEGER NOT NULL,"
        " activated INTEGER NOT NULL, registered_at TEXT NOT NULL,"
        " last_sign_in_at TEXT, version INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS staff_list_tenant ON staff_list (tenant, number)",
        "CREATE TABLE IF NOT EXISTS staff_sign_ins (position INTEGER PRIMARY KEY,"
        " username TEXT NOT NULL, tenant TEXT NOT NULL, at TEXT NOT NULL,"
        " outcome TEXT NOT NULL, address TEXT NOT NULL, jti TEXT)",
        "CREATE INDEX IF NOT EXISTS staff_sign_ins_username"
        " ON staff_sign_ins (username, position)",
    )

    def register(self, row: Row, tracking: Tracking) -> None:
        names = [c.strip() for c in COLUMNS.split(",")]
        with self._write(tracking) as curs:
            self._exec(
                curs,
                f"INSERT INTO staff_list ({COLUMNS}) VALUES "
                f"({','.join('?' for _ in names)})",
                [row[c] for c in names],
            )

    def change(
        self, key: str, value: str, values: dict[str, Any], tracking: Tracking
    ) -> None:
        """Set ``values`` (column → value) on the row whose ``key`` is ``value``."""
        with self._write(tracking) as curs:
            if values:
                assignments = ", ".join(f"{column} = ?" for column in values)
                self._exec(
                    curs,
                    f"UPDATE staff_list SET {assignments} WHERE {key} = ?",
                    [*values.values(), value],
                )

    def attempt(self, row: Row, tracking: Tracking) -> None:
        """Record one sign-in attempt; a success is the staffer's last sign-in."""
        with self._write(tracking) as curs:
            self._exec(
                curs,
                "INSERT INTO staff_sign_ins (position, username, tenant, at, outcome,"
                " address, jti) VALUES (?,?,?,?,?,?,?)",
                [tracking.notification_id, *(row[c] for c in SIGN_IN_COLUMNS)],
            )
            if row["outcome"] == Outcome.SUCCEEDED.value:
                self._exec(
                    curs,
                    "UPDATE staff_list SET last_sign_in_at = ? WHERE username = ?",
                    [row["at"], row["username"]],
                )

    def sign_ins(self, username: str, limit: int) -> list[Row]:
        """The staffer's latest attempts, newest first."""
        return self._query(
            "SELECT position, at, outcome, address FROM staff_sign_ins"
            " WHERE username = ? ORDER BY position DESC LIMIT ?",
            [username, limit],
        )

    def list(self, path: str, *, descendants: bool, active: bool | None) -> list[Row]:
        where = subtree_clause() if descendants else "tenant = ?"
        params: list[Any] = subtree_params(path) if descendants else [path]
        if active is not None:
            where += " AND active = ?"
            params.append(int(active))
        rows = self._query(
            f"SELECT {COLUMNS} FROM staff_list WHERE {where} ORDER BY tenant, number",
            params,
        )
        for row in rows:
            row["roles"] = json.loads(row["roles"])
            row["active"], row["activated"] = (
                bool(row["active"]),
                bool(row["activated"]),
            )
        return rows

    def names(self, county: str, numbers: list[str]) -> dict[str, str]:
        """Badge number → name, for numbers of one county."""
        if not numbers:
            return {}
        marks = ",".join("?" for _ in numbers)
        rows = self._query(
            f"SELECT number, name FROM staff_list WHERE county = ? AND number IN "
            f"({marks})",
            [county, *numbers],
        )
        return {r["number"]: r["name"] for r in rows}


class PostgresStaffView(StaffView, PostgresSqlView):
    pass


class SQLiteStaffView(StaffView, SQLiteSqlView):
    pass


class StaffProjection(Projection[StaffView]):
    name = "staff_list"
    topics = (
        get_topic(Staffer.Registered),
        get_topic(Staffer.Updated),
        get_topic(Staffer.Deactivated),
        get_topic(Staffer.Reactivated),
        get_topic(Staffer.Activated),
        get_topic(Staffer.ActivationIssued),
        get_topic(Staffer.TokenRevoked),
        get_topic(SignIn.Attempted),
    )

    @singledispatchmethod
    def process_event(
        self, domain_event: DomainEventProtocol[object], tracking: Tracking
    ) -> None:
        """Ignore events this view does not need."""

    @process_event.register
    def _registered(self, e: Staffer.Registered, tracking: Tracking) -> None:
        self.view.register(
            {
                "staff_id": str(e.originator_id),
                "username": e.username,  # type: ignore[attr-defined]
                "county": e.county,  # type: ignore[attr-defined]
                "number": e.number,  # type: ignore[attr-defined]
                "tenant": e.tenant,  # type: ignore[attr-defined]
                "name": e.name,  # type: ignore[attr-defined]
                "post": e.post,  # type: ignore[attr-defined]
                "roles": dumps(e.roles),  # type: ignore[attr-defined]
                "partner": e.partner,  # type: ignore[attr-defined]
                "active": 1,
                "activated": 0,
                "registered_at": iso_moment(e.effective_at),  # type: ignore[attr-defined]
                "last_sign_in_at": None,
                "version": e.originator_version,
            },
            tracking,
        )

    @process_event.register
    def _updated(self, e: Staffer.Updated, tracking: Tracking) -> None:
        self._change(
            e,
            tracking,
            name=e.name,  # type: ignore[attr-defined]
            post=e.post,  # type: ignore[attr-defined]
            roles=dumps(e.roles),  # type: ignore[attr-defined]
            partner=e.partner,  # type: ignore[attr-defined]
        )

    @process_event.register
    def _deactivated(self, e: Staffer.Deactivated, tracking: Tracking) -> None:
        self._change(e, tracking, active=0)

    @process_event.register
    def _reactivated(self, e: Staffer.Reactivated, tracking: Tracking) -> None:
        self._change(e, tracking, active=1)

    @process_event.register
    def _activated(self, e: Staffer.Activated, tracking: Tracking) -> None:
        self._change(e, tracking, activated=1)

    @process_event.register
    def _reissued(self, e: Staffer.ActivationIssued, tracking: Tracking) -> None:
        self._change(e, tracking, activated=0)

    @process_event.register
    def _revoked(self, e: Staffer.TokenRevoked, tracking: Tracking) -> None:
        self._change(e, tracking)

    @process_event.register
    def _attempted(self, e: SignIn.Attempted, tracking: Tracking) -> None:
        self.view.attempt(
            {
                "username": e.username,  # type: ignore[attr-defined]
                "tenant": e.tenant,  # type: ignore[attr-defined]
                "at": iso_moment(e.timestamp),
                "outcome": e.outcome,  # type: ignore[attr-defined]
                "address": e.address,  # type: ignore[attr-defined]
                "jti": e.jti,  # type: ignore[attr-defined]
            },
            tracking,
        )

    def _change(self, e: Any, tracking: Tracking, **values: Any) -> None:
        values["version"] = e.originator_version
        self.view.change("staff_id", str(e.originator_id), values, tracking)
