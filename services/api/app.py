"""The FastAPI application: routers, problem handlers, lifespan of the platform."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from domain.base import Clock
from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from services.api import problems
from services.api.routes import calendar, catalogue, disclosures, health, tenants
from services.runtime import Platform

DESCRIPTION = """
Gongkai (公开) records what county, town and village governments disclose, as immutable
events, and answers what was public at any moment. Authenticate with
`Authorization: Bearer <token>`; mint one with
`gongkai token --tenant PATH --role ROLE`.
Errors are RFC 9457 problem+json documents.
"""


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    platform: Platform | None = None,
) -> FastAPI:
    """Build the API; a given ``platform`` is used as is (tests), else one is built."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = platform is None
        app.state.platform = platform or Platform(settings, clock=clock)
        if own and settings.run_projections:
            app.state.platform.start_projections()
        try:
            yield
        finally:
            if own:
                app.state.platform.close()

    app = FastAPI(
        title="Gongkai 公开",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.logger = logging.getLogger("gongkai.api")
    app.state.signer = TokenSigner(
        load_secret(settings), ttl=timedelta(hours=settings.token_ttl_hours)
    )
    problems.install(app)

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_request_bytes:
            return problems.problem(
                413,
                "request-too-large",
                "Request too large",
                f"the body has {length} bytes; at most {settings.max_request_bytes}",
                instance=request.url.path,
            )
        return await call_next(request)

    v1 = APIRouter(prefix="/v1")
    for module in (health, tenants, disclosures, catalogue, calendar):
        v1.include_router(module.router)
    app.include_router(v1)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app
