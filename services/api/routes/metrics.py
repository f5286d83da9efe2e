"""``GET /metrics``: Prometheus metrics (services/operations/metrics.py).

Unauthenticated, like ``/v1/health``: a scraper holds no token, and no metric
names a tenant, a resource or a principal (docs/operations.md, "Metrics"). Not in
the OpenAPI document: it is for the operator's Prometheus, not for integrators.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.operations.metrics import exposition

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    state = request.app.state
    # A store known to be down is not asked (a scrape must not wait on its
    # timeouts): the store's metrics are then absent and gongkai_store_up is 0.
    platform = None if state.store.down else state.starter.platform
    settings = state.settings
    body, content_type = exposition(
        platform,
        request.headers.get("accept", ""),
        settings.prometheus_multiproc_dir,
    )
    return Response(body, media_type=content_type)
