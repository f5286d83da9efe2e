"""The demo's meetings with the public and 限期治理 (issue #27 §3, §4): the
environment bureau holds a 座谈会 with 行风监督员 and 企业负责人 on a brickworks'
限期治理 plan, and a 项目审查会 on a project's 环境影响报告表 with the categories the
公众知情制度 names, answers every opinion, and takes the plan through 竣工验收."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from services.demo.common import Plan, clerk, office_moment
from services.demo.participation import ENVIRONMENT

FORUM = "HBJ-ZT-2026-01"
REVIEW = "HBJ-SC-2026-01"
PLAN = "HBJ-XQ-2026-01"
BRICKWORKS = "新和县红星砖厂"
# (opinion, verdict, reason) per meeting.
FORUM_OPINIONS = (
    ("治理方案应明确脱硫设施的建成时间", "采纳", "方案已写明8月底前建成并投运"),
    ("施工期间原料堆场扬尘影响周边农田", "采纳", "施工期间增设围挡和喷淋，每周巡查"),
    ("建议允许企业延期至明年完成", "不予采纳", "限期治理期限由县政府决定，不予延长"),
)
REVIEW_OPINIONS = (
    (
        "污水处理厂尾水排放口应设置标志牌并公开在线监测数据",
        "采纳",
        "排放口标志牌已设置，在线数据在门户网站实时公开",
    ),
    (
        "施工期夜间噪声影响周边居民休息",
        "部分采纳",
        "夜间22时后禁止高噪声作业，确需连续施工的提前公告",
    ),
    ("建议将厂址迁离城区", "不予采纳", "现址经规划环评论证可行，迁址不具备条件"),
)


def plan_meetings(builder: Plan, seed: int = 273) -> None:
    """Plan the bureau's two meetings, their answers and the 限期治理 plan."""
    rng = random.Random(seed)  # noqa: S311 - its own stream: the rest stays as it was
    p = builder.platform
    who = clerk(ENVIRONMENT)
    start = builder.start

    def at(days: int, run: Callable[[], Any]) -> None:
        builder.add(office_moment(start + timedelta(days=days), rng), run)

    def make_plan() -> None:
        p.remediation.plan(
            who,
            ENVIRONMENT,
            number=PLAN,
            unit=BRICKWORKS,
            tasks=[
                "窑炉烟气脱硫除尘设施改造",
                "原料及成品堆场全封闭",
                "安装烟气在线监测设备并联网",
            ],
            deadline=start + timedelta(days=250),
        )

    def hold(number: str, kind: str, day: date, subject: str, **more: Any) -> None:
        p.meetings.hold(
            who,
            ENVIRONMENT,
            number=number,
            kind=kind,
            held_on=day,
            subject=subject,
            **more,
        )

    def forum() -> None:
        hold(
            FORUM,
            "座谈会",
            start + timedelta(days=60),
            f"{BRICKWORKS}限期治理方案征求意见座谈会",
            attendees=[
                {"category": "行风监督员", "invited": 6, "present": 5},
                {"category": "企业负责人", "invited": 4, "present": 4},
                {"category": "居民代表", "invited": 5, "present": 4},
            ],
            opinions=[o for o, _, _ in FORUM_OPINIONS],
        )
        p.remediation.consult(who, ENVIRONMENT, PLAN, meeting=FORUM)

    def review() -> None:
        hold(
            REVIEW,
            "项目审查会",
            start + timedelta(days=150),
            "新和县城区污水处理厂提标改造项目环境影响报告表",
            attendees=[
                {"category": "项目所在地单位", "invited": 3, "present": 3},
                {"category": "人大代表", "invited": 2, "present": 2},
                {"category": "政协委员", "invited": 2, "present": 2},
                {"category": "居民代表", "invited": 8, "present": 7},
                {"category": "专家", "invited": 3, "present": 3},
            ],
            opinions=[o for o, _, _ in REVIEW_OPINIONS],
        )

    def answers(number: str, opinions: tuple[tuple[str, str, str], ...]) -> None:
        for n, (_, verdict, reason) in enumerate(opinions, start=1):
            p.meetings.answer(
                who, ENVIRONMENT, number, n, verdict=verdict, reason=reason
            )
        minutes = f"{number} 会议纪要".encode()
        p.meetings.attach_minutes(
            who,
            ENVIRONMENT,
            number,
            sha256=hashlib.sha256(minutes).hexdigest(),
            name=f"{number}会议纪要.pdf",
        )

    def supervise(note: str) -> Callable[[], None]:
        return lambda: p.remediation.supervise(who, ENVIRONMENT, PLAN, note=note)

    def accept() -> None:
        p.remediation.accept(
            who,
            ENVIRONMENT,
            PLAN,
            result="通过",
            note="治理任务全部完成，烟气监测达标，验收合格",
        )

    at(50, make_plan)
    at(60, forum)
    at(70, lambda: answers(FORUM, FORUM_OPINIONS))
    at(120, supervise("脱硫除尘设施主体施工，堆场围挡已完成"))
    at(150, review)
    at(162, lambda: answers(REVIEW, REVIEW_OPINIONS))
    at(200, supervise("在线监测设备安装完毕，已与监控平台联网"))
    at(240, accept)
