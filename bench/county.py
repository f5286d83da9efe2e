"""A county's worth of history for the benches, loaded fast.

The events are the real ones (``Disclosure.publish`` / ``revise`` of the domain, the
real tenants registered through ``Tenants``), stamped by a simulated clock that walks
through a year; only the command layer's per-command reads are skipped, and many
aggregates are saved per ``Application.save`` (one transaction each), so that
100,000 events load in a minute or two rather than several.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from domain.access import Principal, Role
from domain.disclosures.disclosure import Disclosure
from domain.timeliness import check_backdating, disclosure_timeliness, local_date
from domain.workdays import WorkingDayCalendar
from infra.scratchdb import create_database
from infra.settings import Settings
from services.core.base import recorded
from services.platform.runtime import Platform

ADMIN = Principal(id="bench-admin", tenant=None, roles=frozenset({Role.ADMIN}))
COUNTY = "xinhe"
BODY = "一、收入合计12.6万元；二、支出合计9.8万元；三、结余2.8万元。"
CATEGORY = "common.finance"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


@contextmanager
def bench_platform(
    url: str, start: datetime | None = None, **settings: Any
) -> Iterator[tuple[Platform, Clock]]:
    """A Platform on ``url`` with a simulated clock from ``start`` (default 5
    January 2026, 10:00 China time); projections not started."""
    clock = Clock(start or datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as home:
        platform = Platform(
            Settings(database_url=url, home=Path(home), **settings), clock=clock
        )
        try:
            yield platform, clock
        finally:
            platform.close()


def create_bench_database() -> str:
    """A scratch database configured as docs/operations.md recommends (jit off:
    JIT compiling costs 10-20 ms per query and these queries run in a few)."""
    url = create_database("gongkai_bench")
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET jit = off')
    return url


def register_county(platform: Platform, towns: int, villages: int) -> list[str]:
    """新和县 with ``towns`` towns of ``villages`` villages each; the village paths."""
    tenants = platform.tenants
    tenants.register(ADMIN, code=COUNTY, name="新和县", level="county", parent=None)
    paths: list[str] = []
    for t in range(towns):
        town = f"town-{t}"
        tenants.register(ADMIN, code=town, name=f"第{t}镇", level="town", parent=COUNTY)
        for v in range(villages):
            tenants.register(
                ADMIN,
                code=f"village-{v}",
                name=f"第{t}镇第{v}村",
                level="village",
                parent=f"{COUNTY}.{town}",
            )
            paths.append(f"{COUNTY}.{town}.village-{v}")
    return paths


def load_disclosures(
    platform: Platform,
    clock: Clock,
    villages: list[str],
    count: int,
    *,
    revise_every: int = 5,
    per_save: int = 200,
    seed: int = 8,
) -> int:
    """``count`` published items over a year (and a revision of every
    ``revise_every``-th one), saved ``per_save`` aggregates at a time; returns the
    number of events."""
    app = platform.disclosures
    rng = random.Random(seed)
    calendar = WorkingDayCalendar()
    step = timedelta(days=360) / max(count, 1)
    events, began, pending = 0, time.perf_counter(), []
    for i in range(count):
        clock.moment += step
        now = clock.moment
        day = local_date(now)
        formed = day - timedelta(days=rng.randrange(0, 25))
        path = villages[i % len(villages)]
        actor = Principal(
            id=f"clerk@{path}", tenant=path, roles=frozenset({Role.CLERK})
        )
        with recorded(app):
            item = Disclosure.publish(
                tenant=path,
                category=CATEGORY,
                title=f"{path} 2026年第{i}号财务收支公开",
                body=BODY,
                channels=["notice_board", "website"],
                formed_on=formed,
                published_on=day,
                attachments=(),
                timeliness=disclosure_timeliness(formed, day, calendar),
                backdating=check_backdating(
                    now, now, window=3, calendar=calendar, reason=None, field="x"
                ),
                actor=actor.actor(),
                effective_at=now,
            )
            if revise_every and i % revise_every == 0:
                item.revise(
                    reason="更正金额笔误",
                    title=None,
                    body=BODY + "（已更正）",
                    channels=None,
                    category=None,
                    attachments=None,
                    backdating=check_backdating(
                        now, now, window=3, calendar=calendar, reason=None, field="x"
                    ),
                    actor=actor.actor(),
                    effective_at=now,
                )
        pending.append(item)
        if len(pending) >= per_save:
            events += len(app.save(*pending))
            pending = []
        if i and i % 10_000 == 0:
            spent = time.perf_counter() - began
            log(f"[load] {i:,} items, {events:,} events, {spent:.0f}s")
    if pending:
        events += len(app.save(*pending))
    return events


def first_day(platform: Platform) -> date:
    return local_date(platform.tenants.now())
