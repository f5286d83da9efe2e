"""``gongkai serve --workers N``: N API processes on one port beside one process
that follows the views, on PostgreSQL (docs/operations.md, "Several API processes")."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from infra.tokens import TokenSigner
from tests.faults.procs import GONGKAI, Answer, Server, call, clean_env
from tests.faults.test_store_down import TENANT, disclosure, wait_for


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its (gone) parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def test_two_workers_and_a_follower_serve_writes_and_reads(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    secret = secrets.token_urlsafe(32)
    signer = TokenSigner(secret)
    admin = signer.mint(subject="root", tenant=None, roles=["admin"])
    clerk = signer.mint(subject="clerk@xinhe", tenant=TENANT, roles=["clerk"])
    env = clean_env(
        home=str(tmp_path / "home"), database_url=fresh_pg_url, token_secret=secret
    )
    server = Server(env, tmp_path / "serve.log", "--workers", "2")
    try:
        server.wait_ready()
        county = {"code": TENANT, "name": "新和县", "level": "county"}
        assert call("POST", f"{server.base}/v1/tenants", admin, county).status == 201
        url = f"{server.base}/v1/tenants/{TENANT}/disclosures"
        made = [call("POST", url, clerk, disclosure(n)) for n in range(12)]
        assert [m.status for m in made] == [201] * 12, made
        # Every answer reads its own write, whichever worker answers: the views
        # are written by the follower process, the workers wait for them.
        for m in made:
            got = call("GET", f"{url}/{m.body['id']}", clerk)
            assert got.status == 200, got
            assert got.body["title"] == m.body["title"]
        listed = call("GET", f"{url}?limit=50", clerk)
        assert listed.body["total"] == 12
        kids = [command_line(pid) for pid in children(server.process.pid)]
        assert sum("projections run" in k for k in kids) == 1, kids
        health = call("GET", f"{server.base}/v1/health").body
        assert health["status"] == "ok"
        assert_metrics_outlive_the_workers(server)
    finally:
        kids = {k: command_line(k) for k in children(server.process.pid)}
        server.stop()
    assert server.process.returncode is not None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(alive(k) for k in kids):
        time.sleep(0.2)
    assert not [kids[k] for k in kids if alive(k)], "children left running"
    assert "Gongkai on http://127.0.0.1" in (tmp_path / "serve.log").read_text()


def follower_of(server: Server) -> int:
    found = [
        pid
        for pid in children(server.process.pid)
        if "projections run" in command_line(pid) and alive(pid)
    ]
    assert len(found) == 1, found
    return found[0]


def test_a_killed_follower_is_restarted_and_health_is_503_until_it_catches_up(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    secret = secrets.token_urlsafe(32)
    signer = TokenSigner(secret)
    admin = signer.mint(subject="root", tenant=None, roles=["admin"])
    clerk = signer.mint(subject="clerk@xinhe", tenant=TENANT, roles=["clerk"])
    env = clean_env(
        home=str(tmp_path / "home"),
        database_url=fresh_pg_url,
        token_secret=secret,
        health_max_lag="0",  # any lag is stale: 200 means caught up
        read_wait_seconds="0",  # the writes below do not wait for the views
    )
    log = tmp_path / "serve.log"
    server = Server(env, log, "--workers", "2")
    try:
        server.wait_ready()
        county = {"code": TENANT, "name": "新和县", "level": "county"}
        assert call("POST", f"{server.base}/v1/tenants", admin, county).status == 201
        first = follower_of(server)
        os.kill(first, signal.SIGKILL)
        health = f"{server.base}/v1/health"
        wait_for(lambda: call("GET", health).status == 503, 30, "a 503 after the kill")
        url = f"{server.base}/v1/tenants/{TENANT}/disclosures"
        made = [call("POST", url, clerk, disclosure(n)) for n in range(3)]
        assert [m.status for m in made] == [201] * 3, made

        answers: list[Answer] = []

        def caught_up() -> bool:
            answers.append(call("GET", health))
            return answers[-1].status == 200

        wait_for(caught_up, 90, f"health 200 again\n{log.read_text()[-3000:]}")
        stale, current = answers[:-1], answers[-1].body
        for a in stale:  # 503 all along, until every view has caught up
            assert a.status == 503, a
            assert a.body["type"].endswith("/views-stale"), a.body
        assert current["follower"] == "elsewhere"
        assert all(
            v == {**v, "lag": 0, "running": True} for v in current["views"].values()
        )
        second = follower_of(server)
        assert second != first
        assert not Path(f"/proc/{first}").exists()  # reaped, not left <defunct>
        assert f"the projection process {first} killed by SIGKILL" in log.read_text()
        for m in made:
            got = call("GET", f"{url}/{m.body['id']}", clerk)
            assert got.status == 200, got
            assert "view_pending" not in got.body or not got.body["view_pending"]
    finally:
        server.stop()
    print(f"\nfollower {first} killed, {second} restarted; {len(answers)} health polls")


def test_workers_refuse_sqlite(tmp_path: Path) -> None:
    env = clean_env(home=str(tmp_path / "home"))
    server = Server(env, tmp_path / "serve.log", "--workers", "2")
    assert server.process.wait(timeout=60) == 2
    assert "--workers needs PostgreSQL" in (tmp_path / "serve.log").read_text()


def test_processes_started_together_on_a_fresh_database_all_start(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    """Three API processes and a projection process at the same instant: the
    table and function DDL is serialised, so none fails its start."""
    env = clean_env(
        home=str(tmp_path / "home"),
        database_url=fresh_pg_url,
        token_secret=secrets.token_urlsafe(32),
        run_projections="false",
    )
    servers = [Server(env, tmp_path / f"serve{i}.log") for i in range(3)]
    follower = subprocess.Popen(
        [GONGKAI, "projections", "run"],
        env=clean_env(home=str(tmp_path / "home"), database_url=fresh_pg_url),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "follower.log").open("w"),
    )
    try:
        for server in servers:
            server.wait_ready()
        assert follower.poll() is None, (tmp_path / "follower.log").read_text()
    finally:
        for server in servers:
            server.stop()
        follower.terminate()
        follower.wait(timeout=30)


def assert_metrics_outlive_the_workers(server: Server) -> None:
    """/metrics sums what every worker counted (prometheus_client's multiprocess
    mode): once both workers are killed and uvicorn has started new ones, these
    still report the 12 writes the old ones answered."""
    route = "/v1/tenants/{path}/disclosures"

    def writes() -> float:
        with urllib.request.urlopen(f"{server.base}/metrics", timeout=10) as r:
            families = list(text_string_to_metric_families(r.read().decode()))
        samples = [s for family in families for s in family.samples]
        assert any(s.name == "gongkai_view_lag" for s in samples)
        assert any(s.name == "gongkai_pg_pool_connections" for s in samples)
        return sum(
            s.value
            for s in samples
            if s.name == "gongkai_http_requests_total"
            and s.labels == {"method": "POST", "route": route, "status": "201"}
        )

    def workers() -> set[int]:
        kids = children(server.process.pid)
        return {k for k in kids if alive(k) and "spawn_main" in command_line(k)}

    assert writes() == 12
    before = workers()
    assert len(before) == 2
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while len(now := workers()) != 2 or now & before:
        assert time.monotonic() < deadline, f"workers not replaced: {before} {now}"
        time.sleep(0.2)
    server.wait_ready()
    assert writes() == 12
