"""Every subject of an inspection file as it stood at a moment, and what changed
between two moments (bitemporal: effective by ``as_of``, recorded by ``known_at``).

Each subject is replayed from its first event, a batch at a time, applying the events
that were known and in effect then, in version order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.errors import InvalidInputError
from domain.inspection.inspection_file import Inspection
from infra.subject_log import select_subject_events
from services.core.base import GongkaiApplication
from services.inspection.timeline import (
    apply,
    effective_of,
    is_backdated,
    state_of,
    subjects_of,
)

REPLAY_BATCH = 1_000
MAX_DIFF_EVENTS = 200


Moment = tuple[datetime, datetime]  # (as_of: effective by, known_at: recorded by)


def replay(
    app: GongkaiApplication, originator: UUID | None, moments: list[Moment]
) -> tuple[list[Any], list[tuple[int, Any]]]:
    """The subject as it stood at each moment (effective by ``as_of``, recorded by
    ``known_at``), and every event read with its position, a batch at a time."""
    states: list[Any] = [None] * len(moments)
    seen: list[tuple[int, Any]] = []
    if originator is None:
        return states, seen
    after = 0
    latest = max(known for _, known in moments)
    while True:
        rows = select_subject_events(
            app.recorder, originator, after_version=after, limit=REPLAY_BATCH
        )
        for n in rows:
            event: Any = app.mapper.to_domain_event(n)
            if event.timestamp > latest:
                return states, seen
            seen.append((n.id, event))
            for i, (as_of, known_at) in enumerate(moments):
                if event.timestamp <= known_at and effective_of(event) <= as_of:
                    states[i] = apply(states[i], event)
        if len(rows) < REPLAY_BATCH:
            return states, seen
        after = rows[-1].originator_version


def states_at(
    app: GongkaiApplication, inspection: Inspection, as_of: datetime, known_at: datetime
) -> list[dict[str, Any]]:
    """Every subject as it stood effective ``as_of``, as the platform knew it at
    ``known_at``."""
    out = []
    for subject in subjects_of(inspection):
        (state,), _ = replay(app, subject.originator, [(as_of, known_at)])
        out.append({**subject.public(), "state": state_of(state)})
    return out


def diff(
    app: GongkaiApplication, inspection: Inspection, start: datetime, end: datetime
) -> dict[str, Any]:
    """What changed from ``start`` to ``end``: per subject, the fields that differ
    and the events recorded in between (at most MAX_DIFF_EVENTS each)."""
    if end < start:
        raise InvalidInputError("to must not be before from", field="to")
    changes = []
    for subject in subjects_of(inspection):
        (before, after), seen = replay(
            app, subject.originator, [(start, start), (end, end)]
        )
        old, new = state_of(before), state_of(after)
        between = [(position, e) for position, e in seen if start < e.timestamp <= end]
        if old == new and not between:
            continue
        fields = {
            k: {"from": (old or {}).get(k), "to": (new or {}).get(k)}
            for k in sorted(set(old or {}) | set(new or {}))
            if (old or {}).get(k) != (new or {}).get(k)
        }
        changes.append(
            {
                **subject.public(),
                "before": old,
                "after": new,
                "fields": fields,
                "events": [
                    {
                        "position": position,
                        "event_id": f"{e.originator_id}:{e.originator_version}",
                        "type": type(e).__qualname__,
                        "recorded_at": e.timestamp.isoformat(),
                        "effective_at": effective_of(e).isoformat(),
                        "backdated": is_backdated(e),
                    }
                    for position, e in between[:MAX_DIFF_EVENTS]
                ],
                "events_total": len(between),
            }
        )
    return {"from": start.isoformat(), "to": end.isoformat(), "changes": changes}
