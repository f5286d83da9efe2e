"""Throw-away PostgreSQL databases for tests and benchmarks, dropped after use.

The server is the machine's PostgreSQL on 127.0.0.1:5432 with trust auth unless
GONGKAI_TEST_PG_HOST, GONGKAI_TEST_PG_PORT or GONGKAI_TEST_PG_USER say otherwise
(these are test settings, so they are read here rather than in infra/settings.py).
"""

from __future__ import annotations

import os
from typing import Any
from uuid import uuid4

import psycopg

PG_HOST = os.environ.get("GONGKAI_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("GONGKAI_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("GONGKAI_TEST_PG_USER", "postgres")


def _admin_connect() -> psycopg.Connection[tuple[Any, ...]]:
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
    """Drop the database at ``url``, closing any session still on it."""
    name = url.rsplit("/", 1)[1]
    with _admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
