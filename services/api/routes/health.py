from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import PlatformDep
from services.api.schemas import Health
from services.streams.relay import relay_status

router = APIRouter(tags=["health"])


@router.get(
    "/health", response_model=Health, summary="Liveness, store kind and view lag"
)
def health(platform: PlatformDep) -> Health:
    views = platform.lag()
    errors = platform.runner_errors()
    for name, error in errors.items():
        views.setdefault(name, {})["error"] = error
    degraded = bool(errors) or (
        platform.settings.run_projections
        and not all(v.get("running", False) for v in views.values())
    )
    relay = relay_status(platform)
    if not platform.settings.kafka_bootstrap_servers and not relay["position"]:
        relay = None
    return Health(
        status="degraded" if degraded else "ok",
        store=platform.settings.store_kind,  # type: ignore[arg-type]
        position=platform.max_position(),
        views=views,
        relay=relay,
    )
