"""The demo's fees: the scenic area's management office (the demo's analogue of the
seed's environment bureau) publishes its fee standard, issues 征收通知书 to the
vendors in the area, and reduces one after 集中会审 by three reviewers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.access import Principal, Role
from domain.fees.levy import lines_of, total_of
from services.demo.assessment import at
from services.demo.common import Plan, clerk
from services.demo.staff import reviewer_username

UNIT = "xinhe.ysfjq"
BASIS = "《风景名胜区条例》第三十七条；自治区发展改革委、财政厅收费批复"
TICKET_BASIS = "《中华人民共和国价格法》第十三条；自治区发展改革委门票价格批复"
ITEMS = [
    {"code": "site", "name": "景区经营场地占用费", "unit": "平方米·月",
     "rate": "12.5", "basis": BASIS},
    {"code": "resource", "name": "风景名胜区资源有偿使用费", "unit": "万元营业额",
     "rate": "300", "basis": BASIS},
    {"code": "ticket", "name": "玉佛山风景名胜区门票", "unit": "人次",
     "rate": "40", "basis": TICKET_BASIS},
]  # fmt: skip
# (payer, kind, site m²·months, turnover in 万元, reduced to or None)
NOTICES = (
    ("新和县玉佛山旅游服务有限公司", "organisation", "1200", "85.6", None),
    ("玉佛山农家乐专业合作社", "organisation", "360", "12.4", None),
    ("阿不都热合曼·买买提", "person", "48", "1.75", "600.00"),
)
# (badge number of a DEMO_REVIEWERS staffer, post, reason)
REVIEWERS = (
    ("XH-0302", "法制审核岗", "减免符合《风景名胜区条例》及本处减免办法"),
    ("XH-0303", "财务岗", "营业额与停业证明核实无误"),
    ("XH-0304", "分管领导", "同意按会审意见减免"),
)


def plan_fees(builder: Plan) -> None:
    """Schedule the fee commands on the demo builder's clock."""
    p = builder.platform
    office = clerk(UNIT)
    start = builder.start
    builder.add(
        at(start + timedelta(days=3)),
        lambda: p.levies.publish_standard(office, UNIT, start, ITEMS),
    )
    for i, row in enumerate(NOTICES):
        day = builder.end - timedelta(days=60 - 15 * i)
        builder.add(at(day, 11), lambda row=row, day=day: _notice(p, office, row, day))


def _notice(p: Any, office: Principal, row: tuple[Any, ...], day: date) -> None:
    payer, kind, site, turnover, reduced_to = row
    standard = p.levies.standard(office, UNIT).in_force(day)
    items = [
        {"code": "site", "quantity": site},
        {"code": "resource", "quantity": turnover},
    ]
    amount = str(total_of(lines_of(items, standard)))  # what the clerk writes
    notice, _ = p.levies.draft(
        office, UNIT, payer_name=payer, payer_kind=kind, dated=day, amount=amount,
        items=items,
    )  # fmt: skip
    if reduced_to:
        p.levies.propose_reduction(
            office, UNIT, notice.id, reduced_to, "个体经营户因病停业四个月，申请减缴"
        )
        for who, post, reason in REVIEWERS:
            reviewer = Principal(
                reviewer_username(who), UNIT, frozenset({Role.SUPERVISOR})
            )
            p.levies.review_reduction(reviewer, UNIT, notice.id, True, post, reason)
    p.levies.issue(office, UNIT, notice.id)
