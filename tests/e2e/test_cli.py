"""The ``gongkai`` command as a new user runs it: token, demo, serve, projections."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret

GONGKAI = str(Path(sys.executable).parent / "gongkai")


def run(
    env: dict[str, str], *args: str, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GONGKAI, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path, store_url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    return {
        **clean,
        "GONGKAI_HOME": str(tmp_path / "home"),
        "GONGKAI_DATABASE_URL": store_url,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, token: str | None = None) -> Any:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """``gongkai serve --demo-if-empty`` on a free loopback port."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(
            [GONGKAI, "serve", "--port", str(port), "--demo-if-empty"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                get(f"{base}/v1/health")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start:\n{log.read_text()}")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def logged_with_their_request_ids(server: str, token: str, log: Path) -> None:
    """stderr (not a terminal) has one JSON object a line; the access record of
    each request carries the X-Request-ID its answer returned: the caller's, or
    one the server made."""
    ids = []
    for given in ("e2e-trace-1", None):
        request = urllib.request.Request(
            f"{server}/v1/tenants/xinhe", headers={"Authorization": f"Bearer {token}"}
        )
        if given:
            request.add_header("X-Request-ID", given)
        with urllib.request.urlopen(request, timeout=10) as response:
            ids.append(response.headers["X-Request-ID"])
    assert ids[0] == "e2e-trace-1"
    assert ids[1]
    assert ids[1] != ids[0]
    deadline = time.monotonic() + 10  # the record follows the answer
    while True:
        entries = [
            json.loads(line)
            for line in log.read_text().splitlines()
            if line.startswith("{")
        ]
        found = {e.get("request_id"): e for e in entries}
        if all(i in found for i in ids) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for rid in ids:
        entry = found[rid]
        assert entry["logger"] == "gongkai.access"
        assert entry["route"] == "/v1/tenants/{path}"
        assert (entry["method"], entry["status"]) == ("GET", 200)
        assert (entry["tenant"], entry["principal"]) == ("xinhe", "XH-0001@xinhe")
        assert entry["timestamp"].endswith("+08:00")
    assert any(e["message"].startswith("Uvicorn running on") for e in entries)
    assert 'HTTP/1.1" 200' not in log.read_text()  # uvicorn's access log is off


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_token_prints_one_token_the_server_accepts(env: dict[str, str]) -> None:
    result = run(env, "token", "--tenant", "xinhe.tahe", "--role", "clerk")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert "\n" not in token
    settings = Settings(home=Path(env["GONGKAI_HOME"]))
    claims = TokenSigner(load_secret(settings)).verify(token)
    assert claims.tenant == "xinhe.tahe"
    assert claims.roles == ("clerk",)
    admin = run(env, "token", "--role", "admin")
    assert (
        TokenSigner(load_secret(settings)).verify(admin.stdout.strip()).tenant is None
    )


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_token_refuses_bad_roles_with_a_message(env: dict[str, str]) -> None:
    no_tenant = run(env, "token", "--role", "clerk")
    assert no_tenant.returncode == 2
    assert "installation admin" in no_tenant.stderr
    unknown = run(env, "token", "--tenant", "xinhe", "--role", "mayor")
    assert unknown.returncode == 2
    assert "unknown role" in unknown.stderr


def test_serve_loads_the_demo_and_answers_as_the_readme_says(
    env: dict[str, str], server: str, tmp_path: Path
) -> None:
    health = get(f"{server}/v1/health")
    assert health["status"] == "ok"
    assert health["position"] > 400
    assert "XH-0001@xinhe  demo-county-2026" in (tmp_path / "serve.log").read_text()
    form = urllib.parse.urlencode(
        {"username": "XH-0001@xinhe", "password": "demo-county-2026"}
    ).encode()
    with urllib.request.urlopen(f"{server}/v1/auth/token", form, timeout=10) as r:
        signed = json.loads(r.read())
    assert signed["token_type"] == "bearer"
    assert signed["roles"] == ["admin", "supervisor"]
    token = signed["access_token"]
    logged_with_their_request_ids(server, token, tmp_path / "serve.log")
    county = get(f"{server}/v1/tenants/xinhe", token)
    assert county["name"] == "新和县"
    assert {c["name"] for c in county["children"]} >= {"新和镇", "依其艾日克乡"}
    listed = get(
        f"{server}/v1/tenants/xinhe/disclosures?include_descendants=true&limit=200",
        token,
    )
    items = listed["items"]
    assert len(items) == 200
    assert listed["next_cursor"]
    assert any(not i["on_time"] for i in items)
    assert any(i["on_time"] for i in items)
    scenic = get(f"{server}/v1/tenants/xinhe.ysfjq/case-stats", token)
    assert scenic["received"] == 17
    assert scenic["by_channel"]["mailbox"] == 6
    assert scenic["reply_rate"]["value"] == 1.0
    catalogue = get(f"{server}/v1/tenants/xinhe.xinhe-zhen.xingfu/catalogue", token)
    assert catalogue["categories"]
    item = next(i for i in items if i["tenant"].count(".") == 2)
    request = urllib.request.Request(
        f"{server}/v1/tenants/{item['tenant']}/evidence/disclosures/{item['id']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    bundle = tmp_path / "demo-bundle.json"
    with urllib.request.urlopen(request, timeout=60) as response:
        bundle.write_bytes(response.read())
    offline = subprocess.run(
        [GONGKAI, "verify", str(bundle)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert item["tenant"] in offline.stdout
    docs = urllib.request.urlopen(f"{server}/docs", timeout=10).read()
    assert b"swagger" in docs.lower()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_demo_refuses_a_second_load_and_rebuild_replays_the_log(
    env: dict[str, str],
) -> None:
    first = run(env, "demo")
    assert first.returncode == 0, first.stderr
    assert "demo loaded: 18 tenants" in first.stderr
    again = run(env, "demo")
    assert "already holds events" in again.stderr
    rebuilt = run(env, "projections", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "views rebuilt: tenant_directory 18 events" in rebuilt.stderr
    status = run(env, "projections", "status")
    assert "lag 0" in status.stdout


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_audit_verify_passes_a_clean_demo_and_names_a_changed_byte(
    env: dict[str, str],
) -> None:
    assert run(env, "demo").returncode == 0
    # No server runs: the command catches the audit view up itself, before signing
    # (the village's ledger opens now) and after (the town's witness record).
    village = "xinhe.xinhe-zhen.tuanjie"
    signed = run(env, "audit", "checkpoint", "--tenant", village)
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout.startswith(f"gongkai.local/{village}\n")
    assert "— gongkai.local/xinhe.xinhe-zhen " in signed.stdout  # cosigned
    clean = run(env, "audit", "verify")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "✓ the audit trail matches the event store" in clean.stdout
    database = Path(env["GONGKAI_DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(database) as conn:
        rowid, state = conn.execute(
            "SELECT rowid, state FROM stored_events WHERE topic LIKE '%Published' "
            "AND CAST(state AS TEXT) LIKE '%\"working_days_late\":0%' "
            "ORDER BY rowid LIMIT 1"
        ).fetchone()
        forged = bytes(state).replace(
            b'"working_days_late":0', b'"working_days_late":7'
        )
        conn.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?", (forged, rowid)
        )
    tampered = run(env, "audit", "verify")
    assert tampered.returncode == 1
    assert "✗ first divergence: tenant " in tampered.stdout
    assert "field payload.working_days_late" in tampered.stdout
