"""The scope rule, for every route: a sibling's token gets 403/404 and no data.

Every route under ``/v1/tenants/{path}`` is listed here with a request that would
succeed for the owner. A route that is not listed fails
``test_every_tenant_route_is_covered`` until it is added: no route escapes the check.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.conftest import FINANCE, TokenFactory

OWNER = "xinhe.tahe.tuanjie"
SECRET_TITLE = "团结村2026年1月财务收支"

CASE = {
    "kind": "complaint",
    "channel": "mailbox",
    "signed": True,
    "summary": "景区停车场多收费",
    "applicant": {"name": "张三", "phone": "13812345678"},
}
CASE_ACTIONS: dict[str, Any] = {
    "request-materials": {"items": ["身份证复印件"]},
    "provide-materials": {},
    "accept": {},
    "reject": {"reason": "不属受理范围", "referral": "县信访局"},
    "assign": {"department": "社会事务服务部", "handler": "李四"},
    "transfer": {"target": "xinhe.tahe.xingfu", "reason": "属地办理"},
    "split": {"children": ["政务服务部", "经济发展服务部"]},
    "supervise": {"due_on": "2026-03-20", "note": "限期办结"},
    "consult": {"party": "县自然资源局"},
    "end-consultation": {},
    "extend": {"working_days": 5, "reason": "需实地核查", "approver": "王主任"},
    "resolve": {"result": "已退还多收费用"},
    "reply": {"method": "电话", "content": "已告知处理结果"},
    "feedback": {"rating": "satisfied"},
    "close": {},
    "reopen": {"reason": "不满意"},
    "erase": {},
}

INSPECTED = {"kind": "tenant", "tenant": OWNER}

# route path → (method, body) that the owner's clerk or admin could send.
REQUESTS: dict[str, tuple[str, Any]] = {
    "/v1/tenants/{path}": ("GET", None),
    "/v1/tenants/{path}/rename": ("POST", {"name": "某村"}),
    "/v1/tenants/{path}/disclosures": ("POST", FINANCE),
    "/v1/tenants/{path}/disclosures/{disclosure_id}/revisions": (
        "POST",
        {"reason": "更正", "body": "改"},
    ),
    "/v1/tenants/{path}/disclosures/{disclosure_id}/withdrawal": (
        "POST",
        {"reason": "撤回"},
    ),
    "/v1/tenants/{path}/disclosures/{disclosure_id}": ("GET", None),
    "/v1/tenants/{path}/disclosures/{disclosure_id}/history": ("GET", None),
    "/v1/tenants/{path}/catalogue": ("POST", "类别代码\n"),
    "/v1/tenants/{path}/holiday-schedules": (
        "POST",
        {"year": 2027, "holidays": ["2027-01-01"]},
    ),
    "/v1/tenants/{path}/audit/checkpoint": ("GET", None),
    "/v1/tenants/{path}/audit/tree-head": ("GET", None),
    "/v1/tenants/{path}/audit/keys": ("GET", None),
    "/v1/tenants/{path}/audit/refusals": ("GET", None),
    "/v1/tenants/{path}/audit/leaves/{index}": ("GET", None),
    "/v1/tenants/{path}/audit/proofs/inclusion?event={event}": ("GET", None),
    "/v1/tenants/{path}/audit/proofs/consistency?first=1&second=2": ("GET", None),
    "/v1/tenants/{path}/evidence/disclosures/{disclosure_id}": ("GET", None),
    "/v1/tenants/{path}/cases": ("POST", CASE),
    "/v1/tenants/{path}/services": ("PUT", {"entries": []}),
    "/v1/tenants/{path}/case-rules": (
        "PUT",
        {"max_extensions": 2, "basically_satisfied_counts": False},
    ),
    "/v1/tenants/{path}/evidence/cases/{case_id}": ("GET", None),
    "/v1/tenants/{path}/cases/{case_id}": ("GET", None),
    "/v1/tenants/{path}/case-board": ("GET", None),
    "/v1/tenants/{path}/case-stats": ("GET", None),
    **{
        f"/v1/tenants/{{path}}/cases/{{case_id}}/{action}": ("POST", body)
        for action, body in CASE_ACTIONS.items()
    },
    "/v1/tenants/{path}/inspections": ("POST", {"subject": INSPECTED, "basis": "来信"}),
    "/v1/tenants/{path}/inspections/{inspection_id}": ("GET", None),
    "/v1/tenants/{path}/inspections/{inspection_id}/link": ("POST", INSPECTED),
    "/v1/tenants/{path}/inspections/{inspection_id}/note": ("POST", {"text": "记"}),
    "/v1/tenants/{path}/inspections/{inspection_id}/finding": ("POST", {"text": "查"}),
    "/v1/tenants/{path}/inspections/{inspection_id}/close": (
        "POST",
        {"conclusion": "结"},
    ),
    "/v1/tenants/{path}/inspections/{inspection_id}/timeline": ("GET", None),
    "/v1/tenants/{path}/inspections/{inspection_id}/evidence": ("GET", None),
    "/v1/tenants/{path}/inspections/{inspection_id}/report": ("GET", None),
    "/v1/tenants/{path}/inspections/{inspection_id}/diff?from=2026-01-01": (
        "GET",
        None,
    ),
}
# Routes with both a GET and a POST on one path.
EXTRA_GETS = (
    "/v1/tenants/{path}/disclosures",
    "/v1/tenants/{path}/catalogue",
    "/v1/tenants/{path}/services",
    "/v1/tenants/{path}/case-rules",
)

SIBLINGS = [
    ("xinhe.tahe.xingfu", "clerk"),
    ("xinhe.tahe.xingfu", "admin"),
    ("xinhe.tahe.xingfu", "supervisor"),
    ("xinhe.tahe.school-1", "inspector"),
    ("wensu", "admin"),
    ("wensu", "supervisor"),
    ("wensu.jiamu", "clerk"),
]


def tenant_routes(client: TestClient) -> set[tuple[str, str]]:
    """Every (method, path) the OpenAPI schema lists under a tenant."""
    paths = client.get("/openapi.json").json()["paths"]
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/v1/tenants/{path}")
        for method in operations
    }


def test_every_tenant_route_is_covered(client: TestClient) -> None:
    listed = {(m, p.split("?")[0]) for p, (m, _) in REQUESTS.items()} | {
        ("GET", p) for p in EXTRA_GETS
    }
    assert tenant_routes(client) == listed


def test_a_sibling_gets_403_or_404_and_no_data_on_every_route(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    owner = auth(OWNER, "clerk")
    created = client.post(
        f"/v1/tenants/{OWNER}/disclosures",
        json={**FINANCE, "title": SECRET_TITLE},
        headers=owner,
    )
    assert created.status_code == 201
    disclosure_id = created.json()["id"]
    filed = client.post(f"/v1/tenants/{OWNER}/cases", json=CASE, headers=owner)
    assert filed.status_code == 201, filed.text
    case_id = filed.json()["id"]
    opened = client.post(
        f"/v1/tenants/{OWNER}/inspections",
        json={"subject": INSPECTED, "basis": "群众来信"},
        headers=auth(OWNER, "inspector"),
    )
    assert opened.status_code == 201, opened.text
    inspection_id = opened.json()["id"]
    before = client.get("/v1/health").json()["position"]
    calls = [(m, p, b) for p, (m, b) in REQUESTS.items()] + [
        ("GET", p, None) for p in EXTRA_GETS
    ]
    for tenant, role in SIBLINGS:
        headers = auth(tenant, role)
        for method, template, body in calls:
            url = (
                template.replace("{path}", OWNER)
                .replace("{case_id}", case_id)
                .replace("{disclosure_id}", disclosure_id)
                .replace("{inspection_id}", inspection_id)
                .replace("{index}", "0")
                .replace("{event}", f"{disclosure_id}:1")
            )
            if isinstance(body, str):
                response = client.request(
                    method,
                    url,
                    content=body.encode(),
                    headers={**headers, "content-type": "text/csv"},
                )
            else:
                response = client.request(method, url, json=body, headers=headers)
            assert response.status_code in (403, 404), (
                tenant,
                role,
                method,
                url,
                response.text[:200],
            )
            assert SECRET_TITLE not in response.text
            assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/health").json()["position"] == before


def test_ancestors_read_their_descendants(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    owner = auth(OWNER, "clerk")
    created = client.post(
        f"/v1/tenants/{OWNER}/disclosures",
        json={**FINANCE, "title": SECRET_TITLE},
        headers=owner,
    ).json()
    for tenant, role in (
        ("xinhe", "inspector"),
        ("xinhe.tahe", "supervisor"),
        (OWNER, "handler"),
    ):
        url = f"/v1/tenants/{OWNER}/disclosures/{created['id']}"
        response = client.get(url, headers=auth(tenant, role))
        assert response.status_code == 200, (tenant, response.text)
        assert response.json()["title"] == SECRET_TITLE
    # Reading is not writing: a supervisor above may not publish for the village.
    denied = client.post(
        f"/v1/tenants/{OWNER}/disclosures",
        json=FINANCE,
        headers=auth("xinhe.tahe", "clerk"),
    )
    assert denied.status_code == 403
