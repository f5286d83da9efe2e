"""The supervisor's desk over HTTP: case list, strict queries, labels and China time,
disclosure filters, the overview and exports.

The clock is pinned at Monday 2 March 2026, 10:00 in China (tests/conftest.py).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from services.api.listing import encode_key
from services.cases.receipts import RECEIPT
from tests.conftest import MutableClock
from tests.e2e.conftest import FINANCE, TokenFactory
from tests.e2e.test_reference_api import county_csv
from tests.exports import csv_table, split, xlsx_rows, xlsx_table

TAHE = "/v1/tenants/xinhe.tahe"
VILLAGE = f"{TAHE}.tuanjie"
SIBLING = f"{TAHE}.xingfu"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_case(
    client: TestClient, headers: dict[str, str], base: str, **extra: Any
) -> str:
    body = {
        "kind": "complaint",
        "channel": "mailbox",
        "signed": False,
        "summary": "村道路灯损坏多日无人维修",
    } | extra
    response = client.post(f"{base}/cases", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def act(
    client: TestClient,
    headers: dict[str, str],
    base: str,
    case: str,
    action: str,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    url = f"{base}/cases/{case}/{action}"
    response = client.post(url, json=body or {}, headers=headers)
    assert response.status_code == 200, (action, response.text)
    return dict(response.json())


def handled(
    client: TestClient, headers: dict[str, str], base: str, case: str, days: int
) -> None:
    act(client, headers, base, case, "accept")
    act(
        client,
        headers,
        base,
        case,
        "assign",
        {
            "department": "社会事务服务部",
            "handler": "李四",
            "promised_working_days": days,
        },
    )


def test_the_case_list_filters_counts_pages_and_exports(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk", "handler")
    sibling = auth("xinhe.tahe.xingfu", "clerk", "handler")
    late = file_case(client, clerk, VILLAGE, summary="景区停车场多收停车费")
    handled(client, clerk, VILLAGE, late, 2)
    on_time = file_case(client, clerk, VILLAGE, kind="inquiry", channel="hotline")
    handled(client, clerk, VILLAGE, on_time, 10)
    act(client, clerk, VILLAGE, on_time, "resolve", {"result": "已答复"})
    other = file_case(client, sibling, SIBLING, kind="report", channel="web")
    before = clock.moment
    clock.advance(days=7)  # Monday 9 March: the 2-day promise has passed
    act(client, clerk, VILLAGE, late, "resolve", {"result": "已退还"})

    supervisor = auth("xinhe", "supervisor")
    everything = client.get(
        f"{TAHE}/cases", params={"include_descendants": "true"}, headers=supervisor
    ).json()
    assert everything["total"] == 3
    assert {i["id"] for i in everything["items"]} == {late, on_time, other}
    first = everything["items"][0]
    assert first["tenant_name"] in ("团结村", "幸福村")
    assert first["kind_label"] in ("投诉", "咨询", "举报")
    assert everything["as_of"].endswith("+08:00")

    def ids(**params: Any) -> set[str]:
        response = client.get(
            f"{TAHE}/cases",
            params={"include_descendants": "true", **params},
            headers=supervisor,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["items"])
        return {i["id"] for i in body["items"]}

    assert ids(late="true") == {late}
    assert ids(late="false") == {on_time, other}
    assert ids(kind="投诉") == {late}
    assert ids(channel="市长信箱") == {late}
    assert ids(state="已办结") == {late, on_time}
    assert ids(state=["resolved", "filed"]) == {late, on_time, other}
    assert ids(open="true") == {late, on_time, other}
    assert ids(q="停车") == {late}
    assert ids(handler="李四") == {late, on_time}
    assert ids(received_from="2026-03-03") == set()
    # As the platform knew it before the late resolution: still open, not yet late
    # (the due date was still ahead on 2 March).
    assert ids(as_of=before.isoformat(), state="resolved") == {on_time}
    assert ids(as_of=before.isoformat(), late="true") == set()
    # 超期未办结: owed and past due. Now the late case is resolved; as of 9 March
    # as known on 2 March it was still owed, two days past its promise.
    assert ids(overdue="true") == set()
    assert ids(as_of="2026-03-09", known_at=before.isoformat(), overdue="true") == {
        late
    }
    assert ids(as_of="2026-03-01") == set()  # none received by then
    answer = client.get(
        f"{TAHE}/cases",
        params={"as_of": "2026-03-09", "known_at": before.isoformat()},
        headers=supervisor,
    ).json()
    assert (answer["as_of"], answer["known_at"]) == (
        "2026-03-09T23:59:59.999999+08:00",
        "2026-03-02T10:00:00+08:00",
    )

    # Pages of one, stable, with the same total.
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"include_descendants": "true", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"{TAHE}/cases", params=params, headers=supervisor).json()
        assert page["total"] == 3
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [i["id"] for i in everything["items"]]

    # A village sees only itself.
    assert client.get(f"{SIBLING}/cases", headers=clerk).status_code == 404
    mine = client.get(f"{VILLAGE}/cases", headers=clerk).json()
    assert {i["id"] for i in mine["items"]} == {late, on_time}

    # Exports carry the same rows, with Chinese headers.
    response = client.get(
        f"{TAHE}/cases",
        params={"include_descendants": "true", "format": "csv"},
        headers=supervisor,
    )
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = csv_table(response.content)
    assert {r["案件ID"] for r in table} == {late, on_time, other}
    assert {r["超期"] for r in table if r["案件ID"] == late} == {"是"}
    receipts = {i["id"]: i["receipt_number"] for i in everything["items"]}
    assert {r["案件ID"]: r["受理回执号"] for r in table} == receipts
    assert all(RECEIPT.match(number) for number in receipts.values())
    assert {r["承办人"] for r in table} <= {"李四", ""}  # typed in by name
    response = client.get(
        f"{TAHE}/cases",
        params={"include_descendants": "true"},
        headers=supervisor | {"Accept": XLSX},
    )
    rows = split(xlsx_rows(response.content))[1]
    assert rows[0][0] == "受理回执号"
    assert rows[0][-1] == "案件ID"
    assert {r[-1] for r in rows[1:]} == {late, on_time, other}
    received = rows[0].index("受理日期")
    assert all(isinstance(r[received], datetime) for r in rows[1:])  # Excel dates

    # The history as known before the resolution stops at the assignment.
    history = client.get(
        f"{VILLAGE}/cases/{late}/history",
        params={"known_at": before.isoformat()},
        headers=supervisor,
    ).json()
    assert [e["event"] for e in history["events"]] == ["Filed", "Accepted", "Assigned"]
    assert history["events"][0]["event_label"] == "登记"
    assert history["events"][0]["recorded_at"].endswith("+08:00")
    assert history["tenant_name"] == "团结村"
    card = client.get(f"{VILLAGE}/cases/{late}", headers=supervisor).json()
    assert (card["kind_label"], card["channel_label"]) == ("投诉", "市长信箱")
    assert (card["tenant_name"], card["state_label"]) == ("团结村", "已办结")
    assert card["events"][0]["event_label"] == "登记"
    stats = client.get(
        f"{TAHE}/case-stats",
        params={"include_descendants": "true", "format": "csv"},
        headers=supervisor,
    ).content.decode("utf-8-sig")
    figures = {r["指标"]: r for r in csv.DictReader(io.StringIO(stats))}
    assert figures["受理案件"]["数值"] == "3"
    assert figures["渠道：市长信箱"]["数值"] == "1"


def test_queries_are_strict_and_say_when_a_moment_is_in_the_future(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    supervisor = auth("xinhe", "supervisor")
    typo = client.get(f"{TAHE}/cases", params={"lat": "true"}, headers=supervisor)
    assert typo.status_code == 400
    assert typo.json()["field"] == "lat"
    assert typo.json()["type"].endswith("/unknown-parameter")
    wrong = client.get(
        f"{VILLAGE}/disclosures",
        params={"category": "common.financ"},
        headers=supervisor,
    )
    assert wrong.status_code == 422
    assert wrong.json()["type"].endswith("/unknown-category")
    nul = client.get(f"{TAHE}/cases", params={"q": "停\x00车"}, headers=supervisor)
    assert nul.status_code == 422
    forged = client.get(
        f"{TAHE}/cases",
        params={"cursor": encode_key("2026\x00", "x")},
        headers=supervisor,
    )
    assert forged.status_code == 400
    future = client.get(
        f"{TAHE}/cases", params={"as_of": "2027-01-01"}, headers=supervisor
    ).json()
    assert "future" in future["warnings"][0]


def test_disclosures_filter_by_lateness_status_backdating_and_text(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    on_time = client.post(f"{VILLAGE}/disclosures", json=FINANCE, headers=clerk).json()
    late_body = FINANCE | {
        "title": "团结村2025年12月财务收支",
        "formed_on": "2026-01-05",
        "published_on": "2026-02-20",
        "late_reason": "补录：公开栏已于2月20日张贴",
    }
    late = client.post(f"{VILLAGE}/disclosures", json=late_body, headers=clerk)
    assert late.status_code == 201, late.text
    late_id = late.json()["id"]
    clock.advance(hours=1)
    gone = client.post(
        f"{VILLAGE}/disclosures/{on_time['id']}/withdrawal",
        json={"reason": "误发"},
        headers=clerk,
    )
    assert gone.status_code == 200, gone.text

    def ids(**params: Any) -> tuple[set[str], int]:
        response = client.get(f"{VILLAGE}/disclosures", params=params, headers=clerk)
        assert response.status_code == 200, response.text
        body = response.json()
        return {i["id"] for i in body["items"]}, body["total"]

    assert ids() == ({late_id}, 1)
    listed = client.get(f"{VILLAGE}/disclosures", headers=clerk).json()
    assert listed["items"][0]["tenant_name"] == "团结村"
    assert ids(status="withdrawn") == ({on_time["id"]}, 1)
    assert ids(late="true") == ({late_id}, 1)
    assert ids(backdated="true") == ({late_id}, 1)
    assert ids(q="2025年12月") == ({late_id}, 1)
    assert ids(formed_from="2026-02-01") == (set(), 0)
    assert ids(category="财务收支") == ({late_id}, 1)
    assert ids(category="财务管理/财务收支") == ({late_id}, 1)


def test_the_overview_has_a_row_per_tenant_and_town_subtotals_in_every_format(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk", "handler")
    client.post(f"{VILLAGE}/disclosures", json=FINANCE, headers=clerk)
    case = file_case(client, clerk, VILLAGE)
    handled(client, clerk, VILLAGE, case, 2)
    known_then = clock.moment
    clock.advance(days=7)
    late = FINANCE | {"formed_on": "2026-01-05", "title": "团结村2025年12月财务收支"}
    assert client.post(f"{VILLAGE}/disclosures", json=late, headers=clerk).is_success

    supervisor = auth("xinhe", "supervisor")
    body = client.get("/v1/tenants/xinhe/overview", headers=supervisor).json()
    rows = {(r["row_type"], r["tenant"]): r for r in body["rows"]}
    village = rows[("tenant", "xinhe.tahe.tuanjie")]
    assert village["name"] == "团结村"
    assert village["level_label"] == "村"
    assert village["published"] == 2
    assert village["late_items"] == 1
    assert village["open_cases"] == 1
    assert village["overdue_cases"] == 1
    assert village["missing"] == village["required"] - 1
    town = rows[("subtotal", "xinhe.tahe")]
    assert town["published"] == 2
    assert town["cases"] == 1
    assert rows[("total", "xinhe")]["published"] == 2
    assert village["reply_rate"]["denominator"] == 1
    assert body["as_of"].endswith("+08:00")

    # As the platform knew it before the late item and before the case fell due.
    then = client.get(
        "/v1/tenants/xinhe/overview",
        params={"as_of": known_then.isoformat(), "known_at": known_then.isoformat()},
        headers=supervisor,
    ).json()
    before = {(r["row_type"], r["tenant"]): r for r in then["rows"]}
    assert before[("tenant", "xinhe.tahe.tuanjie")]["published"] == 1
    assert before[("tenant", "xinhe.tahe.tuanjie")]["overdue_cases"] == 0

    exported = client.get(
        "/v1/tenants/xinhe/overview", params={"format": "csv"}, headers=supervisor
    )
    by_name = {r["单位"]: r for r in csv_table(exported.content)}
    assert by_name["团结村"]["已公开事项"] == "2"
    assert by_name["塔河镇小计"]["受理案件"] == "1"
    exported = client.get(
        "/v1/tenants/xinhe/overview", params={"format": "xlsx"}, headers=supervisor
    )
    xlsx = {r["单位"]: r for r in xlsx_table(exported.content)}
    assert xlsx["团结村"]["已公开事项"] == 2
    assert xlsx["团结村"]["逾期公开事项"] == 1


def test_the_catalogue_as_known_then_and_one_block_per_tenant(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    before = clock.moment
    clock.advance(hours=1)
    assert client.post(f"{VILLAGE}/disclosures", json=FINANCE, headers=clerk).is_success
    now = client.get(f"{VILLAGE}/catalogue", headers=clerk).json()
    assert "common.finance" not in now["missing"]
    then = client.get(
        f"{VILLAGE}/catalogue",
        params={"known_at": before.isoformat()},
        headers=clerk,
    ).json()
    assert "common.finance" in then["missing"]
    assert then["tenant_name"] == "团结村"
    assert then["categories"][0]["status_label"] in ("已公开", "未公开", "逾期未更新")
    missing = client.get(
        f"{VILLAGE}/catalogue", params={"status": "missing"}, headers=clerk
    ).json()
    assert {c["status"] for c in missing["categories"]} == {"missing"}
    assert len(missing["categories"]) == len(now["missing"])
    wrong = client.get(f"{VILLAGE}/catalogue", params={"status": "gone"}, headers=clerk)
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "status"
    town = client.get(
        f"{TAHE}/catalogue",
        params={"include_descendants": "true"},
        headers=auth("xinhe", "supervisor"),
    ).json()
    assert [b["tenant"] for b in town["blocks"]] == [
        "xinhe.tahe",
        "xinhe.tahe.school-1",
        "xinhe.tahe.tuanjie",
        "xinhe.tahe.xingfu",
    ]
    exported = client.get(
        f"{TAHE}/catalogue",
        params={"include_descendants": "true", "format": "csv"},
        headers=auth("xinhe", "supervisor"),
    ).content
    table = csv_table(exported)
    finance = [
        r for r in table if r["单位"] == "团结村" and r["类别代码"] == "common.finance"
    ]
    assert finance[0]["公开事项数"] == "1"


def test_the_catalogue_as_known_then_uses_the_catalogue_of_then(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    before = clock.moment
    clock.advance(minutes=5)
    supervisor = auth("xinhe", "supervisor")
    loaded = client.post(
        "/v1/tenants/xinhe/catalogue",
        content=county_csv().encode("utf-8-sig"),
        headers={**supervisor, "content-type": "text/csv"},
    )
    assert loaded.status_code == 200, loaded.text

    def codes(**params: Any) -> tuple[int, set[str]]:
        body = client.get(f"{VILLAGE}/catalogue", params=params, headers=supervisor)
        assert body.status_code == 200, body.text
        found = body.json()
        return found["catalogue_version"], {
            c["entry"]["code"] for c in found["categories"]
        }

    version, now = codes()
    assert version == 1
    assert "xinhe.water-fees" in now
    version, then = codes(known_at=before.isoformat())
    assert version == 0
    assert "xinhe.water-fees" not in then


def test_the_catalogue_counts_every_item_and_shows_the_newest_few(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    made = []
    for n, formed in enumerate(
        ["2026-01-05", "2026-02-10", "2026-02-11", "2026-02-12"]
    ):
        clock.advance(hours=1)
        body = {**FINANCE, "title": f"团结村财务收支第{n}期", "formed_on": formed}
        response = client.post(f"{VILLAGE}/disclosures", json=body, headers=clerk)
        assert response.status_code == 201, response.text
        made.append(response.json())
    clock.advance(hours=1)
    gone = made[3]["id"]
    assert client.post(
        f"{VILLAGE}/disclosures/{gone}/withdrawal",
        json={"reason": "重复发布"},
        headers=clerk,
    ).is_success

    body = client.get(
        f"{VILLAGE}/catalogue", params={"items_per_category": 2}, headers=clerk
    ).json()
    finance = next(
        c for c in body["categories"] if c["entry"]["code"] == "common.finance"
    )
    assert finance["item_count"] == 3  # the withdrawn one does not count
    assert finance["late_item_count"] == 1  # formed 5 January: published late
    assert finance["late_items"] == [made[0]["id"]]
    # Newest published first; same day, so newest recorded first.
    assert [i["id"] for i in finance["items"]] == [made[2]["id"], made[1]["id"]]
    listed = client.get(finance["items_url"], headers=clerk).json()
    assert listed["total"] == 3
    assert {i["id"] for i in listed["items"]} == {m["id"] for m in made[:3]}

    none = client.get(
        f"{VILLAGE}/catalogue", params={"items_per_category": 0}, headers=clerk
    ).json()
    finance = next(
        c for c in none["categories"] if c["entry"]["code"] == "common.finance"
    )
    assert finance["items"] == []
    assert finance["item_count"] == 3
    assert finance["status"] == "covered"
    too_many = client.get(
        f"{VILLAGE}/catalogue", params={"items_per_category": 201}, headers=clerk
    )
    assert too_many.status_code == 422
    assert too_many.headers["content-type"].startswith("application/problem+json")
