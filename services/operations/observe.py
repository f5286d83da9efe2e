"""Each request observed: its id, one access record, and the request metrics.

The outermost middleware of the app (services/server.py). It takes the request id
from a valid ``X-Request-ID`` or makes one, returns it in the answer's
``X-Request-ID`` and keeps it in the context while the request is served, so that
every log record meanwhile carries it (infra/logs.py). When the answer is done it
counts the request by method, route template and status, observes its duration,
and writes one record on ``gongkai.access`` (uvicorn's own access log is off):
method, route, path, status, duration, and the caller's tenant and principal
where the route identified one (``services/api/deps.py`` notes them on the
request's state).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from infra.logs import REQUEST_ID, request_id_from
from services.operations.metrics import LATENCY, POOLS, REQUESTS

access = logging.getLogger("gongkai.access")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]

HEADER = b"x-request-id"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "other"  # the route label of a path no route matched
# Successful answers to probes and scrapes are logged at DEBUG: they come every
# few seconds and say nothing.
PROBES = frozenset({"/v1/health", "/metrics"})
POOL_SAMPLE_SECONDS = 1.0
MAX_LOGGED_PATH = 500


class Observe:
    """ASGI middleware: request id, access record, request metrics."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id_from(header(scope, HEADER))
        token = REQUEST_ID.set(rid)
        scope.setdefault("state", {})  # where deps.py notes the caller
        root_path = scope.get("root_path", "")
        started = time.perf_counter()
        status = 500  # if the app fails before answering

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != HEADER
                ]
                headers.append((HEADER, rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            observed(scope, root_path, status, time.perf_counter() - started)
            REQUEST_ID.reset(token)


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def route_of(scope: Scope, root_path: str) -> str:
    """The template of the route that answered (``/v1/tenants/{path}``), a
    mount's prefix and ``/{path}``, or ``other``: never the raw path, whose values
    are unbounded. ``root_path``: the scope's before the app ran (a mount extends
    it)."""
    fastapi = scope.get("fastapi")
    chosen = (
        fastapi.get("effective_route_context") if isinstance(fastapi, dict) else None
    )
    for route in (chosen, scope.get("route")):
        path = getattr(route, "path_format", None) or getattr(route, "path", None)
        if isinstance(path, str) and path:
            return path
    mounted = str(scope.get("root_path", ""))
    if mounted.startswith(root_path) and len(mounted) > len(root_path):
        return mounted[len(root_path) :] + "/{path}"
    return UNMATCHED


def observed(scope: Scope, root_path: str, status: int, seconds: float) -> None:
    method = scope.get("method", "")
    route = route_of(scope, root_path)
    label = method if method in METHODS else UNMATCHED
    REQUESTS.labels(label, route, str(status)).inc()
    LATENCY.labels(label, route).observe(seconds)
    POOLS.sample(every=POOL_SAMPLE_SECONDS)
    if status >= 500:
        level = logging.WARNING
    elif route in PROBES and status < 400:
        level = logging.DEBUG
    else:
        level = logging.INFO
    if not access.isEnabledFor(level):
        return
    state = scope.get("state") or {}
    path = str(scope.get("path", ""))[:MAX_LOGGED_PATH]
    ms = round(seconds * 1000, 2)
    access.log(
        level,
        "%s %s %d %.1f ms",
        method,
        path,
        status,
        ms,
        extra={
            "request_id": REQUEST_ID.get(),
            "method": method,
            "route": route,
            "path": path,
            "status": status,
            "duration_ms": ms,
            "tenant": state.get("tenant"),
            "principal": state.get("principal"),
        },
    )
