"""The demo loaded into a store of a test's own, for tests that read it through
the app: one place for the store, the settings, the simulated clock and the
county supervisor's sign-in."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from infra.scratchdb import create_database, drop_database
from infra.settings import Settings
from services.demo.builder import SimClock, load_demo
from services.platform.runtime import Platform


@contextmanager
def store_url(kind: str, home: Path) -> Iterator[str]:
    """A SQLite file under ``home``, or a fresh PostgreSQL database dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{home / 'gongkai.db'}"
        return
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


@contextmanager
def demo_platform(
    url: str, home: Path, *, end: date, now: datetime
) -> Iterator[tuple[Settings, SimClock, Platform]]:
    """The demo's simulated year to ``end`` in ``url``; the clock starts at ``now``
    and stands wherever the load leaves it (set ``clock.moment`` after)."""
    settings = Settings(
        home=home / "home",
        database_url=url,
        token_secret=secrets.token_urlsafe(32),
        read_wait_seconds=5.0,
    )
    clock = SimClock(now)
    platform = Platform(settings, clock=clock)
    try:
        load_demo(platform, clock, end=end)
        yield settings, clock, platform
    finally:
        platform.close()


def county_supervisor(client: TestClient) -> dict[str, str]:
    """The headers of the demo's county supervisor (XH-0001@xinhe), signed in."""
    signed_in = client.post(
        "/v1/auth/token",
        data={"username": "XH-0001@xinhe", "password": "demo-county-2026"},
    )
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
