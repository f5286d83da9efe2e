"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import GongkaiError

PROBLEM_BASE = "https://gongkai.dev/problems/"
MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 5
# The store cannot be reached (down, restarting, no connection within
# GONGKAI_PG_CONNECT_TIMEOUT) or refuses writes (SQLite: locked, disk full):
# nothing was recorded unless the log says so, and the client may retry.
UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse(
        body, status_code=status, media_type=MEDIA_TYPE, headers=headers
    )


def too_large(length: int | None, limit: int, path: str) -> JSONResponse:
    size = f"{length} bytes" if length is not None else "more bytes"
    return problem(
        413,
        "request-too-large",
        "Request too large",
        f"the body has {size}; at most {limit} are accepted",
        instance=path,
    )


class HttpProblemError(Exception):
    """An HTTP-level problem raised by the API layer itself (auth, headers, paging)."""

    def __init__(
        self, status: int, slug: str, title: str, detail: str, field: str | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail, self.field = (
            status,
            slug,
            title,
            detail,
            field,
        )


def _loc(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    """Map every error to problem+json; nothing escapes as a bare 500 page."""

    @app.exception_handler(GongkaiError)
    async def _domain(request: Request, exc: GongkaiError) -> JSONResponse:
        extra: dict[str, Any] = {"field": exc.field}
        for attr in ("expected", "current", "line", "state", "allowed_actions"):
            if hasattr(exc, attr):
                extra[attr] = getattr(exc, attr)
        return problem(
            exc.status,
            exc.slug,
            exc.title,
            exc.detail,
            instance=request.url.path,
            **extra,
        )

    @app.exception_handler(HttpProblemError)
    async def _api(request: Request, exc: HttpProblemError) -> JSONResponse:
        return problem(
            exc.status,
            exc.slug,
            exc.title,
            exc.detail,
            instance=request.url.path,
            field=exc.field,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(
        request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        errors = [
            {"field": _loc(tuple(e.get("loc", ()))), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return problem(
            422,
            "validation-error",
            "Invalid input",
            f"{first['field']}: {first['message']}",
            instance=request.url.path,
            field=first["field"],
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 413:
            limit = request.app.state.settings.max_request_bytes
            return too_large(None, limit, request.url.path)
        slug = {404: "not-found", 405: "method-not-allowed"}.get(
            exc.status_code, "http-error"
        )
        return problem(
            exc.status_code,
            slug,
            str(exc.detail),
            str(exc.detail),
            instance=request.url.path,
        )

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        request.app.state.logger.warning(
            "store unavailable on %s: %s", request.url.path, str(exc).strip()
        )
        return problem(
            503,
            "store-unavailable",
            "Store unavailable",
            f"the event store cannot be reached; retry in {RETRY_AFTER_SECONDS} "
            "seconds (a command answered so may or may not have been recorded)",
            instance=request.url.path,
        )

    for error in UNAVAILABLE:
        app.add_exception_handler(error, _unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        request.app.state.logger.exception("unexpected error on %s", request.url.path)
        return problem(
            500,
            "internal-error",
            "Internal error",
            "the server failed; retry, and report it if it persists",
            instance=request.url.path,
        )
