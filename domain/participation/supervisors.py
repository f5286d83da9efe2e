"""社会监督员 (行风监督员): the citizens a unit appoints to watch its work.

One register per tenant (考核办法第八条: 聘请社会监督员). Appointment and dismissal
are events; the register keeps each supervisor's public number, name (as the unit
publishes it), category and term. No phone number or other contact is taken: the
public board lists the current supervisors by name, and nothing here needs to be
kept from it. Their opinions are cases of the kind ``supervisor_opinion``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import (
    ConflictError,
    InconsistentInputError,
    InvalidInputError,
    NotFoundError,
)

CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "deputy": "人大代表",
        "member": "政协委员",
        "business": "企业负责人",
        "resident": "居民代表",
        "other": "其他",
    }
)
MAX_NAME = 40
MAX_NUMBER = 20


def register_id(tenant: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:supervisors:{tenant}")


def parse_category(text: str) -> str:
    """The code of a category given as its code or its Chinese label."""
    key = (text or "").strip()
    for code, label in CATEGORIES.items():
        if key in (code, label):
            return code
    allowed = "、".join(CATEGORIES.values())
    raise InvalidInputError(
        f"unknown category {text!r}; use one of {allowed}", field="category"
    )


def _short(text: str, field: str, most: int) -> str:
    value = (text or "").strip()
    if not value or len(value) > most:
        raise InvalidInputError(f"{field} needs 1 to {most} characters", field=field)
    return value


@dataclass(frozen=True)
class Supervisor:
    """One appointment as the register holds it."""

    number: str
    name: str
    category: str
    term_from: date
    term_to: date
    dismissed_on: date | None = None
    dismissal_reason: str | None = None

    def current(self, today: date) -> bool:
        """In office on ``today``: within the term and not dismissed by then."""
        dismissed = self.dismissed_on is not None and self.dismissed_on <= today
        return self.term_from <= today <= self.term_to and not dismissed

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "category": self.category,
            "category_label": CATEGORIES[self.category],
            "term_from": self.term_from.isoformat(),
            "term_to": self.term_to.isoformat(),
            "dismissed_on": None
            if self.dismissed_on is None
            else self.dismissed_on.isoformat(),
            "dismissal_reason": self.dismissal_reason,
        }


class SupervisorRegister(GongkaiAggregate):
    """A tenant's register of social supervisors."""

    @staticmethod
    def create_id(tenant: str, **_: Any) -> UUID:
        return register_id(tenant)

    @event("Started")
    def __init__(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.tenant = tenant
        self._entries: dict[str, dict[str, Any]] = {}

    def appoint(
        self,
        *,
        number: str,
        name: str,
        category: str,
        term_from: date,
        term_to: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """聘请: a new public number (never reused), a name, a category and a term
        of at most five years."""
        code = _short(number, "number", MAX_NUMBER)
        if code in self._entries:
            raise ConflictError(f"supervisor number {code} is taken", field="number")
        if term_to < term_from or (term_to - term_from).days > 5 * 366:
            raise InconsistentInputError(
                "the term ends after it starts, within five years", field="term_to"
            )
        self._appointed(
            tenant=self.tenant,
            number=code,
            name=_short(name, "name", MAX_NAME),
            category=parse_category(category),
            term_from=term_from,
            term_to=term_to,
            actor=actor,
            effective_at=effective_at,
        )

    def dismiss(
        self,
        *,
        number: str,
        reason: str,
        dismissed_on: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """解聘 before the term ends, with a reason; once."""
        found = self._entries.get(number)
        if found is None:
            raise NotFoundError(f"no supervisor number {number}", field="number")
        if found["dismissed_on"] is not None:
            raise ConflictError("this supervisor was dismissed", field="number")
        if dismissed_on < found["term_from"]:
            raise InconsistentInputError(
                "a dismissal falls within the term", field="dismissed_on"
            )
        self._dismissed(
            tenant=self.tenant,
            number=number,
            reason=_short(reason, "reason", 200),
            dismissed_on=dismissed_on,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Appointed")
    def _appointed(
        self,
        tenant: str,
        number: str,
        name: str,
        category: str,
        term_from: date,
        term_to: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._entries = {
            **self._entries,
            number: {
                "name": name,
                "category": category,
                "term_from": term_from,
                "term_to": term_to,
                "dismissed_on": None,
                "reason": None,
            },
        }

    @event("Dismissed")
    def _dismissed(
        self,
        tenant: str,
        number: str,
        reason: str,
        dismissed_on: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        entry = {**self._entries[number], "dismissed_on": dismissed_on}
        self._entries = {**self._entries, number: {**entry, "reason": reason}}

    def supervisors(self) -> list[Supervisor]:
        """Every appointment, by number."""
        return [
            Supervisor(
                number=n,
                name=e["name"],
                category=e["category"],
                term_from=e["term_from"],
                term_to=e["term_to"],
                dismissed_on=e["dismissed_on"],
                dismissal_reason=e["reason"],
            )
            for n, e in sorted(self._entries.items())
        ]

    def current(self, today: date) -> list[Supervisor]:
        """Those in office on ``today``."""
        return [s for s in self.supervisors() if s.current(today)]
