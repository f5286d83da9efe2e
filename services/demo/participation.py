"""The demo's public participation (issue #27): the scenic area and the county's
environment bureau (新和县生态环境局, registered here) each keep a register of social
supervisors (the scenic area has 21 in office, "20余人") and handle five 建议提案
of deputies and members, all met, answered in writing and rated 满意, as the seed
reports (见面率、答复率100%，满意率100%)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from domain.access import Principal, Role
from domain.cases.personal_data import Applicant
from services.demo.common import Plan, case_clerk, office_moment
from services.demo.questionnaires import plan_questionnaire

ADMIN = Principal(id="demo-admin", tenant=None, roles=frozenset({Role.ADMIN}))
ENVIRONMENT = "xinhe.hbj"
SCENIC = "xinhe.ysfjq"
UNITS = (SCENIC, ENVIRONMENT)
# (kind, proposer, summary) per unit.
SUGGESTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    SCENIC: (
        ("deputy_suggestion", "王建国", "建议完善景区无障碍通道和母婴室设施"),
        ("deputy_suggestion", "热依拉", "建议景区门票对本县老年人实行免票"),
        ("deputy_suggestion", "努尔兰", "建议增开县城至景区的旅游专线公交"),
        ("member_proposal", "李红梅", "关于规范景区商户经营秩序的提案"),
        ("member_proposal", "张志远", "关于加强景区森林防火宣传的提案"),
    ),
    ENVIRONMENT: (
        ("deputy_suggestion", "刘玉兰", "建议加强城区餐饮油烟污染治理"),
        ("deputy_suggestion", "吐尔逊", "建议公开重点排污单位在线监测数据"),
        ("deputy_suggestion", "周海燕", "建议对农村生活污水处理设施定期维护"),
        ("member_proposal", "陈立新", "关于建设项目环评公众参与常态化的提案"),
        ("member_proposal", "买买提·吐尔洪", "关于加快砖厂限期治理进度的提案"),
    ),
}
DEPARTMENT = {SCENIC: "综合科", ENVIRONMENT: "综合办公室"}
HANDLER = {SCENIC: "XH-0301", ENVIRONMENT: "马晓东"}


def plan_participation(builder: Plan, seed: int = 27) -> int:
    """Register the environment bureau; plan each unit's supervisors and 建议提案.
    Returns the number of tenants it registers (one)."""
    rng = random.Random(seed)  # noqa: S311 - its own stream: the rest stays as it was
    platform = builder.platform
    first = builder.start + timedelta(days=1)

    def register() -> None:
        platform.tenants.register(
            ADMIN,
            code="hbj",
            name="新和县生态环境局",
            level="unit",
            parent="xinhe",
            kind="department",
        )

    builder.add(office_moment(first, rng), register)
    for unit, count in ((SCENIC, 22), (ENVIRONMENT, 8)):
        plan_supervisors(builder, rng, unit, count, first + timedelta(days=3))
    # 两会 in spring: the suggestions are assigned about 40 days into the year.
    received = builder.start + timedelta(days=40)
    for unit in UNITS:
        for n, (kind, proposer, summary) in enumerate(SUGGESTIONS[unit]):
            plan_suggestion(builder, rng, unit, kind, proposer, summary, received, n)
    plan_questionnaire(builder, random.Random(seed + 1))  # noqa: S311
    return 1


SUPERVISOR_SURNAMES = "孙马胡郭何高罗郑梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾"
SUPERVISOR_GIVEN = ("建华", "秀英", "志强", "丽娟", "海涛", "玉梅", "国庆", "春燕")
SUPERVISOR_CATEGORIES = ("人大代表", "政协委员", "企业负责人", "居民代表", "居民代表")
OPINIONS = (
    "景区售票窗口高峰时段只开一个，建议增开窗口",
    "景区内部分指示牌英文翻译有误",
)


def plan_supervisors(
    builder: Plan, rng: random.Random, unit: str, count: int, day: date
) -> None:
    """聘请 ``count`` supervisors for two years, dismiss one; the scenic area's
    supervisors file two opinions (cases of their own kind)."""
    platform = builder.platform
    who = case_clerk(unit)
    prefix = "YFS" if unit == SCENIC else "HBJ"
    names = [
        SUPERVISOR_SURNAMES[(i * 7 + len(unit)) % len(SUPERVISOR_SURNAMES)]
        + SUPERVISOR_GIVEN[(i * 3 + count) % len(SUPERVISOR_GIVEN)]
        for i in range(count)
    ]

    def appoint() -> None:
        for i, name in enumerate(names):
            platform.supervisors.appoint(
                who,
                unit,
                number=f"{prefix}-{i + 1:03d}",
                name=name,
                category=SUPERVISOR_CATEGORIES[i % len(SUPERVISOR_CATEGORIES)],
                term_from=day,
                term_to=day + timedelta(days=2 * 365),
            )

    def dismiss() -> None:
        platform.supervisors.dismiss(
            who, unit, number=f"{prefix}-{count:03d}", reason="工作调动，本人申请解聘"
        )

    builder.add(office_moment(day, rng), appoint)
    builder.add(office_moment(day + timedelta(days=120), rng), dismiss)
    if unit != SCENIC:
        return
    for n, summary in enumerate(OPINIONS):
        opinion_day = day + timedelta(days=60 + 30 * n)

        def file(summary: str = summary) -> None:
            filed = platform.cases.file(
                who,
                unit,
                kind="supervisor_opinion",
                channel="letter",
                summary=summary,
                signed=False,
            )
            platform.cases.accept(who, unit, filed.id)

        builder.add(office_moment(opinion_day, rng), file)


def plan_suggestion(
    builder: Plan,
    rng: random.Random,
    unit: str,
    kind: str,
    proposer: str,
    summary: str,
    received: date,
    n: int,
) -> None:
    """File, accept and assign; meet two weeks on; answer, rating and close within
    the three months."""
    platform = builder.platform
    who = case_clerk(unit)
    state: dict[str, Any] = {}
    day = received + timedelta(days=n)

    def file() -> None:
        filed = platform.cases.file(
            who,
            unit,
            kind=kind,
            channel="letter",
            summary=summary,
            signed=True,
            applicant=Applicant(name=proposer),
            received_on=day,
        )
        state["id"] = filed.id
        platform.cases.accept(who, unit, filed.id)
        platform.cases.assign(
            who, unit, filed.id, department=DEPARTMENT[unit], handler=HANDLER[unit]
        )

    def meet() -> None:
        platform.cases.meet(who, unit, state["id"], note="登门拜访，当面听取意见")

    def answer() -> None:
        cases = platform.cases
        cases.resolve(who, unit, state["id"], result="已采纳并制定落实措施")
        cases.reply(
            who,
            unit,
            state["id"],
            method="书面答复",
            content=f"关于“{summary}”的答复函：已研究采纳，落实情况见附件。",
        )
        cases.feedback(who, unit, state["id"], rating="satisfied")
        cases.close_case(who, unit, state["id"])

    builder.add(office_moment(day, rng), file)
    builder.add(office_moment(day + timedelta(days=14), rng), meet)
    builder.add(office_moment(day + timedelta(days=45 + n), rng), answer)
