"""Withdrawn means withdrawn (#23 §4): the public board shows no content of a
withdrawn item; a withdrawal for personal data (涉及个人隐私) also takes the content
out of the lists, their exports and the streams, and the record keeps it for staff."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from tests.e2e.conftest import TokenFactory
from tests.e2e.test_web_console import csrf, sign_in
from tests.web_seed import CLERK_USER, TUANJIE, seed

API = f"/v1/tenants/{TUANJIE}/disclosures"
FIRST = "低保户张三丰（身份证号652928196001011234）本月领取低保金610元。"
SECOND = "低保户张三丰（身份证号652928196001011234）本月领取低保金650元。"
PUBLISHED = "cn.gongkai.disclosure.DisclosurePublished.v1"
REVISED = "cn.gongkai.disclosure.DisclosureRevised.v1"
WITHDRAWN = "cn.gongkai.disclosure.DisclosureWithdrawn.v2"


def table(content: bytes, fmt: str) -> list[str]:
    """Every cell of an export, as text."""
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    return [str(c) for row in rows for c in row if c is not None]


def publish_and_correct(client: TestClient, clerk: dict[str, str]) -> str:
    item = client.post(
        API,
        json={
            "category": "common.subsistence",
            "title": "团结村3月低保金发放名单",
            "body": FIRST,
            "channels": ["公开栏"],
            "formed_on": "2026-03-02",
        },
        headers=clerk,
    )
    assert item.status_code == 201, item.text
    revised = client.post(
        f"{API}/{item.json()['id']}/revisions",
        json={"reason": "更正金额", "body": SECOND},
        headers=clerk,
    )
    assert revised.status_code == 200, revised.text
    return str(item.json()["id"])


def withdraw_in_the_console(client: TestClient, item: str) -> None:
    """The clerk ticks 因涉及个人隐私撤回 on the item's page."""
    sign_in(client, CLERK_USER)
    page = client.get(f"/console/t/{TUANJIE}/items/{item}").text
    assert 'name="personal_data"' in page
    done = client.post(
        f"/console/t/{TUANJIE}/items/{item}/withdraw",
        data={
            "csrf_token": csrf(page),
            "version": "2",
            "withdraw_reason": "误发：该事项涉及个人隐私",
            "personal_data": "on",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def test_a_withdrawal_for_personal_data_takes_the_content_off_every_public_surface(
    client: TestClient, platform: Any, auth: TokenFactory
) -> None:
    ids = seed(platform)  # also an item withdrawn as 误发, without the grounds
    clerk = auth(TUANJIE, "clerk")
    integrator = auth(TUANJIE, "integrator")
    item = publish_and_correct(client, clerk)
    withdraw_in_the_console(client, item)

    # The public board: title, day and reason; no version's text, not by ?version.
    for query in ("", "?version=1", "?version=2", "?version=3"):
        page = client.get(f"/gongkai/{TUANJIE}/items/{item}{query}")
        assert page.status_code == 200
        assert "团结村3月低保金发放名单" in page.text
        assert "撤回原因：误发：该事项涉及个人隐私" in page.text
        assert "张三丰" not in page.text, query
        assert "?version=" not in page.text
    other = client.get(f"/gongkai/{TUANJIE}/items/{ids['withdrawn']}").text
    assert "撤回原因：误发" in other
    assert "此条误发。" not in other  # any withdrawn item, whatever the grounds

    # The record keeps it: the console's item page and the history for staff.
    console = client.get(f"/console/t/{TUANJIE}/items/{item}").text
    assert "650元" in console
    assert "涉及个人隐私</span>" in console
    history = client.get(f"{API}/{item}/history", headers=clerk).json()
    assert [v["personal_data"] for v in history["versions"]] == [False, False, True]
    assert history["versions"][1]["state"]["body"] == SECOND
    assert not history["versions"][1]["state"]["content_withheld"]
    # ... not an integrator's token.
    theirs = client.get(f"{API}/{item}/history", headers=integrator).json()
    assert {v["state"]["body"] for v in theirs["versions"]} == {""}
    assert all(v["state"]["content_withheld"] for v in theirs["versions"])

    # The lists and their exports, for staff too; and no search by its words.
    listed = client.get(API, params={"status": "withdrawn"}, headers=clerk).json()
    rows = {r["id"]: r for r in listed["items"]}
    assert rows[item]["content_withheld"] is True
    assert rows[item]["attachments"] == []
    assert "body" not in rows[item]  # a list has no text; the item's route has it
    assert rows[ids["withdrawn"]]["content_withheld"] is False
    gone = client.get(f"{API}/{ids['withdrawn']}", headers=clerk).json()
    assert (gone["body"], gone["content_withheld"]) == ("此条误发。", False)
    now = client.get(f"{API}/{item}", headers=clerk).json()
    assert (now["body"], now["content_withheld"]) == ("", True)
    for fmt in ("csv", "xlsx"):
        export = client.get(
            API, params={"status": "withdrawn", "format": fmt}, headers=clerk
        )
        assert export.status_code == 200, export.text
        cells = table(export.content, fmt)
        assert "团结村3月低保金发放名单" in cells
        assert not [c for c in cells if "张三丰" in c]
    found = client.get(
        API, params={"status": "withdrawn", "q": "张三丰"}, headers=clerk
    ).json()
    assert found["total"] == 0

    # The streams: the item's earlier events without their content from now on;
    # the withdrawal says why, so a consumer deletes what it already holds.
    events = client.get(
        "/v1/feed", params={"after": 0, "limit": 1000}, headers=integrator
    ).json()["events"]
    mine = {e["type"]: e["data"] for e in events if e["partitionkey"] == item}
    assert mine[PUBLISHED]["body"] == mine[REVISED]["body"] == ""
    assert mine[PUBLISHED]["withheld"] is mine[REVISED]["withheld"] is True
    assert mine[WITHDRAWN]["personal_data"] is True
    assert "张三丰" not in str(events)
    kept = [
        e["data"]
        for e in events
        if e["partitionkey"] == ids["withdrawn"] and e["type"] == PUBLISHED
    ]
    assert kept[0]["body"] == "此条误发。"  # withdrawn without the grounds
    assert "withheld" not in kept[0]
