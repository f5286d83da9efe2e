"""社会监督员: the register's commands and what it shows (the console, the API and,
names only, the public board); the count of the supervisors' opinions."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.access import Principal, Role, require_read, require_role
from domain.participation.supervisors import SupervisorRegister, register_id
from domain.timeliness import local_date
from projections.cases import CaseView
from services.core.base import Changed, GongkaiApplication, recorded

OPINION_KIND = "supervisor_opinion"


class Supervisors:
    """Appoints and dismisses a tenant's social supervisors, through an
    application on the store (no application, no pool share of its own)."""

    def __init__(self, app: GongkaiApplication) -> None:
        self.app = app

    def appoint(
        self,
        principal: Principal,
        path: str,
        *,
        number: str,
        name: str,
        category: str,
        term_from: date,
        term_to: date,
    ) -> Changed:
        """聘请 by the tenant's clerk or admin."""
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        self.app.tenant(path)
        stamp = {"actor": principal.actor(), "effective_at": self.app.now()}
        existing = self.app._get(register_id(path), SupervisorRegister)
        with recorded(self.app):
            register = existing or SupervisorRegister(tenant=path, **stamp)
            register.appoint(
                number=number,
                name=name,
                category=category,
                term_from=term_from,
                term_to=term_to,
                **stamp,
            )
        position = self.app._commit(register)
        return Changed(register.id, register.version, position)

    def dismiss(
        self,
        principal: Principal,
        path: str,
        *,
        number: str,
        reason: str,
        dismissed_on: date | None = None,
    ) -> Changed:
        """解聘, today unless ``dismissed_on`` says otherwise."""
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        self.app.tenant(path)
        register = self.app._get(register_id(path), SupervisorRegister)
        stamp = {"actor": principal.actor(), "effective_at": self.app.now()}
        if register is None:
            register = SupervisorRegister(tenant=path, **stamp)  # refuses: none
        with recorded(self.app):
            register.dismiss(
                number=number,
                reason=reason,
                dismissed_on=dismissed_on or local_date(self.app.now()),
                **stamp,
            )
        position = self.app._commit(register)
        return Changed(register.id, register.version, position)

    def register(self, principal: Principal, path: str) -> dict[str, Any]:
        """Every appointment, and the numbers of those in office today."""
        require_read(principal, path)
        self.app.tenant(path)
        found = self.app._get(register_id(path), SupervisorRegister)
        today = local_date(self.app.now())
        entries = found.supervisors() if found else []
        return {
            "tenant": path,
            "today": today.isoformat(),
            "supervisors": [
                {**s.to_dict(), "current": s.current(today)} for s in entries
            ],
            "current": sum(1 for s in entries if s.current(today)),
            "version": found.version if found else 0,
        }

    def public_names(self, path: str) -> list[dict[str, str]]:
        """The current supervisors as the public board lists them: number, name,
        category; nothing else."""
        found = self.app._get(register_id(path), SupervisorRegister)
        today = local_date(self.app.now())
        return [
            {
                "number": s.number,
                "name": s.name,
                "category": s.to_dict()["category_label"],
            }
            for s in (found.current(today) if found else [])
        ]


def opinion_count(view: CaseView, path: str, year: int) -> int:
    """The supervisors' opinions (cases of their own kind) received in ``year``."""
    rows = view._query(  # the case view's own table
        "SELECT COUNT(*) AS n FROM case_cards WHERE tenant = ? AND kind = ? "
        "AND received_on >= ? AND received_on <= ?",
        [path, OPINION_KIND, f"{year}-01-01", f"{year}-12-31"],
    )
    return int(rows[0]["n"])
