"""Disclosures over HTTP, as clerks and supervisors use them.

The clock is pinned at Monday 2 March 2026, 10:00 in China (see tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import MutableClock
from tests.e2e.conftest import FINANCE, TokenFactory

TUANJIE = "/v1/tenants/xinhe.tahe.tuanjie/disclosures"


def position(client: TestClient) -> int:
    return int(client.get("/v1/health").json()["position"])


def publish(client: TestClient, auth: TokenFactory, **changes: Any) -> dict[str, Any]:
    response = client.post(
        TUANJIE,
        json={**FINANCE, **changes},
        headers=auth("xinhe.tahe.tuanjie", "clerk"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_clerk_publishes_and_sees_the_due_date_across_spring_festival(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    item = publish(client, auth)
    # Formed Tue 10 Feb 2026; 春节 15–23 Feb off, Sat 14 and Sat 28 Feb worked.
    assert item["due_on"] == "2026-03-16"
    assert item["published_on"] == "2026-03-02"
    assert item["on_time"] is True
    assert item["working_days_late"] == 0
    assert item["channels"] == ["notice_board", "website"]
    assert item["channel_labels"] == ["公开栏", "网站"]
    assert item["category_label"] == "财务管理/财务收支"
    assert item["version"] == 1
    assert item["view_pending"] is False
    assert item["tenant_name"] == "团结村"
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    shown = client.get(f"{TUANJIE}/{item['id']}", headers=clerk)
    assert shown.json()["title"] == "团结村2026年1月财务收支"
    assert shown.json()["tenant_name"] == "团结村"
    assert shown.headers["ETag"] == '"1"'


def test_lateness_is_counted_in_working_days(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    item = publish(client, auth, formed_on="2026-01-05")
    assert item["due_on"] == "2026-02-02"
    assert item["on_time"] is False
    assert item["working_days_late"] == 16


def test_revising_and_withdrawing_keep_the_history(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    item = publish(client, auth)
    url = f"{TUANJIE}/{item['id']}"
    clock.advance(hours=2)
    stale = client.post(
        f"{url}/revisions",
        json={"reason": "更正", "body": "新"},
        headers={**clerk, "If-Match": '"0"'},
    )
    assert stale.status_code == 409
    revised = client.post(
        f"{url}/revisions",
        json={"reason": "更正支出金额", "body": "二、支出合计9.6万元。"},
        headers={**clerk, "If-Match": '"1"'},
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["version"] == 2
    assert revised.headers["ETag"] == '"2"'
    clock.advance(hours=2)
    gone = client.post(f"{url}/withdrawal", json={"reason": "重复公开"}, headers=clerk)
    assert gone.status_code == 200
    assert gone.json()["withdrawn"] is True
    again = client.post(f"{url}/withdrawal", json={"reason": "再次撤回"}, headers=clerk)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/already-withdrawn")

    history = client.get(f"{url}/history", headers=clerk).json()
    assert [v["event"] for v in history["versions"]] == [
        "published",
        "revised",
        "withdrawn",
    ]
    assert history["versions"][1]["reason"] == "更正支出金额"
    assert history["versions"][0]["state"]["body"] == FINANCE["body"]
    assert history["versions"][1]["actor"]["roles"] == "clerk"
    listed = client.get(TUANJIE, headers=clerk).json()
    assert listed["items"] == []
    # As it stood one hour after publication: the original text, public.
    then = client.get(
        TUANJIE, params={"as_of": "2026-03-02T11:00:00+08:00"}, headers=clerk
    ).json()
    assert [i["title"] for i in then["items"]] == [FINANCE["title"]]
    assert "body" not in then["items"][0]  # a list has no text; the item has it
    whole = client.get(
        f"{TUANJIE}/{then['items'][0]['id']}",
        params={"as_of": "2026-03-02T11:00:00+08:00"},
        headers=clerk,
    ).json()
    assert whole["body"] == FINANCE["body"]


def test_supervisors_list_their_subtree_page_by_page(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    for month in (1, 2, 3):
        clock.advance(minutes=5)
        publish(
            client,
            auth,
            title=f"团结村2026年{month}月公告",
            category="common.decisions",
        )
    county = auth("xinhe", "supervisor")
    own = client.get("/v1/tenants/xinhe/disclosures", headers=county).json()
    assert own["items"] == []
    titles, cursor = [], None
    while True:
        params: dict[str, Any] = {"include_descendants": "true", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get(
            "/v1/tenants/xinhe/disclosures", params=params, headers=county
        ).json()
        titles += [i["title"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert titles == [
        "团结村2026年3月公告",
        "团结村2026年2月公告",
        "团结村2026年1月公告",
    ]
    finance = client.get(
        "/v1/tenants/xinhe/disclosures",
        headers=county,
        params={"include_descendants": "true", "category": "common.finance"},
    ).json()
    assert finance["items"] == []


def test_bad_input_is_a_problem_and_records_nothing(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    item = publish(client, auth)
    url = f"{TUANJIE}/{item['id']}"
    cases: list[tuple[str, dict[str, Any], int, str, str]] = [
        (
            TUANJIE,
            {**FINANCE, "category": "school.fees"},
            422,
            "unknown-category",
            "category",
        ),
        (
            TUANJIE,
            {**FINANCE, "formed_on": "2026-02-30"},
            422,
            "validation-error",
            "formed_on",
        ),
        (
            TUANJIE,
            {**FINANCE, "formed_on": "2026-03-05"},
            422,
            "invalid-date",
            "formed_on",
        ),
        (
            TUANJIE,
            {**FINANCE, "channels": ["微信群"]},
            422,
            "unknown-channel",
            "channels",
        ),
        (TUANJIE, {**FINANCE, "channels": []}, 422, "validation-error", "channels"),
        (TUANJIE, {**FINANCE, "body": "长" * 50_001}, 422, "validation-error", "body"),
        (
            TUANJIE,
            {**FINANCE, "published_on": "2026-02-20"},
            422,
            "backdating-needs-reason",
            "late_reason",
        ),
        (
            TUANJIE,
            {**FINANCE, "published_on": "2026-03-03"},
            422,
            "invalid-date",
            "published_on",
        ),
        (f"{url}/revisions", {"body": "新"}, 422, "validation-error", "reason"),
        (
            f"{url}/revisions",
            {"reason": "  ", "body": "新"},
            422,
            "reason-required",
            "reason",
        ),
        (
            f"{url}/revisions",
            {"reason": "无变化", "body": FINANCE["body"]},
            422,
            "inconsistent-input",
            "body",
        ),
        (f"{url}/withdrawal", {"reason": ""}, 422, "reason-required", "reason"),
        (
            f"{url}/withdrawal",
            {"reason": "撤回", "effective_at": "2026-03-01"},
            422,
            "validation-error",
            "effective_at",
        ),
    ]
    before = position(client)
    for target, body, status, slug, field in cases:
        response = client.post(target, json=body, headers=clerk)
        assert response.status_code == status, (body, response.text[:300])
        problem = response.json()
        assert problem["type"].endswith("/" + slug), (body, problem)
        assert problem["field"] == field, (body, problem)
    huge = client.post(
        TUANJIE,
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={**clerk, "content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.json()["type"].endswith("/request-too-large")
    assert position(client) == before
    assert (
        client.get(f"{url}/history", headers=clerk).json()["versions"][-1]["version"]
        == 1
    )


def test_back_dating_beyond_the_window_needs_a_reason_and_is_shown(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    item = publish(
        client,
        auth,
        formed_on="2026-02-03",
        published_on="2026-02-24",
        late_reason="村公开栏2月24日已张贴，系统补录",
    )
    assert item["backdated_working_days"] == 5
    assert item["backdating_reason"] == "村公开栏2月24日已张贴，系统补录"
    assert item["effective_at"] == "2026-02-24T12:00:00+08:00"


def test_the_catalogue_shows_missing_and_covered_categories(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    publish(client, auth)
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    catalogue = client.get(
        "/v1/tenants/xinhe.tahe.tuanjie/catalogue", headers=clerk
    ).json()
    assert catalogue["kind"] == "village"
    statuses = {c["entry"]["code"]: c["status"] for c in catalogue["categories"]}
    assert statuses["common.finance"] == "covered"
    assert "common.finance" not in catalogue["missing"]
    assert "common.decisions" in catalogue["missing"]
    assert all(not code.startswith("school.") for code in statuses)
    before = client.get(
        "/v1/tenants/xinhe.tahe.tuanjie/catalogue",
        params={"as_of": "2026-03-01"},
        headers=clerk,
    ).json()
    assert "common.finance" in before["missing"]


def test_tokens_are_required_and_checked(client: TestClient, tree: None) -> None:
    assert client.get(TUANJIE).status_code == 401
    forged = client.get(TUANJIE, headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401
    assert forged.json()["type"].endswith("/invalid-token")
    assert forged.headers["WWW-Authenticate"] == "Bearer"
