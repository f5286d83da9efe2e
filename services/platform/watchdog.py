"""Restarts the projection runners after a failure, once the store answers again.

A runner, the audit follower or the checkpointer stops at its first error, e.g.
when PostgreSQL restarts under it. In the API process (``gongkai serve``) this
watchdog notices, waits until the store answers, and restarts them all: each
resumes from its own tracking position, so nothing is applied twice or skipped.
The projection lock is taken again too (a PostgreSQL restart ends the session that
held it); if another process took it meanwhile, this one stops following the log.
``gongkai projections run`` does not use it: it exits 1 and leaves the restart to
its supervisor (docker-compose ``restart: unless-stopped``).
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from infra.runlock import ProjectionsBusyError

log = logging.getLogger("gongkai.watchdog")

FIRST_DELAY, MAX_DELAY = 1.0, 30.0


class Supervised(Protocol):
    """What the watchdog needs of the platform it watches (``Platform`` is one)."""

    def max_position(self) -> int: ...

    def runner_errors(self) -> dict[str, str]: ...

    def start_projections(self, *, supervise: bool = False) -> None: ...

    def stop_projections(self) -> None: ...


def store_answers(platform: Supervised) -> bool:
    try:
        platform.max_position()
    except Exception:  # any failure means "not yet"
        return False
    return True


class Watchdog:
    """A daemon thread that restarts failed runners (see the module docstring)."""

    def __init__(self, platform: Supervised) -> None:
        self.platform = platform
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watchdog", daemon=True)
        self.restarts = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        delay = FIRST_DELAY
        while not self._stopping.wait(delay):
            errors = self.platform.runner_errors()
            if not errors:
                delay = FIRST_DELAY
                continue
            if not store_answers(self.platform):
                continue
            log.warning("restarting the projections after: %s", errors)
            self.platform.stop_projections()
            try:
                self.platform.start_projections()
            except ProjectionsBusyError as e:
                log.warning("not following the log any more: %s", e)
                return
            except Exception:  # the store went away again: next tick
                log.exception("restarting the projections failed")
            self.restarts += 1
            delay = min(delay * 2, MAX_DELAY)
