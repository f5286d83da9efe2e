"""Integrator clients: registered by an admin, tokens by the OAuth2 client-credentials
grant, rotated and revoked; scope and families enforced on the feed."""

from __future__ import annotations

import base64
import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import ADMIN
from tests.e2e.conftest import FINANCE, TokenFactory
from tests.e2e.test_web_console import csrf, sign_in
from tests.web_seed import seed

TOWN, VILLAGE, SIBLING = "xinhe.tahe", "xinhe.tahe.tuanjie", "xinhe.tahe.xingfu"


def register(client: TestClient, auth: TokenFactory, **body: Any) -> dict[str, Any]:
    response = client.post(
        f"/v1/tenants/{TOWN}/clients",
        json={"name": "地区数据共享平台", "families": ["disclosure"], **body},
        headers=auth("xinhe", "admin"),
    )
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()


def token(client: TestClient, client_id: str, secret: str) -> Any:
    return client.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        },
    )


def bearer(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_client_token_reads_its_subtree_and_families_only(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    for path in (VILLAGE, SIBLING):
        r = client.post(
            f"/v1/tenants/{path}/disclosures",
            json=FINANCE,
            headers=auth(path, "clerk"),
        )
        assert r.status_code == 201, r.text
    created = register(client, auth)
    assert created["status_label"] == "有效"
    assert created["tenant_name"] == "塔河镇"
    answer = token(client, created["client_id"], created["client_secret"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["scope"] == "disclosure"
    assert body["expires_in"] == 3600
    assert answer.headers["Cache-Control"] == "no-store"
    headers = bearer(answer)

    feed = client.get("/v1/feed", headers=headers).json()["events"]
    assert {e["subject"] for e in feed} == {VILLAGE, SIBLING}
    assert {e["type"].split(".")[2] for e in feed} == {"disclosure"}
    refused = client.get(
        "/v1/feed",
        params={"type": "cn.gongkai.tenancy.TenantRegistered.v1"},
        headers=headers,
    )
    assert refused.status_code == 403, refused.text
    # Out of scope: another county's tenant, and writing anything at all.
    assert client.get("/v1/tenants/wensu", headers=headers).status_code == 404
    write = client.post(
        f"/v1/tenants/{TOWN}/disclosures", json=FINANCE, headers=headers
    )
    assert write.status_code == 403

    # HTTP Basic (RFC 6749 §2.3.1) works as the form does.
    pair = f"{created['client_id']}:{created['client_secret']}".encode()
    basic = client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    assert basic.status_code == 200, basic.text


def test_rotated_and_revoked_secrets_are_refused(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    created = register(client, auth, families=["case", "audit"])
    old_token = bearer(token(client, created["client_id"], created["client_secret"]))
    admin = auth("xinhe", "admin")
    base = f"/v1/tenants/{TOWN}/clients/{created['client_id']}"

    rotated = client.post(f"{base}/rotate", headers=admin)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["client_secret"]
    assert new_secret != created["client_secret"]
    refused = token(client, created["client_id"], created["client_secret"])
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert refused.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/v1/feed", headers=old_token).status_code == 401
    new_token = bearer(token(client, created["client_id"], new_secret))
    assert client.get("/v1/feed", headers=new_token).status_code == 200

    revoked = client.post(
        f"{base}/revoke", json={"reason": "对接合同到期"}, headers=admin
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status_label"] == "已吊销"
    assert token(client, created["client_id"], new_secret).status_code == 401
    assert client.get("/v1/feed", headers=new_token).status_code == 401
    again = client.post(f"{base}/rotate", headers=admin)
    assert again.status_code == 409

    listed = client.get(f"/v1/tenants/{TOWN}/clients", headers=admin).json()
    assert [c["client_id"] for c in listed["items"]] == [created["client_id"]]
    assert "client_secret" not in listed["items"][0]


def test_token_requests_get_rfc6749_errors(client: TestClient, tree: None) -> None:
    unknown = client.post("/v1/auth/token", data={"grant_type": "implicit"})
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "unsupported_grant_type"
    missing = client.post("/v1/auth/token", data={"grant_type": "password"})
    assert missing.json()["error"] == "invalid_request"
    nobody = token(client, "0" * 32, "x")
    assert nobody.status_code == 401
    assert nobody.json()["error"] == "invalid_client"


def test_only_an_admin_above_registers_and_no_secret_is_streamed(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    refused = client.post(
        f"/v1/tenants/{TOWN}/clients",
        json={"name": "某系统", "families": ["case"]},
        headers=auth(TOWN, "clerk"),
    )
    assert refused.status_code == 403
    bad = client.post(
        f"/v1/tenants/{TOWN}/clients",
        json={"name": "某系统", "families": ["nothing"]},
        headers=auth("xinhe", "admin"),
    )
    assert bad.status_code == 422
    created = register(client, auth)
    client.post(
        f"/v1/tenants/{TOWN}/clients/{created['client_id']}/rotate",
        headers=auth("xinhe", "admin"),
    )
    events = client.get("/v1/feed", headers=auth(None, "admin")).text
    assert "IntegratorClientRegistered" in events
    assert "IntegratorClientSecretRotated" in events
    assert created["client_secret"] not in events
    assert "digest" not in events


def test_an_admin_registers_rotates_and_revokes_in_the_console(
    client: TestClient, platform: Any
) -> None:
    seed(platform)
    admin, code, _ = platform.staff.register(
        ADMIN, "xinhe", number="XH-0002", name="艾尔肯", post="县政务公开办",
        roles=["admin"],
    )  # fmt: skip
    platform.sign_ins.activate(admin.username, code, "county-admin-2026", "test")
    sign_in(client, (admin.username, "county-admin-2026"))
    page = client.get("/console/t/xinhe/clients")
    assert page.status_code == 200, page.text
    assert "对接系统 0 个" in page.text
    token_ = csrf(page.text)
    shown = client.post(
        "/console/t/xinhe/clients",
        data={"name": "地区数据共享平台", "families": ["case", "disclosure"],
              "csrf_token": token_},
    )  # fmt: skip
    assert shown.status_code == 200, shown.text
    assert "密钥只显示这一次" in shown.text
    client_id = re.search(r"<code>([0-9a-f]{32})</code>", shown.text)
    secret = re.findall(r"<dd><code>([^<]+)</code>", shown.text)[1]
    assert client_id
    assert secret
    again = client.get("/console/t/xinhe/clients")
    assert secret not in again.text
    assert "办件、公开事项" in again.text
    assert token(client, client_id.group(1), secret).status_code == 200
    rotated = client.post(
        f"/console/t/xinhe/clients/{client_id.group(1)}/rotate",
        data={"csrf_token": token_},
    )
    assert "密钥只显示这一次" in rotated.text
    assert token(client, client_id.group(1), secret).status_code == 401
    refused = client.post(
        f"/console/t/xinhe/clients/{client_id.group(1)}/revoke",
        data={"reason": "", "csrf_token": token_},
    )
    assert refused.status_code == 422
    revoked = client.post(
        f"/console/t/xinhe/clients/{client_id.group(1)}/revoke",
        data={"reason": "对接合同到期", "csrf_token": token_},
    )
    assert revoked.status_code == 200, revoked.text
    assert "已吊销" in revoked.text
