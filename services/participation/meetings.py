"""座谈会, 项目审查会 and 听证: the book's commands and what it shows (the console
and the API with every opinion's state; the public board the reviews, opinions and
answers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from domain.access import Principal, Role, require_read, require_role
from domain.participation.meetings import (
    DEFAULT_ANSWER_WORKING_DAYS,
    MeetingBook,
    book_id,
)
from domain.timeliness import local_date
from services.core.base import Changed, GongkaiApplication, recorded


class Meetings:
    """Records a tenant's meetings with the public and its answers to their
    opinions, through an application on the store."""

    def __init__(self, app: GongkaiApplication) -> None:
        self.app = app
        self.answer_days = DEFAULT_ANSWER_WORKING_DAYS

    def _book(
        self, principal: Principal, path: str
    ) -> tuple[MeetingBook, dict[str, Any]]:
        """The tenant's book (started if none) for a clerk or admin of it."""
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        self.app.tenant(path)
        stamp: dict[str, Any] = {
            "actor": principal.actor(),
            "effective_at": self.app.now(),
        }
        found = self.app._get(book_id(path), MeetingBook)
        return found or MeetingBook(tenant=path, **stamp), stamp

    def _save(self, book: MeetingBook) -> Changed:
        position = self.app._commit(book)
        return Changed(book.id, book.version, position)

    def hold(
        self,
        principal: Principal,
        path: str,
        *,
        number: str,
        kind: str,
        held_on: date,
        subject: str,
        attendees: Sequence[Mapping[str, Any]],
        opinions: Sequence[str],
    ) -> Changed:
        """Record a meeting held, with its attendees and numbered opinions."""
        with recorded(self.app):
            book, stamp = self._book(principal, path)
            book.hold(
                number=number,
                kind=kind,
                held_on=held_on,
                subject=subject,
                attendees=attendees,
                opinions=opinions,
                today=local_date(self.app.now()),
                **stamp,
            )
        return self._save(book)

    def answer(
        self,
        principal: Principal,
        path: str,
        number: str,
        opinion: int,
        *,
        verdict: str,
        reason: str,
        answered_on: date | None = None,
    ) -> Changed:
        """The unit's answer to one opinion (today unless ``answered_on``)."""
        today = local_date(self.app.now())
        with recorded(self.app):
            book, stamp = self._book(principal, path)
            book.answer(
                number=number,
                opinion=opinion,
                verdict=verdict,
                reason=reason,
                answered_on=answered_on or today,
                today=today,
                **stamp,
            )
        return self._save(book)

    def attach_minutes(
        self, principal: Principal, path: str, number: str, *, sha256: str, name: str
    ) -> Changed:
        """The minutes by the sha256 of the file."""
        with recorded(self.app):
            book, stamp = self._book(principal, path)
            book.attach_minutes(number=number, sha256=sha256, name=name, **stamp)
        return self._save(book)

    def known(self, path: str, number: str) -> bool:
        """Whether the tenant's book holds meeting ``number``."""
        found = self.app._get(book_id(path), MeetingBook)
        return found is not None and found.has(number)

    def listing(self, path: str, kinds: Sequence[str] | None = None) -> dict[str, Any]:
        """The meetings (of ``kinds``), each opinion with its state and whether it
        is overdue by the working-day calendar."""
        found = self.app._get(book_id(path), MeetingBook)
        today = local_date(self.app.now())
        calendar = self.app.calendar()
        meetings = [
            m.to_dict(today, calendar, self.answer_days)
            for m in (found.meetings() if found else [])
            if kinds is None or m.kind in kinds
        ]
        return {
            "tenant": path,
            "today": today.isoformat(),
            "answer_working_days": self.answer_days,
            "meetings": meetings,
            "overdue": sum(m["overdue"] for m in meetings),
            "version": found.version if found else 0,
        }

    def book(self, principal: Principal, path: str) -> dict[str, Any]:
        """Every meeting, for staff who may read the tenant."""
        require_read(principal, path)
        self.app.tenant(path)
        return self.listing(path)

    def public(self, path: str) -> list[dict[str, Any]]:
        """The 项目审查会 as the public board shows them: subject, day, attendance,
        opinions and answers (the minutes' hash too; no staff)."""
        found: list[dict[str, Any]] = self.listing(path, ("project_review",))[
            "meetings"
        ]
        return found
