"""The live stream's order: events and signed checkpoints, resumable from any frame.

Events come in log order; checkpoints in the order they were stored (their number,
projections/audit_checkpoints.py), each once the stream has passed the last event
it covers, however long after that it was signed. A frame's cursor holds both
places, ``<position>-<checkpoint number>``: every frame raises one of them and lowers
neither, so cursors are unique and strictly increasing, and a stream resumed from
any frame's cursor delivers exactly the messages after that frame: the events after
its position and the checkpoints numbered after its number (each of those a commit
made visible in order, so none appears later below a cursor already given).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.streams.cloudevents import CHECKPOINT_TYPE
from services.streams.feed import Feed, in_scope

CURSOR = re.compile(r"(0|[1-9][0-9]{0,18})(?:-(0|[1-9][0-9]{0,18}))?")
PAGE_EVENTS = 200


class CursorError(ValueError):
    """A Last-Event-ID that is not a cursor of this stream."""


@dataclass(frozen=True, order=True)
class Cursor:
    """Where a live stream stands: the log position it passed and the number of
    the last checkpoint it passed."""

    position: int
    checkpoint: int

    def __str__(self) -> str:
        return f"{self.position}-{self.checkpoint}"


@dataclass(frozen=True)
class Frame:
    event: dict[str, Any]
    cursor: Cursor


@dataclass
class LivePage:
    """The frames after a cursor, and where the next page starts."""

    frames: list[Frame] = field(default_factory=list)
    cursor: Cursor = Cursor(0, 0)


def start(feed: Feed, after: int, last_event_id: str | None = None) -> Cursor:
    """The cursor to follow from: the client's last frame id if it sent one
    (``<position>-<number>``; a bare position, as older streams sent, counts as
    ``after``), else log position ``after`` with the checkpoints covering events
    after it and every one signed since."""
    if last_event_id is not None:
        match = CURSOR.fullmatch(last_event_id.strip())
        if match is None:
            raise CursorError(last_event_id)
        position, number = match.groups()
        if number is not None:
            return Cursor(int(position), int(number))
        after = int(position)
    return Cursor(after, feed.audit.checkpoint_number_at(after))


def page(
    feed: Feed,
    scope: str | None,
    cursor: Cursor,
    types: Iterable[str] = (),
    limit: int = PAGE_EVENTS,
) -> LivePage:
    """Up to ``limit`` events after ``cursor`` merged with the checkpoints numbered
    after it whose events the page reaches, each frame with its cursor."""
    wanted = feed.wanted(types)
    scanned = feed.scan(scope, cursor.position, limit, wanted)
    last = scanned.next_after
    events = deque(scanned.events)
    position, number = cursor.position, cursor.checkpoint
    frames: list[Frame] = []

    def emit_events_upto(upto: int) -> None:
        nonlocal position
        while events and int(events[0]["sequence"]) <= upto:
            event = events.popleft()
            position = int(event["sequence"])
            frames.append(Frame(event, Cursor(position, number)))

    if not wanted or CHECKPOINT_TYPE in wanted:
        for row in feed.audit.checkpoints_after(number, limit):
            covered = row["position"]
            if covered is None or int(covered) > last:
                break  # its events first (or its leaf, while the view catches up)
            emit_events_upto(int(covered))
            position, number = max(position, int(covered)), int(row["seq"])
            if in_scope(row["tenant"], scope):
                frames.append(Frame(feed.checkpoint(row), Cursor(position, number)))
    emit_events_upto(last)
    return LivePage(frames, Cursor(last, number))
