"""Cases over HTTP: the lifecycle, refusals, personal data and the figures.

The clock is pinned at Monday 2 March 2026, 10:00 in China (tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from domain.ledger.evidence import load_bundle, verify_bundle
from infra.keys import make_verifier
from services.audit.verify import verify_store
from tests.conftest import MutableClock
from tests.e2e.conftest import TokenFactory

VILLAGE = "/v1/tenants/xinhe.tahe.tuanjie"
APPLICANT = {
    "name": "张三丰",
    "phone": "13812345678",
    "id_number": "11010519491231002X",
    "address": "新和县塔河镇团结村3组15号",
}
COMPLAINT = {
    "kind": "complaint",
    "channel": "mailbox",
    "signed": True,
    "summary": "景区停车场收费标准未公示，多收停车费",
    "applicant": APPLICANT,
}


def act(
    client: TestClient,
    headers: dict[str, str],
    case: str,
    action: str,
    body: dict[str, Any] | None = None,
    status: int = 200,
) -> dict[str, Any]:
    response = client.post(
        f"{VILLAGE}/cases/{case}/{action}", json=body or {}, headers=headers
    )
    assert response.status_code == status, (action, response.text)
    return dict(response.json())


def test_a_signed_complaint_goes_from_filing_to_feedback_and_closure(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    filed = client.post(f"{VILLAGE}/cases", json=COMPLAINT, headers=clerk)
    assert filed.status_code == 201, filed.text
    card = filed.json()
    case = card["id"]
    assert card["state"] == "filed"
    assert card["applicant"]["name"] == "张三丰"  # the handling clerk sees it clear
    assert "accept" in card["allowed_actions"]
    act(client, clerk, case, "accept")
    assigned = act(
        client,
        clerk,
        case,
        "assign",
        {
            "department": "社会事务服务部",
            "handler": "李四",
            "backup_handler": "王五",
            "promised_working_days": 5,
        },
    )
    assert assigned["due_on"] == "2026-03-09"
    clock.advance(days=2)
    act(
        client,
        clerk,
        case,
        "resolve",
        {"result": "已责令退还多收停车费，并公示收费标准"},
    )
    act(client, clerk, case, "reply", {"method": "电话", "content": "已告知处理结果"})
    unhappy = act(client, clerk, case, "feedback", {"rating": "unsatisfied"})
    assert "reopen" in unhappy["allowed_actions"]
    act(client, clerk, case, "reopen", {"reason": "群众对退费金额有异议"})
    act(
        client,
        clerk,
        case,
        "assign",
        {"department": "社会事务服务部", "handler": "李四", "promised_working_days": 3},
    )
    act(client, clerk, case, "resolve", {"result": "复核后补退差额"})
    act(client, clerk, case, "reply", {"method": "上门", "content": "已当面告知"})
    act(client, clerk, case, "feedback", {"rating": "satisfied"})
    closed = act(client, clerk, case, "close")
    assert closed["state"] == "closed"
    events = [e["event"] for e in closed["events"]]
    assert events[:3] == ["Filed", "Accepted", "Assigned"]
    assert events[-2:] == ["FeedbackGiven", "Closed"]
    assert all(e["actor"]["roles"] == "clerk" for e in closed["events"])


def test_an_illegal_action_answers_409_with_the_allowed_actions(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    case = client.post(f"{VILLAGE}/cases", json=COMPLAINT, headers=clerk).json()["id"]
    refused = client.post(
        f"{VILLAGE}/cases/{case}/reply",
        json={"method": "电话", "content": "x"},
        headers=clerk,
    )
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"].endswith("/illegal-transition")
    assert problem["state"] == "filed"
    assert "accept" in problem["allowed_actions"]
    again = client.get(f"{VILLAGE}/cases/{case}", headers=clerk).json()
    assert again["version"] == 1


FILED_ACTIONS = {
    "request-materials": {"items": ["身份证复印件"]},
    "accept": {},
    "reject": {"reason": "不属于本村职责", "referral": "请向县市场监管局反映"},
    "transfer": {"target": "xinhe.tahe", "reason": "涉及全镇景区"},
    "supervise": {"due_on": "2026-03-20", "note": "请按期办结"},
}


def test_allowed_actions_are_the_callers_and_never_one_it_would_be_refused(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    case = client.post(f"{VILLAGE}/cases", json=COMPLAINT, headers=clerk).json()["id"]
    callers = {
        "county inspector": (auth("xinhe", "inspector"), []),
        "town handler": (auth("xinhe.tahe", "handler"), []),
        "county supervisor": (auth("xinhe", "supervisor"), ["supervise"]),
        "village clerk": (
            clerk,
            ["request-materials", "accept", "reject", "transfer"],
        ),
    }
    for who, (headers, expected) in callers.items():
        card = client.get(f"{VILLAGE}/cases/{case}", headers=headers).json()
        assert card["allowed_actions"] == expected, who
        board = client.get(f"{VILLAGE}/case-board", headers=headers).json()
        (entry,) = [c for c in board["open"] if c["id"] == case]
        assert entry["allowed_actions"] == expected, who
        for action in sorted(set(FILED_ACTIONS) - set(expected)):
            refused = client.post(
                f"{VILLAGE}/cases/{case}/{action}",
                json=FILED_ACTIONS[action],
                headers=headers,
            )
            assert refused.status_code == 403, (who, action, refused.text)
    for headers, action in (
        (auth("xinhe", "supervisor"), "supervise"),
        (clerk, "accept"),
    ):
        done = client.post(
            f"{VILLAGE}/cases/{case}/{action}",
            json=FILED_ACTIONS[action],
            headers=headers,
        )
        assert done.status_code == 200, (action, done.text)


def test_bad_input_is_a_problem_and_files_nothing(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    before = client.get("/v1/health").json()["position"]
    cases = [
        ({**COMPLAINT, "kind": "grievance"}, "kind"),
        ({**COMPLAINT, "channel": "wechat"}, "channel"),
        (
            {**COMPLAINT, "applicant": {**APPLICANT, "phone": "12345"}},
            "applicant.phone",
        ),
        (
            {
                **COMPLAINT,
                "applicant": {**APPLICANT, "id_number": "110105194912310021"},
            },
            "applicant.id_number",
        ),
        ({**COMPLAINT, "summary": ""}, "summary"),
    ]
    for body, field in cases:
        response = client.post(f"{VILLAGE}/cases", json=body, headers=clerk)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, response.json()
    assert client.get("/v1/health").json()["position"] == before


def test_personal_data_is_clear_only_to_whom_it_should_be_and_erased_everywhere(
    client: TestClient, auth: TokenFactory, tree: None, platform: Any
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    case = client.post(
        f"{VILLAGE}/cases", json={**COMPLAINT, "signed": False}, headers=clerk
    ).json()["id"]
    supervisor = client.get(
        f"{VILLAGE}/cases/{case}", headers=auth("xinhe", "supervisor")
    ).json()
    assert supervisor["applicant"]["name"] == "张**"
    assert supervisor["applicant"]["phone"] == "138****5678"
    inspector = client.get(
        f"{VILLAGE}/cases/{case}", headers=auth("xinhe", "inspector")
    ).json()
    assert inspector["applicant"]["phone"] == "13812345678"
    for action, body in (
        ("accept", {}),
        ("assign", {"department": "政务服务部", "handler": "李四"}),
        ("resolve", {"result": "已处理"}),
        ("close", {}),
    ):
        act(client, clerk, case, action, body)
    erased = act(client, clerk, case, "erase")
    assert erased["applicant"]["name"] == "已删除"
    texts = [
        client.get(f"{VILLAGE}/cases/{case}", headers=auth(who, role)).text
        for who, role in (("xinhe.tahe.tuanjie", "clerk"), ("xinhe", "inspector"))
    ]
    texts.append(client.get(f"{VILLAGE}/case-board", headers=clerk).text)
    texts.append(
        client.get(f"{VILLAGE}/audit/leaves/0", headers=auth("xinhe", "inspector")).text
    )
    stored = platform.tenants.recorder.select_notifications(start=1, limit=10_000)
    texts += [bytes(n.state).decode("utf-8", "replace") for n in stored]
    bundle = client.get(
        f"{VILLAGE}/evidence/cases/{case}", headers=auth("xinhe", "inspector")
    )
    assert bundle.status_code == 200, bundle.text
    texts.append(bundle.text)
    report = verify_bundle(load_bundle(bundle.text), make_verifier)
    assert report.subject.kind == "case"
    assert all(e.event_id.endswith(f":{i + 1}") for i, e in enumerate(report.events))
    for text in texts:
        for secret in ("张三丰", "13812345678", "11010519491231002X", "3组15号"):
            assert secret not in text
    # Erasure destroyed a key, not history: the audit trail still verifies.
    assert verify_store(platform).findings == []


def test_the_third_documents_figures_come_from_events_alone(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    for n in range(17):
        body = {
            **COMPLAINT,
            "channel": "mailbox" if n < 6 else "hotline",
            "summary": f"景区游客投诉第{n + 1}件",
        }
        case = client.post(f"{VILLAGE}/cases", json=body, headers=clerk).json()["id"]
        act(client, clerk, case, "accept")
        act(
            client,
            clerk,
            case,
            "assign",
            {"department": "咨询受理服务部", "handler": "赵六"},
        )
        act(client, clerk, case, "resolve", {"result": "已调查核实并处理"})
        act(client, clerk, case, "reply", {"method": "书面", "content": "已书面答复"})
    stats = client.get(f"{VILLAGE}/case-stats", headers=auth("xinhe", "supervisor"))
    assert stats.status_code == 200, stats.text
    figures = stats.json()
    assert figures["received"] == 17
    assert figures["by_channel"] == {"hotline": 11, "mailbox": 6}
    assert figures["reply_rate"]["value"] == 1.0
    assert figures["reply_rate"]["numerator"] == 17
    assert figures["reply_rate"]["ci95"][0] > 0.8
    board = client.get(f"{VILLAGE}/case-board", headers=clerk).json()
    assert board["counts"]["open"] == 17


def test_a_town_edits_its_service_promises_and_its_cases_follow_them(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    town = auth("xinhe.tahe", "supervisor")
    shown = client.get("/v1/tenants/xinhe.tahe/services", headers=town).json()
    deed = next(e for e in shown["entries"] if e["code"] == "svc.deed-tax")
    assert shown["version"] == 0
    assert deed["promised_working_days"] == 5
    edited = client.put(
        "/v1/tenants/xinhe.tahe/services",
        headers=town,
        json={"entries": [{**deed, "promised_working_days": 2}]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 1
    bad = client.put(
        "/v1/tenants/xinhe.tahe/services",
        headers=town,
        json={"entries": [{**deed, "promised_working_days": 0}]},
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "entries.0.promised_working_days"
    # The village below inherits the town's promise; a case there follows it.
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    case = client.post(
        f"{VILLAGE}/cases",
        headers=clerk,
        json={
            "kind": "service_request",
            "channel": "visit",
            "signed": False,
            "category": "svc.deed-tax",
            "summary": "代缴契税",
        },
    ).json()["id"]
    act(client, clerk, case, "accept")
    assigned = act(
        client,
        clerk,
        case,
        "assign",
        {"department": "经济发展服务部", "handler": "张伟"},
    )
    assert assigned["due_on"] == "2026-03-04"  # accepted Mon 2 March + 2 working days


def test_a_lagging_view_still_answers_from_the_aggregate(
    settings: Any, clock: MutableClock, auth: TokenFactory
) -> None:
    from services.platform.runtime import Platform
    from services.server import create_app
    from tests.conftest import build_tree

    lagging = Platform(
        settings.model_copy(update={"read_wait_seconds": 0.05}), clock=clock
    )  # no runners: the views never catch up
    try:
        build_tree(lagging)
        with TestClient(create_app(settings, platform=lagging)) as client:
            clerk = auth("xinhe.tahe.tuanjie", "clerk")
            filed = client.post(f"{VILLAGE}/cases", json=COMPLAINT, headers=clerk)
            assert filed.status_code == 201, filed.text
            card = filed.json()
            assert card["view_pending"] is True
            assert card["state"] == "filed"
            assert card["applicant"]["name"] == "张三丰"
            accepted = act(client, clerk, card["id"], "accept")
            assert accepted["state"] == "accepted"
    finally:
        lagging.close()


def test_a_county_sets_case_rules_that_its_villages_follow(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    county = auth("xinhe", "supervisor")
    assert (
        client.get(f"{VILLAGE}/case-rules", headers=county).json()["max_extensions"]
        == 1
    )
    rules = client.put(
        "/v1/tenants/xinhe/case-rules",
        headers=county,
        json={"max_extensions": 2, "basically_satisfied_counts": False},
    )
    assert rules.status_code == 200, rules.text
    inherited = client.get(f"{VILLAGE}/case-rules", headers=county).json()
    assert inherited == {
        "tenant": "xinhe.tahe.tuanjie",
        "set_by": "xinhe",
        "max_extensions": 2,
        "basically_satisfied_counts": False,
    }
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    case = client.post(f"{VILLAGE}/cases", json=COMPLAINT, headers=clerk).json()["id"]
    act(client, clerk, case, "accept")
    act(
        client,
        clerk,
        case,
        "assign",
        {"department": "政务服务部", "handler": "李四", "promised_working_days": 5},
    )
    for _ in range(2):
        act(
            client,
            clerk,
            case,
            "extend",
            {"working_days": 3, "reason": "需实地核查", "approver": "王主任"},
        )
    third = client.post(
        f"{VILLAGE}/cases/{case}/extend",
        headers=clerk,
        json={"working_days": 3, "reason": "再次延期", "approver": "王主任"},
    )
    assert third.status_code == 409
    act(client, clerk, case, "resolve", {"result": "已处理"})
    act(client, clerk, case, "reply", {"method": "电话", "content": "已告知"})
    act(client, clerk, case, "feedback", {"rating": "basically_satisfied"})
    stats = client.get(f"{VILLAGE}/case-stats", headers=county).json()
    assert stats["satisfaction_rate"]["numerator"] == 0  # 基本满意 does not count here
    assert stats["satisfaction_rate"]["denominator"] == 1
