"""The public participation part of the every-event-type scenario (issue #27):
a deputy's suggestion met, answered and rated. Later parts add the supervisors,
questionnaires, meetings and plans."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.access import Principal, Role
from domain.cases.personal_data import Applicant
from domain.timeliness import local_date

TOWN = "xinhe.tahe"


def who(path: str | None, *roles: Role) -> Principal:
    return Principal(f"{'+'.join(roles)}@{path}", path, frozenset(roles))


def suggestions(p: Any) -> None:
    """建议提案: filed, accepted, assigned (3 months), met, answered, rated."""
    clerk = who(TOWN, Role.CLERK, Role.HANDLER)
    app = p.cases
    case = app.file(
        clerk,
        TOWN,
        kind="deputy_suggestion",
        channel="letter",
        summary="建议在镇区增设公共停车位",
        signed=True,
        applicant=Applicant(name="王建国"),
    ).id
    app.accept(clerk, TOWN, case)
    app.assign(clerk, TOWN, case, department="党政办", handler="李四")
    app.meet(clerk, TOWN, case, note="到代表工作室当面沟通")
    app.resolve(clerk, TOWN, case, result="已纳入年度建设计划")
    app.reply(clerk, TOWN, case, method="书面答复", content="答复函已送达")
    app.feedback(clerk, TOWN, case, rating="satisfied")


def supervisors(p: Any) -> None:
    """社会监督员: a register started, two appointed, one dismissed; an opinion."""
    clerk = who(TOWN, Role.CLERK, Role.HANDLER)
    for number, name, category in (
        ("TH-001", "孙建华", "人大代表"),
        ("TH-002", "马秀英", "居民代表"),
    ):
        p.supervisors.appoint(
            clerk,
            TOWN,
            number=number,
            name=name,
            category=category,
            term_from=date(2026, 1, 1),
            term_to=date(2027, 12, 31),
        )
    p.supervisors.dismiss(clerk, TOWN, number="TH-002", reason="迁居外地")
    p.cases.file(
        clerk,
        TOWN,
        kind="supervisor_opinion",
        channel="letter",
        summary="便民服务中心午间无人值守",
        signed=False,
    )


def participation(p: Any) -> None:
    suggestions(p)
    supervisors(p)


def questionnaire(p: Any) -> None:
    """问卷调查: designed, codes issued, opened, answered twice, closed."""
    clerk = who(TOWN, Role.CLERK)
    number = p.questionnaires.design(
        clerk,
        TOWN,
        title="镇政务公开满意度调查",
        purpose="征求群众对政务公开工作的意见",
        questions=[
            {
                "kind": "single",
                "text": "您是否看过镇公开栏？",
                "options": ["看过", "没看过"],
            },
            {
                "kind": "multiple",
                "text": "您从哪里了解信息？",
                "options": ["公开栏", "网站"],
            },
            {"kind": "scale", "text": "总体评价"},
            {"kind": "text", "text": "意见和建议"},
        ],
        minimum_sample=30,
    )
    codes = p.questionnaires.issue_codes(clerk, TOWN, number, 3)
    p.questionnaires.open(
        clerk, TOWN, number, opens_on=None, closes_on=date(2026, 3, 31)
    )
    p.questionnaires.answer(TOWN, number, codes[0], [0, [0, 1], 5, "公开栏字太小"])
    p.questionnaires.answer(TOWN, number, codes[1], [1, [], 3, None])
    p.questionnaires.close(clerk, TOWN, number)


def meetings(p: Any) -> None:
    """座谈会 and 项目审查会 (``MeetingBook.*``): held, an opinion answered, the
    minutes attached; a 限期治理 plan (``RemediationBook.*``) consulted on,
    supervised, failed and then passed at acceptance."""
    clerk = who(TOWN, Role.CLERK)
    today = local_date(p.cases.now())
    p.meetings.hold(
        clerk,
        TOWN,
        number="2026-SC-01",
        kind="项目审查会",
        held_on=today,
        subject="塔河镇垃圾中转站建设项目环境影响报告表",
        attendees=[
            {"category": "项目所在地单位", "invited": 2, "present": 2},
            {"category": "人大代表", "invited": 2, "present": 2},
            {"category": "政协委员", "invited": 1, "present": 1},
            {"category": "居民代表", "invited": 6, "present": 5},
        ],
        opinions=["中转站应远离学校", "运输车辆须密闭"],
    )
    p.meetings.answer(
        clerk, TOWN, "2026-SC-01", 1, verdict="采纳", reason="选址距学校500米以上"
    )
    p.meetings.attach_minutes(
        clerk, TOWN, "2026-SC-01", sha256="0f" * 32, name="审查会纪要.pdf"
    )
    p.remediation.plan(
        clerk,
        TOWN,
        number="XQ-01",
        unit="塔河镇某砖厂",
        tasks=["窑炉烟气脱硫改造", "原料堆场封闭"],
        deadline=date(2030, 12, 31),
    )
    p.remediation.consult(clerk, TOWN, "XQ-01", meeting="2026-SC-01")
    p.remediation.supervise(clerk, TOWN, "XQ-01", note="脱硫塔基础已浇筑")
    p.remediation.accept(clerk, TOWN, "XQ-01", result="不通过", note="堆场未封闭")
    p.remediation.accept(clerk, TOWN, "XQ-01", result="通过", note="验收合格")
