"""Sign-in throttles in the credential store, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from domain.errors import InvalidCredentialsError, TooManyAttemptsError
from infra.settings import Settings
from tests.conftest import ADMIN, MutableClock, build_tree


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=store_url,
        token_secret=secrets.token_urlsafe(32),
        read_wait_seconds=5.0,
        signin_account_max_failures=10,
        signin_address_max_failures=3,
        signin_lockout_minutes=10,
    )


def test_one_address_guessing_many_accounts_is_locked_out(
    platform: Any, clock: MutableClock
) -> None:
    build_tree(platform)
    platform.staff.register(
        ADMIN, "xinhe.tahe", number="T-1", name="李明", post="党政办", roles=["admin"]
    )
    for number in ("T-2", "T-3", "T-4"):
        with pytest.raises(InvalidCredentialsError):
            platform.sign_ins.sign_in(
                f"{number}@xinhe", "guess-guess-guess", "203.0.113.9"
            )
    with pytest.raises(TooManyAttemptsError) as locked:
        platform.sign_ins.sign_in("T-1@xinhe", "guess-guess-guess", "203.0.113.9")
    assert 0 < locked.value.retry_after <= 600
    # Another address is not locked; the locked one is free again after the window.
    with pytest.raises(InvalidCredentialsError):
        platform.sign_ins.sign_in("T-1@xinhe", "guess-guess-guess", "198.51.100.4")
    clock.advance(minutes=11)
    with pytest.raises(InvalidCredentialsError):
        platform.sign_ins.sign_in("T-1@xinhe", "guess-guess-guess", "203.0.113.9")
