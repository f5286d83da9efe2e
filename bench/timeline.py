"""Timeline cost: first-page latency, deep-page latency and full-replay events/s.

Usage::

    .venv/bin/python bench/timeline.py [--events N] [--full] [--rounds R]
                                       [--url postgresql://user@host:port/db]

One inspection file gets N access events (``Inspection.Read``; default 10,000,
``--full`` for 100,000), recorded in commands of 1,000 events, and two small linked
subjects (a tenant and a disclosure), so every page is a three-way merge. Then:

1. the first page (50 events, no cursor): median and p90 of ``--rounds`` runs;
2. a deep page (50 events, cursor at 90% of the file): median and p90 — the file is
   rebuilt from its latest snapshot (every 500 events), not replayed from the start;
3. paging through the whole timeline with pages of 500: events/s;
4. one full replay of the file (``replay``, the as_of/known_at path): events/s.

Without ``--url`` a fresh database on GONGKAI_TEST_PG_HOST/PORT/USER (default
127.0.0.1:5432, postgres) is created and dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.access import Principal, Role
from domain.inspection.inspection_file import Inspection
from infra.scratchdb import create_database, drop_database
from infra.settings import Settings
from services.core.base import recorded
from services.inspection.moments import replay
from services.inspection.timeline import (
    Filters,
    encode_cursor,
    subjects_of,
    timeline_page,
)
from services.platform.runtime import Platform

ADMIN = Principal(id="root", tenant=None, roles=frozenset({Role.ADMIN}))
INSPECTOR = Principal(
    id="inspector@xinhe", tenant="xinhe", roles=frozenset({Role.INSPECTOR})
)
CLERK = Principal(
    id="clerk@xinhe.tahe", tenant="xinhe.tahe", roles=frozenset({Role.CLERK})
)
BATCH = 1_000


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def build(platform: Platform, events: int) -> Inspection:
    platform.tenants.register(
        ADMIN, code="xinhe", name="新和县", level="county", parent=None
    )
    platform.tenants.register(
        ADMIN, code="tahe", name="塔河镇", level="town", parent="xinhe"
    )
    published = platform.disclosures.publish(
        CLERK,
        "xinhe.tahe",
        category="common.finance",
        title="塔河镇2026年1月财务收支",
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["公开栏"],
        formed_on=date(2026, 1, 31),
    )
    app = platform.inspections
    opened = app.open(
        INSPECTOR,
        "xinhe",
        subject={"kind": "tenant", "tenant": "xinhe.tahe"},
        basis="基准测试",
    )
    app.link(
        INSPECTOR,
        "xinhe",
        opened.id,
        kind="disclosure",
        subject_id=str(published.id),
        tenant="xinhe.tahe",
    )
    file = app.inspection(INSPECTOR, "xinhe", opened.id)
    started = time.perf_counter()
    done = 0
    while done < events:
        n = min(BATCH, events - done)
        with recorded(app):
            for i in range(n):
                file.record_read(
                    what="timeline",
                    detail={"page": str(done + i)},
                    actor=INSPECTOR.actor(),
                    effective_at=app.now(),
                )
        app.save(file)
        done += n
        if done % 10_000 == 0 or done == events:
            say(f"  recorded {done:,} reads")
    say(f"  {events / (time.perf_counter() - started):,.0f} events/s recorded")
    return file


def timed(fn: object, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.9 * (len(samples) - 1))]


def run(url: str, events: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), database_url=url)
        platform = Platform(settings)
        try:
            say(f"building a file with {events:,} reads …")
            file = build(platform, events)
            app = platform.inspections
            file = app.inspection(INSPECTOR, "xinhe", file.id)
            total = file.version + 2  # + the town's and the disclosure's first events
            filters = Filters()

            def first() -> None:
                page = timeline_page(app, file, filters=filters, limit=50)
                assert len(page["events"]) == 50

            deep_cursor = encode_cursor({file.id: int(file.version * 0.9)})

            def deep() -> None:
                page = timeline_page(
                    app, file, filters=filters, cursor=deep_cursor, limit=50
                )
                assert len(page["events"]) == 50

            first_ms = timed(first, rounds)
            deep_ms = timed(deep, rounds)

            started, seen, cursor = time.perf_counter(), 0, None
            while True:
                page = timeline_page(
                    app, file, filters=filters, cursor=cursor, limit=500
                )
                seen += len(page["events"])
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            paging = seen / (time.perf_counter() - started)
            assert seen == total, (seen, total)

            started = time.perf_counter()
            own = subjects_of(file)[0]
            moment = app.now()
            (state,), read = replay(app, own.originator, [(moment, moment)])
            replay_rate = len(read) / (time.perf_counter() - started)
            assert state.reads == events

            print(
                f"timeline over one file with {events:,} events ({settings.store_kind})"
            )
            print(
                f"  first page (50):           median {first_ms[0]:7.1f} ms"
                f"   p90 {first_ms[1]:7.1f} ms"
            )
            print(
                f"  page at 90% (50):          median {deep_ms[0]:7.1f} ms"
                f"   p90 {deep_ms[1]:7.1f} ms"
            )
            print(f"  paging through (500/page): {paging:10,.0f} events/s")
            print(f"  full replay (as_of):       {replay_rate:10,.0f} events/s")
        finally:
            platform.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--full", action="store_true", help="100,000 events")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--url", help="an existing PostgreSQL database")
    args = parser.parse_args()
    events = 100_000 if args.full else args.events
    if args.url:
        run(args.url, events, args.rounds)
        return
    url = create_database("gongkai_bench")
    try:
        run(url, events, args.rounds)
    finally:
        drop_database(url)


if __name__ == "__main__":
    main()
