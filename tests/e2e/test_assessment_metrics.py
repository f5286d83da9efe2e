"""Each objective figure from hand-built events, as of two period ends.

The clock starts on Monday 2 March 2026, 10:00 in China. The village publishes one
item back-dated to Friday 27 Feb (on time) and one formed on 5 Jan (late), and
handles one signed case to a satisfied rating. As known at the end of 28 Feb nothing
of it was recorded yet; at the end of 31 Mar all of it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from services.assessment.metrics import target_metrics
from tests.conftest import MutableClock
from tests.e2e.conftest import FINANCE, TokenFactory

VILLAGE = "xinhe.tahe.tuanjie"
V = f"/v1/tenants/{VILLAGE}"


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code in (status, 201), response.text
    return dict(response.json())


def build(client: TestClient, clerk: dict[str, str]) -> tuple[str, str]:
    on_time = ok(
        client.post(
            f"{V}/disclosures",
            json={**FINANCE, "formed_on": "2026-02-25", "published_on": "2026-02-27"},
            headers=clerk,
        ),
        201,
    )
    late = ok(
        client.post(
            f"{V}/disclosures",
            json={
                **FINANCE,
                "title": "团结村2025年12月财务收支",
                "formed_on": "2026-01-05",
                "late_reason": "会计离岗",
            },
            headers=clerk,
        ),
        201,
    )
    case = {
        "kind": "complaint",
        "channel": "mailbox",
        "signed": True,
        "summary": "景区停车场多收费",
        "applicant": {"name": "张三", "phone": "13812345678"},
    }
    filed = ok(client.post(f"{V}/cases", json=case, headers=clerk), 201)
    base = f"{V}/cases/{filed['id']}"
    for step, body in (
        ("accept", {}),
        ("assign", {"department": "社会事务服务部", "handler": "李四"}),
        ("resolve", {"result": "已退还多收费用"}),
        ("reply", {"method": "电话", "content": "已告知处理结果"}),
        ("feedback", {"rating": "satisfied"}),
    ):
        ok(client.post(f"{base}/{step}", json=body, headers=clerk))
    return on_time["id"], late["id"]


def test_figures_as_of_two_period_ends(
    client: TestClient,
    auth: TokenFactory,
    tree: None,
    platform: Any,
    clock: MutableClock,
) -> None:
    on_time, late = build(client, auth(VILLAGE, "clerk"))
    before = target_metrics(platform, VILLAGE, date(2026, 1, 1), date(2026, 2, 28))
    assert before["disclosure_on_time"]["denominator"] == 0
    assert before["backdated"]["denominator"] == 0
    assert before["mean_working_days_late"] is None
    assert before["case_received"] == 0
    for name in ("case_reply", "case_on_time", "case_feedback"):
        assert before[name]["denominator"] == 0, name
    assert before["satisfaction"]["denominator"] == 0
    assert before["coverage"]["numerator"] == 0

    after = target_metrics(platform, VILLAGE, date(2026, 1, 1), date(2026, 3, 31))
    assert (after["disclosure_on_time"]["numerator"],
            after["disclosure_on_time"]["denominator"]) == (1, 2)  # fmt: skip
    assert after["late_items"] == [f"disclosure:{late}"]
    assert after["mean_working_days_late"] > 0
    assert (after["backdated"]["numerator"], after["backdated"]["denominator"]) == (
        1,
        2,
    )
    assert after["backdated_items"] == [f"disclosure:{on_time}"]
    assert after["coverage"]["numerator"] == 1  # common.finance only
    assert after["coverage"]["denominator"] > 1
    assert "common.finance" not in after["missing_categories"]
    assert after["case_received"] == 1
    for name in ("case_reply", "case_on_time", "case_feedback", "satisfaction"):
        assert after[name]["value"] == 1.0, name
