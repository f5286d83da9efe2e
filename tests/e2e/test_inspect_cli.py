"""``gongkai inspect timeline``: a page of the file's timeline, the read recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.access import Role
from infra.settings import Settings
from services.audit.evidence import catch_up
from services.cli.app import app
from services.platform.runtime import Platform
from tests.conftest import build_tree, principal


def test_inspect_timeline_prints_events_and_states_and_records_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'gongkai.db'}"
    monkeypatch.setenv("GONGKAI_DATABASE_URL", url)
    monkeypatch.setenv("GONGKAI_HOME", str(tmp_path / "home"))
    platform = Platform(Settings())
    try:
        build_tree(platform)
        inspector = principal("xinhe.tahe", Role.INSPECTOR)
        opened = platform.inspections.open(
            inspector,
            "xinhe.tahe",
            subject={"kind": "tenant", "tenant": "xinhe.tahe.xingfu"},
            basis="群众来信反映低保金发放名单未公示",
        )
        platform.start_projections()  # the audit view holds the tenants' logs
        catch_up(platform)
    finally:
        platform.close()

    runner = CliRunner()
    args = ["inspect", "timeline", str(opened.id), "--json", "--as-of", "2099-01-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    types = [e["type"] for e in page["events"]]
    assert types[:2] == ["Tenant.Registered", "Inspection.Opened"]
    assert types[-1] == "Inspection.Read"
    assert page["events"][-1]["actor"]["id"].startswith("cli:")
    states = {s["kind"]: s["state"] for s in page["subjects"]}
    assert states["tenant"]["name"] == "幸福村"

    table = runner.invoke(
        app, ["inspect", "timeline", str(opened.id)], env={"COLUMNS": "200"}
    )
    assert table.exit_code == 0, table.output
    assert "Inspection.Read" in table.output
    unknown = "00000000-0000-4000-8000-000000000000"
    assert runner.invoke(app, ["inspect", "timeline", unknown]).exit_code == 1
