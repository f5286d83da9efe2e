"""Sign-in throttles in the credential store, on SQLite and PostgreSQL.

Numbers here: 3 misses of an account from one address lock that address out of it,
6 misses from an address lock the address, for a window of 10 minutes; from the 3rd
miss of an account, addresses that missed it wait 1 s, 2 s, 4 s, …
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from domain.errors import InvalidCredentialsError, TooManyAttemptsError
from infra.settings import Settings
from services.people.throttle import delay_seconds
from tests.conftest import ADMIN, MutableClock, build_tree

PASSWORD = "塔河镇党政办2026"
OWNER, ATTACKER, HELPER = "192.0.2.10", "203.0.113.9", "198.51.100.4"


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=store_url,
        token_secret=secrets.token_urlsafe(32),
        read_wait_seconds=5.0,
        signin_account_max_failures=3,
        signin_address_max_failures=6,
        signin_lockout_minutes=10,
    )


def staffer(platform: Any, number: str = "T-1") -> str:
    build_tree(platform)
    registered, code, _ = platform.staff.register(
        ADMIN, "xinhe.tahe", number=number, name="李明", post="党政办", roles=["admin"]
    )
    platform.sign_ins.activate(registered.username, code, PASSWORD, OWNER)
    return str(registered.username)


def miss(platform: Any, username: str, address: str) -> None:
    with pytest.raises(InvalidCredentialsError):
        platform.sign_ins.sign_in(username, "guess-guess-guess", address)


def refused(platform: Any, username: str, address: str, password: str) -> int:
    with pytest.raises(TooManyAttemptsError) as e:
        platform.sign_ins.sign_in(username, password, address)
    return e.value.retry_after


def outcomes(platform: Any) -> list[str]:
    log = platform.tenants.recorder.select_notifications(start=1, limit=10_000)
    return [
        platform.tenants.mapper.to_domain_event(n).outcome
        for n in log
        if n.topic.endswith("SignIn.Attempted")
    ]


def test_the_delay_doubles_from_the_free_misses_up_to_its_ceiling() -> None:
    assert [delay_seconds(n, 5, 300) for n in range(4, 16)] == [
        0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300,
    ]  # fmt: skip


def test_one_address_guessing_many_accounts_is_locked_out(
    platform: Any, clock: MutableClock
) -> None:
    name = staffer(platform)
    for number in range(2, 8):  # six accounts, one miss each
        miss(platform, f"T-{number}@xinhe", ATTACKER)
    assert 0 < refused(platform, name, ATTACKER, PASSWORD) <= 600
    # Another address is not locked; the locked one is free again after the window.
    miss(platform, name, HELPER)
    clock.advance(minutes=11)
    miss(platform, name, ATTACKER)


def test_an_attackers_misses_cost_the_attacker_not_the_owner(
    platform: Any, clock: MutableClock
) -> None:
    name = staffer(platform)
    for _ in range(3):
        miss(platform, name, ATTACKER)
    # That address is out of the account, even with the right password…
    assert 0 < refused(platform, name, ATTACKER, PASSWORD) <= 600
    # …but the owner, from an address that has not failed, signs in at once.
    assert platform.sign_ins.sign_in(name, PASSWORD, OWNER).username == name
    assert outcomes(platform)[-5:] == [
        "wrong-password",
        "wrong-password",
        "wrong-password",
        "throttled",  # recorded in the staffer's log
        "succeeded",
    ]


def test_addresses_that_missed_an_account_wait_a_growing_delay(
    platform: Any, clock: MutableClock
) -> None:
    name = staffer(platform)
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        miss(platform, name, address)  # 3 misses of the account: a 1 s delay
    assert refused(platform, name, "203.0.113.1", "guess-guess-guess") == 1
    clock.advance(seconds=1)
    miss(platform, name, "203.0.113.1")  # the 4th: 2 s
    assert refused(platform, name, "203.0.113.2", "guess-guess-guess") == 2
    miss(platform, name, "203.0.113.4")  # a new address is not held back; 5th: 4 s
    assert refused(platform, name, "203.0.113.3", "guess-guess-guess") == 4
    assert refused(platform, name, "203.0.113.4", PASSWORD) == 4
    assert platform.sign_ins.sign_in(name, PASSWORD, OWNER).username == name
    clock.advance(seconds=4)
    assert platform.sign_ins.sign_in(name, PASSWORD, "203.0.113.2").username == name
    assert outcomes(platform).count("throttled") == 4
