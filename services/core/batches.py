"""Batches of the log for the views: the batched runner and log walks (the rebuild:
services/platform/rebuild.py).

``process_batch`` is the one place a view commits a batch (``SqlView.batch``: every
handler and the first and last tracking positions in one transaction); the audit log's
counterpart is ``AuditView.append_many`` (``append_leaves`` in
services/platform/followers.py).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.projection import (
    BaseProjectionRunner,
    Projection,
    ProjectionRunner,
)

from infra.batching import batches
from infra.pgfactory import SharedPoolPostgresFactory
from projections.sql import SqlView
from services.core.base import GongkaiApplication

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
    apply_decoded(
        projection, name, [(n, DECODED.get(mapper, n)) for n in notifications]
    )


Decoded = tuple[Any, Any]  # a stored notification and its domain event


class DecodeCache:
    """Recently decoded events, shared by the followers of one process.

    The views and the audit follower each read the same notifications at about the
    same time; decoding (JSON and transcoding) is their biggest Python cost, so the
    first to get there decodes for all. Domain events are immutable. The key holds
    the stored bytes, so two stores in one process (tests, restore) never share an
    entry unless the stored event is byte for byte the same."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._entries: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def get(self, mapper: Any, n: Any) -> Any:
        key = (n.id, n.originator_id, n.originator_version, n.topic, n.state)
        found = self._entries.get(key)
        if found is not None:
            return found
        event = mapper.to_domain_event(n)
        with self._lock:
            if len(self._entries) >= self.size:
                # Oldest first (dicts keep insertion order): drop the older half.
                for old in list(self._entries)[: self.size // 2]:
                    self._entries.pop(old, None)
            self._entries[key] = event
        return event


DECODED = DecodeCache()


def decoded(app: GongkaiApplication, notifications: Sequence[Any]) -> list[Decoded]:
    """Each notification with its event, decoded once for every view."""
    mapper = app.mapper
    return [(n, DECODED.get(mapper, n)) for n in notifications]


def apply_decoded(
    projection: Projection[Any], name: str, events: Sequence[Decoded]
) -> None:
    """``process_batch`` of events already decoded."""
    if not events:
        return
    view: SqlView = projection.view
    first, last = events[0][0].id, events[-1][0].id
    prepare = getattr(projection, "prepare", None)
    with view.batch(Tracking(name, first), Tracking(name, last)):
        if prepare is not None:  # a projection's reads for the batch, at once
            prepare([event for _, event in events])
        for n, event in events:
            projection.process_event(event, Tracking(name, n.id))


class BatchingProjectionRunner(ProjectionRunner[Any, Any]):
    """The library's runner, but a catching-up view commits a batch of events per
    transaction (infra/batching.py) instead of one."""

    def __init__(
        self,
        *,
        batch_limit: int,
        application_class: type[Any],
        projection_class: type[Projection[Any]],
        view_class: type[Any],
        env: Any = None,
    ) -> None:
        self.batch_limit = batch_limit  # read by the processing thread
        # As the library's ProjectionRunner, but the view's factory is kept, to
        # give back its share of the process's PostgreSQL pool on exit (the
        # library drops it, so the shared pool would never close).
        self._view_factory = InfrastructureFactory[Any].construct(
            env=self._construct_env(name=projection_class.name, env=env)
        )
        self.view = self._view_factory.tracking_recorder(view_class)
        self.projection = projection_class(view=self.view)
        BaseProjectionRunner.__init__(
            self,
            projection=self.projection,
            application_class=application_class,
            tracking_recorder=self.view,
            topics=self.projection.topics,
            env=env,
        )

    def __exit__(self, *args: Any) -> None:
        try:
            super().__exit__(*args)
        finally:
            # Only the shared pool's share: a SQLite view's connections are left to
            # the library, as before (once, in CI, a SQLite runner's query crashed
            # the interpreter while a platform's runners stopped; not reproduced).
            if isinstance(self._view_factory, SharedPoolPostgresFactory):
                self._view_factory.close()

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


def topic_counts(app: GongkaiApplication) -> dict[str, int]:
    """Stored events per topic, counted by the database (a rebuild's totals)."""
    recorder = app.recorder
    table = recorder.events_table_name
    sql = f"SELECT topic, COUNT(*) AS count FROM {table} GROUP BY topic"
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(sql)
        rows = curs.fetchall()
    return {row_value(r, 0, "topic"): int(row_value(r, 1, "count")) for r in rows}


def row_value(row: Any, index: int, key: str) -> Any:
    """A column of a dict row (psycopg's dict_row) or a tuple/sqlite3.Row."""
    return row[key] if isinstance(row, dict) else row[index]


def len_log(app: GongkaiApplication, topics: tuple[str, ...]) -> int:
    return sum(len(b) for b in iter_log(app, topics, 5000))
