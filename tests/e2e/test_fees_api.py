"""A unit's fee standard, a 征收通知书 with a reduction through 集中会审, its 文号,
the supervisor's view and the public board, over HTTP.

The clock starts on Monday 2 March 2026, 10:00 in China (tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from domain.access import Role
from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from tests.e2e.conftest import TokenFactory

UNIT = "xinhe.tahe.school-1"
BASE = f"/v1/tenants/{UNIT}"
BASIS = "《排污费征收标准管理办法》"
STANDARD = {
    "effective_from": "2026-01-01",
    "items": [
        {"code": "cod", "name": "化学需氧量排污费", "unit": "污染当量",
         "rate": "1.4", "basis": BASIS},
        {"code": "nh3", "name": "氨氮排污费", "unit": "污染当量",
         "rate": "0.7", "basis": BASIS},
    ],
}  # fmt: skip


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def person(settings: Settings, who: str) -> dict[str, str]:
    """A principal of the unit with its own id (each reviewer is someone else)."""
    token = TokenSigner(load_secret(settings)).mint(
        subject=f"{who}@{UNIT}", tenant=UNIT, roles=[Role.CLERK.value]
    )
    return {"Authorization": f"Bearer {token}"}


def test_a_fee_notice_with_a_jointly_reviewed_reduction(
    client: TestClient,
    auth: TokenFactory,
    tree: None,
    settings: Settings,
    platform: Any,
) -> None:
    clerk = person(settings, "proposer")
    ok(client.post(f"{BASE}/fee-standard", json=STANDARD, headers=clerk), 201)
    draft = {
        "payer_name": "张三丰",
        "payer_kind": "person",
        "items": [{"code": "cod", "quantity": "1234.567"},
                  {"code": "nh3", "quantity": "3"}],
        "dated": "2026-03-02",
        "amount": "1700.00",
    }  # fmt: skip
    off = problem(client.post(f"{BASE}/fee-notices", json=draft, headers=clerk), 409)
    assert "1730.49" in off["detail"]
    assert off["title_zh"].startswith("金额与施行中的收费标准不符")
    notice = ok(
        client.post(
            f"{BASE}/fee-notices", json={**draft, "amount": "1730.49"}, headers=clerk
        ),
        201,
    )
    url = f"{BASE}/fee-notices/{notice['id']}"
    reduce = {"reduced_to": "1000.00", "reason": "受灾停产三个月"}
    ok(client.post(f"{url}/reduction", json=reduce, headers=clerk))
    own = {"approved": True, "post": "法制审核岗", "reason": "同意"}
    problem(client.post(f"{url}/reviews", json=own, headers=clerk), 409)
    posts = ["法制审核岗", "财务岗", "分管领导"]
    for i, post in enumerate(posts[:2]):
        body = {"approved": True, "post": post, "reason": "符合减缴条件"}
        ok(client.post(f"{url}/reviews", json=body, headers=person(settings, f"r{i}")))
    same = {"approved": True, "post": "财务岗", "reason": "同意"}
    other = person(settings, "r9")
    problem(client.post(f"{url}/reviews", json=same, headers=other), 409)
    early = problem(client.post(f"{url}/issue", json={}, headers=clerk), 409)
    assert "3 approvals needed, 2 given" in early["detail"]
    last = {"approved": True, "post": posts[2], "reason": "同意"}
    ok(client.post(f"{url}/reviews", json=last, headers=person(settings, "r2")))
    before = client.get(f"/gongkai/{UNIT}")  # the board as kept in the read cache
    assert "塔河征〔2026〕1号" not in before.text
    issued = ok(client.post(f"{url}/issue", json={}, headers=clerk))
    assert issued["issued"]["wenhao"] == "塔河征〔2026〕1号"
    assert issued["issued"]["final_amount"] == "1000.00"
    assert issued["reduction_status"] == "会审通过"
    assert issued["payer"] == {"kind": "person", "name": "张三丰"}  # from the vault

    page = client.get(f"{url}/document", headers=clerk).text
    assert '<p class="gw-number">塔河征〔2026〕1号</p>' in page
    assert '<p class="gw-to">张三丰：</p>' in page
    assert "同意减免730.49元" in page
    pdf = client.get(f"{url}/document?format=pdf", headers=clerk)
    assert pdf.content.startswith(b"%PDF")

    sup = auth("xinhe.tahe", "supervisor")
    view = ok(client.get(f"{BASE}/fee-notices?from=2026-03-01&to=2026-03-31",
                         headers=sup))  # fmt: skip
    assert (view["issued"], view["voided"], view["off_standard"]) == (1, 0, [])
    assert (view["standard_total"], view["final_total"]) == ("1730.49", "1000.00")
    assert [a["post"] for a in view["reductions"][0]["approvers"]] == posts
    board = ok(client.get(f"{BASE}/fee-board", headers=sup))
    shown = board["notices"][0]
    assert shown["payer"] == "张**"
    assert shown["reduction"]["reduction"] == "730.49"
    assert len(shown["reduction"]["approvers"]) == 3
    assert "张三丰" not in str(board)
    public = client.get(f"/gongkai/{UNIT}").text  # the 公开栏, no sign-in
    assert "收费标准与征收情况" in public
    assert '<td data-label="缴费人">张**</td>' in public
    assert "张三丰" not in public
    assert "塔河征〔2026〕1号" in public  # issuing moved the board's read key
    assert (
        client.get(
            f"/gongkai/{UNIT}", headers={"If-None-Match": before.headers["etag"]}
        ).status_code
        == 200
    )
    # Sealed: no stored event holds the name, only the vault subject and ciphertext.
    log = platform.tenants.recorder.select_notifications(start=1, limit=10_000)
    drafted = [n for n in log if n.topic.endswith("LevyNotice.Drafted")]
    assert drafted
    assert all("张三丰".encode() not in n.state for n in log)
    assert b'"ref"' in drafted[-1].state
