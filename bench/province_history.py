"""A province's history for bench/province.py, written fast enough to reach 10^7.

The tenants, disclosures, cases and campaigns are the domain's own aggregates
(``Tenant.register``, ``Disclosure.publish`` / ``revise`` / ``withdraw``,
``Case.file`` … ``close``, ``Campaign.plan`` / ``self_assess`` / ``review``), their
events stamped by a simulated clock and encoded by the application's mapper. Only the
command layer is skipped (its reads, role checks and one transaction per command):
the stored events go to the recorder's ``insert_events`` in batches of thousands,
one call of its append function (one transaction) each, so the table holds exactly
what the commands would have written, in the order a single writer would have.

The installation has no tenant above a county (``domain.tenancy.Level``), so the
province is its counties side by side: prefecture ``p`` county ``c`` is the root
tenant ``pf{p}-c{c}``, with towns, villages and units below it.

The history's length follows the province's pace, 250 events per village a year
(issue 30): N events span N / (250 x villages) years, at least 60 days, ending two
days before today (the API answers on the real clock).
"""

from __future__ import annotations

import heapq
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.access import Principal, Role
from domain.assessment.campaign import Campaign
from domain.assessment.criteria import TEMPLATE
from domain.base import GongkaiAggregate, recorded_now, recording_clock
from domain.cases.case import Case
from domain.disclosures.disclosure import Disclosure
from domain.tenancy import Level, Tenant, UnitKind
from domain.timeliness import (
    Timeliness,
    check_backdating,
    disclosure_timeliness,
    local_date,
)
from domain.workdays import WorkingDayCalendar
from services.core.base import GongkaiApplication
from services.platform.runtime import Platform

ADMIN = Principal(id="bench-admin", tenant=None, roles=frozenset({Role.ADMIN}))
EVENTS_PER_VILLAGE_YEAR = 250
BATCH = 5_000
BODY = "一、收入合计12.6万元；二、支出合计9.8万元；三、结余2.8万元。"
CATEGORIES = {
    Level.VILLAGE: ("common.finance", "common.decisions", "common.subsistence"),
    Level.TOWN: ("town.fiscal", "common.finance", "common.planning"),
    Level.COUNTY: ("common.decisions", "common.planning", "common.finance"),
    Level.UNIT: ("school.fees", "school.decisions", "department.policies"),
}
CASE_KINDS = ("complaint", "inquiry", "service_request", "report")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Shape:
    """Prefectures x counties x towns x villages; a department per county and a
    school per town (the units)."""

    prefectures: int
    counties: int
    towns: int
    villages: int

    @classmethod
    def parse(cls, text: str) -> Shape:
        p, c, t, v = (int(x) for x in text.lower().split("x"))
        return cls(p, c, t, v)

    @property
    def village_count(self) -> int:
        return self.prefectures * self.counties * self.towns * self.villages

    @property
    def tenant_count(self) -> int:
        counties = self.prefectures * self.counties
        towns = counties * self.towns
        return counties * 2 + towns * 2 + self.village_count

    def __str__(self) -> str:
        return f"{self.prefectures}x{self.counties}x{self.towns}x{self.villages}"


def span_days(events: int, shape: Shape) -> float:
    years = events / (EVENTS_PER_VILLAGE_YEAR * shape.village_count)
    return max(60.0, years * 365)


@dataclass
class Tree:
    """The registered tenants by level, and one clerk's actor per tenant."""

    counties: list[str] = field(default_factory=list)
    towns: dict[str, list[str]] = field(default_factory=dict)  # county -> towns
    villages: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    levels: dict[str, Level] = field(default_factory=dict)


@dataclass
class Made:
    """What the history holds, for the reads to pick from."""

    events: int = 0
    disclosures: int = 0
    cases: list[tuple[str, str]] = field(default_factory=list)  # (tenant, id) sample
    counties: list[str] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)  # 20, spread over the tree
    events_table: str = ""
    first: datetime | None = None
    last: datetime | None = None
    seconds: float = 0.0


class Writer:
    """Encodes aggregates' new events with their application's mapper and writes
    them through the recorder, ``BATCH`` at a time."""

    def __init__(self, platform: Platform, goal: int) -> None:
        self.recorder = platform.tenants.recorder
        self.pending: list[Any] = []
        self.written = 0
        self.goal = goal
        self.began = time.perf_counter()
        self.reported = 0

    def add(self, app: GongkaiApplication, aggregate: GongkaiAggregate) -> int:
        events = aggregate.collect_events()
        to_stored = app.mapper.to_stored_event
        self.pending.extend(to_stored(e) for e in events)
        if len(self.pending) >= BATCH:
            self.flush()
        return len(events)

    def flush(self) -> None:
        if not self.pending:
            return
        self.recorder.insert_events(self.pending)
        self.written += len(self.pending)
        self.pending = []
        if self.written - self.reported >= 100_000 or self.written >= self.goal:
            self.reported = self.written
            spent = time.perf_counter() - self.began
            log(
                f"[generate] {self.written:,} / {self.goal:,} events,"
                f" {spent:.0f}s, {self.written / spent:,.0f} events/s"
            )


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


def register_tree(platform: Platform, writer: Writer, shape: Shape) -> Tree:
    """Every tenant through ``Tenant.register``, parents before children."""
    app, actor, tree = platform.tenants, ADMIN.actor(), Tree()
    now = recorded_now()

    def add(code: str, name: str, level: Level, parent: Tenant | None,
            kind: UnitKind | None = None) -> Tenant:  # fmt: skip
        tenant = Tenant.register(
            code=code, name=name, level=level, kind=kind, parent=parent,
            actor=actor, effective_at=now,
        )  # fmt: skip
        writer.add(app, tenant)
        tree.levels[tenant.path] = level
        return tenant

    for p in range(shape.prefectures):
        for c in range(shape.counties):
            county = add(f"pf{p}-c{c}", f"第{p}市第{c}县", Level.COUNTY, None)
            tree.counties.append(county.path)
            dept = add("caizheng", "财政局", Level.UNIT, county, UnitKind.DEPARTMENT)
            tree.units.append(dept.path)
            towns = tree.towns.setdefault(county.path, [])
            for t in range(shape.towns):
                town = add(f"town-{t}", f"第{p}市第{c}县第{t}镇", Level.TOWN, county)
                towns.append(town.path)
                school = add("school", f"第{t}镇中心小学", Level.UNIT, town,
                             UnitKind.SCHOOL)  # fmt: skip
                tree.units.append(school.path)
                for v in range(shape.villages):
                    village = add(f"village-{v}", f"第{t}镇第{v}村", Level.VILLAGE,
                                  town)  # fmt: skip
                    tree.villages.append(village.path)
    return tree


class History:
    """New items at a steady pace and each one's later steps (revisions,
    withdrawals, a case's lifecycle) from a queue ordered by time."""

    def __init__(self, platform: Platform, clock: Clock, tree: Tree, seed: int) -> None:
        self.platform, self.clock, self.tree = platform, clock, tree
        self.rng = random.Random(seed)
        self.calendar = WorkingDayCalendar()
        self.later: list[tuple[datetime, int, Callable[[], None]]] = []
        self.seq = 0
        self.actors: dict[str, dict[str, str]] = {}
        self.timeliness: dict[tuple[date, date], Timeliness] = {}
        self.made = Made()
        self.writer: Writer

    def actor(self, path: str) -> dict[str, str]:
        found = self.actors.get(path)
        if found is None:
            roles = frozenset({Role.CLERK, Role.HANDLER})
            found = Principal(id=f"clerk@{path}", tenant=path, roles=roles).actor()
            self.actors[path] = found
        return found

    def at(self, delay: timedelta, step: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.later, (self.clock.moment + delay, self.seq, step))

    def pick(self) -> str:
        r, tree = self.rng.random(), self.tree
        if r < 0.85:
            return self.rng.choice(tree.villages)
        if r < 0.95:
            return self.rng.choice(tree.towns[self.rng.choice(tree.counties)])
        if r < 0.98:
            return self.rng.choice(tree.units)
        return self.rng.choice(tree.counties)

    def backdating(self) -> Any:
        now = self.clock.moment
        return check_backdating(
            now, now, window=3, calendar=self.calendar, reason=None, field="x"
        )

    def publish(self) -> None:
        path = self.pick()
        now, rng = self.clock.moment, self.rng
        day = local_date(now)
        late = rng.random() < 0.1  # formed long ago: a late item
        ago = rng.randrange(35, 70) if late else rng.randrange(0, 20)
        formed = day - timedelta(days=ago)
        key = (formed, day)
        timeliness = self.timeliness.get(key)
        if timeliness is None:
            timeliness = disclosure_timeliness(formed, day, self.calendar)
            self.timeliness[key] = timeliness
        category = rng.choice(CATEGORIES[self.tree.levels[path]])
        item = Disclosure.publish(
            tenant=path, category=category,
            title=f"{day.year}年第{self.made.disclosures}号{path.rsplit('.')[-1]}公开",
            body=BODY, channels=["notice_board", "website"], formed_on=formed,
            published_on=day, attachments=(), timeliness=timeliness,
            backdating=self.backdating(), actor=self.actor(path), effective_at=now,
        )  # fmt: skip
        self.made.disclosures += 1
        self.made.events += self.writer.add(self.platform.disclosures, item)
        r = rng.random()
        if r < 0.2:
            self.at(timedelta(days=rng.uniform(1, 10)), lambda: self.revise(item))
        elif r < 0.23:
            self.at(timedelta(days=rng.uniform(1, 20)), lambda: self.withdraw(item))

    def revise(self, item: Disclosure) -> None:
        item.revise(
            reason="更正金额笔误", title=None, body=BODY + "（已更正）", channels=None,
            category=None, attachments=None, backdating=self.backdating(),
            actor=self.actor(item.tenant), effective_at=self.clock.moment,
        )  # fmt: skip
        self.made.events += self.writer.add(self.platform.disclosures, item)
        if self.rng.random() < 0.05:
            later = timedelta(days=self.rng.uniform(1, 20))
            self.at(later, lambda: self.withdraw(item))

    def withdraw(self, item: Disclosure) -> None:
        item.withdraw(
            reason="涉及个人隐私，撤回后重新发布", backdating=self.backdating(),
            actor=self.actor(item.tenant), effective_at=self.clock.moment,
        )  # fmt: skip
        self.made.events += self.writer.add(self.platform.disclosures, item)

    def file(self) -> None:
        rng, tree = self.rng, self.tree
        r = rng.random()
        county = rng.choice(tree.counties)
        if r < 0.3:
            path = county
        elif r < 0.8:
            path = rng.choice(tree.towns[county])
        else:
            path = rng.choice(tree.villages)
        kind = rng.choice(CASE_KINDS)
        now = self.clock.moment
        case = Case.file(
            tenant=path, kind=kind, channel=rng.choice(("hotline", "web", "visit")),
            category=None, summary="反映村务公开栏未按时更新财务收支情况",
            signed=False, applicant_ref=None, received_on=local_date(now),
            actor=self.actor(path), effective_at=now,
            applicant_type="natural_person" if kind == "disclosure_request" else None,
        )  # fmt: skip
        self.made.events += self.writer.add(self.platform.cases, case)
        if len(self.made.cases) < 200:
            self.made.cases.append((path, str(case.id)))
        self.at(timedelta(hours=rng.uniform(2, 40)), lambda: self.step(case, 0))

    def step(self, case: Case, n: int) -> None:
        """accept, assign, resolve, reply, close; one in ten stays open after assign."""
        s = {"actor": self.actor(case.tenant), "effective_at": self.clock.moment}
        rng = self.rng
        dr = case.kind.value == "disclosure_request"
        if n == 0:
            case.accept(**s)
        elif n == 1:
            case.assign(
                department="综合办公室", handler="张三", backup_handler="李四",
                promised_working_days=None if dr else 10, **s,
            )  # fmt: skip
        elif n == 2:
            case.resolve(result="已核实并答复", answer="disclose" if dr else None, **s)
        elif n == 3:
            case.reply(method="电话", content="已告知办理结果", **s)
        else:
            case.close(**s)
        self.made.events += self.writer.add(self.platform.cases, case)
        if n == 1 and rng.random() < 0.1:
            return
        if n < 4:
            delay = (
                timedelta(days=rng.uniform(2, 12))
                if n == 1
                else timedelta(hours=rng.uniform(1, 30))
            )
            self.at(delay, lambda: self.step(case, n + 1))

    def campaigns(self) -> None:
        """An assessment per county of its towns: planned, self-assessed, reviewed."""
        rows = [c.to_dict() for c in TEMPLATE]
        items = [{"code": c.code, "points": round(c.points * 0.9, 1)} for c in TEMPLATE]
        day = local_date(self.clock.moment)
        for county in self.tree.counties:
            sup = Principal(f"sup@{county}", county, frozenset({Role.SUPERVISOR}))
            towns = self.tree.towns[county]
            campaign = Campaign.plan(
                tenant=county, title=f"{day.year}年乡镇政务公开考核",
                period_from=date(day.year, 1, 1), period_to=date(day.year, 12, 31),
                targets=towns, criteria=rows, methods=["online", "on_site"],
                actor=sup.actor(),
            )  # fmt: skip
            for town in towns:
                campaign.self_assess(town, items, "自评自查报告", self.actor(town))
                campaign.review(town, items, "on_site", sup.actor())
            self.made.events += self.writer.add(self.platform.campaigns, campaign)

    def run(self, goal: int, start: datetime, end: datetime) -> None:
        """New items at the pace that reaches ``goal`` events by ``end``."""
        per_item = 1.8  # events per new item, measured: 1 publish + follow-ups, cases
        step = (end - start) / (goal / per_item)
        campaigns_at = start + (end - start) / 2
        self.made.first = start
        while self.made.events < goal:
            self.clock.moment += step
            while self.later and self.later[0][0] <= self.clock.moment:
                when, _, action = heapq.heappop(self.later)
                moment, self.clock.moment = self.clock.moment, when
                action()
                self.clock.moment = moment
                if self.made.events >= goal:
                    break
            if campaigns_at is not None and self.clock.moment >= campaigns_at:
                self.campaigns()
                campaigns_at = None
            if self.rng.random() < 0.12:
                self.file()
            else:
                self.publish()
        self.made.last = self.clock.moment


def generate(platform: Platform, clock: Clock, shape: Shape, goal: int,
             seed: int = 30) -> Made:  # fmt: skip
    """The tenants, then history until ``goal`` events are written (tenants count)."""
    began = time.perf_counter()
    writer = Writer(platform, goal)
    end = datetime.combine(date.today() - timedelta(days=2), datetime.min.time(), UTC)
    start = end - timedelta(days=span_days(goal, shape))
    clock.moment = start - timedelta(days=1)
    with recording_clock(clock):
        tree = register_tree(platform, writer, shape)
        tenants = len(tree.levels)
        history = History(platform, clock, tree, seed)
        history.writer = writer
        history.made.events = tenants
        history.run(goal, start, end)
        writer.flush()
    made = history.made
    made.events = writer.written
    made.counties = tree.counties
    made.events_table = writer.recorder.events_table_name
    stride = max(1, len(tree.villages) // 20)
    made.villages = tree.villages[::stride][:20]
    made.seconds = time.perf_counter() - began
    log(
        f"[generate] {made.events:,} events ({tenants:,} tenants, "
        f"{made.disclosures:,} disclosures) in {made.seconds:.0f}s,"
        f" {made.events / made.seconds:,.0f} events/s"
    )
    return made


def county_of(path: str) -> str:
    return path.split(".", 1)[0]


def uuid_of(text: str) -> UUID:
    return UUID(text)
