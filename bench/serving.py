"""HTTP: query latency on a loaded county, and a mixed read/write load at 1..32 clients.

Usage::

    .venv/bin/python bench/serving.py [--items N] [--hot-share F] [--seconds S]
                                   [--clients 1,8,32] [--processes 1,2] [--json PATH]

A fresh database gets a county (4 towns x 5 villages) and ``--items`` disclosures
over a year, a ``--hot-share`` of them in one village (bench/county.py); the views
are rebuilt. Then real processes serve it on 127.0.0.1: one ``gongkai projections
run`` follows the log and P ``gongkai serve`` API processes
(``GONGKAI_RUN_PROJECTIONS=false``) answer; the client spreads requests over them
round-robin (what a load balancer does).

1. Queries, one client, each endpoint alone: the hot village's ``as_of`` list (mid
   year, and now), its catalogue coverage, the county's ``include_descendants``
   list, the county's case board and case statistics.
2. Mixed: C client threads for ``--seconds`` each, keep-alive connections, each
   request drawn from the reads above and a publish (1 in 10) in the hot
   village. p50/p99 per reads and writes, and requests/s.

Latencies include the client's own Python (httpx) on the same 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county import (
    BODY,
    CATEGORY,
    COUNTY,
    bench_platform,
    create_bench_database,
    load_disclosures,
    log,
    register_county,
)
from infra.scratchdb import PG_HOST, PG_PORT, PG_USER, drop_database
from infra.tokens import TokenSigner

GONGKAI = str(Path(sys.executable).with_name("gongkai"))
FORMED_ON = (date.today() - timedelta(days=3)).isoformat()  # the servers' real clock
# The county's year (360 days) ends 12 days before today. The servers run on the
# real clock, and a log with moments ahead of it (items taking effect next month)
# is not what a county holds: the "now" totals had thousands of such items to count.
YEAR_STARTS = datetime.combine(
    date.today() - timedelta(days=372), datetime.min.time(), UTC
) + timedelta(hours=2)
MID_YEAR = (YEAR_STARTS + timedelta(days=180)).strftime("%Y-%m-%dT00:00:00Z")

ADMIN_URL = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"

Request = tuple[str, str, str, dict[str, Any] | None]  # kind, method, url, body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(url: str, items: int, hot_share: float) -> tuple[str, int]:
    """The county, its items (``hot_share`` in the first village), views rebuilt."""
    with bench_platform(url, YEAR_STARTS) as (platform, clock):
        villages = register_county(platform, 4, 5)
        hot, rest = villages[0], villages[1:]
        # Interleaved over the same year: the hot village takes every k-th item.
        weight = max(1, round(hot_share * len(rest) / (1 - hot_share)))
        began = time.perf_counter()
        events = load_disclosures(platform, clock, [hot] * weight + rest, items)
        log(f"[load] {events:,} events in {time.perf_counter() - began:.0f}s")
        began = time.perf_counter()
        platform.rebuild()
        log(f"[load] views rebuilt in {time.perf_counter() - began:.0f}s")
        return hot, platform.max_position()


def keep_database(name: str) -> str:
    """The URL of database ``name``, created (jit off) if it does not exist."""
    if not re.fullmatch(r"[a-z0-9_]{1,40}", name):
        raise SystemExit("--keep-db takes a name of a-z, 0-9 and _")
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if found is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            conn.execute(f'ALTER DATABASE "{name}" SET jit = off')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def has_county(url: str) -> bool:
    """Whether a kept database already holds a loaded county (its log is there)."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT to_regclass('disclosures_tracking')").fetchone()
        if row is None or row[0] is None:
            return False
        row = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM disclosures_tracking)"
        ).fetchone()
    return bool(row and row[0])


def reuse(url: str) -> tuple[str, int]:
    """A kept county: the same hot village, views rebuilt by this code."""
    with bench_platform(url) as (platform, _clock):
        began = time.perf_counter()
        platform.rebuild()
        log(f"[load] reused; views rebuilt in {time.perf_counter() - began:.0f}s")
        return f"{COUNTY}.town-0.village-0", platform.max_position()


class Servers:
    """One projection process and P API processes on loopback."""

    def __init__(self, url: str, home: Path, secret: str, processes: int) -> None:
        self.env = {
            **os.environ,
            "GONGKAI_DATABASE_URL": url,
            "GONGKAI_HOME": str(home),
            "GONGKAI_TOKEN_SECRET": secret,
            "GONGKAI_CHECKPOINT_EVERY_EVENTS": "100000000",
            "GONGKAI_CHECKPOINT_EVERY_SECONDS": "1000000",
        }
        self.procs: list[subprocess.Popen[bytes]] = []
        self.ports: list[int] = []
        self.logs: dict[int, Any] = {}
        for _ in range(processes):
            port = free_port()
            self.ports.append(port)
            self.procs.append(
                self._start(
                    [GONGKAI, "serve", "--host", "127.0.0.1", "--port", str(port)],
                    GONGKAI_RUN_PROJECTIONS="false",
                )
            )
            # One at a time: processes starting together race on creating the
            # tables and functions ("tuple concurrently updated"), seen here.
            self._wait_ready(port)
        self.procs.append(self._start([GONGKAI, "projections", "run"]))

    def _start(self, argv: list[str], **extra: str) -> subprocess.Popen[bytes]:
        log_file = tempfile.TemporaryFile()  # noqa: SIM115 - read if it fails
        proc = subprocess.Popen(
            argv,
            env={**self.env, **extra},
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        self.logs[proc.pid] = log_file
        return proc

    def _wait_ready(self, port: int) -> None:
        """Up to 3 minutes: a start on a machine this loaded can take long."""
        proc = self.procs[self.ports.index(port)]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            try:
                httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5)
                return
            except httpx.HTTPError:
                time.sleep(0.5)
        log_file = self.logs[proc.pid]
        log_file.seek(0)
        tail = log_file.read().decode(errors="replace")[-2000:]
        self.stop()
        raise SystemExit(f"API on port {port} did not start:\n{tail}")

    def stop(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def requests_for(hot: str) -> dict[str, Callable[[int], Request]]:
    base = f"/v1/tenants/{hot}"
    return {
        "as_of list (village)": lambda i: (
            "read",
            "GET",
            f"{base}/disclosures?as_of={MID_YEAR}&limit=50",
            None,
        ),
        "catalogue coverage (village)": lambda i: (
            "read",
            "GET",
            f"{base}/catalogue?as_of={MID_YEAR[:10]}",
            None,
        ),
        "county list, include_descendants": lambda i: (
            "read",
            "GET",
            f"/v1/tenants/{COUNTY}/disclosures?include_descendants=true&limit=50",
            None,
        ),
        "case board (county)": lambda i: (
            "read",
            "GET",
            f"/v1/tenants/{COUNTY}/case-board",
            None,
        ),
        "case stats (county)": lambda i: (
            "read",
            "GET",
            f"/v1/tenants/{COUNTY}/case-stats?include_descendants=true",
            None,
        ),
        "list now (village)": lambda i: (
            "read",
            "GET",
            f"{base}/disclosures?limit=50",
            None,
        ),
        "publish (village)": lambda i: (
            "write",
            "POST",
            f"{base}/disclosures",
            {
                "category": CATEGORY,
                "title": f"压测公开事项第{i}号",
                "body": BODY,
                "channels": ["公开栏"],
                "formed_on": FORMED_ON,
            },
        ),
    }


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def call(client: httpx.Client, req: Request, tokens: dict[str, str]) -> float:
    """Time one request; ``tokens`` maps a request kind to its bearer token."""
    kind, method, url, body = req
    headers = {"Authorization": f"Bearer {tokens[kind]}"}
    began = time.perf_counter()
    response = client.request(method, url, json=body, headers=headers)
    elapsed = time.perf_counter() - began
    if response.status_code >= 400:
        raise SystemExit(f"{method} {url}: {response.status_code} {response.text}")
    return elapsed * 1000


def single_queries(
    ports: list[int], hot: str, tokens: dict[str, str], count: int
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", timeout=60) as client:
        for name, make in requests_for(hot).items():
            if make(0)[0] != "read":
                continue
            for i in range(5):
                call(client, make(i), tokens)
            times = [call(client, make(i), tokens) for i in range(count)]
            out[name] = {
                "p50_ms": percentile(times, 50),
                "p99_ms": percentile(times, 99),
                "n": count,
            }
            log(f"[queries] {name}: p50 {out[name]['p50_ms']:.1f} ms")
    return out


def mixed(
    ports: list[int], hot: str, tokens: dict[str, str], clients: int, seconds: float
) -> dict[str, Any]:
    makers = list(requests_for(hot).values())
    reads = [m for m in makers if m(0)[0] == "read"]
    write = next(m for m in makers if m(0)[0] == "write")
    times: dict[str, list[float]] = {"read": [], "write": []}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    counter = [0]

    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            work(n)
        except BaseException as e:  # reported after the join
            errors.append(e)

    def work(n: int) -> None:
        rng = random.Random(n)
        port = ports[n % len(ports)]
        local: dict[str, list[float]] = {"read": [], "write": []}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as c:
            while time.perf_counter() < stop:
                with lock:
                    counter[0] += 1
                    i = counter[0]
                req = write(i) if rng.random() < 0.1 else rng.choice(reads)(i)
                local[req[0]].append(call(c, req, tokens))
        with lock:
            for k, v in local.items():
                times[k].extend(v)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"a client failed: {errors[0]}")
    elapsed = time.perf_counter() - began
    result: dict[str, Any] = {"clients": clients, "seconds": elapsed}
    for kind, values in times.items():
        result[kind] = {
            "n": len(values),
            "per_s": len(values) / elapsed,
            "p50_ms": percentile(values, 50),
            "p99_ms": percentile(values, 99),
        }
    log(
        f"[mixed] {clients} clients x {len(ports)} API: reads"
        f" {result['read']['per_s']:.0f}/s p50 {result['read']['p50_ms']:.0f} ms"
        f" p99 {result['read']['p99_ms']:.0f} ms; writes"
        f" {result['write']['per_s']:.0f}/s p99 {result['write']['p99_ms']:.0f} ms"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=40_000)
    parser.add_argument("--hot-share", type=float, default=0.3)
    parser.add_argument("--queries", type=int, default=100, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=8.0, help="per mixed phase")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--processes", default="1,2", help="API processes to try")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--keep-db",
        metavar="NAME",
        help="load into database NAME once and keep it; later runs with the same"
        " NAME reuse its log and only rebuild the views (for iterating on queries)",
    )
    args = parser.parse_args()
    url = keep_database(args.keep_db) if args.keep_db else create_bench_database()
    secret = secrets.token_urlsafe(32)
    log(f"database: {url}")
    result: dict[str, Any] = {"items": args.items, "hot_share": args.hot_share}
    try:
        if args.keep_db and has_county(url):
            hot, events = reuse(url)
        else:
            hot, events = load(url, args.items, args.hot_share)
        result["events"] = events
        with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as home:
            signer = TokenSigner(secret.encode())
            token = signer.mint(subject="bench", tenant=COUNTY, roles=["supervisor"])
            clerk = signer.mint(subject="clerk", tenant=hot, roles=["clerk"])
            result["mixed"] = []
            for processes in (int(p) for p in args.processes.split(",")):
                servers = Servers(url, Path(home), secret, processes)
                try:
                    tokens = {"read": token, "write": clerk}
                    if "queries" not in result:
                        result["queries"] = single_queries(
                            servers.ports, hot, tokens, args.queries
                        )
                    for clients in (int(c) for c in args.clients.split(",")):
                        run = mixed(servers.ports, hot, tokens, clients, args.seconds)
                        run["api_processes"] = processes
                        result["mixed"].append(run)
                finally:
                    servers.stop()
    finally:
        if not args.keep_db:
            drop_database(url)
    print_result(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


def print_result(result: dict[str, Any]) -> None:
    print(
        f"\nHTTP on loopback: {result['events']:,} events in the county,"
        f" {result['hot_share']:.0%} of {result['items']:,} items in one village"
    )
    print("queries, 1 client (aim p50 < 20 ms, p99 < 50 ms):")
    for name, q in result["queries"].items():
        print(f"  {name:<34} p50 {q['p50_ms']:>7.1f} ms  p99 {q['p99_ms']:>7.1f} ms")
    print("mixed read/write (1 in 10 a publish); aim reads p99 < 50 ms at 32 clients:")
    print(
        f"  {'API procs':>9} {'clients':>7} {'reads/s':>8} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'writes/s':>8} {'p50 ms':>7} {'p99 ms':>7}"
    )
    for m in result["mixed"]:
        r, w = m["read"], m["write"]
        print(
            f"  {m['api_processes']:>9} {m['clients']:>7} {r['per_s']:>8.0f}"
            f" {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {w['per_s']:>8.0f}"
            f" {w['p50_ms']:>7.1f} {w['p99_ms']:>7.1f}"
        )


if __name__ == "__main__":
    main()
