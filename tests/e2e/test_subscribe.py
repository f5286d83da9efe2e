"""``gongkai subscribe --http`` against a served API, with --verify."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from domain.access import Role
from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from services.cli.app import app
from services.platform.runtime import Platform
from services.server import create_app
from services.streams.subscribe import Api, SubscribeError, Verifier
from tests.conftest import build_tree, principal
from tests.integration.streams import free_port

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


@pytest.fixture
def served(settings: Settings, platform: Platform) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, platform=platform),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def subscribe(settings: Settings, *args: str) -> Any:
    token = TokenSigner(load_secret(settings)).mint(
        subject="feed", tenant="xinhe", roles=["integrator"]
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
