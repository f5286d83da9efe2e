"""``gongkai mirror``: a prefecture holds and verifies a county installation.

Two installations in one process, each its own PostgreSQL database, home and keys:
the county (新和县, served by uvicorn on 127.0.0.1) and the prefecture, whose
``gongkai mirror`` commands run with its own environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from domain.access import Role
from domain.ledger.note import Checkpoint, sign_note
from infra.keys import Ed25519Signer
from infra.mirror_store import MirrorStore
from infra.scratchdb import create_database, drop_database
from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from services.audit.evidence import checkpoint_now
from services.cli.app import app
from services.operations.metrics import mirror_metrics
from services.platform.runtime import Platform
from services.server import create_app
from tests.conftest import ADMIN, MutableClock, build_tree
from tests.e2e.test_subscribe import publish
from tests.e2e.test_web_console import sign_in
from tests.live_server import free_port, live_server

COUNTY = "xinhe.example"
runner = CliRunner()


def serving(platform: Platform, settings: Settings, port: int) -> Any:
    """The county's API on ``port`` (a restart comes back on the same one)."""
    return live_server(create_app(settings, platform=platform), settings, port)


@pytest.fixture
def county(tmp_path: Path) -> Iterator[Platform]:
    url = create_database()
    settings = Settings(
        home=tmp_path / "county",
        database_url=url,
        installation=COUNTY,
        token_secret=secrets.token_urlsafe(32),
        read_wait_seconds=5.0,
    )
    p = Platform(settings, clock=MutableClock())
    p.start_projections()
    try:
        build_tree(p)
        yield p
    finally:
        p.close()
        drop_database(url)


@pytest.fixture
def prefecture(tmp_path: Path) -> Iterator[dict[str, str]]:
    url = create_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env.update(
        GONGKAI_HOME=str(tmp_path / "prefecture"),
        GONGKAI_DATABASE_URL=url,
        GONGKAI_INSTALLATION="aksu.example",
    )
    try:
        yield env
    finally:
        drop_database(url)


def checkpoint_all(p: Platform) -> None:
    """Sign every head of 新和县's tree, deepest first (a child's checkpoint adds
    its parent's witness record, which the parent's checkpoint then covers)."""
    tenants = [
        "xinhe.tahe.tuanjie",
        "xinhe.tahe.xingfu",
        "xinhe.tahe.school-1",
        "xinhe.tahe",
        "xinhe",
    ]
    for path in tenants:
        p.auditor.open_ledger(path)
    for path in tenants:
        checkpoint_now(p, path)


def integrator_token(p: Platform) -> str:
    signer = TokenSigner(load_secret(p.settings))
    return signer.mint(
        subject="mirror@xinhe", tenant="xinhe", roles=[Role.INTEGRATOR.value]
    )


def pinned(p: Platform) -> str:
    return p.auditor.verifier_keys("xinhe")["xinhe"][-1]


def mirror(env: dict[str, str], *args: str) -> Any:
    return runner.invoke(app, ["mirror", *args], env=env)


def add(env: dict[str, str], url: str, p: Platform, key: str | None = None) -> None:
    added = mirror(
        env,
        "add",
        "xinhe",
        "--feed",
        url,
        "--token",
        integrator_token(p),
        "--trust",
        key or pinned(p),
    )
    assert added.exit_code == 0, added.output


def status(env: dict[str, str]) -> dict[str, Any]:
    found = mirror(env, "status", "xinhe", "--json")
    assert found.exit_code == 0, found.output
    result: dict[str, Any] = json.loads(found.stdout)[0]
    return result


def test_catch_up_follow_and_verify_offline(
    county: Platform, prefecture: dict[str, str]
) -> None:
    for month in range(1, 4):
        publish(county, "xinhe.tahe.tuanjie", f"团结村2026年{month}月财务收支")
    checkpoint_all(county)
    with serving(county, county.settings, free_port()) as url:
        add(prefecture, url, county)
        token = Path(prefecture["GONGKAI_HOME"]) / "mirrors" / "xinhe.token"
        assert token.stat().st_mode & 0o077 == 0  # a secret: the owner's only
        caught = mirror(prefecture, "follow", "xinhe", "--once")
        assert caught.exit_code == 0, caught.output
        assert "跟随中" in caught.stdout
        first = status(prefecture)
        assert first["state"] == "following"
        assert first["verified_size"] == county.views["audit"].head("xinhe").size
        assert first["events"] > 0
        # the prefecture's platform follows the mirror while the county writes on
        settings = Settings(_env_file=None, **settings_of(prefecture))
        settings.mirror_poll_seconds = 0.2
        followed = Platform(settings)
        followed.start_projections()
        try:
            for month in (4, 5):
                publish(county, "xinhe.tahe.xingfu", f"幸福村2026年{month}月财务收支")
                checkpoint_all(county)
            size = county.views["audit"].head("xinhe").size
            second = wait_for(prefecture, lambda s: s["verified_size"] == size)
            with TestClient(create_app(settings, platform=followed)) as client:
                health = read_health(client)
                admin = TokenSigner(load_secret(settings)).mint(
                    subject="root", tenant=None, roles=[Role.ADMIN.value]
                )
                headers = {"Authorization": f"Bearer {admin}"}
                written = client.post(
                    "/v1/tenants/xinhe.tahe.tuanjie/disclosures",
                    json={"title": "x"},
                    headers=headers,
                )
                registered = client.post(
                    "/v1/tenants",
                    json={
                        "code": "new",
                        "name": "新村",
                        "level": "village",
                        "parent": "xinhe.tahe",
                    },
                    headers=headers,
                )
        finally:
            followed.close()
        for refused in (written, registered):  # the county's records: read-only here
            assert refused.status_code == 409, refused.text
            assert refused.json()["type"].endswith("mirrored-read-only")
            assert "只读" in refused.json()["title_zh"]
        assert second["events"] > first["events"]
        assert second["state"] == "following"
        assert second["lag"] == 0
        assert health["mirrors"]["xinhe"]["verified_size"] == size
        assert "alerts" not in health
    printed = mirror(prefecture, "status")
    for label in ("镜像 xinhe", "来源", "状态", "位置", "延迟", "已验证检查点"):
        assert label in printed.stdout
    verified = mirror(prefecture, "verify", "xinhe")  # the county is gone: offline
    assert verified.exit_code == 0, verified.output
    assert "全部相符" in verified.stdout
    store = MirrorStore(
        Settings(_env_file=None, **settings_of(prefecture)).eventsourcing_env()
    )
    try:
        row = [r for r in store.events("xinhe") if "Published" in r["type"]][-1]
        tampered = row["cloudevent"].replace("财务收支", "财务收入")
        assert tampered != row["cloudevent"]
        with store._datastore.transaction(commit=True) as curs:
            curs.execute(
                "UPDATE mirror_events SET cloudevent = %s WHERE position = %s",
                (tampered, row["position"]),
            )
    finally:
        store.close()
    found = mirror(prefecture, "verify", "xinhe")
    assert found.exit_code == 1
    assert "不符" in found.stdout


def wait_for(env: dict[str, str], done: Callable[[dict[str, Any]], bool]) -> Any:
    """The mirror's status once ``done`` holds (the platform's follower polls)."""
    deadline = time.monotonic() + 60
    while not done(found := status(env)):
        assert time.monotonic() < deadline, found
        time.sleep(0.2)
    return found


def read_health(client: TestClient) -> Any:
    """The health document (a loaded machine may miss its 0.8 s deadline: again)."""
    for _ in range(20):
        found = client.get("/v1/health").json()
        if "mirrors" in found:
            return found
        time.sleep(0.5)
    raise AssertionError(found)


def settings_of(env: dict[str, str]) -> dict[str, Any]:
    return {
        "home": Path(env["GONGKAI_HOME"]),
        "database_url": env["GONGKAI_DATABASE_URL"],
        "installation": env["GONGKAI_INSTALLATION"],
    }


def test_source_down_and_back(county: Platform, prefecture: dict[str, str]) -> None:
    checkpoint_all(county)
    port = free_port()
    with serving(county, county.settings, port) as url:
        add(prefecture, url, county)
    down = mirror(prefecture, "follow", "xinhe", "--once")
    assert down.exit_code == 3
    assert status(prefecture)["state"] == "source-down"
    assert "来源不可达" in mirror(prefecture, "status").stdout
    with serving(county, county.settings, port):
        back = mirror(prefecture, "follow", "xinhe", "--once")
        assert back.exit_code == 0, back.output
    found = status(prefecture)
    assert found["state"] == "following"
    assert found["verified_size"] == county.views["audit"].head("xinhe").size


def test_a_county_that_rewrites_its_tail_is_a_fork(
    county: Platform, prefecture: dict[str, str]
) -> None:
    checkpoint_all(county)
    with serving(county, county.settings, free_port()) as url:
        add(prefecture, url, county)
        assert mirror(prefecture, "follow", "xinhe", "--once").exit_code == 0
        held = status(prefecture)
        # the county writes on, then signs a head that is not its tree's
        publish(county, "xinhe", "新和县2026年3月财务收支")
        assert county.catch_up_audit()
        head = county.views["audit"].head("xinhe")
        forged = Checkpoint(
            f"{COUNTY}/xinhe", head.size, hashlib.sha256(b"rewritten").digest()
        )
        signer = county.auditor.keys.signer(f"{COUNTY}/xinhe", "xinhe")
        note = sign_note(forged.body(), signer).format()
        county.views["audit"].save_checkpoint(
            "xinhe", head.size, forged.root_hash, note, "2026-03-02T02:00:00+00:00"
        )
        stopped = mirror(prefecture, "follow", "xinhe", "--once")
    assert stopped.exit_code == 1
    found = status(prefecture)
    assert found["state"] == "stopped:fork"
    assert found["verified_size"] == held["verified_size"]  # stopped where it was
    assert found["position"] == held["position"]
    assert "分叉" in mirror(prefecture, "status").stdout
    settings = Settings(_env_file=None, **settings_of(prefecture))
    seen = Platform(settings)
    try:
        seen.tenants.register(
            ADMIN, code="aksu", name="阿克苏地区", level="county", parent=None
        )
        staffer, code, _ = seen.staff.register(
            ADMIN,
            "aksu",
            number="AK-1",
            name="监督员",
            post="公开办",
            roles=["supervisor"],
        )
        seen.sign_ins.activate(staffer.username, code, "prefecture-pass-2026", "test")
        with TestClient(create_app(settings, platform=seen)) as client:
            health = read_health(client)
            sign_in(client, (staffer.username, "prefecture-pass-2026"))
            console = client.get("/console/mirrors")
        metrics = {m.name: m for m in mirror_metrics(seen)}
    finally:
        seen.close()
    assert health["mirrors"]["xinhe"]["state"] == "stopped:fork"
    assert "分叉" in health["alerts"][0]
    assert console.status_code == 200, console.text
    assert "已停止：分叉" in console.text
    assert "分叉证据" in console.text
    (sample,) = [
        s
        for s in metrics["gongkai_mirror_stopped"].samples
        if s.labels == {"mirror": "xinhe", "reason": "fork"}
    ]
    assert sample.value == 1
    store = MirrorStore(
        Settings(_env_file=None, **settings_of(prefecture)).eventsourcing_env()
    )
    try:
        (fork,) = store.forks("xinhe")
        assert fork["new_note"] == note  # both signed checkpoints, kept as proof
        assert fork["held_note"] == store.latest_checkpoint("xinhe", "xinhe")["note"]
    finally:
        store.close()


@pytest.mark.parametrize("named", ["xinhe", "shaya"], ids=["own-name", "other-county"])
def test_a_key_that_is_not_the_pinned_one_is_refused(
    county: Platform, prefecture: dict[str, str], named: str
) -> None:
    """A key of the county's own name but other material, and another county's
    key (whose subtree this feed does not hold): both refused, nothing kept."""
    checkpoint_all(county)
    other = Ed25519Signer(f"{COUNTY}/{named}", secrets.token_bytes(32)).verifier_key()
    with serving(county, county.settings, free_port()) as url:
        add(prefecture, url, county, key=other)
        refused = mirror(prefecture, "follow", "xinhe", "--once")
    assert refused.exit_code == 1
    found = status(prefecture)
    assert found["state"] == "stopped:refused-key"
    assert found["events"] == 0
    assert "密钥不符" in mirror(prefecture, "status").stdout
