"""Starts a serving process's platform as soon as the store lets it.

An API process that cannot connect at start (PostgreSQL down, or refusing more
clients) must not fail its start: under ``gongkai serve --workers`` uvicorn stops
the whole server, every sibling with it, when one worker fails to start. So the
process starts without a platform, answers 503 ``store-unavailable`` meanwhile
(``services/api/deps.py``), and this starter builds the platform, and starts
following the log if the process should, in a thread that tries again with a
backoff (while the store's probe still fails it waits for that).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable

from infra.runlock import ProjectionsBusyError
from infra.storestate import CONNECT_ERRORS, StoreState, describe
from services.platform.runtime import Platform

log = logging.getLogger("gongkai.starter")

FIRST_DELAY, MAX_DELAY = 0.5, 10.0
_frozen = threading.Event()


def freeze_start_up() -> None:
    """Keep what start-up made (the applications, views, schemas, templates: about
    250,000 objects) out of the cyclic collector's full passes, once per process.

    A read makes thousands of short-lived objects; every so often the collector's
    oldest generation walked all of start-up's too: measured 1.8 ms per request
    over a county list's run, 0.15 ms after this (as the relay does, relay.py)."""
    if not _frozen.is_set():
        _frozen.set()
        gc.collect()
        gc.freeze()


class Starter:
    """The process's platform, once built (see the module docstring)."""

    def __init__(
        self, build: Callable[[], Platform], store: StoreState, *, follow: bool
    ) -> None:
        self._build = build
        self.store = store
        self.follow = follow
        self.platform: Platform | None = None
        self._following = not follow
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Build the platform now, or if the store refuses (a probe tells in at
        most 2 s, where a build would wait for the pool), in the background."""
        reason = self.store.probe_once()
        if reason is not None:
            log.warning("not connected at start (%s): answering 503 meanwhile", reason)
            self.store.suspect()
        if reason is not None or not self._attempt():
            self._thread = threading.Thread(
                target=self._retry, name="starter", daemon=True
            )
            self._thread.start()

    def _attempt(self) -> bool:
        """One try; True once there is nothing left to start."""
        try:
            platform = self.platform
            if platform is None:
                platform = self._build()
                with self._lock:
                    if self._closed.is_set():
                        platform.close()
                        return True
                    self.platform = platform
            if not self._following:
                self._follow(platform)
            freeze_start_up()
        except CONNECT_ERRORS as e:
            _, reason = describe(e, self.store.where)
            log.warning(
                "store unavailable at start: %s; answering 503 meanwhile", reason
            )
            self.store.suspect()
            return False
        return True

    def _follow(self, platform: Platform) -> None:
        try:
            platform.start_projections(supervise=True)
        except ProjectionsBusyError as e:  # another process keeps the views
            log.warning("not following the log: %s", e)
        self._following = True

    def _retry(self) -> None:
        delay = FIRST_DELAY
        while not self._closed.wait(delay):
            if self.store.failing:  # the probe says when it answers again
                delay = FIRST_DELAY
                continue
            if self._attempt():
                if self.platform is not None:
                    log.warning("connected to the store: serving")
                return
            delay = min(delay * 2, MAX_DELAY)

    def close(self) -> None:
        with self._lock:
            self._closed.set()
            platform, self.platform = self.platform, None
        if self._thread is not None:
            self._thread.join(timeout=30)
        if platform is not None:
            platform.close()
