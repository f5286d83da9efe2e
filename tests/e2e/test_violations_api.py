"""The sanction ladder over HTTP: warning, reassignment, suspension; an upheld appeal
annuls a violation and the ladder no longer counts it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import TokenFactory

VILLAGE = "/v1/tenants/xinhe.tahe.tuanjie"


def test_the_ladder_and_an_annulled_violation(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    staffer = {
        "number": "XH-0101",
        "name": "李明",
        "post": "村文书",
        "roles": ["clerk"],
    }
    made = client.post(
        f"{VILLAGE}/staff", json=staffer, headers=auth("xinhe.tahe", "admin")
    )
    assert made.status_code == 201, made.text
    base = f"{VILLAGE}/staff/XH-0101/violations"
    inspector = auth("xinhe", "inspector")
    assert client.get(base, headers=inspector).json()["counted"] == 0
    refused = client.post(
        base,
        json={"description": "x", "evidence": ["case:1"]},
        headers=auth("xinhe.tahe.tuanjie", "clerk"),
    )
    assert refused.status_code == 403
    steps = []
    for text in ("未按期公示低保名单", "公开栏长期未更新", "伪造公开日期"):
        body = {"description": text, "evidence": ["disclosure:6a1f"]}
        done = client.post(base, json=body, headers=inspector)
        assert done.status_code == 201, done.text
        steps.append(done.json()["violations"][-1]["sanction_label"])
    assert steps == ["警告", "调离工作岗位", "停职检查"]
    admin = auth("xinhe.tahe", "admin")
    appealed = client.post(
        f"{base}/1/appeal", json={"grounds": "系统故障"}, headers=admin
    )
    assert appealed.status_code == 200, appealed.text
    decided = client.post(
        f"{base}/1/decide", json={"upheld": True, "reason": "属实"}, headers=inspector
    )
    assert decided.status_code == 200, decided.text
    record = decided.json()
    assert record["counted"] == 2
    assert record["sanction"] == "reassignment"
    assert record["violations"][1]["status"] == "annulled"
    again = client.post(
        f"{base}/1/decide", json={"upheld": False, "reason": "再议"}, headers=inspector
    )
    assert again.status_code == 409
    other = client.get(base, headers=auth("wensu", "inspector"))
    assert other.status_code == 404
