"""A rebuild in worker processes writes what a rebuild in one process writes.

PostgreSQL only: SQLite's rebuild always runs in its own process (one writer).
The corpus's own test holds a rebuild to the rows recorded with the corpus; this
one holds the worker processes' rebuild (services/platform/rebuild.py) to the
in-process one, row for row and position for position, on the newest corpus (every
view has rows there), in pages small enough that items and cases span several.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.scratchdb import create_database, drop_database
from infra.settings import Settings
from services.core.base import APP_NAME
from services.platform.runtime import Platform
from tests.conftest import MutableClock
from tests.fixtures.corpus.corpus import (
    corpus_dirs,
    dump_views,
    insert_events,
    load_events,
)


@pytest.fixture
def pg_settings(tmp_path: Path) -> Iterator[Settings]:
    url = create_database()
    try:
        yield Settings(
            home=tmp_path / "home",
            database_url=url,
            token_secret=secrets.token_urlsafe(32),
        )
    finally:
        drop_database(url)


def state(platform: Platform) -> tuple[dict[str, Any], dict[str, int | None]]:
    positions = {n: v.max_tracking_id(APP_NAME) for n, v in platform.views.items()}
    return dump_views(platform), positions


def test_worker_processes_rebuild_every_row_as_one_process(
    pg_settings: Settings,
) -> None:
    directory = corpus_dirs()[-1]
    platform = Platform(pg_settings, clock=MutableClock())
    try:
        insert_events(platform, load_events(directory))
        here = platform.rebuild(batch=7, processes=False)
        expected = state(platform)
        seen: list[tuple[str, int, int]] = []
        there = platform.rebuild(
            progress=lambda n, d, t: seen.append((n, d, t)), batch=7, processes=True
        )
        assert there == here
        assert state(platform) == expected
        assert all(d <= t for _, d, t in seen)
        assert {(n, d) for n, d, _ in seen} >= set(here.items())  # reached the end
    finally:
        platform.close()
