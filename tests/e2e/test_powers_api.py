"""The power list over HTTP: a unit drafts its 权责清单 (JSON and CSV), the county
reviews it (清权确权), reads every unit's coverage, and draws the flowcharts."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from domain.powers.power_csv import powers_to_csv
from services.demo.fees import ITEMS as FEE_ITEMS
from services.demo.power_data import scenic_power_listing
from tests.conftest import MutableClock
from tests.e2e.conftest import TokenFactory

UNIT = "xinhe.tahe.school-1"
BASE = f"/v1/tenants/{UNIT}/powers"


def scenic_body() -> dict[str, Any]:
    return scenic_power_listing().to_dict() | {"source": "2026年权责清单"}


def publish_fees(client: TestClient, clerk: dict[str, str]) -> None:
    """The unit's fee standard, whose items the scenic list's powers name."""
    standard = {"effective_from": "2026-01-01", "items": FEE_ITEMS}
    url = f"/v1/tenants/{UNIT}/fee-standard"
    published = client.post(url, json=standard, headers=clerk)
    assert published.status_code == 201, published.text


def test_a_unit_drafts_its_list_and_the_county_approves_it(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk, county = auth(UNIT, "clerk"), auth("xinhe", "supervisor")
    body = scenic_body()
    unknown = client.post(f"{BASE}/drafts", json=body, headers=clerk)
    assert unknown.status_code == 422, unknown.text  # no fee standard yet
    assert unknown.json()["title_zh"] == "收费项目不在本单位收费标准中"
    assert unknown.json()["field"] == "powers[4].fee_item"
    publish_fees(client, clerk)
    bare = [dict(r) for r in body["risks"]]
    bare[0] = bare[0] | {"measures": []}
    drafted = client.post(f"{BASE}/drafts", json=body | {"risks": bare}, headers=clerk)
    assert drafted.status_code == 201, drafted.text
    figures = drafted.json()["figures"]
    assert (figures["powers"], figures["risk_total"], figures["measures"]) == (
        20,
        45,
        116,
    )
    assert figures["unmitigated_high"] == ["FX-001"]

    refused = client.post(f"{BASE}/versions/1/approve", json={}, headers=county)
    assert refused.status_code == 409
    assert (
        refused.json()["title_zh"]
        == "有 1 个高等级廉政风险点没有防范措施，清单不能生效"
    )
    assert client.get(BASE, headers=clerk).json()["in_force"] is None
    returned = client.post(
        f"{BASE}/versions/1/return",
        json={"opinion": "FX-001 须制定防范措施"},
        headers=county,
    )
    assert returned.status_code == 200, returned.text

    assert client.post(f"{BASE}/drafts", json=body, headers=clerk).status_code == 201
    own = client.post(
        f"{BASE}/versions/2/approve", json={}, headers=auth(UNIT, "supervisor")
    )
    assert own.status_code == 200, (
        own.text
    )  # the unit's own supervisor, not the drafter
    listed = client.get(BASE, headers=county).json()
    assert (listed["version"], listed["in_force"], listed["pending"]) == (2, 2, None)
    assert listed["powers"][0]["kind_label"] == "行政许可"
    assert listed["figures"]["measures"] == 119

    coverage = client.get("/v1/tenants/xinhe/powers/coverage", headers=county).json()
    rows = {(r["tenant"], r["state"]) for r in coverage["units"]}
    assert rows == {(UNIT, "approved")}
    assert coverage["units"][0]["tenant_name"] == "塔河镇中心小学"
    assert "xinhe.tahe.tuanjie" in coverage["without_list"]

    svg = client.get(f"{BASE}/XK-001/flowchart.svg", headers=clerk)
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "不予受理" in svg.text
    assert "补正" in svg.text
    assert client.get(f"{BASE}/NO-1/flowchart.svg", headers=clerk).status_code == 404
    other = client.get(BASE, headers=auth("wensu", "supervisor"))
    assert other.status_code == 404


def test_the_catalogue_round_trips_as_csv_and_keeps_risks_by_code(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk, county = auth(UNIT, "clerk"), auth("xinhe", "supervisor")
    publish_fees(client, clerk)
    assert client.post(f"{BASE}/drafts", json=scenic_body(), headers=clerk).is_success
    client.post(f"{BASE}/versions/1/approve", json={}, headers=county)
    exported = client.get(f"{BASE}.csv", headers=clerk)
    assert exported.status_code == 200
    text = exported.content.decode("utf-8-sig")
    assert text == powers_to_csv(scenic_power_listing().powers)
    edited = text.replace("规划建设科科长", "规划建设科副科长", 1)
    loaded = client.post(
        f"{BASE}/drafts.csv",
        content=edited.encode("utf-8-sig"),
        headers={**clerk, "content-type": "text/csv"},
    )
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["figures"]["risk_total"] == 45  # kept by power code
    bad = edited.replace("行政处罚", "罚款", 1)
    refused = client.post(
        f"{BASE}/drafts.csv",
        content=bad.encode("utf-8-sig"),
        headers={**clerk, "content-type": "text/csv"},
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["line"] == 7
    assert problem["field"] == "权力类型"
    assert problem["title_zh"].startswith(
        "权责清单文件第 7 行「权力类型」列有误：「罚款」"
    )


def test_a_case_is_late_against_its_powers_limit(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk, county = auth(UNIT, "clerk", "handler"), auth("xinhe", "supervisor")
    publish_fees(client, clerk)
    assert client.post(f"{BASE}/drafts", json=scenic_body(), headers=clerk).is_success
    client.post(f"{BASE}/versions/1/approve", json={}, headers=county)
    cases = f"/v1/tenants/{UNIT}/cases"
    request = {
        "kind": "service_request",
        "channel": "visit",
        "signed": False,
        "summary": "申请在景区入口设置临时广告牌",
        "power": "XK-001",  # 商业广告审批, 15 working days
    }
    unknown = client.post(cases, json=request | {"power": "XK-999"}, headers=clerk)
    assert unknown.status_code == 422
    assert unknown.json()["title_zh"] == "不是本单位权责清单中的权力事项"
    filed = client.post(cases, json=request, headers=clerk)
    assert filed.status_code == 201, filed.text
    case = filed.json()["id"]
    client.post(f"{cases}/{case}/accept", json={}, headers=clerk)
    assigned = client.post(
        f"{cases}/{case}/assign",
        json={
            "department": "规划建设科",
            "handler": "李明",
            "promised_working_days": 30,
        },
        headers=clerk,
    ).json()
    assert assigned["due_on"] == "2026-03-23"  # 15 working days, not the 30 promised
    complaint = {
        "kind": "complaint",
        "channel": "mailbox",
        "signed": False,
        "summary": "广告审批拖延",
        "power": "XK-001",
    }
    assert client.post(cases, json=complaint, headers=clerk).status_code == 201
    clock.advance(days=30)
    resolved = client.post(
        f"{cases}/{case}/resolve", json={"result": "准予设置"}, headers=clerk
    )
    assert resolved.status_code == 200, resolved.text
    figures = client.get(f"{BASE}/cases", params={"year": 2026}, headers=county).json()[
        "powers"
    ]
    licence = next(p for p in figures if p["code"] == "XK-001")
    assert (licence["handled"], licence["on_time"], licence["late"]) == (1, 0, 1)
    assert licence["complaints"] == 1
    assert licence["late_cases"] == [case]
    assert licence["risks"] == 3
