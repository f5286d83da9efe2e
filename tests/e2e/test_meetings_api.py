"""座谈会, 项目审查会 and 限期治理 over HTTP: the review's required categories, the
answers, an unanswered opinion overdue after 15 working days, the plan from
consultation to 竣工验收, and what the public board and the console show.

The clock starts on Monday 2 March 2026, 10:00 in China (tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import MutableClock
from tests.e2e.conftest import Headers, TokenFactory

TOWN = "/v1/tenants/xinhe.tahe"
REVIEW = {
    "number": "2026-SC-01",
    "kind": "项目审查会",
    "held_on": "2026-03-02",
    "subject": "塔河镇垃圾中转站建设项目环境影响报告表",
    "attendees": [
        {"category": "项目所在地单位", "invited": 2, "present": 2},
        {"category": "人大代表", "invited": 2, "present": 2},
        {"category": "政协委员", "invited": 1, "present": 1},
        {"category": "居民代表", "invited": 6, "present": 5},
    ],
    "opinions": ["中转站应远离学校", "运输车辆须密闭"],
}


def post(
    client: TestClient, headers: Headers, url: str, body: dict[str, Any], status: int
) -> dict[str, Any]:
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return dict(response.json())


def test_meetings_opinions_and_a_plan_through_acceptance(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth("xinhe.tahe", "clerk")
    missing = {**REVIEW, "attendees": REVIEW["attendees"][:2]}
    refused = post(client, clerk, f"{TOWN}/meetings", missing, 422)
    assert refused["type"].endswith("review-categories-missing")
    assert "政协委员、居民代表" in refused["title_zh"]
    book = post(client, clerk, f"{TOWN}/meetings", REVIEW, 201)
    (meeting,) = book["meetings"]
    assert [o["number"] for o in meeting["opinions"]] == [1, 2]
    assert meeting["answer_due"] == "2026-03-23"  # 15 working days
    post(client, clerk, f"{TOWN}/meetings", REVIEW, 409)
    forum = {
        **REVIEW,
        "number": "2026-ZT-01",
        "kind": "座谈会",
        "subject": "行风建设座谈会",
        "attendees": [{"category": "行风监督员", "invited": 8, "present": 7}],
        "opinions": ["办事指南应标明收费依据"],
    }
    post(client, clerk, f"{TOWN}/meetings", forum, 201)
    answer = {"verdict": "部分采纳", "reason": "选址已避开学校，距离增至500米"}
    url = f"{TOWN}/meetings/2026-SC-01/opinions/1/answer"
    post(client, clerk, url, answer, 200)
    post(client, clerk, url, answer, 409)
    post(client, clerk, f"{TOWN}/meetings/2026-SC-01/opinions/9/answer", answer, 404)
    post(client, clerk, url.replace("/1/", "/2/"), {**answer, "verdict": "同意"}, 422)
    minutes = {"sha256": "0f" * 32, "name": "审查会纪要.pdf"}
    post(client, clerk, f"{TOWN}/meetings/2026-SC-01/minutes", minutes, 200)
    plan = {
        "number": "XQ-01",
        "unit": "塔河镇某砖厂",
        "tasks": ["窑炉烟气脱硫改造", "原料堆场封闭"],
        "deadline": "2026-03-20",
    }
    post(client, clerk, f"{TOWN}/remediation-plans", plan, 201)
    step = f"{TOWN}/remediation-plans/XQ-01"
    post(client, clerk, f"{step}/consult", {"meeting": "无此会"}, 404)
    post(client, clerk, f"{step}/consult", {"meeting": "2026-ZT-01"}, 200)
    post(client, clerk, f"{step}/supervise", {"note": "脱硫塔基础已浇筑"}, 200)

    clock.advance(days=30)  # 2026-04-01: past the answer's and the plan's days
    county = auth("xinhe", "supervisor")
    book = client.get(f"{TOWN}/meetings", headers=county).json()
    review = next(m for m in book["meetings"] if m["number"] == "2026-SC-01")
    assert [o["overdue"] for o in review["opinions"]] == [False, True]
    assert book["overdue"] == 2  # the review's second, the forum's only one
    plans = client.get(f"{TOWN}/remediation-plans", headers=county).json()
    assert plans["plans"][0]["overdue"]
    accepted = post(
        client, clerk, f"{step}/accept", {"result": "通过", "note": "验收合格"}, 200
    )
    (done,) = accepted["plans"]
    assert done["state_label"] == "已验收"
    assert not done["overdue"]
    assert done["late"]
    post(client, clerk, f"{step}/accept", {"result": "通过", "note": "再验"}, 409)
    post(client, auth("xinhe.tahe.tuanjie", "clerk"), f"{TOWN}/meetings", REVIEW, 404)

    page = client.get("/gongkai/xinhe.tahe/participation").text
    assert "塔河镇垃圾中转站建设项目环境影响报告表" in page
    assert "部分采纳：选址已避开学校" in page
    assert "行风建设座谈会" not in page  # a forum is the staff's record
    assert "塔河镇某砖厂" in page
    assert "通过（2026-04-01）" in page
