"""The scope rule, for every route: a sibling's token gets 403/404 and no data.

The route list is the app's own OpenAPI document: every operation under
``/v1/tenants/{path}``, including those added later, is called by every sibling.
A body comes from ``BODIES`` or else from the schema's first example.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

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

# Bodies the owner's clerk or admin could send, where the schema's example won't do.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/v1/tenants/{path}/rename"): {"name": "某村"},
    ("POST", "/v1/tenants/{path}/disclosures"): FINANCE,
    ("POST", "/v1/tenants/{path}/disclosures/{disclosure_id}/revisions"): {
        "reason": "更正",
        "body": "改",
    },
    ("POST", "/v1/tenants/{path}/disclosures/{disclosure_id}/withdrawal"): {
        "reason": "撤回"
    },
    ("POST", "/v1/tenants/{path}/catalogue"): "类别代码\n",
    ("POST", "/v1/tenants/{path}/powers/drafts.csv"): "权力编码\n",
    ("POST", "/v1/tenants/{path}/holiday-schedules"): {
        "year": 2027,
        "holidays": ["2027-01-01"],
    },
    ("POST", "/v1/tenants/{path}/cases"): CASE,
    ("PUT", "/v1/tenants/{path}/services"): {"entries": []},
    ("PUT", "/v1/tenants/{path}/case-rules"): {
        "max_extensions": 2,
        "basically_satisfied_counts": False,
    },
    **{
        ("POST", f"/v1/tenants/{{path}}/cases/{{case_id}}/{action}"): body
        for action, body in CASE_ACTIONS.items()
    },
    ("POST", "/v1/tenants/{path}/staff"): {
        "number": "XH-0901",
        "name": "王芳",
        "post": "村文书",
        "roles": ["clerk"],
    },
    ("POST", "/v1/tenants/{path}/staff/{number}/update"): {"post": "村主任"},
    ("POST", "/v1/tenants/{path}/staff/{number}/deactivate"): {"reason": "调离"},
    ("POST", "/v1/tenants/{path}/supervisors/{number}/dismiss"): {"reason": "任期届满"},
    ("POST", "/v1/tenants/{path}/questionnaires/{number}/codes"): {"count": 5},
    ("POST", "/v1/tenants/{path}/questionnaires/{number}/open"): {
        "closes_on": "2026-12-31"
    },
    ("POST", "/v1/tenants/{path}/meetings/{number}/opinions/{opinion}/answer"): {
        "verdict": "adopted",
        "reason": "已纳入整改方案",
    },
    ("POST", "/v1/tenants/{path}/meetings/{number}/minutes"): {
        "sha256": "0" * 64,
        "name": "座谈会纪要.pdf",
    },
    ("POST", "/v1/tenants/{path}/remediation-plans"): {
        "number": "2026-ZL-01",
        "unit": "新和县红星砖厂",
        "tasks": ["除尘设施改造"],
        "deadline": "2026-12-31",
    },
    ("POST", "/v1/tenants/{path}/remediation-plans/{number}/consult"): {"meeting": "1"},
    ("POST", "/v1/tenants/{path}/remediation-plans/{number}/supervise"): {
        "note": "施工现场检查"
    },
    ("POST", "/v1/tenants/{path}/remediation-plans/{number}/accept"): {
        "result": "passed",
        "note": "验收合格",
    },
    ("POST", "/v1/tenants/{path}/inspections"): {
        "subject": INSPECTED,
        "basis": "来信",
    },
    ("POST", "/v1/tenants/{path}/inspections/{inspection_id}/link"): INSPECTED,
    ("POST", "/v1/tenants/{path}/inspections/{inspection_id}/note"): {"text": "记"},
    ("POST", "/v1/tenants/{path}/inspections/{inspection_id}/finding"): {"text": "查"},
    ("POST", "/v1/tenants/{path}/inspections/{inspection_id}/close"): {
        "conclusion": "结"
    },
}
# Required query parameters, by name.
QUERIES = {
    "event": "{disclosure_id}:1",
    "first": "1",
    "second": "2",
    "start": "0",
    "end": "1",
    "from": "2026-01-01",
    "year": "2026",
}

SIBLINGS = [
    ("xinhe.tahe.xingfu", "clerk"),
    ("xinhe.tahe.xingfu", "admin"),
    ("xinhe.tahe.xingfu", "supervisor"),
    ("xinhe.tahe.school-1", "inspector"),
    ("wensu", "admin"),
    ("wensu", "supervisor"),
    ("wensu.jiamu", "clerk"),
]


def tenant_operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation the OpenAPI document lists under a tenant: the route list."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path, operation)
        for path, operations in paths.items()
        if path.startswith("/v1/tenants/{path}")
        for method, operation in operations.items()
    ]


def example_body(client: TestClient, operation: dict[str, Any]) -> Any:
    """The first example of the operation's JSON body schema, if it has one."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = client.get("/openapi.json").json()["components"]["schemas"][name]
    examples = schema.get("examples") or [{}]
    return examples[0]


def calls(client: TestClient) -> list[tuple[str, str, Any]]:
    """(method, URL template, body) for every tenant operation, from the app itself."""
    out = []
    for method, path, operation in tenant_operations(client):
        query = [
            f"{p['name']}={QUERIES.get(p['name'], 'x')}"
            for p in operation.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        ]
        url = path + ("?" + "&".join(query) if query else "")
        if "requestBody" not in operation:
            body = None
        else:
            body = BODIES.get((method, path)) or example_body(client, operation)
        out.append((method, url, body))
    return out


def test_the_route_list_comes_from_the_app(client: TestClient) -> None:
    listed = {(m, p.split("?")[0]) for m, p, _ in calls(client)}
    assert len(listed) > 40
    assert set(BODIES) <= listed  # no stale entries


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
    staffer = client.post(
        f"/v1/tenants/{OWNER}/staff",
        json={
            "number": "XH-0900",
            "name": "李明",
            "post": "村文书",
            "roles": ["clerk"],
        },
        headers=auth("xinhe.tahe", "admin"),
    )
    assert staffer.status_code == 201, staffer.text
    opened = client.post(
        f"/v1/tenants/{OWNER}/inspections",
        json={"subject": INSPECTED, "basis": "群众来信"},
        headers=auth(OWNER, "inspector"),
    )
    assert opened.status_code == 201, opened.text
    inspection_id = opened.json()["id"]
    before = client.get("/v1/health").json()["position"]
    for tenant, role in SIBLINGS:
        headers = auth(tenant, role)
        for method, template, body in calls(client):
            url = (
                template.replace("{path}", OWNER)
                .replace("{case_id}", case_id)
                .replace("{disclosure_id}", disclosure_id)
                .replace("{inspection_id}", inspection_id)
                .replace("{index}", "0")
                .replace("/meetings/{number}", "/meetings/1")  # numbered 1, 2, …
                .replace("/questionnaires/{number}", "/questionnaires/1")
                .replace("/remediation-plans/{number}", "/remediation-plans/1")
                .replace("/supervisors/{number}", "/supervisors/1")
                .replace("{opinion}", "1")
                .replace("{number}", "XH-0900")
                .replace("{year}", "2026")
                .replace("{version}", "1")
                .replace("{client_id}", uuid4().hex)  # 32 hex digits, no dashes
                .replace("{kind}", "bulletin")  # a 文号 series' kind
                .replace("/sections/{n}", "/sections/1")
            )
            url = re.sub(r"\{[a-z_]+\}", str(uuid4()), url)  # path params added later
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
                "a sibling must get 403/404; if this is a new route whose body the "
                "schema's example does not make valid, add one to BODIES",
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
