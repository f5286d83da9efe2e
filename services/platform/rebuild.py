"""A full rebuild of every view and the audit log: one pass over the log per worker.

The views are dropped and created empty, then replayed from the log in pages
(``REBUILD_PAGE`` events, one transaction per view and page with its tracking
position, so a page commits with its rows or not at all: exactly once, as a live
catch-up). Each event is decoded once per pass for every view of the pass.

On PostgreSQL, past ``PROCESSES_FROM`` events, the views are split into groups
(``GROUPS``: the audit log, the disclosure view, the others) and each group
replays in a process of its own: a view's Python (decoding, the case rules, the
Merkle hashing) no longer waits on one interpreter lock, and each process reads
only its views' topics. Measured in docs/performance.md (projection rebuild).
SQLite has one writer: there the groups run in turn, in this process.
"""

from __future__ import annotations

import logging
import multiprocessing
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import Environment

from projections.audit import leaf_from
from projections.cases import CaseProjection
from projections.sql import SqlView
from services.core.base import APP_NAME, GongkaiApplication
from services.core.batches import apply_decoded, topic_counts
from services.core.views import AUDIT, AUDIT_NAME, PROJECTIONS, ProjectionSpec
from services.streams.cloudevents import stored_event_classes

log = logging.getLogger("gongkai.runtime")

REBUILD_PAGE = 5000
"""Events per page: one transaction per view and page (bounded memory: a page's
events and rows)."""
PROCESSES_FROM = 50_000
"""Events in the log from which a PostgreSQL rebuild runs its groups in processes
(below, starting them costs more than it saves)."""
GROUPS: tuple[tuple[str, ...], ...] = (
    tuple(spec.name for spec in PROJECTIONS if spec.name != "disclosures"),
    ("disclosures",),
    (AUDIT_NAME,),
)
"""Which views replay together (one pass, one process): about equal shares of a
province's rebuild (bench/province.py)."""
IDLE_IN_TRANSACTION_S = "300"
"""A rebuild worker's idle-in-transaction timeout (the library's default is 5 s):
a page's transaction waits while the worker computes that page's rows (seconds
under load), and nothing else writes the views meanwhile."""

Progress = Callable[[str, int, int], None]
SPECS: dict[str, ProjectionSpec] = {
    **{spec.name: spec for spec in PROJECTIONS},
    AUDIT_NAME: AUDIT,
}


@dataclass(frozen=True)
class Replay:
    """What one pass replays: the views by name and the log it reads them from."""

    app: GongkaiApplication
    views: dict[str, SqlView]

    def topics(self) -> tuple[str, ...]:
        """The topics to read: every topic when the audit log is in the pass."""
        if AUDIT_NAME in self.views:
            return ()
        return tuple(
            sorted({t for n in self.views for t in SPECS[n].projection.topics})
        )


def replay(
    pass_: Replay, report: Callable[[str, int], None], page: int = REBUILD_PAGE
) -> dict[str, int]:
    """Apply the whole log to ``pass_``'s empty views, page by page; ``report``
    gets each view's count of events applied after each page."""
    app, name = pass_.app, pass_.app.name
    projections: dict[str, Projection[Any]] = {
        n: SPECS[n].projection(view=v)
        for n, v in pass_.views.items()
        if n != AUDIT_NAME
    }
    wanted = {n: frozenset(SPECS[n].projection.topics) for n in projections}
    audit = pass_.views.get(AUDIT_NAME)
    counts = dict.fromkeys(pass_.views, 0)
    mapper = app.mapper
    start = 0
    topics = pass_.topics()
    while notifications := list(
        app.recorder.select_notifications(
            start=start, limit=page, topics=topics, inclusive_of_start=False
        )
    ):
        start = notifications[-1].id
        events = [(n, mapper.to_domain_event(n)) for n in notifications]
        for view_name, projection in projections.items():
            mine = [e for e in events if e[0].topic in wanted[view_name]]
            apply_decoded(projection, name, mine)
            counts[view_name] += len(mine)
        if audit is not None:
            leaves = [leaf_from(n, event) for n, event in events]
            audit.append_many(leaves, Tracking(APP_NAME, start))  # type: ignore[attr-defined]
            counts[AUDIT_NAME] += len(events)
        for view_name, done in counts.items():
            report(view_name, done)
    return counts


def rebuild_all(
    views: dict[str, SqlView],
    app: GongkaiApplication,
    env: dict[str, str],
    *,
    postgres: bool,
    progress: Progress | None = None,
    page: int = REBUILD_PAGE,
    processes: bool | None = None,
) -> dict[str, int]:
    """Drop every view (``views``: the platform's, audit included), then replay
    the log into them; returns the events applied per view. ``processes``: run
    the groups in worker processes (default: on PostgreSQL past ``PROCESSES_FROM``
    events)."""
    for view in views.values():
        view.drop()
        view.create_table()
        view.drop_plain_indexes()  # built once each at the end (finish)
    by_topic = topic_counts(app)
    totals = {
        n: sum(by_topic.get(t, 0) for t in SPECS[n].projection.topics)
        for n in views
        if n != AUDIT_NAME
    }
    totals[AUDIT_NAME] = sum(by_topic.values())
    if processes is None:
        processes = totals[AUDIT_NAME] >= PROCESSES_FROM
    processes = processes and postgres  # SQLite: one writer

    def report(view_name: str, done: int) -> None:
        if progress:
            progress(view_name, done, totals[view_name])

    counts: dict[str, int] = {}
    if processes:
        counts = in_processes(env, page, report)
    else:
        for group in GROUPS:
            mine = {n: views[n] for n in group}
            counts.update(replay(Replay(app, mine), report, page))
            finish(mine)
    for view_name, done in counts.items():
        log.info("rebuilt %s: %d events", view_name, done)
    return {n: counts[n] for n in views}


def finish(views: dict[str, SqlView]) -> None:
    """After the replay: each view's plain indexes built, and (but the audit log's,
    whose reads go by key) fresh planner statistics for the bulk-written tables."""
    for view_name, view in views.items():
        view.create_plain_indexes()
        if view_name != AUDIT_NAME:
            view.analyze()


def in_processes(
    env: dict[str, str], page: int, report: Callable[[str, int], None]
) -> dict[str, int]:
    """Each group replayed by a worker process (spawned: no inherited pool or
    threads), reporting its progress on a pipe; the first failure fails all."""
    ctx = multiprocessing.get_context("spawn")
    workers = []
    for group in GROUPS:
        ours, theirs = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=worker_main,
            args=(env, group, page, theirs),
            name=f"rebuild {'+'.join(group)}",
            daemon=True,
        )
        proc.start()
        theirs.close()
        workers.append((proc, ours))
    counts: dict[str, int] = {}
    failure: str | None = None
    try:
        pending = {conn: proc for proc, conn in workers}
        while pending and failure is None:
            for conn in multiprocessing.connection.wait(list(pending)):
                assert isinstance(conn, Connection)
                try:
                    kind, *rest = conn.recv()
                except EOFError:
                    proc = pending.pop(conn)
                    proc.join()
                    if proc.exitcode:
                        failure = f"{proc.name} exited with {proc.exitcode}"
                    continue
                if kind == "progress":
                    report(*rest)
                elif kind == "done":
                    counts.update(rest[0])
                else:
                    failure = f"{pending[conn].name}: {rest[0]}"
    finally:
        for proc, conn in workers:
            if failure is not None and proc.is_alive():
                proc.terminate()
            proc.join()
            conn.close()
    if failure is not None:
        msg = f"rebuild failed: {failure}"
        raise RuntimeError(msg)
    return counts


def worker_main(
    env: dict[str, str], group: tuple[str, ...], page: int, conn: Connection
) -> None:
    """In a worker process: replay ``group``'s (already empty) views."""
    env = {
        **env,
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": max(
            env.get("POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT", "0"),
            IDLE_IN_TRANSACTION_S,
            key=int,
        ),
        # At most one connection reads the log, one writes a view, one reads a
        # case the projection no longer keeps: within any process's budget.
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "2",
    }
    stored_event_classes()  # imports every domain module: moved classes register
    # their stored topics (domain.base.stored_as) as in the parent

    factories: list[InfrastructureFactory[Any]] = []
    app = GongkaiApplication(env=env)
    try:
        CaseProjection.bind(env, GongkaiApplication)
        views: dict[str, SqlView] = {}
        for view_name in group:
            spec = SPECS[view_name]
            factory = InfrastructureFactory[Any].construct(
                env=Environment(view_name, env)
            )
            factories.append(factory)
            views[view_name] = factory.tracking_recorder(spec.postgres_view)

        def report(view_name: str, done: int) -> None:
            conn.send(("progress", view_name, done))

        counts = replay(Replay(app, views), report, page)
        finish(views)
        conn.send(("done", counts))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        raise
    finally:
        app.close()
        for factory in factories:
            factory.close()
        conn.close()
