"""A town's campaign over its villages, every step of 第十五条 over HTTP.

The clock starts on Monday 2 March 2026, 10:00 in China (tests/conftest.py).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from tests.conftest import MutableClock
from tests.e2e.conftest import TokenFactory

TOWN = "/v1/tenants/xinhe.tahe"
A, B = "xinhe.tahe.tuanjie", "xinhe.tahe.xingfu"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CRITERIA = [
    {"code": "org", "title": "组织领导", "points": 20, "veto": True},
    {"code": "content", "title": "公开内容", "points": 80},
]


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return dict(response.json())


def sheet(response: Any) -> list[tuple[Any, ...]]:
    """An XLSX answer read back with openpyxl: header row first."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(XLSX)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


def notice_rows(page: str) -> list[list[str]]:
    """The 公示/通报 table's body rows, cell texts."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [cell.split("</td>", 1)[0] for cell in row.split("<td>")[1:]]
        for row in body.split("<tr>")[1:]
    ]


def items(org: float, content: float, evidence: list[str] | None = None) -> Any:
    return [
        {"code": "org", "points": org, "evidence": evidence or []},
        {"code": "content", "points": content},
    ]


def test_a_campaign_runs_from_plan_to_verified_rectification(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    sup = auth("xinhe.tahe", "supervisor")
    clerk_a, clerk_b = auth(A, "clerk"), auth(B, "clerk")
    bad = {"title": "t", "period_from": "2026-01-01", "period_to": "2026-02-28"}
    refused = client.post(
        f"{TOWN}/campaigns",
        json={**bad, "targets": [A], "methods": ["online"], "criteria": CRITERIA[:1]},
        headers=sup,
    )
    assert "sum to 20" in problem(refused, 422)["detail"]
    outside = client.post(
        f"{TOWN}/campaigns",
        json={**bad, "targets": ["wensu.jiamu"], "methods": ["online"]},
        headers=sup,
    )
    problem(outside, 422)
    body = {
        "title": "2026年一季度村务公开考核",
        "period_from": "2026-01-01",
        "period_to": "2026-02-28",
        "targets": [A, B],
        "criteria": CRITERIA,
        "methods": ["online", "on_site"],
    }
    campaign = ok(client.post(f"{TOWN}/campaigns", json=body, headers=sup), 201)
    base = f"{TOWN}/campaigns/{campaign['id']}"
    assert campaign["stage"] == "planned"
    # Only the target's own clerk self-assesses.
    wrong = {"target": A, "items": items(20, 80), "report": "自查"}
    problem(client.post(f"{base}/self-assessment", json=wrong, headers=clerk_b), 403)
    for target, headers in ((A, clerk_a), (B, clerk_b)):
        own = {"target": target, "items": items(20, 80), "report": "自查报告"}
        ok(client.post(f"{base}/self-assessment", json=own, headers=headers))
    review_a = {
        "target": A,
        "items": items(18, 71.5, ["case:1f0e"]),
        "method": "on_site",
    }
    ok(client.post(f"{base}/review", json=review_a, headers=sup))
    problem(client.post(f"{base}/publish-notice", json={}, headers=sup), 409)
    # B's 90 is vetoed (组织领导 under 60 %): 不合格 ranks below A's 良好 89.5.
    review_b = {"target": B, "items": items(10, 80), "method": "online"}
    ok(client.post(f"{base}/review", json=review_b, headers=sup))
    noticed = ok(client.post(f"{base}/publish-notice", json={}, headers=sup))
    assert noticed["notice"]["ends_on"] == "2026-03-11"  # Mon 2 Mar + 7 working days

    table = ok(client.get(f"{base}/league-table", headers=clerk_a))
    assert [(r["target"], r["score"], r["grade"], r["grade_label"], r["rank"])
            for r in table["rows"]] == [
        (A, 89.5, "good", "良好", 1),
        (B, 90, "fail", "不合格", 2),
    ]  # fmt: skip
    card = ok(client.get(f"{base}/scorecards/{B}", headers=sup))
    assert card["result"]["vetoed_by"] == ["org"]
    evidence = ok(client.get(f"{base}/scorecards/{A}", headers=sup))["items"][0]
    assert evidence["reviews"][0]["evidence"] == ["case:1f0e"]

    page = client.get(f"{base}/notice", headers=clerk_a)
    assert page.status_code == 200
    # The 公示 is a 公文 (GB/T 9704-2012): the owner's 标志, the 文号 its
    # publication took from the owner's series, 主送 the targets, the table as 附件.
    assert '<p class="gw-mark">塔河镇文件</p>' in page.text
    assert '<p class="gw-number">塔河政公示〔2026〕1号</p>' in page.text
    assert "关于2026年一季度村务公开考核结果的公示" in page.text
    assert '<p class="gw-to">团结村、幸福村：</p>' in page.text
    assert "公示期：2026年3月2日至2026年3月11日（7个工作日）" in page.text
    assert "附件：考核结果一览表" in page.text
    assert '<p class="gw-date">2026年3月2日</p>' in page.text
    assert notice_rows(page.text) == [
        ["1", "团结村", "89.5", "良好", ""],
        ["2", "幸福村", "90", "不合格", "组织领导"],
    ]
    objection = {"target": B, "text": "组织领导材料未被采纳"}
    ok(client.post(f"{base}/object", json=objection, headers=clerk_b))
    clock.advance(days=9)  # Wed 11 Mar: the last day of the notice
    early = problem(client.post(f"{base}/finalize", json={}, headers=sup), 409)
    assert "2026-03-11" in early["detail"]
    clock.advance(days=1)
    open_one = problem(client.post(f"{base}/finalize", json={}, headers=sup), 409)
    assert "unanswered" in open_one["detail"]
    answer = {"objection": 1, "answer": "经复核，维持原评分"}
    stale = {**sup, "If-Match": '"1"'}
    problem(client.post(f"{base}/answer-objection", json=answer, headers=stale), 409)
    ok(client.post(f"{base}/answer-objection", json=answer, headers=sup))
    final = ok(client.post(f"{base}/finalize", json={}, headers=sup))
    assert final["stage"] == "final"

    order = {"target": B, "working_days": 5}
    ordered = ok(client.post(f"{base}/order-rectification", json=order, headers=sup))
    assert ordered["rectifications"][B]["due_on"] == "2026-03-19"
    report = {"target": B, "report": "已健全领导小组"}
    ok(client.post(f"{base}/report-rectification", json=report, headers=clerk_b))
    verify = {"target": B, "passed": True, "note": "整改到位"}
    closed = ok(client.post(f"{base}/verify-rectification", json=verify, headers=sup))
    assert closed["rectifications"][B]["status"] == "closed"

    notice = client.get(f"{base}/notice", headers=sup).text
    assert "予以通报批评" in notice
    # Names and labels, not codes (#23): the veto item by its title, the order's
    # status by its label, the results by the owner's name; no inline style (CSP).
    assert "<td>组织领导</td>" in notice
    assert "幸福村：整改事项组织领导，整改期限2026年3月19日，整改已验收。" in notice
    assert '<p class="gw-number">塔河政公开〔2026〕1号</p>' in notice
    assert "关于2026年一季度村务公开考核结果的通报" in notice
    for code in ("<td>org</td>", "closed", "xinhe.tahe", "<style"):
        assert code not in notice
    assert '<link rel="stylesheet" href="/static/official.css">' in notice
    order_page = client.get(f"{base}/rectifications/{B}/order", headers=sup).text
    assert '<p class="gw-number">塔河政改〔2026〕1号</p>' in order_page
    assert '<p class="gw-to">幸福村：</p>' in order_page
    assert "以下事项未达到要求：组织领导。" in order_page
    assert "请于2026年3月19日前完成整改" in order_page
    series = ok(client.get(f"{TOWN}/document-series", headers=sup))
    assert [(s["label"], s["code"], s["issued"], s["first_gap"])
            for s in series["series"]] == [
        ("通报", "塔河政公开", 1, None),
        ("公示", "塔河政公示", 1, None),
        ("整改通知", "塔河政改", 1, None),
    ]  # fmt: skip
    order_pdf = client.get(
        f"{base}/rectifications/{B}/order?format=pdf", headers=sup
    )
    assert order_pdf.content.startswith(b"%PDF")
    assert notice_rows(notice)[0][:2] == ["1", "团结村"]  # grade first, then score
    pdf = client.get(f"{base}/notice?format=pdf", headers=sup)
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
    before = ok(
        client.get(f"{base}/league-table?as_of=2026-03-02", headers=sup)
    )  # as recorded at the end of 2 March: still in its notice
    assert before["stage"] == "notice"
    history = ok(client.get(f"/v1/tenants/{B}/assessment-history", headers=clerk_b))
    assert [(c["title"], c["stage"], c["grade"], c["grade_label"])
            for c in history["campaigns"]] == [
        ("2026年一季度村务公开考核", "final", "fail", "不合格")
    ]  # fmt: skip
    then = client.get(
        f"/v1/tenants/{B}/assessment-history?as_of=2026-03-01", headers=clerk_b
    )
    assert ok(then)["campaigns"] == []
    _exports_match_the_json(client, base, sup, clerk_b)


def _exports_match_the_json(
    client: TestClient, base: str, sup: dict[str, str], clerk_b: dict[str, str]
) -> None:
    """League table, scorecard and history as XLSX (and CSV) equal their JSON."""
    table = ok(client.get(f"{base}/league-table", headers=sup))
    rows = sheet(client.get(f"{base}/league-table?format=xlsx", headers=sup))
    assert rows[0][:5] == ("名次", "单位", "单位路径", "得分", "等次")
    assert [r[2:5] for r in rows[1:]] == [
        (r["target"], r["score"], r["grade_label"]) for r in table["rows"]
    ]
    assert [r[0] for r in rows[1:]] == [r["rank"] for r in table["rows"]]
    assert rows[2][5] == "组织领导"  # B: vetoed by org, said by its title
    by_accept = client.get(
        f"{base}/league-table", headers={**sup, "Accept": "text/csv"}
    )
    assert by_accept.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(by_accept.content.decode("utf-8-sig"))))
    assert [line[2] for line in lines[1:]] == [A, B]
    card = ok(client.get(f"{base}/scorecards/{A}", headers=sup))
    items_xlsx = sheet(client.get(f"{base}/scorecards/{A}?format=xlsx", headers=sup))
    assert items_xlsx[0][:6] == (
        "编号",
        "考核内容",
        "分值",
        "一票否决",
        "自评得分",
        "评审得分",
    )
    assert [r[:6] for r in items_xlsx[1:]] == [
        (i["code"], i["title"], i["points"], "是" if i["veto"] else "否",
         i["self_points"], i["reviewed_points"])
        for i in card["items"]
    ]  # fmt: skip
    assert items_xlsx[1][7:9] == (
        "实地考核（看访听查评）",
        "case:1f0e",
    )  # method, evidence
    history = ok(client.get(f"/v1/tenants/{B}/assessment-history", headers=clerk_b))
    past = sheet(
        client.get(f"/v1/tenants/{B}/assessment-history?format=xlsx", headers=clerk_b)
    )
    assert [(r[2], r[5], r[6], r[7]) for r in past[1:]] == [
        (c["title"], "已确定等次", c["score"], c["grade_label"])
        for c in history["campaigns"]
    ]


def test_siblings_and_other_counties_do_not_see_a_campaign(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    body = {
        "title": "考核",
        "period_from": "2026-01-01",
        "period_to": "2026-02-28",
        "targets": [A],
        "methods": ["overall"],
    }
    sup = auth("xinhe.tahe", "supervisor")
    campaign = ok(client.post(f"{TOWN}/campaigns", json=body, headers=sup), 201)
    assert len(campaign["criteria"]) == 14  # the template
    base = f"{TOWN}/campaigns/{campaign['id']}"
    problem(client.get(base, headers=auth("wensu", "supervisor")), 404)
    # B is below the town but not a target.
    problem(client.get(f"{base}/league-table", headers=auth(B, "clerk")), 404)
    problem(client.post(f"{TOWN}/campaigns", json=body, headers=auth(A, "clerk")), 404)
    clerk = auth("xinhe.tahe", "clerk")
    problem(client.post(f"{TOWN}/campaigns", json=body, headers=clerk), 403)
