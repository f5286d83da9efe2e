"""``GET /v1/health``: 200 when the views can be trusted, 503 when not, within a
second whatever the store does (``services/platform/health.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from infra.storestate import CONNECT_ERRORS, StoreState, describe
from services.api.problems import RETRY_AFTER_SECONDS, problem
from services.api.schemas import Health
from services.platform.health import Reports, ReportTimeoutError
from services.platform.runtime import Platform

router = APIRouter(tags=["health"])

STALE = (
    "views-stale: no process follows the log, a view's runner stopped, or a view "
    "lags more than GONGKAI_HEALTH_MAX_LAG (the body has the members of the 200 "
    "answer); store-unavailable: the store cannot be reached (`detail` says why); "
    "draining: the process received SIGTERM and stops once its requests are answered"
)


@router.get(
    "/health",
    response_model=Health,
    response_model_exclude_none=True,
    summary="Liveness, store kind, each view's lag and follower",
    responses={503: {"description": STALE}},
)
def health(request: Request) -> Any:
    state = request.app.state
    if state.drain.draining:  # a load balancer stops sending work here
        return problem(
            503,
            "draining",
            "Draining",
            "this process is stopping (SIGTERM) and answers only what it was asked",
            instance=request.url.path,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    store: StoreState = state.store
    platform: Platform | None = state.starter.platform
    down = store.down
    if down or platform is None:
        return store_unavailable(request, down or store.reason or "not connected yet")
    reports: Reports | None = getattr(state, "health_reports", None)
    if reports is None or reports.platform is not platform:
        reports = state.health_reports = Reports(platform)
    try:
        found = reports.get()
    except ReportTimeoutError as e:
        store.suspect()
        return store_unavailable(request, str(e))
    except CONNECT_ERRORS as e:
        store.suspect()
        return store_unavailable(request, describe(e, store.where)[1])
    body: dict[str, Any] = {
        "store": platform.settings.store_kind,
        "position": found.position,
        "follower": found.follower,
        "max_lag": found.max_lag,
        "views": found.views,
        "relay": found.relay,
        "mirrors": found.mirrors or None,
        "alerts": found.alerts or None,
    }
    if found.stale:
        return problem(
            503,
            "views-stale",
            "Views stale",
            "; ".join(found.stale),
            instance=request.url.path,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            stopped=found.errors or None,
            **body,
        )
    return Health(status="ok", **body)


def store_unavailable(request: Request, reason: str) -> Response:
    return problem(
        503,
        "store-unavailable",
        "Store unavailable",
        f"{reason}; retry in {RETRY_AFTER_SECONDS} seconds",
        instance=request.url.path,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        store=request.app.state.settings.store_kind,
    )
