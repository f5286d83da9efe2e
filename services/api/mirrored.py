"""Mirrored tenants are read-only here: their records are the county's.

A prefecture holds its counties' records (docs/federation.md) under their original
tenant paths. Only the county can write them, in its own installation: a request
that would change one here (any method but GET, HEAD and OPTIONS on a route with a
``path`` under a mirrored county, or registering a tenant there) is refused with a
409 ``mirrored-read-only`` problem that says so in Chinese.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request

from domain.tenancy import is_within
from services.api.problems import HttpProblemError

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
CACHE_SECONDS = 5.0


def mirrored_tops(request: Request) -> dict[str, str]:
    """Mirrored top tenant path → mirror name, read at most every few seconds."""
    state = request.app.state
    cached: tuple[float, dict[str, str]] | None = getattr(state, "mirrored", None)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    platform: Any = state.starter.platform
    tops: dict[str, str] = {}
    if platform is not None:
        from services.mirror.checks import top_of

        for config in platform.mirror_store.configs():
            tops[top_of(config.trust_key)[1]] = config.name
    state.mirrored = (time.monotonic(), tops)
    return tops


def refuse_if_mirrored(request: Request, path: str | None) -> None:
    """The 409 of the module docstring if ``path`` lies under a mirrored tenant."""
    if not path:
        return
    for top, name in mirrored_tops(request).items():
        if is_within(path, top):
            raise HttpProblemError(
                409,
                "mirrored-read-only",
                "Mirrored tenant is read-only",
                f"{path} 的记录由镜像 {name} 从其所在安装同步而来，在此只读；"
                "请在该县自己的系统中办理",
                field="path",
            )


def refuse_mirrored_writes(request: Request) -> None:
    """An app-wide dependency: writes to a mirrored tenant's routes are refused."""
    if request.method in SAFE:
        return
    path = request.path_params.get("path")
    if isinstance(path, str):
        refuse_if_mirrored(request, path)
