"""Wires the pages, the static files and the offline API docs into the FastAPI app."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.error_words import phrase
from domain.errors import GongkaiError
from services.api.problems import RETRY_AFTER_SECONDS, UNAVAILABLE, HttpProblemError
from services.web.forms import input_mistake, problem_words, short_label
from services.web.headers import SecurityHeaders
from services.web.pages import (
    console,
    console_assessment,
    console_campaign_steps,
    console_cases,
    console_clients,
    console_lists,
    console_meetings,
    console_mirrors,
    console_participation,
    powers,
    public,
    public_participation,
)
from services.web.session import CsrfRefusedError, SessionReads, SignInRequiredError
from services.web.templating import HERE, render

# Swagger UI and ReDoc come from the fastapi-offline package (MIT), which ships them.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
HTML_PREFIXES = ("/console", "/gongkai")
DOCS_PAGE = {"title": "Gongkai 公开 — API", "openapi_url": "/openapi.json"}


def is_page(request: Request) -> bool:
    return request.url.path.startswith(HTML_PREFIXES)


TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权进行此操作",
    404: "页面不存在",
    409: "操作冲突",
    422: "输入有误",
    503: "服务暂时不可用",
}


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    return render(request, "error.html", status_code=status, title=title, detail=detail)


def problem_page(request: Request, status: int, title: str, detail: str) -> Response:
    """An API problem as a page: a Chinese heading for the status, the problem's
    words below it (an unknown or out-of-scope page says only that it is not there)."""
    if status == 404:
        detail = "您要找的页面不存在，或不在您的查看范围内。"
    return error_page(request, status, TITLES.get(status, title), detail)


def request_words(exc: Exception) -> str:
    """A request the pages refused before any handler ran (a query value of the
    wrong type, say): which input, in Chinese."""
    if isinstance(exc, RequestValidationError) and exc.errors():
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path")]
        name = ".".join(loc) or "form"
        return input_mistake(first.get("type", ""), first.get("ctx") or {}, name)
    return phrase("validation-error")


def install(app: FastAPI, secret: bytes) -> None:
    """The session's secret and pages' errors as pages (the pages:
    ``install_pages``; the middlewares: ``install_middleware``)."""
    app.state.web_secret = hashlib.sha256(b"gongkai-web:" + secret).digest()
    _html_errors(app)


def install_middleware(app: FastAPI) -> None:
    """The security headers on every answer (outside every middleware that answers
    itself, so errors carry them too) and the session serving the API's reads.
    Added after those (so outside them) and before ``FrontReads``, whose kept
    answers carry the headers added here."""
    app.add_middleware(SessionReads)  # the session serves the API's reads
    app.add_middleware(SecurityHeaders)


def install_pages(app: FastAPI) -> None:
    """Pages under /console and /gongkai, /static, offline /docs and /redoc, and /.

    Installed before the API's routes: a request is matched against the routes in
    order, and the public board, read most, was matched last, after every route of
    the API (a fifth of the time of a cached board went to that)."""
    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(powers.public_router)  # before the board's catch-alls
    app.include_router(public_participation.router)
    app.include_router(public.router)
    app.include_router(powers.console_router)
    app.include_router(console.router)
    app.include_router(console_lists.router)
    app.include_router(console_cases.router)
    app.include_router(console_clients.router)
    app.include_router(console_mirrors.router)
    app.include_router(console_assessment.router)
    app.include_router(console_campaign_steps.router)
    app.include_router(console_participation.router)
    app.include_router(console_meetings.router)

    # FastAPI's own docs pages start Swagger UI with an inline script, which the
    # pages' Content-Security-Policy refuses: these start it from a static file.
    @app.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        return render(request, "docs_swagger.html", **DOCS_PAGE)

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return render(request, "docs_redoc.html", **DOCS_PAGE)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/gongkai/", status_code=303)


def _html_errors(app: FastAPI) -> None:
    """Pages answer errors as pages; the API keeps its problem+json."""
    handlers: dict[Any, Any] = dict(app.exception_handlers)

    def delegate(kind: Any) -> Any:
        api = handlers[kind]

        async def handle(request: Request, exc: Exception) -> Response:
            if not is_page(request):
                return await api(request, exc)  # type: ignore[no-any-return]
            if isinstance(exc, GongkaiError):
                words = problem_words(exc)
                return problem_page(request, exc.status, exc.title, words)
            if isinstance(exc, HttpProblemError):
                words = phrase(exc.slug, exc.field)
                if exc.field:
                    words = f"{short_label(exc.field)}：{words}"
                return problem_page(request, exc.status, exc.title, words)
            if isinstance(exc, StarletteHTTPException):
                title = "页面不存在" if exc.status_code == 404 else str(exc.detail)
                return problem_page(request, exc.status_code, title, str(exc.detail))
            if isinstance(exc, UNAVAILABLE):
                page = problem_page(
                    request,
                    503,
                    "服务暂时不可用",
                    f"数据库暂时无法访问，请 {RETRY_AFTER_SECONDS} 秒后重试"
                    "（刚才的提交可能已记录，也可能没有，请先刷新核对）。",
                )
                page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
                return page
            return problem_page(request, 400, "请求有误", request_words(exc))

        return handle

    for kind in (GongkaiError, HttpProblemError, StarletteHTTPException, *UNAVAILABLE):
        app.add_exception_handler(kind, delegate(kind))
    app.add_exception_handler(RequestValidationError, delegate(RequestValidationError))

    @app.exception_handler(SignInRequiredError)
    async def _sign_in(request: Request, exc: SignInRequiredError) -> Response:
        return RedirectResponse(
            f"/console/sign-in?next={quote(exc.next_url, safe='')}", status_code=303
        )

    @app.exception_handler(CsrfRefusedError)
    async def _csrf(request: Request, exc: CsrfRefusedError) -> Response:
        return error_page(
            request,
            403,
            "表单已失效",
            "此表单缺少有效的防伪令牌（CSRF），已拒绝。请返回上一页刷新后重新提交。",
        )
