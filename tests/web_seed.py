"""A small 新和县 for the page tests: tree, two staff with passwords, a revised item."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.access import Role
from tests.conftest import ADMIN, build_tree, principal

COUNTY_USER = ("XH-0001@xinhe", "county-pass-2026")
CLERK_USER = ("XH-0201@xinhe", "clerk-pass-2026")
TUANJIE = "xinhe.tahe.tuanjie"
STAFF = (
    ("xinhe", "XH-0001", "艾尔肯", "县政务公开办", ["supervisor"], COUNTY_USER[1]),
    (TUANJIE, "XH-0201", "古丽娜", "村文书", ["clerk", "handler"], CLERK_USER[1]),
)


def seed(platform: Any) -> dict[str, str]:
    """Build the tree and staff; publish and revise one item, withdraw another."""
    build_tree(platform)
    for path, number, name, post, roles, password in STAFF:
        staffer, code, _ = platform.staff.register(
            ADMIN, path, number=number, name=name, post=post, roles=roles
        )
        platform.sign_ins.activate(staffer.username, code, password, "test")
    clerk = principal(TUANJIE, Role.CLERK)
    today = platform.disclosures.now().date()
    item = platform.disclosures.publish(
        clerk,
        TUANJIE,
        category="common.finance",
        title="团结村第一季度财务收支",
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["公开栏", "网站"],
        formed_on=date.fromordinal(today.toordinal() - 3),
    )
    platform.disclosures.revise(
        clerk,
        TUANJIE,
        item.id,
        reason="更正支出金额笔误",
        body="一、收入合计12.6万元；二、支出合计9.6万元。",
    )
    gone = platform.disclosures.publish(
        clerk,
        TUANJIE,
        category="common.finance",
        title="误发的通知",
        body="此条误发。",
        channels=["公开栏"],
        formed_on=date.fromordinal(today.toordinal() - 2),
    )
    last = platform.disclosures.withdraw(clerk, TUANJIE, gone.id, reason="误发")
    platform.wait("disclosures", last.position)
    return {"item": str(item.id), "withdrawn": str(gone.id)}
