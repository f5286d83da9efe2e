"""The public participation part of the every-event-type scenario (issue #27):
a deputy's suggestion met, answered and rated. Later parts add the supervisors,
questionnaires, meetings and plans."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.access import Principal, Role
from domain.cases.personal_data import Applicant

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
