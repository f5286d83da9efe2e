"""The demo's assessment: a completed county campaign over its towns, a town campaign
still in its notice period, the county's ranking weights and a year of statements."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from domain.access import Principal, Role
from domain.assessment.criteria import TEMPLATE
from domain.timeliness import SHANGHAI
from services.demo.common import Plan, clerk

COUNTY, TOWN = "xinhe", "xinhe.xinhe-zhen"
TOWNS = ("xinhe.xinhe-zhen", "xinhe.yqaerk", "xinhe.tmtglk")
VILLAGES = ("xinhe.xinhe-zhen.tuanjie", "xinhe.xinhe-zhen.xingfu",
            "xinhe.xinhe-zhen.guangming")  # fmt: skip
# Share of each item's points a target earns in review (self-assessment: 0.95).
SHARES = {
    "xinhe.xinhe-zhen": 0.93,
    "xinhe.yqaerk": 0.82,
    "xinhe.tmtglk": 0.55,
    "xinhe.xinhe-zhen.tuanjie": 0.91,
    "xinhe.xinhe-zhen.xingfu": 0.78,
    "xinhe.xinhe-zhen.guangming": 0.86,
}


def supervisor(path: str, number: str) -> Principal:
    return Principal(f"{number}@xinhe", path, frozenset({Role.SUPERVISOR}))


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def items(share: float) -> list[dict[str, Any]]:
    return [{"code": c.code, "points": round(c.points * share, 1)} for c in TEMPLATE]


def plan_assessment(builder: Plan) -> None:
    """Schedule the assessment commands on the demo builder's clock."""
    p = builder.platform
    start, end = builder.start, builder.end
    rows = [c.to_dict() for c in TEMPLATE]
    county = supervisor(COUNTY, "XH-0001")
    town = supervisor(TOWN, "XH-0101")
    state: dict[str, Any] = {}

    def campaign(key: str, owner: str, sup: Principal, targets: tuple[str, ...],
                 title: str, period: tuple[date, date], day: date) -> None:  # fmt: skip
        def plan() -> None:
            made, _ = p.campaigns.plan(
                sup, owner, title=title, period_from=period[0], period_to=period[1],
                targets=list(targets), criteria=rows, methods=["online", "on_site"],
            )  # fmt: skip
            state[key] = made.id

        builder.add(at(day), plan)
        for i, target in enumerate(targets):
            builder.add(
                at(day + timedelta(days=1), 11 + i),
                lambda t=target: p.campaigns.self_assess(
                    clerk(t), owner, state[key], t, items(0.95), "自评自查报告"
                ),
            )
            builder.add(
                at(day + timedelta(days=4), 11 + i),
                lambda t=target: p.campaigns.review(
                    sup, owner, state[key], t, items(SHARES[t]), "on_site"
                ),
            )

    # A completed campaign of the county over its towns (first half of the year).
    half = (date(start.year, 1, 1), date(start.year, 6, 30))
    first = start + timedelta(days=120)
    campaign("county", COUNTY, county, TOWNS, f"{start.year}年上半年乡镇政务公开考核",
             half, first)  # fmt: skip
    notice = first + timedelta(days=6)
    builder.add(
        at(notice), lambda: p.campaigns.publish_notice(county, COUNTY, state["county"])
    )
    builder.add(
        at(notice + timedelta(days=2)),
        lambda: p.campaigns.object(
            clerk("xinhe.tmtglk"), COUNTY, state["county"], "xinhe.tmtglk",
            "自评材料中的公开栏照片未被采纳",
        ),
    )  # fmt: skip
    builder.add(
        at(notice + timedelta(days=4)),
        lambda: p.campaigns.answer_objection(
            county,
            COUNTY,
            state["county"],
            1,
            "经复核，照片拍摄于考核期之后，维持原评分",
        ),
    )
    final = notice + timedelta(days=25)
    builder.add(
        at(final), lambda: p.campaigns.finalize(county, COUNTY, state["county"])
    )
    builder.add(
        at(final, 15),
        lambda: p.campaigns.order_rectification(
            county, COUNTY, state["county"], "xinhe.tmtglk", 20
        ),
    )
    builder.add(
        at(final + timedelta(days=20)),
        lambda: p.campaigns.report_rectification(
            clerk("xinhe.tmtglk"), COUNTY, state["county"], "xinhe.tmtglk",
            "已建立政务公开领导小组，补充公开重大项目资金安排",
        ),
    )  # fmt: skip
    builder.add(
        at(final + timedelta(days=30)),
        lambda: p.campaigns.verify_rectification(
            county, COUNTY, state["county"], "xinhe.tmtglk", True, "整改到位", 10
        ),
    )

    # A town campaign over its villages, on public notice when the demo ends.
    town_day = end - timedelta(days=8)
    campaign("town", TOWN, town, VILLAGES, f"{end.year}年新和镇村务公开考核",
             (start, end - timedelta(days=30)), town_day)  # fmt: skip
    builder.add(
        at(end - timedelta(days=2)),
        lambda: p.campaigns.publish_notice(town, TOWN, state["town"]),
    )

    # The county's weights for the monthly rankings (12345 style).
    builder.add(
        at(start + timedelta(days=1)),
        lambda: p.rankings.set_scheme(
            county, COUNTY, {"response": 30, "resolution": 35, "satisfaction": 35}, 5
        ),
    )

    # A statement for the demo's first calendar year, signed and assessed after it.
    year = start.year
    targets = [
        {"code": "t1", "title": "落实政务公开主体责任"},
        {"code": "t2", "title": "开展廉政谈话不少于两次"},
    ]

    def issue() -> None:
        made, _ = p.statements.issue(
            county, COUNTY, year=year, unit=TOWN, number="XH-0101", targets=targets
        )
        state["statement"] = made.id

    builder.add(at(start + timedelta(days=2)), issue)
    head = Principal("XH-0101@xinhe", TOWN, frozenset({Role.SUPERVISOR}))
    builder.add(
        at(start + timedelta(days=3)),
        lambda: p.statements.sign(head, COUNTY, state["statement"]),
    )
    if date(year + 1, 1, 10) < end:
        builder.add(
            at(date(year + 1, 1, 10)),
            lambda: p.statements.assess(
                county, COUNTY, state["statement"], {},
                {"t1": (True, "责任落实到位"), "t2": (True, "谈话记录两次")},
            ),
        )  # fmt: skip
