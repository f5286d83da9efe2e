"""An inspection file's timeline: every event of every linked subject, in log order.

The subjects are the file itself and its links. A case, disclosure, staff or campaign
link is one aggregate, read by its primary key ``(originator_id, originator_version)``
with ``LIMIT``; a tenant link is the tenant's whole log, read from the audit view's
leaves by leaf index. The subjects are merged by log position, so the first page costs
the same whether a subject has ten events or a hundred thousand. The cursor holds, per
subject, the last version (or leaf) already shown.

Each entry carries the actor, the recorded time (the platform's clock), the effective
time (the act in the world), a ``backdated`` mark when the act was recorded on a later
day than it happened, and the state of its aggregate after it. States at a moment and
differences between two are in ``services.inspection.moments``.
"""

from __future__ import annotations

import base64
import heapq
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.cases.case import Case
from domain.disclosures.disclosure import Disclosure
from domain.errors import InvalidInputError
from domain.inspection.inspection_file import Inspection
from domain.ledger.leaf import Leaf
from domain.tenancy import Tenant, tenant_id
from domain.timeliness import local_date
from infra.subject_log import select_subject_events
from services.core.base import GongkaiApplication

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
SCAN_BUDGET = 5_000  # events examined per request at most (filters that match few)
_OWN_FIELDS = {
    "originator_id",
    "originator_version",
    "timestamp",
    "actor",
    "effective_at",
    "tenant",
    "originator_topic",
}


class CursorError(InvalidInputError):
    slug = "invalid-cursor"


TenantLog = Callable[[str, int, int], list[Notification]]
"""(tenant path, first leaf index, limit) → that tenant's events in log order."""


def tenant_log_of(view: Any) -> TenantLog:
    """A tenant's whole log, read from the audit view's leaves by leaf index."""

    def read(tenant: str, start: int, limit: int) -> list[Notification]:
        out = []
        for row in view.leaves_between(tenant, start, start + limit - 1):
            leaf = Leaf.decode(str(row["leaf_input"]).encode())
            out.append(
                Notification(
                    id=leaf.position,
                    originator_id=leaf.aggregate_id,
                    originator_version=leaf.version,
                    topic=leaf.event_type,
                    state=leaf.payload,
                )
            )
        return out

    return read


@dataclass(frozen=True)
class Subject:
    kind: str
    id: str
    tenant: str
    originator: UUID | None

    def public(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "tenant": self.tenant}


def subjects_of(inspection: Inspection) -> list[Subject]:
    """The file itself first, then its links. Staff and campaign ids that are not
    UUIDs name no aggregate (their registries are kept elsewhere): no events."""
    own = Subject("inspection", str(inspection.id), inspection.tenant, inspection.id)
    found = [own]
    for link in inspection.links:
        originator: UUID | None
        if link["kind"] == "tenant":
            originator = tenant_id(link["tenant"])
        else:
            try:
                originator = UUID(link["id"])
            except ValueError:
                originator = None
        found.append(Subject(link["kind"], link["id"], link["tenant"], originator))
    return found


# Cursor ------------------------------------------------------------------------------


def encode_cursor(versions: dict[UUID, int]) -> str:
    data = json.dumps({k.hex: v for k, v in versions.items() if v}, sort_keys=True)
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[UUID, int]:
    if not cursor:
        return {}
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return {UUID(k): int(v) for k, v in raw.items()}
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        raise CursorError(
            "cursor is not one this API gave out", field="cursor"
        ) from None


# Shapes ------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def state_of(aggregate: Any) -> dict[str, Any] | None:
    """A short, comparable summary of a subject's state."""
    if aggregate is None:
        return None
    state: dict[str, Any] = {"version": aggregate.version}
    if isinstance(aggregate, Case):
        state.update(
            state=aggregate.state.value,
            tenant=aggregate.tenant,
            handler=aggregate.handler,
            transferred_to=aggregate.transferred_to,
            result=aggregate.result,
            rating=aggregate.rating.value if aggregate.rating else None,
        )
    elif isinstance(aggregate, Disclosure):
        state.update(
            title=aggregate.title,
            category=aggregate.category,
            body=aggregate.body,
            published_on=aggregate.published_on.isoformat(),
            withdrawn=aggregate.withdrawn,
        )
    elif isinstance(aggregate, Tenant):
        state.update(name=aggregate.name, level=aggregate.level.value)
    elif isinstance(aggregate, Inspection):
        state.update(
            status=aggregate.status,
            links=len(aggregate.links),
            notes=len(aggregate.notes),
            findings=len(aggregate.findings),
            conclusion=aggregate.conclusion,
            reads=aggregate.reads,
        )
    return state


def effective_of(event: Any) -> datetime:
    value = getattr(event, "effective_at", None)
    return value if isinstance(value, datetime) else event.timestamp


def is_backdated(event: Any) -> bool:
    """Recorded on a later day (China time) than the act, or flagged by the rules."""
    if (getattr(event, "backdated_working_days", 0) or 0) > 0:
        return True
    return local_date(effective_of(event)) < local_date(event.timestamp)


def entry(event: Any, position: int, subject: Subject, state: Any) -> dict[str, Any]:
    data = {k: v for k, v in vars(event).items() if k not in _OWN_FIELDS}
    return {
        "position": position,
        "event_id": f"{event.originator_id}:{event.originator_version}",
        "subject": subject.public(),
        "type": type(event).__qualname__,
        "version": event.originator_version,
        "tenant": getattr(event, "tenant", subject.tenant),
        "actor": getattr(event, "actor", None),
        "recorded_at": event.timestamp.isoformat(),
        "effective_at": effective_of(event).isoformat(),
        "backdated": is_backdated(event),
        "backdated_working_days": getattr(event, "backdated_working_days", None),
        "data": jsonable(data),
        "state": state_of(state),
    }


def apply(aggregate: Any, event: Any) -> Any:
    """Evolve ``aggregate`` by ``event``, even past events left out by a filter."""
    if event.originator_version == 1:
        return event.mutate(None)
    if aggregate is None:  # created after the moment asked about
        return None
    aggregate.version = event.originator_version - 1
    return event.mutate(aggregate)


# The timeline ------------------------------------------------------------------------


class Stream:
    """One subject's events, a batch at a time: an aggregate by version, or (a
    tenant link, given the tenant's log) everything the tenant recorded, by leaf."""

    def __init__(
        self,
        app: GongkaiApplication,
        subject: Subject,
        after: int,
        tenant_log: TenantLog | None = None,
    ) -> None:
        self.app, self.subject = app, subject
        self.log = tenant_log if subject.kind == "tenant" else None
        self.after = after  # versions (or leaves) read from the store
        self.consumed = after  # versions (or leaves) merged into the timeline
        self.buffer: deque[Any] = deque()
        self.exhausted = subject.originator is None

    def head(self, batch: int) -> Any | None:
        if not self.buffer and not self.exhausted:
            assert self.subject.originator is not None
            if self.log is not None:
                rows = self.log(self.subject.tenant, self.after, batch)
                self.after += len(rows)
            else:
                rows = select_subject_events(
                    self.app.recorder,
                    self.subject.originator,
                    after_version=self.after,
                    limit=batch,
                )
                if rows:
                    self.after = rows[-1].originator_version
            self.buffer.extend(rows)
            self.exhausted = len(rows) < batch
        return self.buffer[0] if self.buffer else None

    def consume(self, notification: Any) -> None:
        self.consumed = (
            self.consumed + 1
            if self.log is not None
            else notification.originator_version
        )


@dataclass(frozen=True)
class Filters:
    subject: str | None = None
    event_type: str | None = None
    as_of: datetime | None = None
    known_at: datetime | None = None

    def admit(self, subject: Subject, event: Any) -> bool:
        if self.subject and self.subject not in (
            subject.id,
            str(subject.originator),
            getattr(event, "tenant", None),
            str(event.originator_id),
        ):
            return False
        name = type(event).__qualname__
        if self.event_type and self.event_type not in (name, name.rsplit(".", 1)[-1]):
            return False
        if self.known_at is not None and event.timestamp > self.known_at:
            return False
        return self.as_of is None or effective_of(event) <= self.as_of


def timeline_page(
    app: GongkaiApplication,
    inspection: Inspection,
    *,
    filters: Filters,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    tenant_log: TenantLog | None = None,
) -> dict[str, Any]:
    """One page of the merged timeline and the cursor of the next (None at the end).

    With ``tenant_log`` a tenant link brings everything its tenant recorded; an event
    reached through two subjects is shown once, under its own aggregate's link.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    seen = decode_cursor(cursor)
    subjects = sorted(subjects_of(inspection), key=lambda s: s.kind == "tenant")
    streams = [
        Stream(app, s, seen.get(s.originator, 0) if s.originator else 0, tenant_log)
        for s in subjects
    ]
    events: list[dict[str, Any]] = []
    live: dict[UUID, Any] = {}  # subject state, kept current once loaded
    last = -1
    for scanned, (stream, notification) in enumerate(merged(streams, limit), 1):
        stream.consume(notification)
        if notification.id == last:  # the same event through a second subject
            continue
        last = notification.id
        event = app.mapper.to_domain_event(notification)
        oid = notification.originator_id
        wanted = filters.admit(stream.subject, event)
        if oid in live:
            live[oid] = apply(live[oid], event)
        elif wanted:
            before = (
                app.repository.get(oid, version=event.originator_version - 1)
                if event.originator_version > 1
                else None
            )
            live[oid] = apply(before, event)
        if wanted:
            events.append(entry(event, notification.id, stream.subject, live[oid]))
        if len(events) >= limit or scanned >= SCAN_BUDGET:
            break
    for stream in streams:  # duplicates of the last event shown are shown already
        while stream.buffer and stream.buffer[0].id == last:
            stream.consume(stream.buffer.popleft())
    more = any(s.buffer or not s.exhausted for s in streams)
    versions = {
        s.subject.originator: s.consumed for s in streams if s.subject.originator
    }
    return {
        "events": events,
        "next_cursor": encode_cursor(versions) if more else None,
    }


def merged(streams: list[Stream], batch: int) -> Iterator[tuple[Stream, Any]]:
    """The streams' events in log order (by notification id)."""
    heap: list[tuple[int, int]] = []
    for i, s in enumerate(streams):
        head = s.head(batch)
        if head is not None:
            heapq.heappush(heap, (head.id, i))
    while heap:
        _, i = heapq.heappop(heap)
        stream = streams[i]
        notification = stream.buffer.popleft()
        yield stream, notification
        head = stream.head(batch)
        if head is not None:
            heapq.heappush(heap, (head.id, i))
