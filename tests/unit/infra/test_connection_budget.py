"""The PostgreSQL connection budget: one setting, shared by a command's processes,
and a failure to connect put in plain words (infra/settings.py, infra/storestate.py)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from pydantic import ValidationError

from infra.settings import (
    FOLLOWER_CONNECTIONS,
    Settings,
    check_follower_budget,
    share_connections,
)
from infra.storestate import describe

URL = "postgresql://gongkai@db.example:5432/gongkai"


def pool_max(env: dict[str, str]) -> int:
    return int(env["POSTGRES_POOL_SIZE"]) + int(env["POSTGRES_MAX_OVERFLOW"])


def test_a_process_pool_is_the_budget_less_the_lock(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url=URL, pg_connections=12)
    assert pool_max(settings.eventsourcing_env()) == 11
    assert settings.eventsourcing_env()["POSTGRES_POOL_SIZE"] == "2"  # at rest
    reader = settings.eventsourcing_env(pool_max=1)  # the relay's reader
    assert (reader["POSTGRES_POOL_SIZE"], pool_max(reader)) == ("1", 1)
    with pytest.raises(ValidationError, match="GONGKAI_PG_POOL_SIZE"):
        Settings(home=tmp_path, database_url=URL, pg_connections=4, pg_pool_size=4)
    with pytest.raises(ValidationError):
        Settings(home=tmp_path, database_url=URL, pg_connections=2)


def test_serve_workers_shares_the_budget_after_the_follower() -> None:
    assert FOLLOWER_CONNECTIONS == 11  # a pool of 10 and the projection lock
    assert share_connections(25, 2, follower=True) == 7
    assert share_connections(25, 4, follower=True) == 3  # 11 + 4 x 3 = 23 <= 25
    assert share_connections(25, 4, follower=False) == 6
    with pytest.raises(ValueError, match="need at least 35"):
        share_connections(25, 8, follower=True)
    check_follower_budget(11)
    with pytest.raises(ValueError, match="at least 11"):
        check_follower_budget(10)


@pytest.mark.parametrize(
    ("message", "down", "words"),
    [
        (
            'connection failed: connection to server at "10.0.0.5", port 5432 '
            "failed: FATAL:  sorry, too many clients already",
            False,
            "too many clients",
        ),
        (
            'connection failed: connection to server at "10.0.0.5", port 5432 '
            "failed: FATAL:  remaining connection slots are reserved for roles "
            "with the SUPERUSER attribute",
            False,
            "too many clients",
        ),
        (
            'connection failed: connection to server at "10.0.0.5", port 5432 '
            "failed: Connection refused\n\tIs the server running on that host "
            "and accepting TCP/IP connections?",
            True,
            "refuses connections (is it running?)",
        ),
        (
            'connection failed: connection to server at "10.0.0.5", port 5432 '
            "failed: FATAL:  the database system is starting up",
            True,
            "starting up or shutting down",
        ),
        ("couldn't get a connection after 5.00 sec", True, "does not answer"),
    ],
)
def test_a_failure_to_connect_is_said_in_plain_words(
    message: str, down: bool, words: str
) -> None:
    unreachable, text = describe(psycopg.OperationalError(message), "10.0.0.5:5432")
    assert unreachable is down
    assert text.startswith("PostgreSQL at 10.0.0.5:5432 ")
    assert words in text
