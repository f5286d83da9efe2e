"""限期治理: the plans' commands and what they show (staff and the public board
alike: the seed has the bureau publish units, tasks, deadlines and acceptance
results)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.access import Principal, Role, require_read, require_role
from domain.errors import InconsistentInputError
from domain.participation.remediation import RemediationBook, book_id
from domain.timeliness import local_date
from services.core.base import Changed, GongkaiApplication, recorded
from services.participation.meetings import Meetings


class Remediation:
    """A tenant's 限期治理 plans, through an application on the store; the
    consultation names a meeting of the tenant's meeting book."""

    def __init__(self, app: GongkaiApplication, meetings: Meetings) -> None:
        self.app = app
        self.meetings = meetings

    def _book(
        self, principal: Principal, path: str
    ) -> tuple[RemediationBook, dict[str, Any]]:
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        self.app.tenant(path)
        stamp: dict[str, Any] = {
            "actor": principal.actor(),
            "effective_at": self.app.now(),
        }
        found = self.app._get(book_id(path), RemediationBook)
        return found or RemediationBook(tenant=path, **stamp), stamp

    def _save(self, book: RemediationBook) -> Changed:
        position = self.app._commit(book)
        return Changed(book.id, book.version, position)

    def _day(self, day: date | None, field: str) -> date:
        """``day`` (today if none), never after today."""
        today = local_date(self.app.now())
        if day is not None and day > today:
            raise InconsistentInputError(f"{field} is not after today", field=field)
        return day or today

    def plan(
        self,
        principal: Principal,
        path: str,
        *,
        number: str,
        unit: str,
        tasks: Sequence[str],
        deadline: date,
        planned_on: date | None = None,
    ) -> Changed:
        with recorded(self.app):
            book, stamp = self._book(principal, path)
            book.plan(
                number=number,
                unit=unit,
                tasks=tasks,
                deadline=deadline,
                planned_on=self._day(planned_on, "planned_on"),
                **stamp,
            )
        return self._save(book)

    def consult(
        self, principal: Principal, path: str, number: str, *, meeting: str
    ) -> Changed:
        with recorded(self.app):
            book, stamp = self._book(principal, path)
            book.consult(
                number=number,
                meeting=meeting,
                meeting_known=self.meetings.known(path, meeting),
                **stamp,
            )
        return self._save(book)

    def supervise(
        self,
        principal: Principal,
        path: str,
        number: str,
        *,
        note: str,
        noted_on: date | None = None,
    ) -> Changed:
        with recorded(self.app):
            book, stamp = self._book(principal, path)
            book.supervise(
                number=number,
                noted_on=self._day(noted_on, "noted_on"),
                note=note,
                **stamp,
            )
        return self._save(book)

    def accept(
        self,
        principal: Principal,
        path: str,
        number: str,
        *,
        result: str,
        note: str,
        accepted_on: date | None = None,
    ) -> Changed:
        with recorded(self.app):
            book, stamp = self._book(principal, path)
            book.accept(
                number=number,
                accepted_on=self._day(accepted_on, "accepted_on"),
                result=result,
                note=note,
                **stamp,
            )
        return self._save(book)

    def listing(self, path: str) -> dict[str, Any]:
        """Every plan with its state, acceptance result and whether overdue."""
        found = self.app._get(book_id(path), RemediationBook)
        today = local_date(self.app.now())
        plans = [p.to_dict(today) for p in (found.plans() if found else [])]
        return {
            "tenant": path,
            "today": today.isoformat(),
            "plans": plans,
            "overdue": sum(1 for p in plans if p["overdue"]),
            "version": found.version if found else 0,
        }

    def book(self, principal: Principal, path: str) -> dict[str, Any]:
        require_read(principal, path)
        self.app.tenant(path)
        return self.listing(path)
