"""A tenant's numbered document series (编号管理): one per kind of document.

A number is taken only when a document is issued (签发), strictly in order within a
calendar year (China time, by the issue date the service passes in); a number is
voided (作废) only with a reason, and the voided document stays on record. No event
removes a number, so the issued numbers of a year are always 1..n; ``gongkai audit
verify`` re-checks that from the raw store (services/audit/verify_numbers.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.documents.numbering import check_code, first_gap, wenhao
from domain.errors import ConflictError, InvalidInputError, NotFoundError

# kind → label; the label is what the supervisor reads and the 文种 of the title.
KINDS = {
    "bulletin": "通报",
    "notice": "公示",
    "rectification": "整改通知",
    "levy": "征收通知书",
}


class UnknownDocumentKindError(InvalidInputError):
    slug = "unknown-document-kind"


class SeriesNotFoundError(NotFoundError):
    slug = "series-not-found"


class SeriesExistsError(ConflictError):
    slug = "series-exists"


class AlreadyNumberedError(ConflictError):
    """The document already carries a number (a document is issued once)."""

    slug = "already-numbered"


class NumberNotIssuedError(NotFoundError):
    slug = "number-not-issued"


class AlreadyVoidedError(ConflictError):
    slug = "already-voided"


class IssueOrderError(ConflictError):
    """An issue dated before the series' last issue: numbers follow time."""

    slug = "issue-order"


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UnknownDocumentKindError(
            f"{kind!r} is not one of {', '.join(KINDS)}", field="kind"
        )
    return kind


def series_id(tenant: str, kind: str) -> UUID:
    """A tenant has one series per kind."""
    return uuid5(NAMESPACE_URL, f"gongkai:document-series:{tenant}:{kind}")


def check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("a voided number needs a reason", field="reason")
    return reason


class DocumentSeries(GongkaiAggregate):
    """The 文号 of one kind of document a tenant issues, year by year."""

    @staticmethod
    def create_id(tenant: str, kind: str, **_: Any) -> UUID:
        return series_id(tenant, kind)

    @classmethod
    def open(
        cls, *, tenant: str, kind: str, code: str, actor: dict[str, str]
    ) -> DocumentSeries:
        """Requires a known kind and a 机关代字 (``check_code``)."""
        return cls(
            tenant=tenant, kind=check_kind(kind), code=check_code(code), actor=actor
        )

    @event("Opened")
    def __init__(
        self, tenant: str, kind: str, code: str, actor: dict[str, str]
    ) -> None:
        self.tenant, self.kind, self.code = tenant, kind, code
        self.opened_by = actor
        # One dict per number, in order: year, number, subject, title, issued_on,
        # by, and once voided ``voided`` = {reason, on, by}.
        self.numbers: list[dict[str, Any]] = []

    # Reading -------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    def of_year(self, year: int) -> list[dict[str, Any]]:
        return [n for n in self.numbers if n["year"] == year]

    def years(self) -> list[int]:
        return sorted({int(n["year"]) for n in self.numbers})

    def for_subject(self, subject: dict[str, str]) -> dict[str, Any] | None:
        """The number issued to ``subject`` (e.g. a campaign's 通报), if any."""
        return next((n for n in self.numbers if n["subject"] == subject), None)

    def wenhao(self, entry: dict[str, Any]) -> str:
        return wenhao(self.code, int(entry["year"]), int(entry["number"]))

    def summary(self, year: int) -> dict[str, Any]:
        """A supervisor's line: numbers issued and voided in ``year``, the first gap
        (always None: nothing removes a number)."""
        entries = self.of_year(year)
        return {
            "year": year,
            "issued": len(entries),
            "voided": sum(1 for n in entries if n.get("voided")),
            "last": max((int(n["number"]) for n in entries), default=0),
            "first_gap": first_gap(int(n["number"]) for n in entries),
        }

    # Commands ------------------------------------------------------------------------

    def issue(
        self,
        *,
        subject: dict[str, str],
        title: str,
        issued_on: date,
        actor: dict[str, str],
    ) -> dict[str, Any]:
        """签发: the next number of ``issued_on``'s year. Requires a subject not yet
        numbered and a date not before the last issue (numbers follow time)."""
        if self.for_subject(subject) is not None:
            raise AlreadyNumberedError(f"{subject} already has a number")
        if self.numbers and issued_on < self.numbers[-1]["issued_on"]:
            raise IssueOrderError(
                f"the last number was issued on {self.numbers[-1]['issued_on']}; "
                f"a number cannot be issued on {issued_on}"
            )
        year = issued_on.year
        self._issued(
            tenant=self.tenant,
            year=year,
            number=len(self.of_year(year)) + 1,
            subject=dict(subject),
            title=title,
            issued_on=issued_on,
            actor=actor,
        )
        return self.numbers[-1]

    @event("NumberIssued")
    def _issued(
        self,
        tenant: str,
        year: int,
        number: int,
        subject: dict[str, str],
        title: str,
        issued_on: date,
        actor: dict[str, str],
    ) -> None:
        self.numbers.append(
            {
                "year": year,
                "number": number,
                "subject": subject,
                "title": title,
                "issued_on": issued_on,
                "by": actor,
                "voided": None,
            }
        )

    def void(
        self, *, year: int, number: int, reason: str, on: date, actor: dict[str, str]
    ) -> None:
        """作废: requires an issued, not yet voided number and a reason; the
        document and its number stay on record, marked voided."""
        entry = next((n for n in self.of_year(year) if n["number"] == number), None)
        if entry is None:
            raise NumberNotIssuedError(
                f"{wenhao(self.code, year, max(number, 1))} was not issued",
                field="number",
            )
        if entry["voided"]:
            raise AlreadyVoidedError(f"{self.wenhao(entry)} is already voided")
        self._voided(
            tenant=self.tenant,
            year=year,
            number=number,
            reason=check_reason(reason),
            voided_on=on,
            actor=actor,
        )

    @event("NumberVoided")
    def _voided(
        self,
        tenant: str,
        year: int,
        number: int,
        reason: str,
        voided_on: date,
        actor: dict[str, str],
    ) -> None:
        for entry in self.numbers:
            if entry["year"] == year and entry["number"] == number:
                entry["voided"] = {"reason": reason, "on": voided_on, "by": actor}
