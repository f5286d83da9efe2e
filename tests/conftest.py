"""Shared fixtures: a fresh PostgreSQL database per test session, dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest

PG_HOST = os.environ.get("GONGKAI_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("GONGKAI_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("GONGKAI_TEST_PG_USER", "postgres")


def _admin_connect() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    )


def create_database(prefix: str = "gongkai_test") -> str:
    """Create an empty database with a random name and return its URL."""
    name = f"{prefix}_{uuid4().hex[:10]}"
    with _admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
