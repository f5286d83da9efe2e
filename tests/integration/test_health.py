"""``/v1/health`` tells the truth in every process: whether some live process
follows the log, each view's lag, 503 ``views-stale`` when they cannot be trusted,
and 503 ``store-unavailable`` at once, never a failed start, when the store
refuses connections."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi.testclient import TestClient

from infra.runlock import ProjectionLock
from infra.settings import Settings
from infra.tokens import TokenSigner
from services.platform.runtime import Platform
from services.server import create_app
from tests.conftest import ADMIN
from tests.faults.procs import free_port
from tests.integration.pglocks import wait_until

COUNTY = {"code": "xinhe", "name": "新和县", "level": "county"}


def test_a_process_without_runners_sees_whether_another_follows(
    settings: Settings,
) -> None:
    follower = Platform(settings)
    follower.start_projections()
    reader = Platform(settings)
    try:
        assert follower.follower() == "here"
        assert reader.follower() == "elsewhere"
        assert all(v["running"] for v in reader.lag().values())
        follower.close()  # PostgreSQL ends its session, and the lock, soon after
        wait_until(lambda: reader.follower() == "none")
        assert not any(v["running"] for v in reader.lag().values())
    finally:
        follower.close()
        reader.close()


def test_health_is_503_views_stale_unless_a_follower_keeps_the_views_current(
    settings: Settings,
) -> None:
    settings = settings.model_copy(update={"health_max_lag": 0})
    platform = Platform(settings)  # follows nothing itself
    lock = ProjectionLock(settings)  # another process's, as far as health knows
    try:
        with TestClient(create_app(settings, platform=platform)) as client:
            nobody = client.get("/v1/health")
            assert nobody.status_code == 503
            assert nobody.headers["content-type"] == "application/problem+json"
            assert nobody.headers["retry-after"] == "5"
            body = nobody.json()
            assert body["type"].endswith("/views-stale")
            assert body["detail"].startswith("no process follows the log")
            assert body["follower"] == "none"
            assert body["views"]["audit"] == {"position": 0, "lag": 0, "running": False}
            assert body["position"] == 0

            lock.acquire()
            assert client.get("/v1/health").json()["status"] == "ok"
            platform.tenants.register(
                ADMIN, code="xinhe", name="新和县", level="county", parent=None
            )
            behind = client.get("/v1/health").json()
            assert behind["type"].endswith("/views-stale")
            assert behind["follower"] == "elsewhere"
            assert "tenant_directory lags 1 events" in behind["detail"]

            lock.release()
            wait_until(lambda: platform.follower() == "none")
            platform.start_projections()
            assert platform.wait("tenant_directory", platform.max_position())
            assert platform.wait("audit", platform.max_position())
            current = client.get("/v1/health")
            assert current.status_code == 200, current.json()
            assert current.json()["follower"] == "here"
            assert current.json()["views"]["tenant_directory"]["lag"] == 0

            # A stopped checkpointer (it used to make health answer 500).
            checkpointer = next(f for f in platform._followers if f.name != "audit")
            checkpointer.error = RuntimeError("disk full")
            stopped = client.get("/v1/health")
            assert stopped.status_code == 503
            error = "RuntimeError('disk full')"
            assert stopped.json()["stopped"] == {"checkpointer": error}
            assert "checkpointer stopped" in stopped.json()["detail"]
    finally:
        lock.release()
        platform.close()


def test_a_process_that_cannot_connect_starts_and_answers_503_at_once(
    tmp_path: Path,
) -> None:
    secret = secrets.token_urlsafe(32)
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/gongkai"
    settings = Settings(home=tmp_path, database_url=nowhere, token_secret=secret)
    admin = TokenSigner(secret).mint(subject="root", tenant=None, roles=["admin"])
    with TestClient(create_app(settings)) as client:  # the start does not fail
        health = client.get("/v1/health")
        assert health.status_code == 503
        assert health.headers["retry-after"] == "5"
        assert health.json()["type"].endswith("/store-unavailable")
        assert "refuses connections (is it running?)" in health.json()["detail"]
        write = client.post(
            "/v1/tenants", json=COUNTY, headers={"Authorization": f"Bearer {admin}"}
        )
        assert write.status_code == 503
        assert write.headers["retry-after"] == "5"
        assert write.json()["type"].endswith("/store-unavailable")
        # Refused without trying the store: the command was certainly not recorded.
        assert "nothing was recorded" in write.json()["detail"]
        page = client.get("/gongkai/")
        assert page.status_code == 503
        assert page.headers["retry-after"] == "5"
