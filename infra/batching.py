"""Take from a log subscription in batches: whatever it already holds, without waiting.

eventsourcing's ``ListenNotifySubscription`` (PostgreSQL's, and our polling SQLite
one) pulls pages of up to 500 notifications in a background thread and hands them
out one at a time. A follower that commits one transaction per notification spends
its time on round trips and fsyncs; ``batches()`` blocks for the first notification
only, then takes the rest of that page and any pages already queued, up to
``limit``. So a follower that is behind commits big batches, and one that keeps up
commits each new event as soon as it arrives (a batch of one): batching adds no
latency.

It reads two private attributes of ``ListenNotifySubscription`` (the current page
and the index into it) and its queue, as of eventsourcing 9.5.6 (pinned).
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import ListenNotifySubscription, Notification

try:  # the library's own back-port on Python < 3.13
    from eventsourcing.persistence import ShutDown  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python >= 3.13
    from queue import ShutDown  # type: ignore[attr-defined,no-redef]

DEFAULT_LIMIT = 2000


def batches(
    subscription: Any, limit: int = DEFAULT_LIMIT
) -> Iterator[list[Notification]]:
    """Lists of notifications from ``subscription``, each non-empty, in log order."""
    for first in subscription:
        batch: list[Notification] = [first]
        if isinstance(subscription, ListenNotifySubscription):
            batch.extend(_held(subscription, limit - 1))
        yield batch


def _held(sub: Any, limit: int) -> list[Notification]:
    """Up to ``limit`` notifications the subscription holds already."""
    out: list[Notification] = []
    while len(out) < limit and not sub._has_been_stopped:
        page, index = sub._notifications, sub._notifications_index
        if index < len(page):
            take = page[index : index + limit - len(out)]
            out.extend(take)
            sub._notifications_index = index + len(take)
            continue
        try:
            page = sub._notifications_queue.get_nowait()
        except (queue.Empty, ShutDown):
            break
        sub._notifications_queue.task_done()
        sub._notifications, sub._notifications_index = page, 0
    return out
