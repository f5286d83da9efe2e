"""The monthly check of the demo, as a county 政务公开办 staffer does it over HTTP.

The demo (新和县, a simulated year ending Friday 20 November 2026) is loaded into a
fresh PostgreSQL database; the county office's staffer (XH-0001, supervisor) signs in
with the demo password and, on 20 November, checks October.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.cases.receipts import RECEIPT
from services.server import create_app
from tests.demo_store import county_supervisor, demo_platform
from tests.exports import csv_rows, records, split, xlsx_rows

END = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China
SCENIC = "/v1/tenants/xinhe.ysfjq"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def desk(
    fresh_pg_url: str, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with demo_platform(fresh_pg_url, tmp_path, end=END, now=NOW) as (
        settings,
        clock,
        platform,
    ):
        platform.rebuild()
        clock.moment = NOW
        with TestClient(create_app(settings, platform=platform)) as client:
            yield client, county_supervisor(client)


def test_the_monthly_check_of_the_demo(desk: tuple[TestClient, dict[str, str]]) -> None:
    client, staff = desk

    # 1. The overview as of the end of last month, as the platform knew it then.
    month_end = {"as_of": "2026-10-31", "known_at": "2026-10-31"}
    response = client.get("/v1/tenants/xinhe/overview", params=month_end, headers=staff)
    assert response.status_code == 200, response.text
    overview = response.json()
    assert overview["as_of"] == "2026-10-31T23:59:59.999999+08:00"
    rows = {(r["row_type"], r["tenant"]): r for r in overview["rows"]}
    # 17 of the demo's list and 新和县生态环境局 (services/demo/participation.py)
    assert len([r for r in overview["rows"] if r["row_type"] == "tenant"]) == 18
    town = rows[("subtotal", "xinhe.xinhe-zhen")]
    villages = [
        r
        for (kind, path), r in rows.items()
        if kind == "tenant" and path.startswith("xinhe.xinhe-zhen")
    ]
    assert town["published"] == sum(r["published"] for r in villages)
    assert town["late_items"] == sum(r["late_items"] for r in villages)
    total = rows[("total", "xinhe")]
    assert total["published"] > 0
    assert total["withdrawals"] >= 1  # the demo withdraws one item
    scenic = rows[("tenant", "xinhe.ysfjq")]
    assert scenic["name"] == "玉佛山风景名胜区管理处"
    # Known now, more happened after October: the figures of then do not move.
    later = client.get("/v1/tenants/xinhe/overview", headers=staff).json()
    assert later["rows"][-1]["cases"] >= total["cases"]
    again = client.get("/v1/tenants/xinhe/overview", params=month_end, headers=staff)
    assert again.json()["rows"] == overview["rows"]

    # 2. The scenic office's 17 complaints, the late ones among them.
    complaints = client.get(
        f"{SCENIC}/cases", params={"kind": "投诉", "limit": 50}, headers=staff
    ).json()
    assert complaints["total"] == 17
    assert len(complaints["items"]) == 17
    assert sum(i["channel"] == "mailbox" for i in complaints["items"]) == 6
    late = client.get(
        f"{SCENIC}/cases", params={"kind": "complaint", "late": "true"}, headers=staff
    ).json()
    stats = client.get(f"{SCENIC}/case-stats", headers=staff).json()
    on_time = stats["on_time_rate"]
    resolved_late = on_time["denominator"] - on_time["numerator"]
    open_late = sum(i["completed_on"] is None for i in late["items"])
    assert late["total"] == resolved_late + open_late
    assert all(i["late"] for i in late["items"])
    assert {i["id"] for i in late["items"]} <= {i["id"] for i in complaints["items"]}

    # 3. Exports read back with the same numbers as the JSON.
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        exported = client.get(
            "/v1/tenants/xinhe/overview",
            params={**month_end, "format": fmt},
            headers=staff,
        )
        assert exported.status_code == 200
        # The moments it was taken at, in its name and its first rows.
        name = exported.headers["content-disposition"]
        assert "as-of-20261031-2359_known-at-20261031-2359_taken-20261120-1000" in name
        heading, rows = split(read(exported.content))
        assert heading["截至（as_of）"][:2] == ["2026-10-31 23:59", "as_of=2026-10-31"]
        assert heading["按当时所知（known_at）"][1] == "known_at=2026-10-31"
        assert heading["导出时间"][0] == "2026-11-20 10:00"
        table = records(rows)
        assert len(table) == len(overview["rows"])
        for json_row, sheet_row in zip(overview["rows"], table, strict=True):
            assert sheet_row["单位"] == json_row["name"]
            for key, header in (
                ("published", "已公开事项"),
                ("late_items", "逾期公开事项"),
                ("missing", "未公开类别"),
                ("open_cases", "未结案件"),
                ("overdue_cases", "超期未办结案件"),
            ):
                assert str(sheet_row[header]) == str(json_row[key]), (fmt, key)
            assert str(sheet_row["答复率分子"]) == str(
                json_row["reply_rate"]["numerator"]
            )
            rate = json_row["reply_rate"]["value"]  # a fraction in the JSON
            if rate is not None:  # a percentage for people (#23)
                shown = sheet_row["答复率"]
                assert shown == (f"{rate * 100:.1f}%" if fmt == "csv" else rate)
        listed = client.get(
            f"{SCENIC}/cases",
            params={"kind": "complaint"},
            headers=staff | {"Accept": XLSX if fmt == "xlsx" else "text/csv"},
        )
        cases = records(split(read(listed.content))[1])
        assert len(cases) == 17
        assert sum(r["超期"] == "是" for r in cases) == late["total"]
        assert {r["案件ID"] for r in cases} == {i["id"] for i in complaints["items"]}
        assert {r["受理渠道"] for r in cases} >= {"市长信箱"}
        # The handler by name, as on the card; the receipt number people quote.
        assert {r["承办人"] for r in cases} == {"李明（XH-0301）"}
        assert all(RECEIPT.match(r["受理回执号"]) for r in cases)

    # 4. The scenic office's cases were handled by its registered staffer, and
    # their timelines say who: 李明, not a token's id (#23).
    card = client.get(
        f"{SCENIC}/cases/{complaints['items'][0]['id']}", headers=staff
    ).json()
    assert card["handler_name"] == "李明"
    assert {e["actor"].get("name") for e in card["events"]} == {"李明"}
