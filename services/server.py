"""The FastAPI application: routers, problem handlers, lifespan of the platform."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI

from domain.base import Clock
from infra.settings import Settings
from infra.storestate import StoreState
from infra.tokens import TokenSigner, load_secret
from services.api import openapi, problems
from services.api.bodies import RequestGuard
from services.api.front import FrontReads
from services.api.mirrored import refuse_mirrored_writes
from services.api.present import ChinaJSONResponse
from services.api.routes import (
    annual_reports,
    audit,
    auth,
    calendar,
    campaigns,
    case_list,
    cases,
    catalogue,
    clients,
    disclosures,
    document_series,
    evidence,
    feed,
    fees,
    health,
    inspections,
    meetings,
    metrics,
    overview,
    participation,
    powers,
    questionnaires,
    rankings,
    services,
    staff,
    statements,
    tenants,
    violations,
)
from services.api.strict import reject_unknown_query
from services.open311 import routes as open311
from services.operations.observe import Observe
from services.platform.drain import Drain, DrainMiddleware
from services.platform.runtime import Platform
from services.platform.starter import Starter
from services.web import install as web

DESCRIPTION = """
Gongkai (公开) records what county, town and village governments disclose, as immutable
events, and answers what was public at any moment. Authenticate with
`Authorization: Bearer <token>`: staff sign in with `POST /v1/auth/token`; the
installation admin and integrators' service accounts mint one with
`gongkai token --tenant PATH --role ROLE`.
Errors are RFC 9457 problem+json documents; every operation lists those it can
answer. Request bodies are UTF-8 JSON (I-JSON: no duplicate member names).
"""


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    platform: Platform | None = None,
) -> FastAPI:
    """Build the API; a given ``platform`` is used as is (tests), else one is built."""
    settings = settings or Settings()
    drain = Drain(settings.drain_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        drain.install(asyncio.get_running_loop())
        # Requests that run at once: past the cores and the store's connections,
        # more threads only take turns at the GIL (docs/performance.md).
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # Never fails on the store: a worker that cannot connect starts without
        # a platform and answers 503 until it can (services/platform/starter.py).
        own = platform is None
        app.state.store = store = StoreState(settings)
        app.state.starter = starter = Starter(
            (lambda: Platform(settings, clock=clock)) if own else (lambda: platform),
            store,
            follow=own and settings.run_projections,
        )
        starter.start()
        try:
            yield
        finally:
            store.close()
            if own:
                starter.close()

    app = FastAPI(
        title="Gongkai 公开",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served offline by services.web
        redoc_url=None,
        default_response_class=ChinaJSONResponse,
        dependencies=[Depends(reject_unknown_query), Depends(refuse_mirrored_writes)],
    )
    app.state.settings = settings
    app.state.drain = drain
    app.state.logger = logging.getLogger("gongkai.api")
    secret = load_secret(settings)
    app.state.signer = TokenSigner(
        secret, ttl=timedelta(hours=settings.token_ttl_hours)
    )
    problems.install(app)
    openapi.install(app)

    app.add_middleware(RequestGuard, limit=settings.max_request_bytes)
    app.add_middleware(problems.LastResort)
    web.install_middleware(app)  # security headers, the session's reads
    # Cached public pages and their 304s, answered before everything above
    # (services/api/front.py); still inside the drain, the request id and metrics.
    app.add_middleware(FrontReads)
    app.add_middleware(DrainMiddleware, drain=drain)
    # Logs and metrics: outermost (added last), so that every answer is counted
    # and logged with its request id, refusals and failures included.
    app.add_middleware(Observe)
    web.install_pages(app)  # first: matched before the API's routes
    app.include_router(metrics.router)  # GET /metrics, beside /v1

    v1 = APIRouter(prefix="/v1")
    modules = (
        health,
        tenants,
        disclosures,
        case_list,
        cases,
        services,
        catalogue,
        calendar,
        audit,
        evidence,
        auth,
        staff,
        clients,
        inspections,
        feed,
        overview,
        annual_reports,
        campaigns,
        document_series,
        fees,
        rankings,
        violations,
        statements,
        powers,
        participation,
        questionnaires,
        meetings,
    )
    for module in modules:
        v1.include_router(module.router)
    v1.include_router(services.rules_router)
    v1.include_router(questionnaires.public_router)  # the public's answer
    app.include_router(v1)
    app.include_router(open311.router)  # /open311/v2, outside the OpenAPI document
    web.install(app, secret)  # pages' errors as pages
    return app
