"""HTTP reads under wrk: the demo beside a bare-FastAPI ceiling, in the same run.

Usage::

    .venv/bin/python bench/http.py [--seconds S] [--connections 1,8,32]
                                   [--stores sqlite,postgresql] [--json PATH]

``wrk`` (a C client: the load generator costs little of the cores; Debian package
``wrk``, installed by ``.ci/wrk``) drives, for S seconds at each connection count:

- the ceiling: ``bench/ceiling.py``, a bare FastAPI app on the same uvicorn
  answering a fixed JSON list of about 8 KB, measured just before each path at
  each connection count (each path's ratio is to that run; the ceiling's row shows
  the median of them);
- the demo (``gongkai serve --demo-if-empty`` in a scratch home): the village board
  ``/gongkai/xinhe.xinhe-zhen.tuanjie``, an item page, the county list (50 items,
  ``include_descendants``), the village catalogue, the county case board, 首页 signed
  in (the session and CSRF cookies a browser keeps), and a 304 revalidation of the
  board (``If-None-Match`` with the ETag it answered).

Variants: SQLite in one process with the read cache (warm) and with
``GONGKAI_READ_CACHE_MB=0`` (cold: every read runs its queries and templates);
PostgreSQL with ``serve --workers 1`` and ``--workers 2`` (its own scratch database,
dropped after). Each row gives requests/s, p99, and the ratio to the ceiling's
requests/s at the same connection count.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# ``python bench/http.py`` puts bench/ first on sys.path, where this file would
# stand in for the standard library's ``http`` in every import below.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

GONGKAI = str(Path(sys.executable).parent / "gongkai")
UVICORN = [sys.executable, "-m", "uvicorn", "bench.ceiling:app"]
BOARD = "/gongkai/xinhe.xinhe-zhen.tuanjie"
VILLAGE = "xinhe.xinhe-zhen.tuanjie"
SUPERVISOR = ("XH-0001@xinhe", "demo-county-2026")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_ready(port: int, proc: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"http://127.0.0.1:{port}/gongkai/", timeout=5).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop(proc)
    raise SystemExit(f"server on port {port} did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and every process below it (uvicorn's workers, the follower)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            todo += [int(c) for c in task.read_text().split()]
    return out


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process tree of ``pid`` has used so far."""
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def wrk(
    url: str, connections: int, seconds: float, headers: list[str], pid: int
) -> dict[str, Any]:
    """One wrk run: requests/s, p99 (ms), answers that were not 2xx/3xx, and the
    server's CPU time per request (µs; its whole process tree, the follower too):
    what a request costs, which a loaded machine's share of the cores does not
    change as much as it changes requests/s."""
    began = cpu_seconds(pid)
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
    ]
    for h in headers:
        argv += ["-H", h]
    out = subprocess.run(
        [*argv, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    used = cpu_seconds(pid) - began
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    rps = float(rate.group(1)) if rate else 0.0
    served = rps * max(1, round(seconds))
    return {
        "rps": rps,
        "cpu_us": used / served * 1e6 if served else float("nan"),
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "bad": int(bad.group(1)) if bad else 0,
    }


class Ceiling:
    """bench/ceiling.py on the same uvicorn, one process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [*UVICORN, "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url, timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit("ceiling did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/list"


def demo(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], int]:
    """``gongkai serve --demo-if-empty`` (``--workers`` on PostgreSQL)."""
    port = free_port()
    argv = [GONGKAI, "serve", "--port", str(port), "--demo-if-empty"]
    if workers > 1 or env["GONGKAI_DATABASE_URL"].startswith("postgresql"):
        argv += ["--workers", str(workers)]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_ready(port, proc, 300)
    return proc, port


def caught_up(client: httpx.Client, seconds: float = 120) -> None:
    """Until every view has followed the log to its end (/v1/health): a view still
    catching up moves the positions, so the ETags, and costs the cores."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        views = client.get("/v1/health").json().get("views", {})
        if views and all(v.get("lag", 1) == 0 for v in views.values()):
            return
        time.sleep(0.5)
    log("views still catching up; measuring anyway")


def targets(base: str) -> dict[str, tuple[str, list[str]]]:
    """Each path's URL and headers: a token, the console's cookies, an ETag."""
    with httpx.Client(base_url=base, timeout=30) as client:
        caught_up(client)
        signed = client.post(
            "/v1/auth/token",
            data={"username": SUPERVISOR[0], "password": SUPERVISOR[1]},
        )
        signed.raise_for_status()
        token = signed.json()["access_token"]
        bearer = [f"Authorization: Bearer {token}"]
        board = client.get(BOARD)
        etag = board.headers.get("etag", '"none"')
        item = re.search(rf'href="({BOARD}/items/[0-9a-f-]+)"', board.text)
        home = client.get("/console/", cookies={"gongkai_session": token})
        cookies = {"gongkai_session": token, **dict(home.cookies)}
    cookie = "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())
    return {
        "village board": (BOARD, []),
        "item page": (item.group(1) if item else BOARD, []),
        "county list (50 items)": (
            "/v1/tenants/xinhe/disclosures?include_descendants=true&limit=50",
            bearer,
        ),
        "village catalogue": (f"/v1/tenants/{VILLAGE}/catalogue", bearer),
        "county case board": ("/v1/tenants/xinhe/case-board", bearer),
        "首页 signed in": ("/console/", [cookie]),
        "304 revalidation (board)": (BOARD, [f"If-None-Match: {etag}"]),
    }


def size_of(base: str, path: str, headers: list[str]) -> int:
    pairs = dict(h.split(": ", 1) for h in headers)
    return len(httpx.get(base + path, headers=pairs, timeout=30).content)


def variant(
    name: str,
    env: dict[str, str],
    workers: int,
    ceiling: Ceiling,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Ceiling then every path, at each connection count."""
    log(f"[{name}] starting the demo")
    proc, port = demo(env, workers)
    base = f"http://127.0.0.1:{port}"
    rows: dict[str, Any] = {}
    try:
        paths = targets(base)
        for label, (path, headers) in paths.items():
            rows[label] = {"bytes": size_of(base, path, headers), "runs": {}}
        rows["ceiling"] = {"bytes": len(httpx.get(ceiling.url).content), "runs": {}}
        for c in args.connections:
            ceilings = []
            for label, (path, headers) in paths.items():
                # the ceiling just before each path: on a shared machine the
                # load moves within seconds, so a ratio compares neighbours
                ceil = wrk(ceiling.url, c, args.seconds, [], ceiling.proc.pid)
                ceilings.append(ceil)
                run = wrk(base + path, c, args.seconds, headers, proc.pid)
                run["ratio"] = run["rps"] / ceil["rps"] if ceil["rps"] else 0.0
                rows[label]["runs"][str(c)] = run
                log(f"[{name}] {label} c={c}: {run['rps']:.0f}/s ({run['ratio']:.2f})")
            middle = sorted(ceilings, key=lambda r: r["rps"])[len(ceilings) // 2]
            rows["ceiling"]["runs"][str(c)] = middle | {"ratio": 1.0}
    finally:
        stop(proc)
    return {"name": name, "workers": workers, "rows": rows}


def table(result: dict[str, Any], connections: list[int]) -> str:
    head = "| path | bytes | " + " | ".join(f"{c} conn" for c in connections) + " |"
    lines = [
        f"### {result['name']}",
        "",
        "requests/s (ratio to the ceiling at the same connections), p99,"
        " server CPU per request",
        "",
        head,
        "|---|---|" + "---|" * len(connections),
    ]
    for label, row in result["rows"].items():
        cells = []
        for c in connections:
            run = row["runs"][str(c)]
            bad = f", {run['bad']} failed" if run["bad"] else ""
            cells.append(
                f"{run['rps']:,.0f}/s ({run['ratio']:.2f}), {run['p99_ms']:.0f} ms,"
                f" {run.get('cpu_us', float('nan')):,.0f} µs{bad}"
            )
        lines.append(f"| {label} | {row['bytes']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


PUBLIC_PAGES = ("village board", "item page")
LISTS = ("county list (50 items)", "village catalogue", "county case board")


def aims(variants: list[dict[str, Any]]) -> list[list[str]]:
    """Issue 25's aims, as (aim, target, measured, met) rows for run_all's table."""
    out: list[list[str]] = []
    named = {v["name"]: v["rows"] for v in variants}
    warm = next(
        (r for n, r in named.items() if n.startswith("SQLite") and "warm" in n), None
    )
    cold = next((r for n, r in named.items() if "cold" in n), None)

    def at(rows: dict[str, Any] | None, label: str, c: int) -> dict[str, Any] | None:
        return None if rows is None else rows[label]["runs"].get(str(c))

    def row(aim: str, target: str, shown: str, ok: bool) -> None:
        out.append([aim, target, shown, "yes" if ok else "no"])

    for label in PUBLIC_PAGES:
        r8, r32, ceil32 = (
            at(warm, label, 8),
            at(warm, label, 32),
            at(warm, "ceiling", 32),
        )
        if r8:
            row(
                f"{label}, 8 conns / ceiling",
                ">= 0.50",
                f"{r8['ratio']:.2f}",
                r8["ratio"] >= 0.5,
            )
        if r8 and r32:
            kept = r32["rps"] / r8["rps"] if r8["rps"] else 0.0
            row(
                f"{label}, rps 32 conns / 8 conns",
                ">= 0.90",
                f"{kept:.2f}",
                kept >= 0.9,
            )
        if r32 and ceil32:
            row(
                f"{label}, p99 at 32 conns vs ceiling's (ms)",
                "<= 2x",
                f"{r32['p99_ms']:.0f} / {ceil32['p99_ms']:.0f}",
                r32["p99_ms"] <= 2 * ceil32["p99_ms"],
            )
    for c in (8,):
        r = at(warm, "304 revalidation (board)", c)
        if r:
            row(
                f"304 revalidation, {c} conns / ceiling",
                ">= 0.80",
                f"{r['ratio']:.2f}",
                r["ratio"] >= 0.8,
            )
        for label in LISTS:
            for rows, kind, target in ((cold, "cold", 0.15), (warm, "warm", 0.5)):
                r = at(rows, label, c)
                if r:
                    row(
                        f"{label}, {kind}, {c} conns / ceiling",
                        f">= {target:.2f}",
                        f"{r['ratio']:.2f}",
                        r["ratio"] >= target,
                    )
    ceil8 = at(warm, "ceiling", 8)
    for label in (*PUBLIC_PAGES, "304 revalidation (board)", *LISTS):
        r = at(warm, label, 8)
        if r and ceil8 and r.get("cpu_us"):
            out.append(
                [
                    f"{label}, warm: ceiling's CPU per request / its own, 8 conns",
                    "(reported)",
                    f"{ceil8['cpu_us'] / r['cpu_us']:.2f}",
                    "n/a",
                ]
            )
    one = next((r for n, r in named.items() if "--workers 1" in n), None)
    two = next((r for n, r in named.items() if "--workers 2" in n), None)
    if one and two:
        for label in (*PUBLIC_PAGES, *LISTS):
            a, b = at(one, label, 32), at(two, label, 32)
            if a and b and a["rps"]:
                scale = b["rps"] / a["rps"]
                out.append(
                    [
                        f"PostgreSQL {label}, 2 workers / 1, 32 conns",
                        "(reported)",
                        f"{scale:.2f}",
                        "n/a",
                    ]
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per wrk run")
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: bash .ci/wrk (Debian package wrk)")
    stores = args.stores.split(",")
    ceiling = Ceiling()
    results: list[dict[str, Any]] = []
    home = tempfile.mkdtemp(prefix="gongkai-http-")
    # The servers run this checkout's code (the venv may hold another's).
    base_env = {**os.environ, "GONGKAI_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    try:
        if "sqlite" in stores:
            for cache, label in (
                ("64", "warm"),
                ("0", "cold: GONGKAI_READ_CACHE_MB=0"),
            ):
                sub = Path(home, f"sqlite-{cache}")
                env = base_env | {
                    "GONGKAI_HOME": str(sub),
                    "GONGKAI_DATABASE_URL": f"sqlite:///{sub}/gongkai.db",
                    "GONGKAI_READ_CACHE_MB": cache,
                }
                results.append(
                    variant(f"SQLite, one process, {label}", env, 1, ceiling, args)
                )
        if "postgresql" in stores:
            from infra.scratchdb import create_database, drop_database

            url = create_database("gongkai_bench")
            try:
                env = base_env | {
                    "GONGKAI_HOME": str(Path(home, "pg")),
                    "GONGKAI_DATABASE_URL": url,
                }
                for workers in (1, 2):
                    results.append(
                        variant(
                            f"PostgreSQL, serve --workers {workers}, warm",
                            env,
                            workers,
                            ceiling,
                            args,
                        )
                    )
            finally:
                drop_database(url)
    finally:
        stop(ceiling.proc)
        shutil.rmtree(home, ignore_errors=True)
    print("\n\n".join(table(r, args.connections) for r in results))
    print("\n| aim | target | measured | met |\n|---|---|---|---|")
    print("\n".join(f"| {' | '.join(a)} |" for a in aims(results)))
    if args.json:
        summary = {"variants": results, "aims": aims(results)}
        args.json.write_text(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
