"""``gongkai subscribe --http`` against a served API, with --verify."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from domain.access import Role
from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from services.audit.evidence import checkpoint_now
from services.cli.app import app
from services.platform.runtime import Platform
from services.streams.cloudevents import CHECKPOINT_TYPE
from services.streams.subscribe import Api, SubscribeError, Verifier
from tests.conftest import build_tree, principal

PUBLISHED = "cn.gongkai.disclosure.DisclosurePublished.v1"


def publish(p: Platform, path: str, title: str) -> Any:
    return p.disclosures.publish(
        principal(path, Role.CLERK),
        path,
        category="common.finance",
        title=title,
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["公开栏"],
        formed_on=date(2026, 2, 27),
    )


def subscribe(settings: Settings, *args: str, role: str = "integrator") -> Any:
    token = TokenSigner(load_secret(settings)).mint(
        subject="feed", tenant="xinhe", roles=[role]
    )
    env = {"GONGKAI_HOME": str(settings.home), "GONGKAI_TOKEN": token}
    return CliRunner().invoke(app, ["subscribe", *args], env=env)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_subscribe_prints_verified_events_of_a_subtree(
    settings: Settings, platform: Platform, served: str
) -> None:
    build_tree(platform)
    for month in (1, 2):
        item = publish(platform, "xinhe.tahe.tuanjie", f"团结村2026年{month}月财务收支")
    publish(platform, "wensu.jiamu", "佳木镇2026年1月财务收支")
    # Withdrawn for personal data: its publication goes out without its body,
    # and still verifies (a leaf commits to id, tenant, type and position).
    clerk = principal("xinhe.tahe.tuanjie", Role.CLERK)
    withdrawn = platform.disclosures.withdraw(
        clerk, "xinhe.tahe.tuanjie", item.id, reason="涉及个人隐私", personal_data=True
    )
    assert platform.wait("disclosures", withdrawn.position)
    result = subscribe(settings, "--tenant", "xinhe.tahe", "--http", served, "--verify")
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["data"]["body"] for e in events if e["data"].get("withheld")] == [""]
    assert {e["subject"] for e in events} == {
        "xinhe.tahe",
        "xinhe.tahe.tuanjie",
        "xinhe.tahe.xingfu",
        "xinhe.tahe.school-1",
    }
    assert sum(e["type"] == PUBLISHED for e in events) == 2
    assert "events verified against signed checkpoints" in result.output

    typed = subscribe(
        settings, "--tenant", "xinhe", "--http", served, "--type", PUBLISHED
    )
    lines = [json.loads(line) for line in typed.stdout.splitlines()]
    assert [e["subject"] for e in lines] == ["xinhe.tahe.tuanjie"] * 2
    later = subscribe(
        settings,
        "--tenant",
        "xinhe",
        "--http",
        served,
        "--after",
        lines[0]["sequence"],
        "--type",
        PUBLISHED,
    )
    assert [json.loads(x)["id"] for x in later.stdout.splitlines()] == [lines[1]["id"]]

    token = TokenSigner(load_secret(settings)).mint(
        subject="feed", tenant="xinhe", roles=["integrator"]
    )
    verifier = Verifier(Api(served, token), settings.installation)
    verifier.verify(lines[1])
    with pytest.raises(SubscribeError, match="differs from its signed leaf"):
        verifier.verify({**lines[1], "sequence": lines[0]["sequence"]})
    refused = subscribe(settings, "--tenant", "xinhe", "--kafka", "--http", served)
    assert refused.exit_code == 2


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_an_inspector_or_supervisor_holds_the_checkpoints_and_nothing_else(
    settings: Settings, platform: Platform, served: str
) -> None:
    build_tree(platform)
    publish(platform, "xinhe.tahe.tuanjie", "团结村2026年1月财务收支")
    publish(platform, "wensu.jiamu", "佳木镇2026年1月财务收支")
    issued = [checkpoint_now(platform, p) for p in ("xinhe.tahe.tuanjie", "wensu")]
    held = ["--tenant", "xinhe", "--http", served, "--type", CHECKPOINT_TYPE]
    for role in ("inspector", "supervisor"):
        result = subscribe(settings, *held, role=role)
        assert result.exit_code == 0, result.output
        notes = [
            json.loads(line)["data"]["note"] for line in result.stdout.splitlines()
        ]
        assert notes == [issued[0].note]  # its subtree's, not the sibling county's
    events = subscribe(
        settings, "--tenant", "xinhe", "--http", served, role="inspector"
    )
    assert events.exit_code == 1
    assert "403" in events.output
    assert "integrator" in events.output
    clerk = subscribe(settings, *held, role="clerk")
    assert clerk.exit_code == 1
    assert "403" in clerk.output
