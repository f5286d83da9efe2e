"""The public 公开栏 and the offline docs, over HTTP (browser tests walk them too)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.e2e.conftest import FINANCE, TokenFactory

TUANJIE = "/v1/tenants/xinhe.tahe.tuanjie"


def test_docs_and_redoc_load_nothing_from_outside(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert re.findall(r"(?:src|href)=[\"']https?://", html) == [], page
    js = client.get("/static/docs/swagger-ui-bundle.js")
    assert js.status_code == 200
    assert len(js.content) > 100_000
    root = client.get("/", follow_redirects=False)
    assert root.status_code == 303
    assert root.headers["location"] == "/gongkai/"


def test_the_public_board_shows_revisions_withdrawals_and_missing_categories(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    item = client.post(f"{TUANJIE}/disclosures", json=FINANCE, headers=clerk).json()
    revised = client.post(
        f"{TUANJIE}/disclosures/{item['id']}/revisions",
        json={
            "reason": "更正支出金额笔误",
            "body": "一、收入12.6万元；二、支出9.6万元。",
        },
        headers=clerk,
    )
    assert revised.status_code == 200, revised.text
    other = client.post(
        f"{TUANJIE}/disclosures",
        json={**FINANCE, "title": "误发的通知"},
        headers=clerk,
    ).json()
    gone = client.post(
        f"{TUANJIE}/disclosures/{other['id']}/withdrawal",
        json={"reason": "误发"},
        headers=clerk,
    )
    assert gone.status_code == 200, gone.text
    case = client.post(
        f"{TUANJIE}/cases",
        json={
            "kind": "complaint",
            "channel": "mailbox",
            "signed": True,
            "summary": "路灯不亮",
            "applicant": {"name": "张三丰", "phone": "13812345678"},
        },
        headers=clerk,
    )
    assert case.status_code == 201, case.text

    page = client.get("/gongkai/xinhe.tahe.tuanjie")
    assert page.status_code == 200
    html = page.text
    assert "团结村政府信息公开专栏" in html
    assert "更正" in html
    assert "已撤回" in html
    assert "误发的通知" in html
    assert "缺项" in html
    for private in ("张三丰", "13812345678", "路灯不亮"):
        assert private not in html

    detail = client.get(f"/gongkai/xinhe.tahe.tuanjie/items/{item['id']}").text
    assert "更正支出金额笔误" in detail
    assert "9.6万元" in detail
    earlier = client.get(
        f"/gongkai/xinhe.tahe.tuanjie/items/{item['id']}?version=1"
    ).text
    assert "9.8万元" in earlier  # the text before the correction stays reachable

    town = client.get("/gongkai/xinhe.tahe").text
    assert 'href="/gongkai/xinhe.tahe.tuanjie"' in town
    assert client.get("/gongkai/xinhe.nowhere").status_code == 404


def test_the_annual_report_shelf_lists_the_published_reports(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    town = "xinhe.tahe"
    before = client.get(f"/gongkai/{town}").text
    assert "塔河镇尚未发布政府信息公开工作年度报告" in before
    clerk = auth(town, "clerk")
    published = client.post(
        f"/v1/tenants/{town}/annual-reports/2025/publish", json={}, headers=clerk
    )
    assert published.status_code == 201, published.text
    item = published.json()["disclosure_id"]
    html = client.get(f"/gongkai/{town}").text
    shelf = html[html.index('<h2 id="annual">') :]
    assert f'href="/gongkai/{town}/items/{item}"' in shelf
    assert "塔河镇2025年政府信息公开工作年度报告" in shelf
    assert "尚未发布" not in shelf
    # Published on 2 March: after its statutory day (31 January), so marked late.
    assert "逾期发布" in shelf
    assert "法定期限 2026-01-31 前" in shelf
    report = client.get(f"/gongkai/{town}/items/{item}")
    assert report.status_code == 200
    assert "政府信息公开工作年度报告" in report.text
