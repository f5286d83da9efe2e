"""What ``/v1/health`` reports: each view's position, lag and follower, and why
the views are stale, if they are; computed within a deadline.

A report takes a few queries. While the store hangs or is down those could wait
for a pooled connection for seconds, so a report is computed in a thread of its
own and waited for at most ``DEADLINE_SECONDS``: health answers within a second
whatever the store does. Concurrent requests share the report being computed
(one at a time per process), so a store that hangs does not gather threads; one
that has hung for ``ABANDON_SECONDS`` is left to finish on its own.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.streams.relay import relay_status

DEADLINE_SECONDS = 0.8
ABANDON_SECONDS = 30.0


class Watched(Protocol):
    """What a report reads of the platform (``Platform`` is one)."""

    settings: Any

    def follower(self) -> str: ...

    def lag(self, follower: str | None = None) -> dict[str, dict[str, Any]]: ...

    def runner_errors(self) -> dict[str, str]: ...

    def max_position(self) -> int: ...


@dataclass
class Report:
    """The state of the views as one process sees it."""

    position: int
    follower: str  # here, elsewhere or none (Platform.follower)
    max_lag: int
    views: dict[str, dict[str, Any]]
    relay: dict[str, int] | None = None
    errors: dict[str, str] = field(default_factory=dict)  # stopped non-view workers
    mirrors: dict[str, dict[str, Any]] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)  # mirrors stopped: a fork …
    stale: list[str] = field(default_factory=list)  # why, in plain words


def report(platform: Watched) -> Report:
    """Read the views' state now (blocking; see ``Reports`` for the deadline)."""
    settings = platform.settings
    follower = platform.follower()
    views = platform.lag(follower)
    errors: dict[str, str] = {}
    for name, error in platform.runner_errors().items():
        if name in views:
            views[name].update(running=False, error=error)
        else:
            errors[name] = error  # the checkpointer
    relay: dict[str, int] | None = relay_status(platform)  # type: ignore[arg-type]
    if not settings.kafka_bootstrap_servers and relay and not relay["position"]:
        relay = None
    result = Report(
        platform.max_position(), follower, settings.health_max_lag, views, relay, errors
    )
    result.stale = stale(result)
    mirrors = getattr(platform, "mirrors", None)
    if mirrors is not None:
        from services.mirror.health import alerts

        result.mirrors = mirrors()
        result.alerts = alerts(result.mirrors)
    return result


def stale(found: Report) -> list[str]:
    """Why the views cannot be trusted to be current; empty if they can."""
    reasons = []
    if found.follower == "none":
        reasons.append(
            "no process follows the log: the views do not move (start "
            "`gongkai projections run`, or see why `gongkai serve` stopped it)"
        )
    for name, view in found.views.items():
        if found.follower != "none" and not view["running"]:
            reasons.append(f"{name} stopped: {view.get('error', 'not running')}")
        if view["lag"] > found.max_lag:
            reasons.append(
                f"{name} lags {view['lag']} events, more than "
                f"GONGKAI_HEALTH_MAX_LAG ({found.max_lag})"
            )
    reasons.extend(f"{name} stopped: {error}" for name, error in found.errors.items())
    return reasons


class ReportTimeoutError(Exception):
    """The store did not give a report within the deadline."""


class Reports:
    """Reports within a deadline, one computed at a time (module docstring)."""

    def __init__(self, platform: Watched) -> None:
        self.platform = platform
        self._lock = threading.Lock()
        self._current: Future[Report] | None = None
        self._started = 0.0

    def get(self, deadline: float = DEADLINE_SECONDS) -> Report:
        """A fresh report; ReportTimeoutError after ``deadline`` seconds, or the
        error the store raised."""
        with self._lock:
            current = self._current
            fresh = current is None or current.done()
            if fresh or time.monotonic() - self._started > ABANDON_SECONDS:
                current = self._current = Future()
                self._started = time.monotonic()
                threading.Thread(
                    target=self._compute, args=(current,), name="health", daemon=True
                ).start()
        assert current is not None
        try:
            return current.result(timeout=deadline)
        except TimeoutError:
            raise ReportTimeoutError(
                f"the store did not answer within {deadline:g} s"
            ) from None

    def _compute(self, future: Future[Report]) -> None:
        try:
            future.set_result(report(self.platform))
        except BaseException as e:  # handed to the waiting requests
            future.set_exception(e)
