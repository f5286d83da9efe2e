"""Projection rebuild and catch-up, against raw executemany of rows of the same size.

Usage::

    .venv/bin/python bench/projections.py [--items N] [--batch B] [--json PATH]

A fresh database gets a county (4 towns x 5 villages) and ``--items`` disclosures
over a year, every fifth revised (bench/county.py). Then, on PostgreSQL:

1. rebuild: ``Platform.rebuild`` drops every view and replays the log, one pass
   feeding all views side by side, a batch of notifications per view transaction;
2. catch-up: the views are dropped again and the running platform's followers
   (``BatchingProjectionRunner`` per view and the audit follower) catch up from 0;
3. raw: the rows the disclosure view holds are inserted again with plain
   ``executemany``, ``--batch`` rows per transaction, into a copy of its table.

view-events = events applied summed over the views, the audit log included (an
event that three views follow counts three times). The ratio is view-events/s to
raw rows/s, measured in the same run. Progress to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county import bench_platform, load_disclosures, log, register_county
from infra.scratchdb import create_database, drop_database
from services.core.base import APP_NAME
from services.core.views import AUDIT_NAME, PROJECTIONS
from services.platform.runtime import Platform


def caught_up(platform: Platform) -> bool:
    report = platform.lag()
    return all(info["lag"] == 0 for info in report.values())


def catch_up(platform: Platform, timeout: float = 600) -> tuple[float, int]:
    """Drop the views, start the followers, time until every view is at the end."""
    platform.stop_projections()
    for view in platform.views.values():
        view.drop()
        view.create_table()
    began = time.perf_counter()
    platform.start_projections()
    while True:
        # The log's end before the views' lag: signing and witnessing checkpoints
        # append to the log while the followers run, so the end moves on.
        end = platform.max_position()
        if caught_up(platform):
            break
        if time.perf_counter() - began > timeout:
            raise SystemExit("catch-up timed out")
        if platform.runner_errors():
            raise SystemExit(f"a follower failed: {platform.runner_errors()}")
        time.sleep(0.05)
    elapsed = time.perf_counter() - began
    audit = platform.views[AUDIT_NAME].max_tracking_id(APP_NAME) or 0
    if audit < end:
        raise SystemExit(f"audit at {audit}, log at {end}")
    platform.stop_projections()
    applied = 0
    recorder = platform.tenants.recorder
    for spec in PROJECTIONS:
        applied += count(recorder, spec.projection.topics)
    applied += platform.max_position()
    return elapsed, applied


def count(recorder: Any, topics: tuple[str, ...]) -> int:
    total, start = 0, 0
    while True:
        page = recorder.select_notifications(
            start=start, limit=5000, topics=topics, inclusive_of_start=False
        )
        if not page:
            return total
        total += len(page)
        start = page[-1].id


def raw_executemany(url: str, batch: int) -> tuple[float, int]:
    """rows/s of plain executemany of the disclosure view's rows, batch per txn."""
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_versions")
        conn.execute(
            "CREATE TABLE bench_raw_versions (LIKE disclosure_versions INCLUDING ALL)"
        )
        cur = conn.execute("SELECT * FROM disclosure_versions ORDER BY recorded_at")
        columns = [d.name for d in cur.description or ()]
        rows = cur.fetchall()
        conn.commit()
        sql = (
            f"INSERT INTO bench_raw_versions ({', '.join(columns)})"
            f" VALUES ({', '.join(['%s'] * len(columns))})"
        )
        began = time.perf_counter()
        for i in range(0, len(rows), batch):
            with conn.transaction(), conn.cursor() as curs:
                curs.executemany(sql, rows[i : i + batch])
        elapsed = time.perf_counter() - began
        conn.execute("DROP TABLE bench_raw_versions")
    return elapsed, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500, help="rebuild page size")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    url = create_database("gongkai_bench")
    log(f"database: {url}")
    try:
        with bench_platform(
            url,
            follow_batch=args.batch,
            checkpoint_every_events=10**9,
            checkpoint_every_seconds=10**6,
        ) as (platform, clock):
            villages = register_county(platform, 4, 5)
            began = time.perf_counter()
            events = load_disclosures(platform, clock, villages, args.items)
            log(f"[load] {events:,} events in {time.perf_counter() - began:.0f}s")
            began = time.perf_counter()
            counts = platform.rebuild(batch=args.batch)
            rebuild_s = time.perf_counter() - began
            applied = sum(counts.values())
            log(f"[rebuild] {counts} in {rebuild_s:.1f}s")
            catch_s, caught = catch_up(platform)
            log(f"[catch-up] {caught:,} view-events in {catch_s:.1f}s")
            raw_s, raw_rows = raw_executemany(url, args.batch)
            log(f"[raw] {raw_rows:,} rows in {raw_s:.1f}s")
            position = platform.max_position()
    finally:
        drop_database(url)
    raw_rate = raw_rows / raw_s
    result = {
        "events_in_log": position,
        "batch": args.batch,
        "rebuild": {
            "view_events": applied,
            "seconds": rebuild_s,
            "view_events_per_s": applied / rebuild_s,
            "ratio_to_raw": applied / rebuild_s / raw_rate,
            "counts": counts,
        },
        "catch_up": {
            "view_events": caught,
            "seconds": catch_s,
            "view_events_per_s": caught / catch_s,
            "ratio_to_raw": caught / catch_s / raw_rate,
        },
        "raw_executemany_rows_per_s": raw_rate,
    }
    print(f"\nprojections: {position:,} events in the log, batches of {args.batch}")
    print(f"  {'path':<34} {'view-events':>11} {'s':>6} {'per s':>8} {'x raw':>6}")
    for name in ("rebuild", "catch_up"):
        r = result[name]
        print(
            f"  {name:<34} {r['view_events']:>11,} {r['seconds']:>6.1f}"
            f" {r['view_events_per_s']:>8,.0f} {r['ratio_to_raw']:>6.2f}"
        )
    print(
        f"  {'raw executemany (disclosure rows)':<34} {raw_rows:>11,} {raw_s:>6.1f}"
        f" {raw_rate:>8,.0f} {1:>6.2f}"
    )
    print("  aim: >= 0.25 of raw")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
