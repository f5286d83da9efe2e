"""Demo data: 新和县, its towns, villages and units, a simulated year of items.

The year is simulated through the injected clock, so every event carries a plausible
recording time; lateness, revisions and a withdrawal are drawn from a seeded generator
so every run produces the same history.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.access import Principal, Role
from domain.cases.personal_data import Applicant
from domain.disclosures.catalogue import CatalogueEntry, Period
from domain.timeliness import local_date
from services.demo.assessment import plan_assessment
from services.demo.common import case_clerk, clerk, office_moment
from services.demo.fees import plan_fees
from services.demo.meetings import plan_meetings
from services.demo.participation import plan_participation
from services.demo.powers import complained_power, plan_powers
from services.demo.renamed import DemoCounty, renamed_platform
from services.demo.requests import plan_disclosure_requests
from services.demo.staff import register_demo_staff, staff_handler
from services.platform.runtime import Platform

INSTALLATION_ADMIN = Principal(
    id="demo-admin", tenant=None, roles=frozenset({Role.ADMIN})
)

# (code, name, level, kind, parent path)
TENANTS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("xinhe", "新和县", "county", None, None),
    ("czj", "新和县财政局", "unit", "department", "xinhe"),
    ("xinhe-zhen", "新和镇", "town", None, "xinhe"),
    ("tuanjie", "团结村", "village", None, "xinhe.xinhe-zhen"),
    ("xingfu", "幸福村", "village", None, "xinhe.xinhe-zhen"),
    ("guangming", "光明村", "village", None, "xinhe.xinhe-zhen"),
    ("school-1", "新和镇第一小学", "unit", "school", "xinhe.xinhe-zhen"),
    ("czs", "新和镇财政所", "unit", "department", "xinhe.xinhe-zhen"),
    ("chengbei", "城北社区", "unit", "community", "xinhe.xinhe-zhen"),
    ("yqaerk", "依其艾日克乡", "town", None, "xinhe"),
    ("heping", "和平村", "village", None, "xinhe.yqaerk"),
    ("hongqi", "红旗村", "village", None, "xinhe.yqaerk"),
    ("njz", "依其艾日克乡农业技术推广站", "unit", "station", "xinhe.yqaerk"),
    ("tmtglk", "塔木托格拉克乡", "town", None, "xinhe"),
    ("aiyi", "爱依村", "village", None, "xinhe.tmtglk"),
    ("ysfjq", "玉佛山风景名胜区管理处", "unit", "department", "xinhe"),
    ("school-2", "塔木托格拉克乡中心学校", "unit", "school", "xinhe.tmtglk"),
)

PERIOD_DAYS = {
    Period.MONTHLY: 30,
    Period.QUARTERLY: 91,
    Period.HALF_YEARLY: 182,
    Period.YEARLY: 365,
}
REVISION_REASONS = (
    "更正金额笔误",
    "补充遗漏的附件说明",
    "更正公开日期表述",
    "补充受益对象名单",
)


@dataclass(order=True)
class Action:
    """One command, to run when the simulated clock reaches ``at``."""

    at: datetime
    seq: int
    run: Callable[[], Any] = field(compare=False)


class SimClock:
    """A clock the demo moves forward by hand."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


SCENIC_COMPLAINTS = (
    "景区停车场收费标准未公示，游客被多收停车费",
    "景区门票优惠政策执行不到位，老年人未享受半价",
    "景区内商户强买强卖，哄抬物价",
    "景区观光车班次少，游客排队时间过长",
    "景区厕所卫生状况差，无人保洁",
    "景区施工噪音扰民，周边居民反映强烈",
)
CASE_SAMPLES = (
    ("complaint", "村道路灯损坏多日无人维修"),
    ("complaint", "低保评定结果未张榜公示"),
    ("report", "反映村干部优亲厚友、违规发放补贴"),
    ("inquiry", "咨询耕地地力保护补贴发放标准"),
    ("service_request", "申请办理农村养老保险缴费"),
    ("proposal", "建议在村委会设立便民服务代办点"),
    ("visit", "群众来访反映灌溉水渠堵塞"),
)
SURNAMES = "王李张刘陈杨赵黄周吴买阿艾热吐"
GIVEN_NAMES = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "提江",
    "古丽",
    "江",
)
DEPARTMENTS = ("咨询受理服务部", "政务服务部", "社会事务服务部", "经济发展服务部")
HANDLERS = ("李明", "王芳", "阿不都", "古丽娜", "张伟", "刘洋")


class DemoBuilder:
    """Plans a year of commands for every tenant, then runs them in clock order."""

    def __init__(
        self, platform: Platform, clock: SimClock, end: date, seed: int
    ) -> None:
        self.platform = platform
        self.clock = clock
        self.end = end
        self.start = end - timedelta(days=365)
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible simulation
        self.actions: list[Action] = []
        self.published: dict[tuple[str, str], Any] = {}
        self.withdrawn = False

    def register_tenants(self) -> int:
        self.clock.moment = office_moment(self.start - timedelta(days=7), self.rng)
        for code, name, level, kind, parent in TENANTS:
            self.platform.tenants.register(
                INSTALLATION_ADMIN,
                code=code,
                name=name,
                level=level,
                parent=parent,
                kind=kind,
            )
            self.clock.moment += timedelta(minutes=3)
        return len(TENANTS)

    def plan(self) -> None:
        for code, _, _, _, parent in TENANTS:
            path = f"{parent}.{code}" if parent else code
            tenant = self.platform.disclosures.tenant(path)
            for entry in self.platform.disclosures.catalogue_for(tenant):
                for formed_on in self._formation_days(entry):
                    self._plan_publication(path, entry, formed_on)

    def _formation_days(self, entry: CatalogueEntry) -> list[date]:
        days = PERIOD_DAYS.get(entry.period)
        if days is None:  # on change: a few items a year
            count = self.rng.choice((0, 1, 1, 2, 3))
            return sorted(
                self.start + timedelta(days=self.rng.randrange(330))
                for _ in range(count)
            )
        skip = self.rng.random() < 0.08  # a unit that stops publishing a category
        out, day = [], self.start + timedelta(days=self.rng.randrange(days))
        while day < self.end - timedelta(days=5):
            if skip and day > self.start + timedelta(days=200):
                break
            out.append(day)
            day += timedelta(days=days)
        return out

    def _plan_publication(
        self, path: str, entry: CatalogueEntry, formed_on: date
    ) -> None:
        calendar = self.platform.disclosures.calendar()
        roll = self.rng.random()
        lag = self.rng.randint(1, 12) if roll < 0.85 else self.rng.randint(21, 45)
        published_on = calendar.add_working_days(formed_on, lag)
        if published_on >= self.end:
            return
        late_record = self.rng.random() < 0.04
        delay = self.rng.randint(5, 9) if late_record else int(self.rng.random() < 0.2)
        record_day = (
            calendar.add_working_days(published_on, delay) if delay else published_on
        )
        if record_day >= self.end:
            record_day = published_on
        at = office_moment(record_day, self.rng)
        channels = ["公开栏"] + (["网站"] if self.rng.random() < 0.6 else [])
        if entry.code.startswith("staff."):
            channels = ["会议"]
        covered = formed_on - timedelta(days=PERIOD_DAYS.get(entry.period, 0) // 2)
        period = self._period_title(entry, covered)
        title = f"{self._tenant_name(path)}{period}{entry.level2}"

        def publish() -> None:
            result = self.platform.disclosures.publish(
                clerk(path),
                path,
                category=entry.code,
                title=title,
                body=f"{title}。{entry.content}（依据：{entry.basis}）",
                channels=channels,
                formed_on=formed_on,
                published_on=published_on,
                late_reason="纸质公开栏已张贴，系统补录" if late_record else None,
            )
            self.published[(path, title)] = result.id
            if self.rng.random() < 0.06:
                self._plan_revision(path, result.id, record_day)
            elif (
                not self.withdrawn
                and path.endswith("xingfu")
                and self.rng.random() < 0.5
            ):
                self.withdrawn = True
                self._plan_withdrawal(path, result.id, record_day)

        self.add(at, publish)

    def _plan_revision(self, path: str, disclosure_id: Any, after: date) -> None:
        day = after + timedelta(days=self.rng.randint(1, 20))
        if day >= self.end:
            return
        reason = self.rng.choice(REVISION_REASONS)

        def revise() -> None:
            current = self.platform.disclosures.disclosure(
                clerk(path), path, disclosure_id
            )
            self.platform.disclosures.revise(
                clerk(path),
                path,
                disclosure_id,
                reason=reason,
                body=current.body + f"\n（{reason}）",
            )

        self.add(office_moment(day, self.rng), revise)

    def _plan_withdrawal(self, path: str, disclosure_id: Any, after: date) -> None:
        day = after + timedelta(days=3)

        def withdraw() -> None:
            self.platform.disclosures.withdraw(
                clerk(path),
                path,
                disclosure_id,
                reason="误发：该事项涉及个人隐私，已按规定撤回并重新审核",
                personal_data=True,
            )

        self.add(office_moment(day, self.rng), withdraw)

    # Cases -----------------------------------------------------------------------

    def plan_cases(self) -> None:
        """A year of cases in every town and village, and the third document's
        scenario: 17 complaints to the scenic area, 6 by the mayor's mailbox."""
        for n in range(17):
            channel = (
                "mailbox" if n < 6 else self.rng.choice(("hotline", "visit", "web"))
            )
            day = self.start + timedelta(days=20 + n * 19)
            self._plan_case(
                "xinhe.ysfjq",
                "complaint",
                channel,
                day,
                SCENIC_COMPLAINTS[n % len(SCENIC_COMPLAINTS)],
                late=False,
                power=complained_power(
                    n, SCENIC_COMPLAINTS[n % len(SCENIC_COMPLAINTS)]
                ),
            )
        towns = [
            p
            for p in self._paths()
            if p.count(".") in (1, 2)
            and not p.endswith(("czj", "ysfjq", "school-1", "school-2", "njz"))
        ]
        for path in towns:
            for _ in range(self.rng.randint(3, 7)):
                kind, summary = self.rng.choice(CASE_SAMPLES)
                channel = self.rng.choice(
                    ("hotline", "visit", "letter", "web", "agent")
                )
                day = self.start + timedelta(days=self.rng.randrange(330))
                self._plan_case(
                    path, kind, channel, day, summary, late=self.rng.random() < 0.15
                )

    def _paths(self) -> list[str]:
        return [
            f"{parent}.{code}" if parent else code for code, _, _, _, parent in TENANTS
        ]

    def _plan_case(
        self,
        path: str,
        kind: str,
        channel: str,
        day: date,
        summary: str,
        *,
        late: bool,
        power: str | None = None,
    ) -> None:
        rng = self.rng
        village = None
        if channel == "agent":  # a village agent files at the town centre (镇村联动)
            if path.count(".") == 2:
                village, path = path, path.rsplit(".", 1)[0]
            else:
                channel = "visit"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        phone = (
            "1" + rng.choice("3589") + "".join(str(rng.randrange(10)) for _ in range(9))
        )
        signed = channel != "web" or rng.random() < 0.5
        clerk_of = case_clerk(path)
        state: dict[str, Any] = {}
        calendar = self.platform.disclosures.calendar()
        promise = 5 if kind == "inquiry" else 15
        work = promise + (rng.randint(3, 10) if late else -rng.randint(0, promise - 2))
        resolve_day = calendar.add_working_days(day, max(work, 1) + 1)
        if resolve_day >= self.end:
            return

        def file() -> None:
            result = self.platform.cases.file(
                clerk_of,
                path,
                kind=kind,
                channel=channel,
                summary=summary,
                signed=signed,
                applicant=Applicant(name=name, phone=phone) if signed else None,
                filed_by_agent=f"代理员@{village}" if village else None,
                agent_village=village,
                power=power,
            )
            state["id"] = result.id
            self.platform.cases.accept(clerk_of, path, result.id)
            self.platform.cases.assign(
                clerk_of,
                path,
                result.id,
                department=rng.choice(DEPARTMENTS),
                handler=staff_handler(path, rng.choice(HANDLERS)),
                promised_working_days=promise,
            )

        def finish() -> None:
            case_id = state.get("id")
            if case_id is None:
                return
            cases = self.platform.cases
            cases.resolve(clerk_of, path, case_id, result="经调查核实，已依法依规处理")
            cases.reply(
                clerk_of,
                path,
                case_id,
                method=rng.choice(("电话", "书面", "上门")),
                content="已将办理结果告知当事人",
            )
            if signed:
                rating = rng.choices(
                    ("satisfied", "basically_satisfied", "unsatisfied"),
                    weights=(7, 2, 1),
                )[0]
                cases.feedback(clerk_of, path, case_id, rating=rating)
                if rating == "unsatisfied":
                    return  # left open: the board shows it for a second look
            cases.close_case(clerk_of, path, case_id)

        self.add(office_moment(day, rng), file)
        self.add(office_moment(resolve_day, rng), finish)

    def add(self, at: datetime, run: Callable[[], Any]) -> None:
        """Run ``run`` at ``at`` of the simulated year."""
        self.actions.append(Action(at, len(self.actions), run))

    def run(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Run every planned command in clock order (commands may plan more)."""
        done = 0
        while self.actions:
            self.actions.sort()
            action = self.actions.pop(0)
            self.clock.moment = max(self.clock.moment, action.at)
            action.run()
            done += 1
            if progress and done % 25 == 0:
                progress(done, done + len(self.actions))
        if progress:
            progress(done, done)
        return done

    def _tenant_name(self, path: str) -> str:
        return next(
            name
            for code, name, _, _, parent in TENANTS
            if (f"{parent}.{code}" if parent else code) == path
        )

    @staticmethod
    def _period_title(entry: CatalogueEntry, formed_on: date) -> str:
        if entry.period is Period.MONTHLY:
            return f"{formed_on.year}年{formed_on.month}月"
        if entry.period is Period.QUARTERLY:
            return f"{formed_on.year}年第{(formed_on.month - 1) // 3 + 1}季度"
        if entry.period is Period.HALF_YEARLY:
            return f"{formed_on.year}年{'上' if formed_on.month <= 6 else '下'}半年"
        if entry.period is Period.YEARLY:
            return f"{formed_on.year}年度"
        return f"{formed_on.year}年{formed_on.month}月{formed_on.day}日"


def has_data(platform: Platform) -> bool:
    return platform.max_position() > 0


def load_demo(
    platform: Platform,
    clock: SimClock,
    *,
    end: date | None = None,
    seed: int = 2026,
    progress: Callable[[int, int], None] | None = None,
    county: DemoCounty | None = None,
) -> dict[str, int]:
    """Load the demo into an empty store; returns counts. ``county``: the demo
    under another county's name (services/demo/renamed.py); 新和县 by default."""
    acting = renamed_platform(platform, county or DemoCounty())
    builder = DemoBuilder(acting, clock, end or local_date(datetime.now(UTC)), seed)
    tenants = builder.register_tenants()
    register_demo_staff(acting, INSTALLATION_ADMIN)
    builder.plan()
    builder.plan_cases()
    plan_disclosure_requests(builder)
    plan_assessment(builder)
    plan_fees(builder)
    plan_powers(builder)
    tenants += plan_participation(builder)
    plan_meetings(builder)
    commands = builder.run(progress)
    return {
        "tenants": tenants,
        "commands": commands,
        "position": platform.max_position(),
    }
