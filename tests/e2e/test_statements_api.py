"""Responsibility statements: issued by the town, signed by the village head (a
registered staffer signed in), assessed after the year against the log."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import TokenFactory

TOWN = "/v1/tenants/xinhe.tahe"
VILLAGE = "xinhe.tahe.tuanjie"
PASSWORD = "团结村-2026-春风"


def staff_token(client: TestClient, auth: TokenFactory) -> dict[str, str]:
    body = {"number": "XH-0501", "name": "阿不都", "post": "村主任", "roles": ["clerk"]}
    made = client.post(
        f"/v1/tenants/{VILLAGE}/staff", json=body, headers=auth("xinhe.tahe", "admin")
    )
    assert made.status_code == 201, made.text
    created = made.json()
    activated = client.post(
        "/v1/auth/activate",
        json={
            "username": created["username"],
            "activation_code": created["activation_code"],
            "password": PASSWORD,
        },
    )
    assert activated.status_code == 200, activated.text
    signed_in = client.post(
        "/v1/auth/token", data={"username": created["username"], "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def test_issue_sign_and_assess_a_statement(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    head = staff_token(client, auth)
    sup = auth("xinhe.tahe", "supervisor")
    body = {
        "year": 2025,
        "unit": VILLAGE,
        "number": "XH-0501",
        "targets": [
            {"code": "t1", "title": "群众满意率不低于90%", "metric": "satisfaction",
             "threshold": 0.9},
            {"code": "t2", "title": "落实廉政谈话制度"},
        ],
    }  # fmt: skip
    issued = client.post(f"{TOWN}/statements", json=body, headers=sup)
    assert issued.status_code == 201, issued.text
    base = f"{TOWN}/statements/{issued.json()['id']}"
    results = {"results": [{"code": "t2", "met": True, "note": "谈话记录齐全"}]}
    early = client.post(f"{base}/assess", json=results, headers=sup)
    assert early.status_code == 409  # not signed yet
    other = client.post(f"{base}/sign", json={}, headers=auth(VILLAGE, "clerk"))
    assert other.status_code == 403
    signed = client.post(f"{base}/sign", json={}, headers=head)
    assert signed.status_code == 200, signed.text
    assert signed.json()["signed"]["by"]["id"] == "XH-0501@xinhe"
    assessed = client.post(f"{base}/assess", json=results, headers=sup)
    assert assessed.status_code == 200, assessed.text
    outcome = assessed.json()["assessment"]
    assert [(r["code"], r["met"]) for r in outcome["results"]] == [
        ("t1", False),  # no rated case in 2025: the figure is unknown, not met
        ("t2", True),
    ]
    assert outcome["eligible_for_commendation"] is False
    seen = client.get(base, headers=auth("wensu", "supervisor"))
    assert seen.status_code == 404
