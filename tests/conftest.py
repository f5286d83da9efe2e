"""Shared fixtures: fresh PostgreSQL databases (dropped after), stores, platforms."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.access import Principal, Role
from infra.scratchdb import create_database, drop_database
from infra.settings import Settings


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test session."""
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for one test."""
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


# Platform fixtures ------------------------------------------------------------


class MutableClock:
    """A clock tests move by hand; starts on Monday 2 March 2026, 10:00 in China."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **kwargs: float) -> None:
        self.moment += timedelta(**kwargs)


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty event store of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gongkai.db'}"
        return
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=store_url,
        token_secret=secrets.token_urlsafe(32),  # generated per run, never committed
        read_wait_seconds=5.0,
    )


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock()


@pytest.fixture
def platform(settings: Settings, clock: MutableClock) -> Iterator[object]:
    from services.platform.runtime import Platform

    p = Platform(settings, clock=clock)
    p.start_projections()
    try:
        yield p
    finally:
        p.close()


ADMIN = Principal(id="root", tenant=None, roles=frozenset({Role.ADMIN}))


def principal(path: str | None, *roles: Role) -> Principal:
    return Principal(
        id=f"{'+'.join(roles)}@{path}", tenant=path, roles=frozenset(roles)
    )


def build_tree(platform: object) -> None:
    """新和县 ⊃ 塔河镇 ⊃ 团结村, 幸福村; plus a sibling county 温宿县 with one town."""
    tree = (
        ("xinhe", "新和县", "county", None, None),
        ("tahe", "塔河镇", "town", None, "xinhe"),
        ("tuanjie", "团结村", "village", None, "xinhe.tahe"),
        ("xingfu", "幸福村", "village", None, "xinhe.tahe"),
        ("school-1", "塔河镇中心小学", "unit", "school", "xinhe.tahe"),
        ("wensu", "温宿县", "county", None, None),
        ("jiamu", "佳木镇", "town", None, "wensu"),
    )
    for code, name, level, kind, parent in tree:
        platform.tenants.register(  # type: ignore[attr-defined]
            ADMIN, code=code, name=name, level=level, parent=parent, kind=kind
        )


Factory = Callable[..., object]
