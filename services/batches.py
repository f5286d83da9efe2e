"""Batches of the log for the views: the batched runner, rebuild pages, log walks.

``process_batch`` is the one place a view commits a batch (``SqlView.batch``: every
handler and the first and last tracking positions in one transaction); the audit log's
counterpart is ``AuditView.append_many`` (services/runtime.py ``append_leaves``).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection, ProjectionRunner

from infra.batching import batches
from projections.sql import SqlView
from services.base import GongkaiApplication

log = logging.getLogger("gongkai.runtime")


def apply_batch(
    projection: Projection[Any], app: GongkaiApplication, notifications: Sequence[Any]
) -> None:
    """Process notifications (in log order) into ``projection``'s view in one
    transaction, with the tracking positions of the first and the last."""
    if not notifications:
        return
    process_batch(projection, app.mapper, app.name, notifications)


def process_batch(
    projection: Projection[Any], mapper: Any, name: str, notifications: Sequence[Any]
) -> None:
    """The one place a view commits a batch: every event's handler, and the
    tracking positions of the first and last, in one transaction."""
    view: SqlView = projection.view
    first, last = notifications[0].id, notifications[-1].id
    with view.batch(Tracking(name, first), Tracking(name, last)):
        for n in notifications:
            projection.process_event(mapper.to_domain_event(n), Tracking(name, n.id))


class BatchingProjectionRunner(ProjectionRunner[Any, Any]):
    """The library's runner, but a catching-up view commits a batch of events per
    transaction (infra/batching.py) instead of one."""

    def __init__(self, *, batch_limit: int, **kwargs: Any) -> None:
        self.batch_limit = batch_limit  # read by the processing thread
        super().__init__(**kwargs)

    @staticmethod
    def _process_events_loop(  # type: ignore[override]
        subscription: Any,
        projection: Projection[Any],
        is_stopping: threading.Event,
        runner: weakref.ReferenceType[Any],
    ) -> None:
        try:
            mapper, name = subscription.mapper, subscription.name
            owner = runner()
            limit = owner.batch_limit if owner is not None else 1
            del owner  # keep only the weak reference
            for notifications in batches(subscription.subscription, limit):
                process_batch(projection, mapper, name, notifications)
        except BaseException as e:
            owner = runner()
            if owner is not None:
                owner._thread_error = e
            else:  # pragma: no cover
                log.exception("projection runner gone before its error was kept")
        finally:
            is_stopping.set()


def iter_log(
    app: GongkaiApplication, topics: tuple[str, ...], batch: int
) -> Iterator[list[Any]]:
    start = 0
    while True:
        notifications = list(
            app.recorder.select_notifications(
                start=start, limit=batch, topics=topics, inclusive_of_start=False
            )
        )
        if not notifications:
            return
        yield notifications
        start = notifications[-1].id


def len_log(app: GongkaiApplication, topics: tuple[str, ...]) -> int:
    return sum(len(b) for b in iter_log(app, topics, 5000))
