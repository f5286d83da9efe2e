"""The audit view's followers: leaves appended to the tenants' Merkle logs, and the
background threads of a platform that follows the log (the audit follower and the
checkpointer; the projection runners are the library's).

``append_if_unfollowed`` brings the audit view to the end of the log on demand when
no process follows the log (``Platform.catch_up_audit`` otherwise waits for the one
that does).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking

from domain.errors import GongkaiError
from domain.tenancy import parent_of
from infra.batching import batches
from infra.runlock import ProjectionsBusyError
from projections.audit import leaf_from
from services.audit.witness import submit_to_all
from services.core.base import APP_NAME
from services.core.batches import Decoded, decoded
from services.core.ports import Running
from services.core.views import AUDIT_NAME

log = logging.getLogger("gongkai.runtime")


def append_if_unfollowed(platform: Running) -> bool:
    """Append every leaf the audit view lacks, here, if no process follows the log
    (this one included): takes the projection lock for that long. False if one
    does (then wait for it). The caller keeps other threads of this process out."""
    lock = platform.projection_lock
    if lock.held:
        return False  # this process's follower runs
    try:
        lock.acquire()
    except ProjectionsBusyError:
        return False  # another process follows the log
    try:
        append_to_end(platform)
    finally:
        lock.release()
    return True


def append_to_end(platform: Running) -> None:
    """Append every event the audit view has not reached, in batches.

    Requires the projection lock (no follower appends meanwhile)."""
    view = platform.views[AUDIT_NAME]
    recorder = platform.tenants.recorder
    start = view.max_tracking_id(APP_NAME) or 0
    while notifications := list(
        recorder.select_notifications(
            start=start,
            limit=platform.settings.follow_batch,
            inclusive_of_start=False,
        )
    ):
        append_leaves(platform, notifications)
        start = notifications[-1].id


def append_leaf(platform: Running, notification: Any) -> None:
    """Append one raw stored event to its tenant's Merkle log."""
    append_leaves(platform, [notification])


def append_leaves(platform: Running, notifications: Sequence[Any]) -> None:
    """Append raw stored events (in log order) to their tenants' Merkle logs, in
    one transaction with the position of the last one."""
    if not notifications:
        return
    append_decoded_leaves(platform, decoded(platform.tenants, notifications))


def append_decoded_leaves(platform: Running, events: Sequence[Decoded]) -> None:
    """``append_leaves`` of events already decoded."""
    if not events:
        return
    leaves = [leaf_from(n, event) for n, event in events]
    platform.views[AUDIT_NAME].append_many(  # type: ignore[attr-defined]
        leaves, Tracking(APP_NAME, events[-1][0].id)
    )


class Worker:
    """A background thread that reports its error instead of dying silently."""

    name = "worker"

    def __init__(self, platform: Running) -> None:
        self.platform = platform
        self.error: BaseException | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._interrupt()
        self._thread.join(timeout=10)

    def _interrupt(self) -> None:
        pass

    def _main(self) -> None:
        try:
            self.run()
        except BaseException as e:  # reported by health and `projections run`
            self.error = e
            log.exception("%s stopped", self.name)

    def run(self) -> None:
        raise NotImplementedError


class AuditFollower(Worker):
    """Follows the raw notifications into the per-tenant Merkle logs."""

    name = "audit"

    def __init__(self, platform: Running) -> None:
        super().__init__(platform)
        self._subscription: Any = None

    def _interrupt(self) -> None:
        if self._subscription is not None:
            self._subscription.stop()

    def run(self) -> None:
        view = self.platform.views[AUDIT_NAME]
        recorder = self.platform.tenants.recorder
        with recorder.subscribe(gt=view.max_tracking_id(APP_NAME)) as subscription:
            self._subscription = subscription
            if self._stopping.is_set():
                return
            limit = self.platform.settings.follow_batch
            for notifications in batches(subscription, limit):
                append_leaves(self.platform, notifications)


class Checkpointer(Worker):
    """Issues checkpoints after every N events or T seconds (settings)."""

    name = "checkpointer"
    tick_seconds = 1.0

    def run(self) -> None:
        settings = self.platform.settings
        auditor = self.platform.auditor
        while not self._stopping.wait(self.tick_seconds):
            now = auditor.now()
            for path in auditor.due(
                now, settings.checkpoint_every_events, settings.checkpoint_every_seconds
            ):
                self.checkpoint(path)

    def checkpoint(self, path: str) -> None:
        try:
            if self.platform.auditor.ledger(path) is None:
                self.platform.auditor.open_ledger(path)  # issued on a later tick
                return
            self.platform.auditor.issue(path)
        except GongkaiError as e:  # a refusal is recorded and reported, not fatal
            log.warning("checkpoint of %s not issued: %s", path, e.detail)
            return
        if parent_of(path) is None and self.platform.settings.witnesses:
            submit_to_all(self.platform.auditor, path, self.platform.witnesses)


class MirrorFollower(Worker):
    """Follows one mirrored installation (services/mirror/follow.py): a fork, a
    refused key or bad data stop it, recorded; a county that is down is retried."""

    def __init__(self, platform: Running, mirror: str, store: Any) -> None:
        self.name = f"mirror:{mirror}"
        self.mirror, self.store = mirror, store
        super().__init__(platform)

    def run(self) -> None:
        from services.mirror.build import open_mirror
        from services.mirror.follow import follow

        settings = self.platform.settings
        mirror = open_mirror(
            self.store, settings, self.platform.tenants.mapper, self.mirror
        )
        try:
            follow(
                mirror,
                self._stopping.is_set,
                self._stopping.wait,
                settings.mirror_poll_seconds,
            )
        finally:
            mirror.source.close()
