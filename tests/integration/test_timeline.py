"""Timeline paging over a long file: bounded reads per page, every event once, in log
order, each with the right state after it across snapshot boundaries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import services.inspection.timeline as timeline
from domain.access import Role
from infra.settings import Settings
from services.core.base import recorded
from services.platform.runtime import Platform
from tests.conftest import build_tree, principal

READS = 1_200  # past two snapshots (every 500 events)


def test_pages_read_a_bounded_slice_and_replay_the_whole_file_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'g.db'}"
    )
    platform = Platform(settings)
    try:
        build_tree(platform)
        inspector = principal("xinhe", Role.INSPECTOR)
        app = platform.inspections
        opened = app.open(
            inspector,
            "xinhe",
            subject={"kind": "tenant", "tenant": "xinhe.tahe"},
            basis="核查",
        )
        file = app.inspection(inspector, "xinhe", opened.id)
        for _ in range(READS // 400):
            with recorded(app):
                for i in range(400):
                    file.record_read(
                        what="timeline",
                        detail={"i": str(i)},
                        actor=inspector.actor(),
                        effective_at=app.now(),
                    )
            app.save(file)

        fetched: list[int] = []
        real = timeline.select_subject_events

        def counting(*args: Any, **kwargs: Any) -> Any:
            rows = real(*args, **kwargs)
            fetched.append(len(rows))
            return rows

        monkeypatch.setattr(timeline, "select_subject_events", counting)
        first = timeline.timeline_page(app, file, filters=timeline.Filters(), limit=20)
        assert len(first["events"]) == 20
        assert sum(fetched) <= 2 * 20  # one slice per subject, not the whole file

        seen: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = timeline.timeline_page(
                app, file, filters=timeline.Filters(), cursor=cursor, limit=170
            )
            seen += page["events"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        positions = [e["position"] for e in seen]
        assert positions == sorted(set(positions))
        reads = [e for e in seen if e["type"] == "Inspection.Read"]
        assert len(reads) == READS
        assert [e["state"]["reads"] for e in reads] == list(range(1, READS + 1))
        assert seen[0]["type"] == "Tenant.Registered"  # the linked town, first in log
    finally:
        platform.close()
