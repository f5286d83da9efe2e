"""X-Forwarded-For through a real uvicorn, set up as ``gongkai serve`` sets it up: a
client cannot pick its own address unless a proxy it came through is trusted."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.settings import Settings
from services.server import create_app
from tests.integration.test_signin_throttle import PASSWORD, staffer
from tests.live_server import live_server


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gongkai.db'}"  # one store is enough here


SECRET = secrets.token_urlsafe(32)  # generated per run, shared by both servers


def _settings(store_url: str, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=store_url,
        token_secret=SECRET,
        read_wait_seconds=5.0,
        signin_address_max_failures=3,
        **extra,
    )


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return _settings(store_url, tmp_path)


def sign_in(url: str, username: str, password: str, forwarded: str) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/auth/token",
        data={"username": username, "password": password},
        headers={"X-Forwarded-For": forwarded},
    )


def test_forwarded_for_is_believed_only_from_a_configured_proxy(
    platform: Any, settings: Settings, store_url: str, tmp_path: Path
) -> None:
    name = staffer(platform)
    with live_server(create_app(settings, platform=platform), settings) as url:
        # Three accounts, each from a "different" address: one address to us.
        for number in range(2, 5):
            forged = f"10.9.8.{number}"
            assert sign_in(url, f"T-{number}@xinhe", "guess", forged).status_code == 401
        locked = sign_in(url, name, PASSWORD, "10.9.8.7")
        assert locked.status_code == 429, locked.text
        assert int(locked.headers["Retry-After"]) > 0

    behind = _settings(store_url, tmp_path, trusted_proxies="127.0.0.1")
    with live_server(create_app(behind, platform=platform), behind) as url:
        signed = sign_in(url, name, PASSWORD, "10.9.8.7")
        assert signed.status_code == 200, signed.text
        token = signed.json()["access_token"]
        attempts = httpx.get(
            f"{url}/v1/tenants/xinhe.tahe/staff/T-1/sign-ins",
            headers={"Authorization": f"Bearer {token}"},
        ).json()["items"]
    assert [(a["outcome"], a["address"]) for a in attempts] == [
        ("succeeded", "10.9.8.7"),
        ("throttled", "127.0.0.1"),  # the forged address was not believed
        ("activated", "192.0.2.10"),
    ]
