"""Issue 26 §2: the federation of `gongkai federation`, started once for this module.

Three county installations (each its own fresh database, state directory, secret,
port and renamed demo) and 阿克苏地区, which mirrors them over their HTTP feeds (one
also over Kafka, through a tansu broker). End to end, through the installations'
processes only: catch-up from zero, following while the counties write, a county
down and back, a key that is not the pinned one, and, last, a county that rewrites
its tail (restored from an older copy of its database, then written again).

The tests of one module share the federation: they run on one xdist worker
(``xdist_group``) in file order; each waits for a state, never for a time.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from domain.timeliness import local_date
from infra.keys import Ed25519Signer, Ed25519Verifier
from infra.scratchdb import PG_HOST, PG_PORT, PG_USER
from services.cli.federation_installation import Installation
from services.cli.federation_run import PREFECTURE_STAFFER, Federation, plan
from tests.integration.streams import free_port, read_topics

pytestmark = [pytest.mark.xdist_group("federation"), pytest.mark.timeout(900)]
WAIT_SECONDS = 240.0


def say(line: str) -> None:
    print(line)  # shown with -s, or on failure


@pytest.fixture(scope="module")
def fed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    root = tmp_path_factory.mktemp("federation")
    federation = plan(root, [free_port() for _ in range(4)])
    try:
        federation.start(say)
        yield federation
    finally:
        federation.stop(say)


def mirrors_ready(fed: Federation) -> None:
    assert fed.mirrors, fed.pending


def wait_for(what: str, check: Callable[[], Any], fed: Federation) -> Any:
    """``check()``'s first truthy answer; fails with the mirrors' status if none
    comes (a stuck state, not a slow machine: the bound is generous)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    status = fed.mirror_status() if fed.mirrors else fed.pending
    pytest.fail(
        f"{what}: not reached; mirrors: {json.dumps(status, ensure_ascii=False)}"
    )


def status_of(fed: Federation, name: str) -> dict[str, Any]:
    return next(s for s in fed.mirror_status() if s["name"] == name)


def log_end(county: Installation) -> int:
    """The county's log position (its health answer)."""
    return int(county.wait_healthy()["position"])


def caught_up(fed: Federation, name: str, county: Installation) -> Callable[[], Any]:
    """True once mirror ``name`` verified the county's log up to its end now (the
    county's own checkpoint events, which follow writes, may move that end on)."""

    def check() -> bool:
        s = status_of(fed, name)
        assert not s["state"].startswith("stopped"), s
        if s["state"] != "following":  # a county just restarted: seen on a poll
            return False
        return bool(s["position"] >= log_end(county) and s["lag"] == 0)

    return check


def publish(county: Installation, path: str, title: str) -> None:
    token = county.token(["clerk"], path)
    answer = httpx.post(
        f"{county.url}/v1/tenants/{path}/disclosures",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "category": "common.finance",
            "title": title,
            "body": "一、收入合计12.6万元；二、支出合计9.8万元。",
            "channels": ["公开栏"],
            "formed_on": local_date(datetime.now(UTC)).isoformat(),
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text


def events_of(database_url: str, like: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM gongkai_events WHERE convert_from(state, 'UTF8') "
            "LIKE %s",
            (f"%{like}%",),
        ).fetchone()
    assert row is not None
    return int(row[0])


# The installations, before any mirror ----------------------------------------------


def test_each_county_is_its_own_installation_with_its_own_names(
    fed: Federation,
) -> None:
    names = {}
    for county in fed.counties:
        token = county.token(["supervisor"], county.code)
        tenant = httpx.get(
            f"{county.url}/v1/tenants/{county.code}",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        names[county.code] = tenant["name"]
        assert log_end(county) > 1000  # a year of the demo
    assert names == {"xinhe": "新和县", "shaya": "沙雅县", "kuche": "库车市"}
    assert len({c.database_url for c in fed.counties}) == 3
    assert len({c.top_key() for c in fed.counties}) == 3
    shaya = fed.county("shaya")
    # The renamed demo keeps nothing of 新和县 (paths, names or staff numbers).
    for old in ("xinhe", "新和", "XH-"):
        assert events_of(shaya.database_url, old) == 0, old
    assert events_of(shaya.database_url, "SY-0301@shaya") > 0


def test_the_prefecture_holds_its_own_units(fed: Federation) -> None:
    p = fed.prefecture
    token = p.token(["supervisor"], p.code)
    tree = httpx.get(
        f"{p.url}/v1/tenants/{p.code}", headers={"Authorization": f"Bearer {token}"}
    )
    assert tree.status_code == 200, tree.text
    assert tree.json()["name"] == "阿克苏地区"
    names = {t["name"] for t in tree.json()["children"]}
    assert "阿克苏地区财政局" in names


def test_the_kafka_county_relays_its_whole_log(fed: Federation) -> None:
    """库车市's relay publishes its log to the federation's broker (what a Kafka
    mirror reads)."""
    county = fed.county("kuche")
    assert fed.broker is not None
    assert county.kafka is not None
    health = wait_for(
        "the relay at the log's end",
        lambda: (h := county.wait_healthy())["relay"]["lag"] == 0 and h,
        fed,
    )
    assert health["relay"]["position"] == health["position"]
    received = read_topics(county.kafka, ["gongkai.tenancy.v1"], until=18)
    subjects = {json.loads(m.value)["subject"] for m in received.messages}
    assert "kuche.ysfjq" in subjects


# Mirrors --------------------------------------------------------------------------


def test_catch_up_from_zero(fed: Federation) -> None:
    """Each mirror started at position 0 and verifies its county's whole log."""
    mirrors_ready(fed)
    for mirror in fed.mirrors:
        wait_for(
            f"{mirror.name} caught up", caught_up(fed, mirror.name, mirror.county), fed
        )
    for mirror in fed.mirrors:
        s = status_of(fed, mirror.name)
        assert s["verified_size"] > 0
        assert s["events"] > 1000
        assert s["forks"] == []

    # 库车市 over Kafka holds what its feed mirror holds, up to the same checkpoint
    def same_checkpoint() -> bool:
        kafka, feed = status_of(fed, "kuche-kafka"), status_of(fed, "kuche")
        assert kafka["kafka"] == f"{fed.county('kuche').kafka}（gongkai.*）"
        return bool(kafka["verified_size"] == feed["verified_size"])

    wait_for("库车市 over Kafka and its feed at one checkpoint", same_checkpoint, fed)


def test_the_prefecture_console_shows_the_counties_with_their_lag(
    fed: Federation,
) -> None:
    """Issue 26, done when: the prefecture's console lists its three counties,
    each with its source, position, lag and state in words."""
    assert fed.mirrors, fed.pending
    caught_up_cell = '延迟（事件）" class="">0<'

    def rows_caught_up() -> list[str] | None:
        """The table's rows once each shows lag 0: a county's checkpoint events
        move its end on a moment before its next checkpoint covers them."""
        page = console_mirrors(fed)
        table = page.split('id="mirrors"', 1)[1].split("</table>", 1)[0]
        rows = table.split("<tr>")[2:]  # after the header's
        assert len(rows) == len(fed.mirrors)
        return rows if all(caught_up_cell in r for r in rows) else None

    rows = wait_for("the console shows every mirror caught up", rows_caught_up, fed)
    for mirror in fed.mirrors:
        row = next(r for r in rows if f"<code>{mirror.name}</code>" in r)
        assert mirror.county.url in row or "Kafka" in row
        assert "跟随中" in row


def test_a_town_cannot_read_the_mirrors(fed: Federation) -> None:
    county = fed.county("xinhe")
    with httpx.Client(base_url=county.url) as client:
        sign_in(client, "XH-0101@xinhe", "demo-town-2026")
        assert client.get("/console/mirrors").status_code == 403


def test_follow_while_the_counties_write(fed: Federation) -> None:
    mirrors_ready(fed)
    before = {m.name: status_of(fed, m.name)["position"] for m in fed.mirrors}
    for n in range(3):
        for county in fed.counties:
            publish(county, f"{county.code}.czj", f"{county.name}联邦测试第{n}号")
    for mirror in fed.mirrors:
        wait_for(
            f"{mirror.name} follows", caught_up(fed, mirror.name, mirror.county), fed
        )
        assert status_of(fed, mirror.name)["position"] > before[mirror.name]


def test_a_county_down_and_back(fed: Federation) -> None:
    mirrors_ready(fed)
    shaya = fed.county("shaya")
    shaya.stop()
    wait_for(
        "shaya seen down",
        lambda: status_of(fed, "shaya")["state"] == "source-down",
        fed,
    )
    shaya.start()
    shaya.wait_healthy()
    publish(shaya, "shaya.czj", "沙雅县恢复后第1号")
    wait_for(
        "shaya following again",
        lambda: (
            status_of(fed, "shaya")["state"] == "following"
            and caught_up(fed, "shaya", shaya)()
        ),
        fed,
    )


def test_a_county_whose_key_is_not_the_pinned_one_is_refused(
    fed: Federation, tmp_path: Path
) -> None:
    """The prefecture pinned a key of the county's name that the county does not
    sign with (an impostor's, or a county that lost its keys and made new ones)."""
    mirrors_ready(fed)
    shaya = fed.county("shaya")
    name = Ed25519Verifier.from_verifier_key(shaya.top_key()).name
    impostor = Ed25519Signer(name, secrets.token_bytes(32)).verifier_key()
    token = tmp_path / "token"
    token.write_text(shaya.token(["integrator"], shaya.code))
    fed.prefecture.run(
        "mirror", "add", "shaya-wrong-key", "--feed", shaya.url,
        "--token-file", str(token), "--trust", impostor,
    )  # fmt: skip
    done = fed.prefecture.run(
        "mirror", "follow", "shaya-wrong-key", "--once", check=False
    )
    assert done.returncode == 1, done.stderr
    s = status_of(fed, "shaya-wrong-key")
    assert s["state"] == "stopped:refused-key", s
    assert s["events"] == 0


def test_a_county_that_rewrites_its_tail_is_caught_with_proof(
    fed: Federation,
) -> None:
    """新和县 restores an older copy of its database (the same keys) and writes on:
    its new checkpoints contradict the ones the prefecture holds."""
    mirrors_ready(fed)
    xinhe = fed.county("xinhe")
    database = xinhe.database_url.rsplit("/", 1)[1]
    older = f"{database}_older"
    xinhe.stop()
    admin(f'CREATE DATABASE "{older}" TEMPLATE "{database}"')
    try:
        xinhe.start()
        xinhe.wait_healthy()
        for n in range(3):
            publish(xinhe, "xinhe.czj", f"新和县改写前第{n}号")
        wait_for("xinhe held", caught_up(fed, "xinhe", xinhe), fed)
        held = status_of(fed, "xinhe")["verified_size"]
        xinhe.stop()
        admin(f'DROP DATABASE "{database}" WITH (FORCE)')
        admin(f'ALTER DATABASE "{older}" RENAME TO "{database}"')
    except BaseException:
        admin(f'DROP DATABASE IF EXISTS "{older}" WITH (FORCE)')
        raise
    xinhe.start()
    xinhe.wait_healthy()
    for n in range(8):  # past the positions the rewritten tail had
        publish(xinhe, "xinhe.czj", f"新和县改写后第{n}号")
    s = wait_for(
        "the fork found",
        lambda: (s := status_of(fed, "xinhe"))["state"] == "stopped:fork" and s,
        fed,
    )
    assert s["forks"], s
    assert s["verified_size"] == held  # stopped at the last verified position
    done = fed.prefecture.run("mirror", "status", "xinhe", check=False)
    assert "分叉" in done.stdout
    verified = fed.prefecture.run("mirror", "verify", "xinhe", check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def admin(sql: str) -> None:
    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def sign_in(client: httpx.Client, username: str, password: str) -> None:
    form = client.get("/console/sign-in").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form)
    assert token, form
    signed = client.post(
        "/console/sign-in",
        data={"username": username, "password": password, "csrf_token": token[1]},
    )
    assert signed.status_code == 303, signed.text


def console_mirrors(fed: Federation) -> str:
    """The prefecture's 镜像 page, as its staffer (AKS-0001@aksu) sees it."""
    number, _, _, password = PREFECTURE_STAFFER
    with httpx.Client(base_url=fed.prefecture.url) as client:
        sign_in(client, f"{number}@{fed.prefecture.code}", password)
        page = client.get("/console/mirrors")
        assert page.status_code == 200, page.text
        return page.text
