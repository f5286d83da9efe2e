"""A seeded, generated history for tests: a second county (温宿县) whose items and
cases are drawn at random, day by day, through the applications.

Beside ordinary publications it draws the corners a monthly check must count right:
late items, items recorded long after they took effect (补录) and then revised or
withdrawn, revisions that move an item to another category, withdrawals dated back,
cases received days before they were filed, cases resolved late and cases left open
past their due date. The same seed gives the same history.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from domain.access import Role
from domain.errors import GongkaiError
from domain.timeliness import SHANGHAI, local_noon
from tests.conftest import ADMIN, principal

COUNTY = "wensu"
SUPERVISOR = ("WS-0001@wensu", "wensu-pass-2026")
TENANTS = (  # (code, name, level, kind, parent path)
    ("wensu", "温宿县", "county", None, None),
    ("cjj", "温宿县财政局", "unit", "department", "wensu"),
    ("jiamu", "佳木镇", "town", None, "wensu"),
    ("kezile", "克孜勒村", "village", None, "wensu.jiamu"),
    ("bositan", "博斯坦村", "village", None, "wensu.jiamu"),
    ("school", "佳木镇中心学校", "unit", "school", "wensu.jiamu"),
    ("tuomu", "托木乡", "town", None, "wensu"),
    ("yima", "依玛村", "village", None, "wensu.tuomu"),
)
KINDS = ("complaint", "report", "inquiry", "service_request", "proposal")
CHANNELS = ("hotline", "visit", "letter", "web", "mailbox")


def paths() -> list[str]:
    return [f"{parent}.{code}" if parent else code for code, *_, parent in TENANTS]


def generate_history(
    platform: Any, clock: Any, *, seed: int, start: date, end: date
) -> dict[str, int]:
    """Register 温宿县's tree and a supervisor (``SUPERVISOR``), then simulate the
    days from ``start`` to ``end`` (exclusive) on ``clock``; returns counts."""
    rng = random.Random(seed)  # a reproducible simulation
    clock.moment = at(start - timedelta(days=7), time(9))
    for code, name, level, kind, parent in TENANTS:
        platform.tenants.register(
            ADMIN, code=code, name=name, level=level, parent=parent, kind=kind
        )
    staffer, code, _ = platform.staff.register(
        ADMIN, COUNTY, number="WS-0001", name="阿依古丽", post="县政务公开办",
        roles=["supervisor"],
    )  # fmt: skip
    platform.sign_ins.activate(staffer.username, code, SUPERVISOR[1], "test")
    history = History(platform, clock, rng)
    day = start
    while day < end:
        history.live(day)
        day += timedelta(days=1)
    return history.counts


def at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=SHANGHAI).astimezone(UTC)


class History:
    """One county's days: what each tenant does on a working day."""

    def __init__(self, platform: Any, clock: Any, rng: random.Random) -> None:
        self.platform, self.clock, self.rng = platform, clock, rng
        self.items: list[tuple[str, Any]] = []
        self.later: list[tuple[date, Callable[[], Any]]] = []
        self.counts = {"published": 0, "revised": 0, "withdrawn": 0, "cases": 0}

    def live(self, day: date) -> None:
        calendar = self.platform.disclosures.calendar()
        todo: list[tuple[time, Callable[[], Any]]] = []
        todo += [(time(9), run) for due, run in self.later if due == day]
        self.later = [(due, run) for due, run in self.later if due != day]
        if calendar.is_working_day(day):
            for path in paths():
                roll = self.rng.random()
                if roll < 0.3:
                    todo.append((self.minute(), self.publish(path, day)))
                elif roll < 0.36 and self.items:
                    todo.append((self.minute(), self.revise(day)))
                elif roll < 0.39 and self.items:
                    todo.append((self.minute(), self.withdraw(day)))
                if path.count(".") and self.rng.random() < 0.12:
                    todo.append((self.minute(), self.file_case(path, day)))
        for moment, run in sorted(todo, key=lambda t: t[0]):
            self.clock.moment = max(self.clock.moment, at(day, moment))
            with contextlib.suppress(GongkaiError):  # a refused draw records nothing
                run()

    def minute(self) -> time:
        return time(9 + self.rng.randrange(8), self.rng.randrange(60))

    def publish(self, path: str, day: date) -> Callable[[], Any]:
        rng = self.rng
        entries = self.platform.disclosures.catalogue_for(
            self.platform.disclosures.tenant(path)
        )
        entry = rng.choice(entries)
        back = rng.randint(5, 15) if rng.random() < 0.15 else 0  # 补录
        published_on = day - timedelta(days=back)
        lag = rng.randint(0, 10) if rng.random() < 0.8 else rng.randint(30, 60)
        formed_on = published_on - timedelta(days=lag)

        def run() -> None:
            result = self.platform.disclosures.publish(
                principal(path, Role.CLERK),
                path,
                category=entry.code,
                title=f"{entry.level2}（{formed_on:%Y年%m月%d日}）",
                body=f"{entry.level2}。{entry.content}",
                channels=["公开栏"],
                formed_on=formed_on,
                published_on=published_on,
                late_reason="纸质公开栏已张贴，系统补录" if back else None,
            )
            self.items.append((path, result.id))
            self.counts["published"] += 1

        return run

    def revise(self, day: date) -> Callable[[], Any]:
        path, item = self.rng.choice(self.items)
        back = self.rng.randint(4, 12) if self.rng.random() < 0.3 else 0
        move = self.rng.random() < 0.3

        def run() -> None:
            clerk = principal(path, Role.CLERK)
            current = self.platform.disclosures.disclosure(clerk, path, item)
            entries = self.platform.disclosures.catalogue_for(
                self.platform.disclosures.tenant(path)
            )
            self.platform.disclosures.revise(
                clerk,
                path,
                item,
                reason="更正笔误",
                body=current.body + "（已更正）",
                category=self.rng.choice(entries).code if move else None,
                **self.dated_back(current, back),
            )
            self.counts["revised"] += 1

        return run

    def withdraw(self, day: date) -> Callable[[], Any]:
        path, item = self.rng.choice(self.items)
        back = self.rng.randint(4, 12) if self.rng.random() < 0.4 else 0

        def run() -> None:
            clerk = principal(path, Role.CLERK)
            current = self.platform.disclosures.disclosure(clerk, path, item)
            self.platform.disclosures.withdraw(
                clerk, path, item, reason="误发", **self.dated_back(current, back)
            )
            self.counts["withdrawn"] += 1

        return run

    def dated_back(self, current: Any, days: int) -> dict[str, Any]:
        """``effective_at`` ``days`` back (not before the item took effect)."""
        if not days:
            return {}
        earliest = max(local_noon(current.published_on), current.effective_at)
        when = max(self.clock.moment - timedelta(days=days), earliest)
        return {"effective_at": when, "late_reason": "当日已处理，系统补录"}

    def file_case(self, path: str, day: date) -> Callable[[], Any]:
        rng = self.rng
        kind, channel = rng.choice(KINDS), rng.choice(CHANNELS)
        received_on = day - timedelta(days=rng.randint(1, 6) * (rng.random() < 0.3))
        promise = rng.randint(3, 15)
        fate = rng.random()  # on time, late, or never answered
        work = promise - 2 if fate < 0.6 else promise + rng.randint(2, 8)
        calendar = self.platform.disclosures.calendar()
        finish_on = calendar.add_working_days(day, max(work, 1))

        def run() -> None:
            clerk = principal(path, Role.CLERK, Role.HANDLER)
            cases = self.platform.cases
            result = cases.file(
                clerk, path, kind=kind, channel=channel, summary="群众反映的问题",
                signed=False, received_on=received_on,
            )  # fmt: skip
            cases.accept(clerk, path, result.id)
            cases.assign(
                clerk, path, result.id, department="综合办", handler="李明",
                promised_working_days=promise,
            )  # fmt: skip
            self.counts["cases"] += 1
            if fate < 0.85:
                self.later.append((finish_on, self.finish(path, result.id, fate)))

        return run

    def finish(self, path: str, case_id: Any, fate: float) -> Callable[[], Any]:
        def run() -> None:
            clerk = principal(path, Role.CLERK, Role.HANDLER)
            cases = self.platform.cases
            cases.resolve(clerk, path, case_id, result="已办理")
            cases.reply(clerk, path, case_id, method="电话", content="已告知")
            if fate < 0.5:
                cases.close_case(clerk, path, case_id)

        return run
