"""``gongkai campaign league-table`` and ``scorecard`` read from the store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from domain.access import Role
from infra.settings import Settings
from services.cli.app import app
from services.platform.runtime import Platform
from tests.conftest import build_tree, principal


def test_league_table_and_scorecard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGKAI_DATABASE_URL", f"sqlite:///{tmp_path / 'g.db'}")
    monkeypatch.setenv("GONGKAI_HOME", str(tmp_path / "home"))
    platform = Platform(Settings())
    village, vetoed = "xinhe.tahe.xingfu", "xinhe.tahe.tuanjie"
    try:
        build_tree(platform)
        sup = principal("xinhe.tahe", Role.SUPERVISOR)
        made, _ = platform.campaigns.plan(
            sup, "xinhe.tahe", title="村务公开考核", period_from=date(2026, 1, 1),
            period_to=date(2026, 2, 1), targets=[village, vetoed],
            criteria=[{"code": "a", "title": "组织领导", "points": 20, "veto": True},
                      {"code": "b", "title": "公开内容", "points": 80}],
            methods=["online"],
        )  # fmt: skip
        # 89.5 良好, and a 90 vetoed by 组织领导 (10 of 20 points): 不合格, second.
        for target, a, b in ((village, 18, 71.5), (vetoed, 10, 80)):
            items = [{"code": "a", "points": a}, {"code": "b", "points": b}]
            platform.campaigns.self_assess(
                principal(target, Role.CLERK), "xinhe.tahe", made.id, target, items,
                "自查",
            )  # fmt: skip
            platform.campaigns.review(
                sup, "xinhe.tahe", made.id, target, items, "online"
            )
    finally:
        platform.close()
    runner = CliRunner()
    args = ["campaign", "league-table", str(made.id), "--tenant", "xinhe.tahe"]
    shown = runner.invoke(app, [*args, "--json"])
    assert shown.exit_code == 0, shown.output
    assert [(r["target"], r["grade_label"], r["rank"])
            for r in json.loads(shown.output)] == [
        (village, "良好", 1),
        (vetoed, "不合格", 2),
    ]  # fmt: skip
    table = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert "良好" in table.output
    assert "组织领导" in table.output  # the veto item by its title
    card = runner.invoke(
        app, ["campaign", "scorecard", str(made.id), village, "--tenant", "xinhe.tahe"]
    )
    assert json.loads(card.output)["self_score"] == 89.5
    unknown = runner.invoke(app, ["campaign", "league-table", str(uuid4()),
                                  "--tenant", "xinhe.tahe"])  # fmt: skip
    assert unknown.exit_code == 1
