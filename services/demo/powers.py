"""The demo's power lists: the scenic area drafts its 权责清单 (20 powers, 45 risk
points, 119 measures) early in the year and the county approves it a week later;
the county finance bureau's first draft, without risk points yet, awaits review."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.powers.listing import PowerListing
from services.demo.assessment import COUNTY, at, supervisor
from services.demo.common import Plan, clerk
from services.demo.power_data import scenic_power_listing

SCENIC = "xinhe.ysfjq"
FINANCE = "xinhe.czj"
# The power each of the scenic area's complaints is about, where one is listed.
COMPLAINT_POWERS = {
    "景区停车场收费标准未公示，游客被多收停车费": "QT-001",
    "景区门票优惠政策执行不到位，老年人未享受半价": "QT-001",
    "景区内商户强买强卖，哄抬物价": "JC-002",
    "景区观光车班次少，游客排队时间过长": "JC-003",
    "景区施工噪音扰民，周边居民反映强烈": "CF-005",
}


def plan_powers(builder: Plan) -> None:
    """Schedule the drafts and the review on the demo's clock."""
    p = builder.platform
    listing = scenic_power_listing()
    county = supervisor(COUNTY, "XH-0001")
    day = builder.start + timedelta(days=20)
    state: dict[str, int] = {}

    def draft() -> None:
        state["version"] = p.powers.draft(
            clerk(SCENIC),
            SCENIC,
            **listing.to_dict(),
            source="玉佛山风景名胜区管理处权责清单（2025年版）",
        ).version

    builder.add(at(day), draft)
    builder.add(
        at(day + timedelta(days=7)),
        lambda: p.powers.approve(
            county, SCENIC, state["version"], "经清权确权，同意在景区网站和公开栏公开"
        ),
    )
    finance = PowerListing(
        tuple(
            # the bureau keeps no fee standard: its powers name no fee item
            replace(power, code=f"CZ-{i + 1:03d}", office="新和县财政局", fee_item=None)
            for i, power in enumerate(listing.powers[12:13] + listing.powers[14:16])
        )
    )
    builder.add(
        at(builder.end - timedelta(days=10)),
        lambda: p.powers.draft(
            clerk(FINANCE), FINANCE, **finance.to_dict(), source="财政局权责清单初稿"
        ),
    )


def complained_power(n: int, summary: str) -> str | None:
    """The power the scenic area's ``n``-th complaint names: none for the first,
    filed on the day the list is drafted, before it takes effect."""
    return COMPLAINT_POWERS.get(summary) if n > 0 else None
