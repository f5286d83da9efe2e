"""Disclosures (公开事项): what a tenant made public, when, and every later change."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.base import GongkaiAggregate, stored_as
from domain.disclosures.catalogue import Channel, parse_channel
from domain.errors import (
    AlreadyWithdrawnError,
    InconsistentInputError,
    InvalidDateError,
    InvalidInputError,
    ReasonRequiredError,
    UnknownChannelError,
)
from domain.timeliness import MAX_REASON_LENGTH, Backdating, Timeliness, local_date

MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 50_000
MAX_ATTACHMENTS = 50
MAX_ATTACHMENT_BYTES = 2 * 1024**3
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Attachment:
    """A published file, known by its digest (the bytes live elsewhere)."""

    sha256: str
    name: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "name": self.name, "size": self.size}


def check_title(title: str) -> str:
    trimmed = title.strip()
    if not trimmed or len(trimmed) > MAX_TITLE_LENGTH:
        raise InvalidInputError(
            f"title must have 1 to {MAX_TITLE_LENGTH} characters", field="title"
        )
    return trimmed


def check_body(body: str) -> str:
    if not body.strip():
        raise InvalidInputError("body must not be empty", field="body")
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidInputError(
            f"body has {len(body)} characters; at most {MAX_BODY_LENGTH} are allowed "
            "(put long documents in attachments)",
            field="body",
        )
    return body


def check_channels(channels: Sequence[str]) -> list[str]:
    """Parse codes or Chinese labels; requires at least one, no repeats."""
    if not channels:
        raise InvalidInputError("name at least one channel", field="channels")
    parsed: list[Channel] = []
    for text in channels:
        try:
            channel = parse_channel(text)
        except UnknownChannelError as e:
            raise UnknownChannelError(e.detail, field="channels") from None
        if channel not in parsed:
            parsed.append(channel)
    return [c.value for c in parsed]


def check_attachments(attachments: Sequence[Attachment]) -> list[dict[str, Any]]:
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInputError(
            f"at most {MAX_ATTACHMENTS} attachments", field="attachments"
        )
    for i, a in enumerate(attachments):
        where = f"attachments[{i}]"
        if not SHA256_PATTERN.fullmatch(a.sha256):
            raise InvalidInputError(
                "sha256 must be 64 lower-case hex digits", field=f"{where}.sha256"
            )
        if not a.name.strip() or len(a.name) > 255:
            raise InvalidInputError("name must have 1 to 255 characters", field=where)
        if not 0 <= a.size <= MAX_ATTACHMENT_BYTES:
            raise InvalidInputError("size out of range", field=f"{where}.size")
    return [a.to_dict() for a in attachments]


def check_reason(reason: str, action: str) -> str:
    trimmed = reason.strip()
    if not trimmed:
        raise ReasonRequiredError(f"a reason is required to {action}", field="reason")
    if len(trimmed) > MAX_REASON_LENGTH:
        raise InvalidInputError(
            f"reason must have at most {MAX_REASON_LENGTH} characters", field="reason"
        )
    return trimmed


EARLIEST_DAY = date(2000, 1, 1)


def check_dates(formed_on: date, published_on: date) -> None:
    """Requires 2000-01-01 <= formed_on <= published_on."""
    if formed_on < EARLIEST_DAY:
        raise InvalidDateError(
            f"formed_on {formed_on} is before {EARLIEST_DAY}", field="formed_on"
        )
    if formed_on > published_on:
        raise InvalidDateError(
            f"formed_on {formed_on} is after published_on {published_on}",
            field="formed_on",
        )


def check_after_publication(effective_at: datetime, published_on: date) -> None:
    """A later act cannot take effect before the item went public."""
    if local_date(effective_at) < published_on:
        raise InvalidDateError(
            f"effective_at {local_date(effective_at)} is before the item was published "
            f"({published_on})",
            field="effective_at",
        )


@stored_as("domain.disclosure")  # its stored name (docs/events.md)
class Disclosure(GongkaiAggregate):
    """One item of information a tenant made public (公开事项)."""

    @classmethod
    def publish(
        cls,
        *,
        tenant: str,
        category: str,
        title: str,
        body: str,
        channels: Sequence[str],
        formed_on: date,
        published_on: date,
        attachments: Sequence[Attachment],
        timeliness: Timeliness,
        backdating: Backdating,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> Disclosure:
        """Validate the item; the caller has checked the category and reckoned time."""
        check_dates(formed_on, published_on)
        return cls(
            id=uuid4(),
            tenant=tenant,
            category=category,
            title=check_title(title),
            body=check_body(body),
            channels=check_channels(channels),
            formed_on=formed_on,
            published_on=published_on,
            due_on=timeliness.due_on,
            working_days_late=timeliness.working_days_late,
            attachments=check_attachments(attachments),
            actor=actor,
            effective_at=effective_at,
            backdated_working_days=backdating.working_days,
            backdating_reason=backdating.reason,
        )

    @event("Published")
    def __init__(
        self,
        id: UUID,
        tenant: str,
        category: str,
        title: str,
        body: str,
        channels: list[str],
        formed_on: date,
        published_on: date,
        due_on: date,
        working_days_late: int,
        attachments: list[dict[str, Any]],
        actor: dict[str, str],
        effective_at: datetime,
        backdated_working_days: int,
        backdating_reason: str | None,
    ) -> None:
        self.tenant = tenant
        self.category = category
        self.title = title
        self.body = body
        self.channels = channels
        self.formed_on = formed_on
        self.published_on = published_on
        self.due_on = due_on
        self.working_days_late = working_days_late
        self.attachments = attachments
        self.withdrawn = False
        self.withdrawn_for_personal_data = False
        self._acted(effective_at, backdated_working_days, backdating_reason)

    def _acted(self, effective_at: datetime, days: int, reason: str | None) -> None:
        """Remember the last act's effective time and back-dating (event bodies)."""
        self.effective_at = effective_at
        self.backdated_working_days = days
        self.backdating_reason = reason

    def revise(
        self,
        *,
        reason: str,
        title: str | None,
        body: str | None,
        channels: Sequence[str] | None,
        category: str | None,
        attachments: Sequence[Attachment] | None,
        backdating: Backdating,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """Correct the item (更正); the earlier version stays in history."""
        if self.withdrawn:
            raise AlreadyWithdrawnError(f"disclosure {self.id} was withdrawn")
        check_after_publication(effective_at, self.published_on)
        text = check_reason(reason, "revise")
        changes: dict[str, Any] = {
            "title": None if title is None else check_title(title),
            "body": None if body is None else check_body(body),
            "channels": None if channels is None else check_channels(channels),
            "category": category,
            "attachments": None
            if attachments is None
            else check_attachments(attachments),
        }
        current = {
            "title": self.title,
            "body": self.body,
            "channels": self.channels,
            "category": self.category,
            "attachments": self.attachments,
        }
        changes = {
            k: v for k, v in changes.items() if v is not None and v != current[k]
        }
        if not changes:
            raise InconsistentInputError("the revision changes nothing", field="body")
        self._revised(
            tenant=self.tenant,
            reason=text,
            title=changes.get("title"),
            body=changes.get("body"),
            channels=changes.get("channels"),
            category=changes.get("category"),
            attachments=changes.get("attachments"),
            actor=actor,
            effective_at=effective_at,
            backdated_working_days=backdating.working_days,
            backdating_reason=backdating.reason,
        )

    @event("Revised")
    def _revised(
        self,
        tenant: str,
        reason: str,
        title: str | None,
        body: str | None,
        channels: list[str] | None,
        category: str | None,
        attachments: list[dict[str, Any]] | None,
        actor: dict[str, str],
        effective_at: datetime,
        backdated_working_days: int,
        backdating_reason: str | None,
    ) -> None:
        if title is not None:
            self.title = title
        if body is not None:
            self.body = body
        if channels is not None:
            self.channels = channels
        if category is not None:
            self.category = category
        if attachments is not None:
            self.attachments = attachments
        self._acted(effective_at, backdated_working_days, backdating_reason)

    def withdraw(
        self,
        *,
        reason: str,
        backdating: Backdating,
        actor: dict[str, str],
        effective_at: datetime,
        personal_data: bool = False,
    ) -> None:
        """Take the item down (撤回); it stays in history. ``personal_data``: the
        grounds are that it discloses personal data (涉及个人隐私), so its content
        is withheld from the streams and lists from then on (docs/events.md)."""
        if self.withdrawn:
            raise AlreadyWithdrawnError(f"disclosure {self.id} is already withdrawn")
        check_after_publication(effective_at, self.published_on)
        self._withdrawn(
            tenant=self.tenant,
            reason=check_reason(reason, "withdraw"),
            actor=actor,
            effective_at=effective_at,
            backdated_working_days=backdating.working_days,
            backdating_reason=backdating.reason,
            personal_data=personal_data,
        )

    @event("Withdrawn")
    def _withdrawn(
        self,
        tenant: str,
        reason: str,
        actor: dict[str, str],
        effective_at: datetime,
        backdated_working_days: int,
        backdating_reason: str | None,
        personal_data: bool,
    ) -> None:
        self.withdrawn = True
        self.withdrawn_for_personal_data = personal_data
        self._acted(effective_at, backdated_working_days, backdating_reason)


def _upcast_withdrawn_v1_v2(state: dict[str, Any]) -> None:
    """v1 had no grounds: a withdrawal recorded before them withheld nothing."""
    state["personal_data"] = False


# Withdrawn v2 adds personal_data (the grounds 涉及个人隐私).
_WITHDRAWN: Any = getattr(Disclosure, "Withdrawn")  # noqa: B009 - made by @event
_WITHDRAWN.class_version = 2
_WITHDRAWN.upcast_v1_v2 = staticmethod(_upcast_withdrawn_v1_v2)
