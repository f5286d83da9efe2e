"""A campaign's review of a unit shows its power list (权责清单) as the evidence of the
行政权力公开 item (the template's c02): in the scorecard's JSON, its CSV, and on the
console's scorecard page.

The clock starts on Monday 2 March 2026, 10:00 in China. 团结村 keeps the scenic
area's list (20 powers, 45 risk points, 119 measures), approved that day by the
county. Two requests name XK-001 (15 working days): one is resolved the same day, the
other 30 days later (late against the power); one complaint names it too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from domain.access import Role
from domain.assessment.criteria import TEMPLATE
from services.assessment.metrics import target_metrics
from services.demo.fees import ITEMS as FEE_ITEMS
from services.demo.power_data import scenic_power_listing
from tests.conftest import MutableClock, principal
from tests.e2e.conftest import TokenFactory
from tests.e2e.test_web_console import sign_in
from tests.web_seed import COUNTY_USER, TUANJIE, seed

CASES = f"/v1/tenants/{TUANJIE}/cases"
REQUEST = {
    "kind": "service_request",
    "channel": "visit",
    "signed": False,
    "summary": "申请在景区入口设置临时广告牌",
    "power": "XK-001",
}


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def handle(client: TestClient, clerk: dict[str, str]) -> tuple[str, str]:
    """Two requests under XK-001 and a complaint about it; the second is late."""
    ids = []
    for _ in range(2):
        case = ok(client.post(CASES, json=REQUEST, headers=clerk), 201)["id"]
        ok(client.post(f"{CASES}/{case}/accept", json={}, headers=clerk))
        body = {"department": "规划建设科", "handler": "李明"}
        ok(client.post(f"{CASES}/{case}/assign", json=body, headers=clerk))
        ids.append(case)
    complaint = REQUEST | {"kind": "complaint", "summary": "广告审批拖延"}
    ok(client.post(CASES, json=complaint, headers=clerk), 201)
    return ids[0], ids[1]


def resolve(client: TestClient, clerk: dict[str, str], case: str) -> None:
    body = {"result": "准予设置"}
    ok(client.post(f"{CASES}/{case}/resolve", json=body, headers=clerk))


def test_the_review_of_a_unit_shows_its_power_list_as_evidence(
    client: TestClient, platform: Any, auth: TokenFactory, clock: MutableClock
) -> None:
    seed(platform)
    county = principal("xinhe", Role.SUPERVISOR)
    listing = scenic_power_listing().to_dict()
    # The scenic powers name fee items of a standard, which must be in force.
    clerk_of = principal(TUANJIE, Role.CLERK)
    platform.levies.publish_standard(clerk_of, TUANJIE, date(2026, 1, 1), FEE_ITEMS)
    platform.powers.draft(
        principal(TUANJIE, Role.CLERK),
        TUANJIE,
        powers=listing["powers"],
        risks=listing["risks"],
        source="2026年权责清单",
    )
    platform.powers.approve(county, TUANJIE, 1)
    clerk = auth(TUANJIE, "clerk", "handler")
    on_time, late = handle(client, clerk)
    resolve(client, clerk, on_time)
    clock.advance(days=30)
    resolve(client, clerk, late)

    campaign, _ = platform.campaigns.plan(
        county,
        "xinhe",
        title="2026年上半年政务公开考核",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 4, 30),
        targets=[TUANJIE],
        criteria=[c.to_dict() for c in TEMPLATE],
        methods=["on_site"],
    )
    items = [{"code": c.code, "points": c.points * 0.9} for c in TEMPLATE]
    platform.campaigns.self_assess(
        principal(TUANJIE, Role.CLERK), "xinhe", campaign.id, TUANJIE, items, "自查"
    )
    platform.campaigns.review(county, "xinhe", campaign.id, TUANJIE, items, "on_site")

    url = f"/v1/tenants/xinhe/campaigns/{campaign.id}/scorecards/{TUANJIE}"
    card = ok(client.get(url, headers=auth("xinhe", "supervisor")))
    evidence = card["metrics"]["power_list"]
    assert (evidence["in_force"], evidence["published"], evidence["version"]) == (
        True,
        True,
        1,
    )
    assert evidence["board"] == f"/gongkai/{TUANJIE}/powers"
    assert (evidence["powers"], evidence["risk_total"], evidence["measures"]) == (
        20,
        45,
        119,
    )
    assert evidence["unassessed"] == []
    assert evidence["unmitigated_high"] == []
    assert (evidence["cases_handled"], evidence["complaints"]) == (2, 1)
    rate = evidence["cases_on_time"]
    assert (rate["numerator"], rate["denominator"]) == (1, 2)
    assert evidence["late_cases"] == [f"case:{late}"]
    by_item = {i["code"]: i for i in card["items"]}
    assert by_item["c02"]["power_evidence"] == evidence
    assert all(i["power_evidence"] is None for c, i in by_item.items() if c != "c02")

    # As known at the end of February: no list was in force yet, no case named it.
    before = target_metrics(platform, TUANJIE, date(2026, 1, 1), date(2026, 2, 28))
    assert not before["power_list"]["in_force"]
    assert before["power_list"]["cases_handled"] == 0

    exported = client.get(
        url, params={"format": "csv"}, headers=auth("xinhe", "supervisor")
    )
    assert exported.status_code == 200, exported.text
    text = exported.content.decode("utf-8-sig")
    assert "客观证据（权责清单）" in text.splitlines()[0]
    assert "权责清单第1版在用并已公开（2026-03-02起）" in text
    assert "按时办结1/2" in text
    xlsx = client.get(
        url, params={"format": "xlsx"}, headers=auth("xinhe", "supervisor")
    )
    assert xlsx.status_code == 200, xlsx.text

    sign_in(client, COUNTY_USER)
    page = client.get(f"/console/t/xinhe/campaigns/{campaign.id}/scorecards/{TUANJIE}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "行政权力公开：权责清单（考核期末已知）" in html
    assert "用于考核内容：机构设置、工作职责和管理权限的公开" in html
    assert "45 个（高" in html
    assert "119 条" in html
    assert "0 个（应为 0）" in html
    assert "（1/2" in html  # the on-time share with its numerator and denominator
    assert f'href="/gongkai/{TUANJIE}/powers"' in html
    assert f"/console/t/xinhe/ref/case/{late}" in html
    assert 'href="#power-evidence"' in html
