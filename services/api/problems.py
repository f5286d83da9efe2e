"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.error_words import facts_of, phrase
from domain.errors import GongkaiError
from infra.storestate import CONNECT_ERRORS, StoreDownError

PROBLEM_BASE = "https://gongkai.dev/problems/"
MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("gongkai.api")
HTTP_METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"}
RETRY_AFTER_SECONDS = 5
# The store cannot be reached (down, restarting, no connection within
# GONGKAI_PG_CONNECT_TIMEOUT, known down: StoreDownError) or refuses writes
# (SQLite: locked, disk full): 503.
UNAVAILABLE = CONNECT_ERRORS


class FieldError(BaseModel):
    field: str = Field(description="dotted path of the offending input")
    message: str


class Problem(BaseModel):
    """The body of every error answer (RFC 9457); more members may follow."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": PROBLEM_BASE + "illegal-transition",
                    "title": "Illegal transition",
                    "title_zh": phrase("illegal-transition"),
                    "status": 409,
                    "detail": "cannot accept a closed case; allowed now: reopen",
                    "instance": "/v1/tenants/xinhe.tahe.tuanjie/cases/…/accept",
                    "state": "closed",
                    "allowed_actions": ["reopen"],
                }
            ]
        },
    )
    type: str = Field(description=PROBLEM_BASE + "<slug>: stable, one per error kind")
    title: str
    title_zh: str | None = Field(
        default=None,
        description="the title in Chinese, as the console says it to staff "
        "(one phrase per slug); detail stays English",
    )
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str | None = Field(default=None, description="the request path")
    field: str | None = Field(default=None, description="the offending input")
    errors: list[FieldError] | None = Field(
        default=None, description="validation-error: every offending input"
    )
    expected: int | None = Field(
        default=None, description="version-mismatch: the version you sent"
    )
    current: int | None = Field(
        default=None, description="version-mismatch: the current version"
    )
    state: str | None = Field(
        default=None, description="illegal-transition: the case's state"
    )
    allowed_actions: list[str] | None = Field(
        default=None, description="illegal-transition: the actions open now"
    )
    line: int | None = Field(
        default=None, description="invalid-catalogue: the 1-based CSV line"
    )


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    title_zh: str | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "title_zh": title_zh or phrase(slug, **extra),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
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
        response = problem(
            exc.status,
            exc.slug,
            exc.title,
            exc.detail,
            instance=request.url.path,
            title_zh=phrase(exc.slug, **facts_of(exc)),
            **extra,
        )
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

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
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return problem(
            exc.status_code,
            slug,
            str(exc.detail),
            str(exc.detail),
            instance=request.url.path,
            headers=headers,
        )

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        return unavailable(request, exc)

    for error in UNAVAILABLE:
        app.add_exception_handler(error, _unavailable)


def unavailable(request: Request, exc: Exception) -> JSONResponse:
    """503 ``store-unavailable``: at once if the store is known down (nothing
    was tried), else after the call failed (the store is then probed)."""
    store = getattr(request.app.state, "store", None)
    retry = f"retry in {RETRY_AFTER_SECONDS} seconds"
    if isinstance(exc, StoreDownError):
        detail = f"{exc}; nothing was recorded; {retry}"
    else:
        logger.warning("store unavailable on %s: %s", request.url.path, exc)
        if store is not None:
            store.suspect()
        reason = store.reason if store is not None else None
        detail = (
            f"the event store cannot be reached{f' ({reason})' if reason else ''}; "
            f"{retry} (a command answered so may or may not have been recorded)"
        )
    return problem(
        503,
        "store-unavailable",
        "Store unavailable",
        detail,
        instance=request.url.path,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the OpenAPI document lists on the template ``path`` matches."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            methods |= {m.upper() for m in operations if m.upper() in HTTP_METHODS}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def internal_error(path: str) -> JSONResponse:
    return problem(
        500,
        "internal-error",
        "Internal error",
        "the server failed; retry, and report it if it persists",
        instance=path,
    )


class LastResort:
    """Answer any exception that escapes the handlers with a 500 problem, and log it.

    Starlette's own last handler re-raises after answering, which makes the server
    drop the keep-alive connection; this one keeps the connection open.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            logger.exception("unexpected error on %s", scope.get("path"))
            if started:
                raise
            await internal_error(scope.get("path", ""))(scope, receive, send)
