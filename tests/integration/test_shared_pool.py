"""One connection pool per process: a Platform's applications and views share it,
the last one closed closes it, and a subscription gives its connection back
without its LISTEN (real PostgreSQL)."""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg
import pytest
from pydantic import ValidationError

from infra.pgfactory import shared_pools
from infra.scratchdb import PG_HOST, PG_PORT, PG_USER
from infra.settings import Settings
from services.platform.runtime import Platform
from tests.conftest import ADMIN
from tests.integration.pglocks import wait_until

ADMIN_URL = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"


def backends(url: str) -> int:
    """Client connections to the database of ``url`` (not this query's own)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND backend_type = 'client backend'",
            [url.rsplit("/", 1)[1]],
        ).fetchone()
    assert row is not None
    return int(row[0])


def pools_of(url: str) -> dict[object, int]:
    """The shared pools open on the database of ``url`` (users of each)."""
    name = url.rsplit("/", 1)[1]
    return {k: n for k, n in shared_pools().items() if k[0] == name}


def settings_for(url: str, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=url,
        token_secret=secrets.token_urlsafe(32),
    )


def test_a_platform_and_its_runners_share_one_small_pool(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    settings = settings_for(fresh_pg_url, tmp_path)
    platform = Platform(settings)
    try:
        # Before: about 40 connections, a pool per application and view.
        assert backends(fresh_pg_url) <= settings.pg_pool_size + 2
        assert len(pools_of(fresh_pg_url)) == 1
        platform.start_projections()
        platform.tenants.register(
            ADMIN, code="xinhe", name="新和县", level="county", parent=None
        )
        assert platform.wait("tenant_directory", platform.max_position())
        # 6 listeners, the projection lock's own connection, and the work.
        assert backends(fresh_pg_url) <= 6 + 1 + 6
    finally:
        platform.close()
    # A backend ends a moment after its client hangs up, not with it.
    wait_until(lambda: backends(fresh_pg_url) == 0)
    assert pools_of(fresh_pg_url) == {}


def test_two_platforms_share_a_pool_until_the_last_one_closes(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    first = Platform(settings_for(fresh_pg_url, tmp_path))
    second = Platform(settings_for(fresh_pg_url, tmp_path))
    pool = first.tenants.recorder.datastore
    assert second.disclosure_view.datastore is pool
    first.close()
    second.tenants.register(
        ADMIN, code="wensu", name="温宿县", level="county", parent=None
    )
    assert second.max_position() >= 1
    second.close()
    assert pool.pool.closed


def test_a_subscription_gives_its_connection_back_without_listening(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    platform = Platform(settings_for(fresh_pg_url, tmp_path))
    try:
        recorder = platform.tenants.recorder
        with recorder.subscribe(gt=0) as subscription:
            platform.tenants.register(
                ADMIN, code="xinhe", name="新和县", level="county", parent=None
            )
            assert next(iter(subscription)).id == 1
        datastore = recorder.datastore
        pool = datastore.pool
        # Every idle connection of the pool, the listener's included.
        held = [pool.getconn() for _ in range(pool.get_stats()["pool_available"])]
        try:
            channels = [
                c.execute("SELECT pg_listening_channels()").fetchall() for c in held
            ]
        finally:
            for conn in held:
                pool.putconn(conn)
        assert held
        assert channels == [[] for _ in held]
    finally:
        platform.close()


def test_the_pool_keeps_within_the_budget_less_the_lock(tmp_path: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:5432/gongkai"
    settings = Settings(home=tmp_path, database_url=url, pg_connections=12)
    env = settings.eventsourcing_env()
    assert int(env["POSTGRES_POOL_SIZE"]) + int(env["POSTGRES_MAX_OVERFLOW"]) == 11
    assert settings.eventsourcing_env(pool_max=1)["POSTGRES_POOL_SIZE"] == "1"
    with pytest.raises(ValidationError, match="at most"):
        Settings(home=tmp_path, database_url=url, pg_connections=4, pg_pool_size=4)
