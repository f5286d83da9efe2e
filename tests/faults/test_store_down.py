"""PostgreSQL stops while clients write through the HTTP API, then starts again.

A throwaway cluster of the test's own (not the shared one) is stopped with
``pg_ctl -m immediate`` (a crash) under a running ``gongkai serve``. While it is
down every answer is a 503 problem with Retry-After, within the connect timeout,
and at once (without trying the store) once the process knows it is down;
``/v1/health`` answers within a second all along; once it is back the same server
process records commands again; and every command that got a 2xx is in the log.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from infra.tokens import TokenSigner
from tests.faults.procs import Answer, Server, call, clean_env, cluster

TENANT = "xinhe"


def disclosure(n: int) -> dict[str, Any]:
    formed = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    return {
        "category": "common.finance",
        "title": f"新和县财务收支第{n}号",
        "body": "一、收入合计12.6万元；二、支出合计9.8万元。",
        "channels": ["网站"],
        "formed_on": formed,
    }


class Writer(threading.Thread):
    """Publishes disclosures until told to stop; keeps every answer and every id."""

    def __init__(self, base: str, token: str, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.url = f"{base}/v1/tenants/{TENANT}/disclosures"
        self.token = token
        self.stopping = threading.Event()
        self.answers: list[tuple[float, Answer]] = []  # (sent at, answer)
        self.acked: list[str] = []

    def run(self) -> None:
        n = 0
        while not self.stopping.is_set():
            n += 1
            sent = time.monotonic()
            answer = call("POST", self.url, self.token, disclosure(n), timeout=30)
            self.answers.append((sent, answer))
            if 200 <= answer.status < 300:
                self.acked.append(answer.body["id"])
            elif answer.status == 503:
                time.sleep(0.2)


class HealthPoller(threading.Thread):
    """Asks /v1/health every 0.1 s, giving each answer one second."""

    def __init__(self, base: str) -> None:
        super().__init__(name="health", daemon=True)
        self.url = f"{base}/v1/health"
        self.stopping = threading.Event()
        self.answers: list[tuple[float, Answer]] = []  # (sent at, answer)

    def run(self) -> None:
        while not self.stopping.wait(0.1):
            sent = time.monotonic()
            self.answers.append((sent, call("GET", self.url, timeout=1)))


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_store_down_answers_503_recovers_and_loses_nothing_acknowledged(
    tmp_path: Path,
) -> None:
    secret = secrets.token_urlsafe(32)
    signer = TokenSigner(secret)
    admin = signer.mint(subject="root", tenant=None, roles=["admin"])
    clerk = signer.mint(subject="clerk@xinhe", tenant=TENANT, roles=["clerk"])
    with cluster() as pg:
        env = clean_env(
            home=str(tmp_path / "home"),
            database_url=pg.url,
            token_secret=secret,
            pg_connect_timeout="1",
            read_wait_seconds="1",
        )
        server = Server(env, tmp_path / "serve.log")
        writers: list[Writer] = []
        try:
            server.wait_ready()
            county = {"code": TENANT, "name": "新和县", "level": "county"}
            created = call("POST", f"{server.base}/v1/tenants", admin, county)
            assert created.status == 201, created

            writers = [Writer(server.base, clerk, f"writer-{i}") for i in range(2)]
            for w in writers:
                w.start()

            def acked() -> int:
                return sum(len(w.acked) for w in writers)

            def unavailable() -> int:
                return sum(1 for w in writers for _, a in w.answers if a.status == 503)

            wait_for(lambda: acked() >= 10, 60, "acknowledged commands")
            poller = HealthPoller(server.base)
            poller.start()
            pg.stop("immediate")
            down_at = time.monotonic()
            wait_for(lambda: unavailable() >= 4, 60, "503 answers while down")
            # Once the store is known down a command is refused at once.
            fast: list[Answer] = []

            def refused_at_once() -> bool:
                fast.append(call("POST", writers[0].url, clerk, disclosure(0), 2))
                return "nothing was recorded" in str(fast[-1].body)

            wait_for(refused_at_once, 30, "a command refused at once")
            wait_for(
                lambda: sum(t > down_at for t, _ in poller.answers) >= 20,
                60,
                "health answers while down",
            )
            pg.start()
            up_at = time.monotonic()
            before = acked()
            wait_for(lambda: acked() >= before + 10, 60, "writes after restart")
            last = writers[0].acked[-1]

            def views_running() -> bool:  # restarted by the watchdog, caught up
                health = call("GET", f"{server.base}/v1/health").body
                return bool(health["status"] == "ok")

            try:  # the watchdog's backoff doubles up to 30 s between attempts
                wait_for(views_running, 120, "the projections to run again")
            except AssertionError as e:
                health = call("GET", f"{server.base}/v1/health").body
                raise AssertionError(
                    (str(e), health, server.log.read_text()[-4000:])
                ) from None
            read = call(
                "GET", f"{server.base}/v1/tenants/{TENANT}/disclosures/{last}", clerk
            )
            assert read.status == 200, read
        finally:
            for w in writers:
                w.stopping.set()
            for w in writers:
                w.join(timeout=60)
            if writers:
                poller.stopping.set()
                poller.join(timeout=10)
            health = call("GET", f"{server.base}/v1/health") if writers else None
            server.stop()

        answers = [a for w in writers for _, a in w.answers]
        odd = [
            (round(t - down_at, 1), round(up_at - down_at, 1), a.status, a.error)
            for w in writers
            for t, a in w.answers
            if a.status not in (201, 503)
        ]
        assert not odd, (odd, server.log.read_text()[-3000:])
        refused = [a for a in answers if a.status == 503]
        for a in refused:
            assert a.headers.get("retry-after") == "5"
            assert a.headers.get("content-type") == "application/problem+json"
            assert a.body["type"].endswith("/store-unavailable")
        during = [
            a
            for w in writers
            for t, a in w.answers
            if down_at < t and t + 5 < up_at and a.status == 201
        ]
        assert not during, "a command was acknowledged while the store was down"

        assert fast[-1].status == 503, fast
        assert fast[-1].headers.get("retry-after") == "5"
        assert fast[-1].body["type"].endswith("/store-unavailable")
        # Health answered within a second every time, before, during and after.
        late = [a.error for _, a in poller.answers if a.status == 0]
        assert not late, late
        while_down = [a for t, a in poller.answers if down_at < t and t + 1 < up_at]
        assert len(while_down) >= 5, poller.answers
        for a in while_down:
            assert a.status == 503, a
            assert a.body["type"].endswith("/store-unavailable"), a.body
            assert a.headers.get("retry-after") == "5"

        ids = {i for w in writers for i in w.acked}
        with psycopg.connect(pg.url) as conn:
            stored = {
                str(r[0])
                for r in conn.execute(
                    "SELECT DISTINCT originator_id FROM gongkai_events"
                )
            }
        assert ids <= stored, f"acknowledged but not in the log: {ids - stored}"
        print(
            f"\nstore down: {len(answers)} answers, {len(ids)} acknowledged (all in "
            f"the log), {len(refused)} × 503 while down {up_at - down_at:.1f}s; "
            f"{len(while_down)} health answers while down, all 503 within 1 s; "
            f"health after: {health.body if health else None}"
        )
