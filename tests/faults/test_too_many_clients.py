"""PostgreSQL has no connection to spare when ``gongkai serve --workers 2`` starts.

A throwaway cluster (``max_connections`` 30) whose every slot the test holds
answers each new connection "sorry, too many clients already". uvicorn stops the
whole server when one worker fails to start; here no worker fails: each starts
without its platform, answers 503 saying why in plain words, and connects once
the test lets go of the slots, with the follower the server keeps restarting.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg

from infra.tokens import TokenSigner
from tests.e2e.test_serve_workers import children, command_line
from tests.faults.procs import Server, call, clean_env, cluster
from tests.faults.test_store_down import TENANT, wait_for

SLOTS = 30


def test_workers_that_cannot_connect_start_anyway_say_why_and_connect_later(
    tmp_path: Path,
) -> None:
    secret = secrets.token_urlsafe(32)
    admin = TokenSigner(secret).mint(subject="root", tenant=None, roles=["admin"])
    county = {"code": TENANT, "name": "新和县", "level": "county"}
    with cluster(max_connections=SLOTS) as pg:
        held = [psycopg.connect(pg.url) for _ in range(SLOTS)]
        env = clean_env(home=str(tmp_path / "home"), database_url=pg.url)
        env["GONGKAI_TOKEN_SECRET"] = secret
        log = tmp_path / "serve.log"
        server = Server(env, log, "--workers", "2")
        health = f"{server.base}/v1/health"
        try:

            def says_why() -> bool:
                assert server.process.poll() is None, log.read_text()[-3000:]
                answer = call("GET", health, timeout=5)
                return answer.status == 503 and "too many clients" in str(answer.body)

            wait_for(says_why, 90, "503 saying 'too many clients'")
            wait_for(
                lambda: log.read_text().count("not connected at start") == 2,
                90,
                "both workers to start without connecting",
            )
            workers = {
                pid
                for pid in children(server.process.pid)
                if "spawn_main" in command_line(pid)
            }
            assert len(workers) == 2, workers
            refused = call("POST", f"{server.base}/v1/tenants", admin, county)
            assert refused.status == 503, refused
            assert refused.headers["retry-after"] == "5"
            assert "too many clients" in refused.body["detail"]
            assert "nothing was recorded" in refused.body["detail"]

            for conn in held:
                conn.close()
            wait_for(lambda: call("GET", health).status == 200, 90, "health 200")
            # The worker that answered health has connected; the other may still
            # be on its way, and says so with a 503 that recorded nothing.
            answers = []

            def recorded() -> bool:
                answers.append(call("POST", f"{server.base}/v1/tenants", admin, county))
                return answers[-1].status == 201

            wait_for(recorded, 30, "the tenant recorded")
            assert all(a.status == 503 for a in answers[:-1]), answers
            assert server.process.poll() is None
            again = {
                pid
                for pid in children(server.process.pid)
                if "spawn_main" in command_line(pid)
            }
            assert again == workers  # the same processes: none failed its start
        finally:
            for conn in held:
                conn.close()
            server.stop()
    text = log.read_text()
    assert "refuses more connections: too many clients" in text
    assert "failed to start" not in text  # uvicorn's, before stopping the server
