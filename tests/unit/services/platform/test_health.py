"""Why ``/v1/health`` calls the views stale (services/platform/health.py)."""

from __future__ import annotations

from typing import Any

from services.platform.health import Report, stale


def view(lag: int = 0, running: bool = True, **extra: Any) -> dict[str, Any]:
    return {"position": 10, "lag": lag, "running": running, **extra}


def report(follower: str = "elsewhere", **views: dict[str, Any]) -> Report:
    return Report(position=10, follower=follower, max_lag=5, views=views)


def test_current_views_followed_by_a_live_process_are_not_stale() -> None:
    assert stale(report(disclosures=view(lag=5), audit=view())) == []


def test_no_follower_a_stopped_runner_or_a_long_lag_is_stale() -> None:
    nobody = stale(report("none", audit=view(running=False)))
    assert len(nobody) == 1
    assert nobody[0].startswith("no process follows the log")
    stopped = stale(report("here", cases=view(running=False, error="boom")))
    assert stopped == ["cases stopped: boom"]
    behind = stale(report(audit=view(lag=6)))
    assert behind == ["audit lags 6 events, more than GONGKAI_HEALTH_MAX_LAG (5)"]
    checkpointer = report()
    checkpointer.errors = {"checkpointer": "RuntimeError()"}
    assert stale(checkpointer) == ["checkpointer stopped: RuntimeError()"]
