"""Staff registry and password sign-in over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from domain.people.signin import SignIn
from tests.conftest import MutableClock
from tests.e2e.conftest import FINANCE, TokenFactory

VILLAGE = "xinhe.tahe.tuanjie"
SIBLING = "xinhe.tahe.xingfu"
PASSWORD = "团结村便民服务2026"
CASE = {
    "kind": "complaint",
    "channel": "mailbox",
    "signed": True,
    "summary": "幸福村道路未硬化",
    "applicant": {"name": "张三", "phone": "13812345678"},
}


def register(
    client: TestClient, auth: TokenFactory, number: str, **extra: Any
) -> dict[str, Any]:
    body = {
        "number": number,
        "name": "古丽娜",
        "post": "村文书",
        "roles": ["clerk", "承办人"],
        **extra,
    }
    response = client.post(
        f"/v1/tenants/{VILLAGE}/staff", json=body, headers=auth("xinhe.tahe", "admin")
    )
    assert response.status_code == 201, response.text
    return response.json()


def activate(client: TestClient, created: dict[str, Any]) -> None:
    response = client.post(
        "/v1/auth/activate",
        json={
            "username": created["username"],
            "activation_code": created["activation_code"],
            "password": PASSWORD,
        },
    )
    assert response.status_code == 200, response.text


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/v1/auth/token", data={"username": username, "password": password}
    )


def bearer(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_staffer_is_registered_activates_and_signs_in(
    client: TestClient, auth: TokenFactory, tree: None, platform: Any
) -> None:
    partner = register(client, auth, "xh-0108", name="买买提")
    created = register(client, auth, "XH-0107", partner="XH-0108")
    assert created["username"] == "XH-0107@xinhe"
    assert created["role_labels"] == ["信息公开员", "承办人"]
    assert created["partner_name"] == "买买提"
    assert created["tenant_name"] == "团结村"
    assert not created["activated"]
    assert partner["activation_code"] != created["activation_code"]
    activate(client, created)

    signed = sign_in(client, "xh-0107@xinhe")
    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert body["token_type"] == "bearer"
    assert body["tenant"] == VILLAGE
    assert body["roles"] == ["clerk", "handler"]
    assert body["expires_in"] == 8 * 3600
    headers = bearer(signed)
    assert client.get(f"/v1/tenants/{VILLAGE}", headers=headers).status_code == 200

    listed = client.get(f"/v1/tenants/{VILLAGE}/staff", headers=headers).json()
    assert listed["total"] == 2
    mine = next(s for s in listed["items"] if s["number"] == "XH-0107")
    assert mine["activated"]
    assert mine["active_label"] == "在岗"
    assert mine["last_sign_in_at"] is not None
    assert "activation_code" not in mine

    url = f"/v1/tenants/{VILLAGE}/staff/XH-0107"
    history = client.get(f"{url}/history", headers=headers).json()
    assert [e["event_label"] for e in history["events"]] == ["登记", "激活"]
    assert history["events"][0]["details"]["partner"] == "XH-0108"
    assert history["events"][0]["recorded_at"].endswith("+08:00")
    attempts = client.get(f"{url}/sign-ins", headers=headers).json()["items"]
    assert [(a["outcome_label"], a["address"]) for a in attempts] == [
        ("登录成功", "testclient"),
        ("激活成功", "testclient"),
    ]
    other = client.get(f"/v1/tenants/{VILLAGE}/staff/XH-0108/sign-ins", headers=headers)
    assert other.status_code == 403  # a clerk sees only their own sign-ins

    # Nothing secret reached the log: no code, no password, no hash.
    log = list(platform.tenants.recorder.select_notifications(start=1, limit=10_000))
    stored = b"".join(bytes(n.state) for n in log)
    assert created["activation_code"].encode() not in stored
    assert PASSWORD.encode() not in stored
    assert b"argon2" not in stored
    attempts = [n for n in log if n.topic.endswith("SignIn.Attempted")]
    assert len(attempts) == 2  # activation and sign-in, with the address
    event = platform.tenants.mapper.to_domain_event(attempts[-1])
    assert isinstance(event, SignIn.Attempted)
    assert (event.outcome, event.tenant, event.address) == (  # type: ignore[attr-defined]
        "succeeded",
        VILLAGE,
        "testclient",
    )


def test_a_wrong_password_is_refused_and_repeated_misses_lock_that_address_out(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    created = register(client, auth, "XH-0201")
    activate(client, created)
    unknown = sign_in(client, "XH-9999@xinhe", "whatever-it-is")
    wrong = sign_in(client, created["username"], "not-the-password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]  # no account probing
    assert wrong.headers["content-type"] == "application/problem+json"
    for _ in range(4):
        assert sign_in(client, created["username"], "still-wrong!").status_code == 401
    locked = sign_in(client, created["username"])  # even the right password, here
    assert locked.status_code == 429, locked.text
    assert locked.json()["type"].endswith("/too-many-attempts")
    assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
    clock.advance(minutes=16)
    assert sign_in(client, created["username"]).status_code == 200


def test_a_deactivated_staffers_tokens_stop_at_once(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    created = register(client, auth, "XH-0301")
    activate(client, created)
    old = bearer(sign_in(client, created["username"]))
    admin = auth("xinhe", "admin")
    url = f"/v1/tenants/{VILLAGE}/staff/XH-0301"
    gone = client.post(f"{url}/deactivate", json={"reason": "调离"}, headers=admin)
    assert gone.status_code == 200, gone.text
    assert gone.json()["active_label"] == "已停用"
    refused = client.get(f"/v1/tenants/{VILLAGE}", headers=old)
    assert refused.status_code == 401
    assert refused.json()["type"].endswith("/token-revoked")
    assert sign_in(client, created["username"]).status_code == 403
    again = client.post(f"{url}/reactivate", headers=admin)
    assert again.status_code == 200, again.text
    assert client.get(f"/v1/tenants/{VILLAGE}", headers=old).status_code == 401
    fresh = bearer(sign_in(client, created["username"]))
    assert client.get(f"/v1/tenants/{VILLAGE}", headers=fresh).status_code == 200
    # Signing out revokes just that token.
    assert client.post("/v1/auth/revoke", headers=fresh).status_code == 204
    assert client.get(f"/v1/tenants/{VILLAGE}", headers=fresh).status_code == 401


def test_an_activation_code_works_once(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    created = register(client, auth, "XH-0401")
    weak = client.post(
        "/v1/auth/activate",
        json={
            "username": created["username"],
            "activation_code": created["activation_code"],
            "password": "short",
        },
    )
    assert weak.status_code == 422
    assert weak.json()["type"].endswith("/weak-password")
    activate(client, created)  # a refused weak password did not use the code up
    reused = client.post(
        "/v1/auth/activate",
        json={
            "username": created["username"],
            "activation_code": created["activation_code"],
            "password": "另一个密码abcdefg",
        },
    )
    assert reused.status_code == 401
    assert reused.json()["type"].endswith("/invalid-activation-code")
    assert sign_in(client, created["username"]).status_code == 200
    assert sign_in(client, created["username"], "另一个密码abcdefg").status_code == 401


def test_staff_act_under_their_badge_number_and_answers_show_their_name(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    created = register(client, auth, "XH-0601", name="阿不都")
    activate(client, created)
    headers = bearer(sign_in(client, created["username"]))
    cases = f"/v1/tenants/{VILLAGE}/cases"
    filed = client.post(cases, json=CASE, headers=headers)
    assert filed.status_code == 201, filed.text
    case = filed.json()["id"]
    assert client.post(f"{cases}/{case}/accept", json={}, headers=headers).is_success
    assigned = client.post(
        f"{cases}/{case}/assign",
        json={
            "department": "社会事务服务部",
            "handler": "xh-0601",
            "backup_handler": "王五",
        },
        headers=headers,
    )
    assert assigned.status_code == 200, assigned.text
    card = client.get(f"{cases}/{case}", headers=headers).json()
    assert (card["handler"], card["handler_name"]) == ("XH-0601", "阿不都")
    assert (card["backup_handler"], card["backup_handler_name"]) == ("王五", None)
    actor = card["events"][0]["actor"]
    assert (actor["id"], actor["number"], actor["name"]) == (
        "XH-0601@xinhe",
        "XH-0601",
        "阿不都",
    )
    published = client.post(
        f"/v1/tenants/{VILLAGE}/disclosures", json=FINANCE, headers=headers
    )
    assert published.status_code == 201, published.text
    history = client.get(
        f"/v1/tenants/{VILLAGE}/disclosures/{published.json()['id']}/history",
        headers=headers,
    ).json()
    assert history["versions"][0]["actor"]["name"] == "阿不都"


def test_a_village_staffer_cannot_read_a_siblings_cases(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    filed = client.post(
        f"/v1/tenants/{SIBLING}/cases", json=CASE, headers=auth(SIBLING, "clerk")
    )
    assert filed.status_code == 201, filed.text
    created = register(client, auth, "XH-0501")
    activate(client, created)
    headers = bearer(sign_in(client, created["username"]))
    case = client.get(
        f"/v1/tenants/{SIBLING}/cases/{filed.json()['id']}", headers=headers
    )
    assert case.status_code == 404
    assert "幸福村道路" not in case.text
    board = client.get(f"/v1/tenants/{SIBLING}/case-board", headers=headers)
    assert board.status_code == 404
