"""The rows of the case views: their columns, how a case and its events become rows,
and how rows read back (JSON text, flags, statistical facts)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from domain.cases.case import Case
from domain.cases.rules import SUGGESTION_KINDS, CaseKind, CaseState
from domain.cases.stats import CaseFacts
from domain.workdays import WorkingDayCalendar
from projections.sql import Row, iso_day, iso_moment

CARD_COLUMNS = (
    "id",
    "tenant",
    "kind",
    "channel",
    "category",
    "summary",
    "state",
    "signed",
    "applicant_ref",
    "received_on",
    "accepted_on",
    "resolved_on",
    "replied_on",
    "completed_on",
    "due_on",
    "paused",
    "handler",
    "backup_handler",
    "department",
    "rating",
    "reopen_count",
    "erased",
    "parent_case",
    "links",
    "supervised_by",
    "allowed_actions",
    "version",
    "position",
    "filed_at",
    "updated_at",
    "working_days_to_resolve",
    "location",
    "attachments",
)
_DR = CaseKind.DISCLOSURE_REQUEST.value
_BY_REPLY = frozenset({_DR, *(k.value for k in SUGGESTION_KINDS)})
CARD_JSON = ("links", "supervised_by", "allowed_actions", "location", "attachments")
CARD_FLAGS = ("signed", "erased", "paused")
EVENT_COLUMNS = (
    "case_id",
    "version",
    "position",
    "event",
    "tenant",
    "actor",
    "effective_at",
    "recorded_at",
    "details",
    "state",
    "due_on",
    "received_on",
    "facts",
)
EVENT_JSON = ("actor", "details")
COLUMN_TYPES = {
    "signed": "INTEGER NOT NULL",
    "paused": "INTEGER NOT NULL",
    "erased": "INTEGER NOT NULL",
    "reopen_count": "INTEGER NOT NULL",
    "version": "INTEGER NOT NULL",
    "position": "BIGINT NOT NULL",
    "working_days_to_resolve": "INTEGER",
}
NOT_DETAILS = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "tenant",
        "actor",
        "effective_at",
    }
)


def table_ddl(name: str, columns: tuple[str, ...], key: str) -> str:
    cols = ", ".join(f"{c} {COLUMN_TYPES.get(c, 'TEXT')}" for c in columns)
    return f"CREATE TABLE IF NOT EXISTS {name} ({cols}, PRIMARY KEY ({key}))"


def plain(value: Any) -> Any:
    """Dates, UUIDs and enums as JSON-ready text, recursively."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def decode_card(row: Row) -> Row:
    out = dict(row)
    for c in CARD_JSON:
        out[c] = json.loads(out[c]) if out.get(c) else None
    for c in CARD_FLAGS:
        out[c] = bool(out[c])
    return out


def decode_event(row: Row) -> Row:
    out = {c: row[c] for c in EVENT_COLUMNS if c not in ("facts", "received_on")}
    for c in EVENT_JSON:
        out[c] = json.loads(out[c]) if out.get(c) else None
    return out


def facts_of(row: Row) -> CaseFacts:
    """The statistical facts of a card (or of a ``facts`` snapshot of one)."""
    rejected = row["state"] == CaseState.REJECTED.value
    accepted = False if rejected else (True if row["accepted_on"] else None)
    return CaseFacts(
        kind=row["kind"],
        channel=row["channel"],
        signed=bool(row["signed"]),
        received_on=date.fromisoformat(row["received_on"]),
        accepted=accepted,
        rejected=rejected,
        resolved_on=day_of(completed_day(row)),
        due_on=day_of(row["due_on"]),
        replied=row["replied_on"] is not None,
        rating=row["rating"],
        working_days_to_resolve=row["working_days_to_resolve"],
    )


FACT_KEYS = (
    "kind",
    "channel",
    "signed",
    "received_on",
    "accepted_on",
    "state",
    "resolved_on",
    "due_on",
    "replied_on",
    "rating",
    "working_days_to_resolve",
)


def completed_day(row: Row) -> str | None:
    """The day the timed duty was met, from a card or a ``facts`` snapshot (which
    holds no ``completed_on``): a disclosure request's reply (条例第三十三条 times
    the 答复), any other case's resolution. ``Case.completed_on`` is the rule."""
    by_reply = row["kind"] in _BY_REPLY
    done: str | None = row["replied_on" if by_reply else "resolved_on"]
    return done


def day_of(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def case_card(case: Case, calendar: WorkingDayCalendar, tracking: Tracking) -> Row:
    """The card of ``case`` as rebuilt at one version."""
    deadline = case.deadline(calendar)
    completed_on = case.completed_on
    rating = case.rating
    return {
        "id": str(case.id),
        "tenant": case.tenant,
        "kind": case.kind.value,
        "channel": case.channel.value,
        "category": case.category,
        "summary": case.summary,
        "state": case.state.value,
        "signed": int(case.signed),
        "applicant_ref": case.applicant_ref,
        "received_on": iso_day(case.received_on),
        "accepted_on": iso_day(case.accepted_on),
        "resolved_on": iso_day(case.resolved_on),
        "replied_on": iso_day(case.replied_on),
        "completed_on": iso_day(completed_on),
        "due_on": iso_day(deadline.due_on),
        "paused": int(deadline.paused),
        "handler": case.handler,
        "backup_handler": case.backup_handler,
        "department": case.department,
        "rating": None if rating is None else rating.value,
        "reopen_count": case.reopen_count,
        "erased": int(case.erased),
        "parent_case": None if case.parent_case is None else str(case.parent_case),
        "links": plain(case.links),
        "supervised_by": [
            {"supervisor": s["supervisor"], "due_on": iso_day(s["due_on"])}
            for s in case.supervised_by
        ],
        "allowed_actions": list(case.allowed_actions()),
        "version": case.version,
        "position": tracking.notification_id,
        "filed_at": iso_moment(case.created_on),
        "updated_at": iso_moment(case.modified_on),
        # Counted to the timed duty met, as the statistics read it (facts_of).
        "working_days_to_resolve": None
        if completed_on is None
        else calendar.working_days_between(case.received_on, completed_on),
        "location": None if case.location is None else dict(case.location),
        "attachments": list(case.attachments),
    }


def event_row(e: Any, card: Row, tracking: Tracking) -> Row:
    details = {k: plain(v) for k, v in vars(e).items() if k not in NOT_DETAILS}
    if details.get("answer_category", "") is None:  # Resolved v2, not a request
        details.pop("answer_category")
        details.pop("answer_reason", None)
    if details.get("location", "") is None and details.get("attachments") == []:
        details.pop("location")  # Filed v2 with neither: as v1's details were
        details.pop("attachments")
    return {
        "case_id": str(e.originator_id),
        "version": e.originator_version,
        "position": tracking.notification_id,
        "event": type(e).__name__,
        "tenant": e.tenant,
        "actor": e.actor,
        "effective_at": iso_moment(e.effective_at),
        "recorded_at": iso_moment(e.timestamp),
        "details": details,
        "state": card["state"],
        "due_on": card["due_on"],
        "received_on": card["received_on"],
        "facts": {k: card[k] for k in FACT_KEYS},
    }
