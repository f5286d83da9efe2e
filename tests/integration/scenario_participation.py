"""The public participation part of the every-event-type scenario (issue #27):
a deputy's suggestion met, answered and rated. Later parts add the supervisors,
questionnaires, meetings and plans."""

from __future__ import annotations

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


def participation(p: Any) -> None:
    suggestions(p)
