"""建议提案 over HTTP: filed as cases of their own kind, met, answered, rated; the
time limit in months; the figures per unit with numerators and denominators, in
JSON, CSV and the annual report; counted apart from the case statistics.

The clock is pinned at Monday 2 March 2026, 10:00 in China (tests/conftest.py).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from services.reporting.annual_render import report_text
from tests.conftest import MutableClock
from tests.e2e.conftest import Headers, TokenFactory

TOWN = "/v1/tenants/xinhe.tahe"
SCHOOL = "/v1/tenants/xinhe.tahe.school-1"


def act(
    client: TestClient,
    headers: Headers,
    base: str,
    case: str,
    action: str,
    body: dict[str, Any] | None = None,
    status: int = 200,
) -> dict[str, Any]:
    response = client.post(
        f"{base}/cases/{case}/{action}", json=body or {}, headers=headers
    )
    assert response.status_code == status, (action, response.text)
    return dict(response.json())


def file(
    client: TestClient, headers: Headers, base: str, kind: str, summary: str
) -> str:
    body = {
        "kind": kind,
        "channel": "letter",
        "signed": True,
        "summary": summary,
        "applicant": {"name": "王建国"},
    }
    filed = client.post(f"{base}/cases", json=body, headers=headers)
    assert filed.status_code == 201, filed.text
    return str(filed.json()["id"])


def test_suggestions_are_met_answered_rated_and_counted_per_unit(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    town = auth("xinhe.tahe", "clerk", "handler")
    school = auth("xinhe.tahe.school-1", "clerk", "handler")
    ids = [
        file(client, town, TOWN, "人大代表建议", "建议在镇区增设公共停车位"),
        file(client, town, TOWN, "member_proposal", "关于改善镇卫生院就医环境的提案"),
        file(client, town, TOWN, "deputy_suggestion", "建议硬化团结村至幸福村道路"),
        file(client, school, SCHOOL, "deputy_suggestion", "建议延长学校课后服务时间"),
    ]
    first = ids[0]
    card = act(client, town, TOWN, first, "accept")
    assert card["kind_label"] == "人大代表建议"
    assert "meet" in card["allowed_actions"]
    card = act(
        client, town, TOWN, first, "assign", {"department": "党政办", "handler": "李四"}
    )
    assert card["due_on"] == "2026-06-02"  # 3 months from assignment, not 15 days
    met = act(
        client, town, TOWN, first, "meet", {"met_on": "2026-03-02", "note": "当面沟通"}
    )
    assert "meet" not in met["allowed_actions"]
    assert met["events"][-1]["event"] == "ProposerMet"
    assert met["events"][-1]["details"]["met_on"] == "2026-03-02"
    again = client.post(f"{TOWN}/cases/{first}/meet", json={}, headers=town)
    assert again.status_code == 409
    late = client.post(
        f"{TOWN}/cases/{ids[1]}/meet", json={"met_on": "2026-03-09"}, headers=town
    )
    assert late.status_code == 409  # filed, not accepted: no meeting yet
    act(client, town, TOWN, first, "resolve", {"result": "已纳入年度建设计划"})
    act(client, town, TOWN, first, "reply", {"method": "书面答复", "content": "答复函"})
    act(client, town, TOWN, first, "feedback", {"rating": "基本满意"})
    second = ids[1]
    act(client, town, TOWN, second, "accept")
    act(client, town, TOWN, second, "meet")
    for case in (ids[3],):
        act(client, school, SCHOOL, case, "accept")
        act(client, school, SCHOOL, case, "meet")
        act(
            client,
            school,
            SCHOOL,
            case,
            "assign",
            {"department": "教务处", "handler": "赵六"},
        )
        act(client, school, SCHOOL, case, "resolve", {"result": "已采纳"})
        act(client, school, SCHOOL, case, "reply", {"method": "书面", "content": "函"})
        act(client, school, SCHOOL, case, "feedback", {"rating": "不满意"})

    county = auth("xinhe", "supervisor")
    got = client.get(f"{TOWN}/suggestion-figures?year=2026", headers=county)
    assert got.status_code == 200, got.text
    report = got.json()
    units = {u["tenant"]: u for u in report["units"]}
    own = units["xinhe.tahe"]
    assert own["received"] == 3
    assert own["name"] == "塔河镇"
    assert (own["meeting_rate"]["numerator"], own["meeting_rate"]["denominator"]) == (
        2,
        3,
    )
    assert (own["reply_rate"]["numerator"], own["reply_rate"]["denominator"]) == (1, 3)
    assert own["satisfaction_rate"]["value"] == 1.0  # 基本满意 counts by default
    assert units["xinhe.tahe.school-1"]["satisfaction_rate"]["value"] == 0.0
    total = report["total"]
    assert total["received"] == 4
    assert total["reply_rate"]["numerator"] == 2
    only = client.get(
        f"{TOWN}/suggestion-figures?year=2026&include_descendants=false",
        headers=county,
    ).json()
    assert only["total"]["received"] == 3
    assert (
        client.get(f"{TOWN}/suggestion-figures?year=2025", headers=county).json()[
            "total"
        ]["received"]
        == 0
    )

    exported = client.get(
        f"{TOWN}/suggestion-figures?year=2026&format=csv", headers=county
    )
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["承办单位", "单位路径", "年度", "建议提案件数"]
    assert "见面率分子" in rows[0]
    assert rows[-1][0] == "合计"
    assert rows[-1][3] == "4"

    # 建议提案 are counted apart from the 一事一办 figures.
    stats = client.get(f"{TOWN}/case-stats", headers=county).json()
    assert stats["received"] == 0

    # Out of scope: another county's supervisor sees nothing.
    other = client.get(
        f"{TOWN}/suggestion-figures", headers=auth("wensu", "supervisor")
    )
    assert other.status_code in (403, 404)

    annual = client.get(f"{TOWN}/annual-reports/2026?format=json", headers=county)
    assert annual.status_code == 200, annual.text
    figures = annual.json()["tables"]["suggestions"]
    assert figures["received"] == 3
    assert figures["meeting_rate"]["numerator"] == 2
    assert "见面率66.7%（2/3）" in report_text(annual.json())


def test_the_public_board_shows_a_units_figures_and_no_proposer(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    town = auth("xinhe.tahe", "clerk", "handler")
    case = file(client, town, TOWN, "政协委员提案", "关于改善镇卫生院就医环境的提案")
    act(client, town, TOWN, case, "accept")
    act(client, town, TOWN, case, "meet")
    page = client.get("/gongkai/xinhe.tahe/participation")
    assert page.status_code == 200
    text = page.text
    assert "政协委员提案1件" in text
    assert "见面率" in text
    assert "（1/1）" in text
    assert "答复率" in text
    assert "（0/1）" in text
    assert "王建国" not in text
    assert "卫生院" not in text
    board = client.get("/gongkai/xinhe.tahe").text
    assert "/gongkai/xinhe.tahe/participation" in board


def test_supervisors_are_appointed_dismissed_and_listed_by_name_only(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe", "clerk")
    body = {
        "number": "TH-001",
        "name": "孙建华",
        "category": "人大代表",
        "term_from": "2026-01-01",
        "term_to": "2027-12-31",
    }
    made = client.post(f"{TOWN}/supervisors", json=body, headers=clerk)
    assert made.status_code == 201, made.text
    assert made.json()["current"] == 1
    twice = client.post(f"{TOWN}/supervisors", json=body, headers=clerk)
    assert twice.status_code == 409
    phone = client.post(
        f"{TOWN}/supervisors",
        json={**body, "number": "TH-002", "phone": "13812345678"},
        headers=clerk,
    )
    assert phone.status_code == 422  # no phone number is taken
    second = {**body, "number": "TH-002", "name": "马秀英", "category": "居民代表"}
    assert client.post(f"{TOWN}/supervisors", json=second, headers=clerk).is_success
    gone = client.post(
        f"{TOWN}/supervisors/TH-002/dismiss", json={"reason": "迁居外地"}, headers=clerk
    )
    assert gone.status_code == 200, gone.text
    assert gone.json()["current"] == 1
    unknown = client.post(
        f"{TOWN}/supervisors/TH-404/dismiss", json={"reason": "无"}, headers=clerk
    )
    assert unknown.status_code == 404
    village = client.post(
        f"{TOWN}/supervisors", json=body, headers=auth("xinhe.tahe.tuanjie", "clerk")
    )
    assert village.status_code in (403, 404)
    opinion = {
        "kind": "监督员意见",
        "channel": "letter",
        "signed": False,
        "summary": "便民服务中心午间无人值守",
    }
    filed = client.post(f"{TOWN}/cases", json=opinion, headers=clerk)
    assert filed.status_code == 201, filed.text
    county = auth("xinhe", "supervisor")
    listed = client.get(f"{TOWN}/supervisors", headers=county).json()
    assert [s["number"] for s in listed["supervisors"]] == ["TH-001", "TH-002"]
    assert listed["opinions_this_year"] == 1
    stats = client.get(f"{TOWN}/case-stats", headers=county).json()
    assert stats["received"] == 0  # opinions are counted apart
    page = client.get("/gongkai/xinhe.tahe/participation").text
    assert "孙建华" in page
    assert "马秀英" not in page  # dismissed
    assert "1381234" not in page
