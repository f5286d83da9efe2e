"""``gongkai campaign plan … verify-rectification``: a small campaign walked through
every step of 第十五条 from the command line (SQLite; the clock is the tests' own)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.settings import Settings
from services.cli import campaign as campaign_cli
from services.cli.app import app
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree

TOWN, VILLAGE = "xinhe.tahe", "xinhe.tahe.xingfu"
SUPERVISOR = ["--tenant", TOWN, "--role", "supervisor"]
CLERK = ["--tenant", VILLAGE, "--role", "clerk", "--owner", TOWN]


def test_a_campaign_walked_through_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGKAI_DATABASE_URL", f"sqlite:///{tmp_path / 'g.db'}")
    monkeypatch.setenv("GONGKAI_HOME", str(tmp_path / "home"))
    clock = MutableClock()  # Monday 2 March 2026
    monkeypatch.setattr(
        campaign_cli, "open_platform", lambda: Platform(Settings(), clock=clock)
    )
    platform = Platform(Settings(), clock=clock)
    try:
        build_tree(platform)
    finally:
        platform.close()
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> Any:
        done = runner.invoke(app, ["campaign", *args], env={"COLUMNS": "300"})
        assert done.exit_code == code, done.output
        return json.loads(done.stdout) if code == 0 else done.output

    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "title": "2026年一季度村务公开考核",
                "period_from": "2026-01-01",
                "period_to": "2026-02-28",
                "targets": [VILLAGE],
                "criteria": [
                    {"code": "org", "title": "组织领导", "points": 20, "veto": True},
                    {"code": "content", "title": "公开内容", "points": 80},
                ],
                "methods": ["online", "on_site"],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    made = run("plan", *SUPERVISOR, "--file", str(plan))
    cid = made["id"]
    assert made["stage"] == "planned"
    assert made["tenant"] == TOWN
    assert "invalid input" in run(
        "self-assess", cid, *CLERK, "--item", "org=-1", "--report", "x", code=2
    )
    run("self-assess", cid, *CLERK, "--item", "org=20", "--item", "content=70",
        "--report", "自查报告")  # fmt: skip
    forbidden = run("review", cid, *CLERK, "--target", VILLAGE, "--item", "org=1",
                    "--item", "content=1", "--method", "online", code=1)  # fmt: skip
    assert "not found" in forbidden  # a village cannot act for its town (a 404)
    reviewed = run("review", cid, *SUPERVISOR, "--target", VILLAGE, "--item",
                   "org=18", "--item", "content=40", "--evidence", "org=case:1f0e",
                   "--method", "on_site")  # fmt: skip
    assert reviewed["version"] == 3
    noticed = run("publish-notice", cid, *SUPERVISOR)
    assert noticed["notice"]["ends_on"] == "2026-03-11"
    early = run("finalize", cid, *SUPERVISOR, code=1)  # the API's 409
    assert "Conflict" in early
    assert "2026-03-11" in early
    run("object", cid, *CLERK, "--target", VILLAGE, "--text", "内容得分偏低")
    clock.advance(days=10)  # Thursday 12 March: the notice is over
    assert "unanswered" in run("finalize", cid, *SUPERVISOR, code=1)
    run("answer-objection", cid, *SUPERVISOR, "--objection", "1",
        "--answer", "经复核，维持原评分")  # fmt: skip
    final = run("finalize", cid, *SUPERVISOR)
    assert final["stage"] == "final"
    order = run("order-rectification", cid, *SUPERVISOR, "--target", VILLAGE,
                "--working-days", "5")  # fmt: skip
    assert order["rectifications"][VILLAGE]["due_on"] == "2026-03-19"
    run("report-rectification", cid, *CLERK, "--report", "已健全领导小组")
    again = run("verify-rectification", cid, *SUPERVISOR, "--target", VILLAGE,
                "--failed", "--note", "材料不全", "--working-days", "3")  # fmt: skip
    assert again["rectifications"][VILLAGE]["status"] != "closed"
    run("report-rectification", cid, *CLERK, "--report", "已补齐材料")
    closed = run("verify-rectification", cid, *SUPERVISOR, "--target", VILLAGE,
                 "--passed", "--note", "整改到位")  # fmt: skip
    assert closed["rectifications"][VILLAGE]["status"] == "closed"
    table = runner.invoke(
        app, ["campaign", "league-table", cid, "--tenant", TOWN, "--json"]
    )
    assert [(r["score"], r["grade_label"]) for r in json.loads(table.stdout)] == [
        (58, "不合格")
    ]
