"""Inspection files (纪检监察核查档案): what a discipline-inspection office looks into.

A file lives in the inspector's own tenant. It is opened with a subject (the first
linked thing: a tenant, case, disclosure, staff member or campaign) and a basis (依据:
the complaint, the superior's instruction); further subjects are linked as the inquiry
widens, always inside the inspector's subtree. Notes, findings and a conclusion with
closure complete it. Every read of the file is itself an event (``Read``), so the file's
own history shows who looked at what, and when.

Public methods check the rules; the private ``@event`` bodies only assign.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.base import GongkaiAggregate, stored_as
from domain.cases.checks import check_tenant_path
from domain.errors import (
    ConflictError,
    GongkaiError,
    InconsistentInputError,
    InvalidInputError,
    NotFoundError,
)
from domain.tenancy import is_within

Actor = dict[str, str]

MAX_BASIS_LENGTH = 2_000
MAX_TEXT_LENGTH = 10_000
MAX_SUBJECT_ID_LENGTH = 200
MAX_LINKS = 500
MAX_DETAIL_ITEMS = 10  # a read records at most this many parameters,
MAX_DETAIL_KEY = 40
MAX_DETAIL_VALUE = 200  # each cut to this length (cursors can be long)


class InspectionError(GongkaiError):
    """Root of inspection-file errors."""


class InspectionNotFoundError(InspectionError, NotFoundError):
    slug = "inspection-not-found"


class InspectionClosedError(InspectionError, ConflictError):
    slug = "inspection-closed"
    title = "The inspection file is closed"


class AlreadyLinkedError(InspectionError, ConflictError):
    slug = "already-linked"


class SubjectOutOfScopeError(InspectionError, NotFoundError):
    """A subject outside the inspector's subtree answers as if it did not exist."""

    slug = "subject-not-found"


class SubjectKind(StrEnum):
    TENANT = "tenant"
    CASE = "case"
    DISCLOSURE = "disclosure"
    STAFF = "staff"
    CAMPAIGN = "campaign"


class ReadKind(StrEnum):
    """What an access event says was read."""

    FILE = "file"
    TIMELINE = "timeline"
    DIFF = "diff"
    EVIDENCE = "evidence"
    REPORT = "report"


SUBJECT_KINDS = tuple(k.value for k in SubjectKind)


def parse_subject_kind(value: str) -> SubjectKind:
    try:
        return SubjectKind(value.strip())
    except ValueError:
        allowed = ", ".join(k.value for k in SubjectKind)
        raise InvalidInputError(
            f"unknown subject kind {value!r}; use one of {allowed}", field="kind"
        ) from None


def check_text(text: str, field: str, limit: int = MAX_TEXT_LENGTH) -> str:
    trimmed = text.strip() if isinstance(text, str) else ""
    if not trimmed or len(trimmed) > limit:
        raise InvalidInputError(
            f"{field} must have 1 to {limit} characters", field=field
        )
    return trimmed


def make_link(
    kind: str, subject_id: str | None, tenant: str, home: str
) -> dict[str, Any]:
    """A checked link ``{kind, id, tenant}``. Requires ``tenant`` within ``home``;
    a tenant link's id is its path."""
    parsed = parse_subject_kind(kind)
    path = check_tenant_path(tenant, "tenant")
    if not is_within(path, home):
        raise SubjectOutOfScopeError(
            f"tenant {path!r} not found under {home!r}", field="tenant"
        )
    if parsed is SubjectKind.TENANT:
        if subject_id not in (None, "", path):
            raise InconsistentInputError(
                "a tenant link's id is the tenant's path", field="id"
            )
        return {"kind": parsed.value, "id": path, "tenant": path}
    text = (subject_id or "").strip()
    if not text or len(text) > MAX_SUBJECT_ID_LENGTH:
        raise InconsistentInputError(
            f"a {parsed.value} link's id has 1 to {MAX_SUBJECT_ID_LENGTH} characters",
            field="id",
        )
    if parsed in (SubjectKind.CASE, SubjectKind.DISCLOSURE):
        try:
            text = str(UUID(text))
        except ValueError:
            raise InconsistentInputError(
                f"a {parsed.value} link's id is a UUID, not {text!r}", field="id"
            ) from None
    return {"kind": parsed.value, "id": text, "tenant": path}


@stored_as("domain.inspection")  # its stored name (docs/events.md)
class Inspection(GongkaiAggregate):
    """One inspection file with its subjects, notes, findings and reads."""

    @classmethod
    def open(
        cls,
        *,
        tenant: str,
        subject: dict[str, Any],
        basis: str,
        actor: Actor,
        effective_at: datetime,
        inspection_id: UUID | None = None,
    ) -> Inspection:
        """立案: requires the subject inside ``tenant``'s subtree and a basis."""
        home = check_tenant_path(tenant, "tenant")
        link = make_link(
            str(subject.get("kind", "")),
            subject.get("id"),
            str(subject.get("tenant", "")),
            home,
        )
        return cls(
            id=inspection_id or uuid4(),
            tenant=home,
            subject=link,
            basis=check_text(basis, "basis", MAX_BASIS_LENGTH),
            actor=actor,
            effective_at=effective_at,
        )

    @event("Opened")
    def __init__(
        self,
        id: UUID,
        tenant: str,
        subject: dict[str, Any],
        basis: str,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.tenant = tenant
        self.subject = subject
        self.basis = basis
        self.opened_by = actor
        self.links: list[dict[str, Any]] = [subject]
        self.notes: list[dict[str, Any]] = []
        self.findings: list[dict[str, Any]] = []
        self.conclusion: str | None = None
        self.closed = False
        self.reads = 0

    @property
    def status(self) -> str:
        return "closed" if self.closed else "open"

    def _require_open(self) -> None:
        if self.closed:
            raise InspectionClosedError(f"inspection {self.id} is closed")

    def link(
        self,
        *,
        kind: str,
        subject_id: str | None,
        tenant: str,
        actor: Actor,
        effective_at: datetime,
    ) -> dict[str, Any]:
        """Add a subject from the file's subtree; each subject once."""
        self._require_open()
        link = make_link(kind, subject_id, tenant, self.tenant)
        if any(
            ln["kind"] == link["kind"] and ln["id"] == link["id"] for ln in self.links
        ):
            raise AlreadyLinkedError(
                f"{link['kind']} {link['id']} is already linked", field="id"
            )
        if len(self.links) >= MAX_LINKS:
            raise InvalidInputError(f"at most {MAX_LINKS} subjects", field="id")
        self._linked(
            tenant=self.tenant, link=link, actor=actor, effective_at=effective_at
        )
        return link

    @event("Linked")
    def _linked(
        self, tenant: str, link: dict[str, Any], actor: Actor, effective_at: datetime
    ) -> None:
        self.links.append(link)

    def note(self, *, text: str, actor: Actor, effective_at: datetime) -> None:
        """A working note (工作记录)."""
        self._require_open()
        self._noted(
            tenant=self.tenant,
            text=check_text(text, "text"),
            actor=actor,
            effective_at=effective_at,
        )

    @event("NoteAdded")
    def _noted(
        self, tenant: str, text: str, actor: Actor, effective_at: datetime
    ) -> None:
        self.notes.append({"text": text, "by": actor["id"], "at": effective_at})

    def find(self, *, text: str, actor: Actor, effective_at: datetime) -> None:
        """A finding (查明的问题)."""
        self._require_open()
        self._found(
            tenant=self.tenant,
            text=check_text(text, "text"),
            actor=actor,
            effective_at=effective_at,
        )

    @event("FindingRecorded")
    def _found(
        self, tenant: str, text: str, actor: Actor, effective_at: datetime
    ) -> None:
        self.findings.append({"text": text, "by": actor["id"], "at": effective_at})

    def close(self, *, conclusion: str, actor: Actor, effective_at: datetime) -> None:
        """结案 with a conclusion (核查结论); a closed file stays readable."""
        self._require_open()
        self._closed(
            tenant=self.tenant,
            conclusion=check_text(conclusion, "conclusion"),
            actor=actor,
            effective_at=effective_at,
        )

    @event("Closed")
    def _closed(
        self, tenant: str, conclusion: str, actor: Actor, effective_at: datetime
    ) -> None:
        self.conclusion = conclusion
        self.closed = True

    def record_read(
        self,
        *,
        what: ReadKind | str,
        detail: dict[str, str],
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        """Record that ``actor`` read part of the file (also once closed)."""
        try:
            kind = ReadKind(what)
        except ValueError:
            raise InvalidInputError(f"unknown read {what!r}", field="what") from None
        kept = {
            str(k)[:MAX_DETAIL_KEY]: str(v)[:MAX_DETAIL_VALUE]
            for k, v in list(detail.items())[:MAX_DETAIL_ITEMS]
        }
        self._read(
            tenant=self.tenant,
            what=kind.value,
            detail=kept,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Read")
    def _read(
        self,
        tenant: str,
        what: str,
        detail: dict[str, str],
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        self.reads += 1
