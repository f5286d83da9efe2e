"""The annual report over HTTP: a decided request and a review in the tables, the
written sections, the four formats, publication and correction, the county summary,
and the scope rule."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from infra.settings import Settings
from tests.conftest import MutableClock, build_tree
from tests.e2e.conftest import TokenFactory

TOWN = "xinhe.tahe"


def _cells(report: dict[str, Any], table: str, row: str) -> dict[str, int]:
    found = [r for r in report["tables"][table]["rows"] if r["code"] == row]
    return found[0]["cells"]


def _decided_request(client: TestClient, clerk: dict[str, str]) -> str:
    base = f"/v1/tenants/{TOWN}/cases"
    filed = client.post(
        base,
        json={
            "kind": "依申请公开",
            "channel": "letter",
            "summary": "申请公开塔河镇2026年征地补偿标准",
            "signed": True,
            "applicant": {"name": "李明"},
            "applicant_type": "商业企业",
        },
        headers=clerk,
    )
    assert filed.status_code == 201, filed.text
    case = filed.json()["id"]
    assert [e["event"] for e in filed.json()["events"]][:2] == [
        "Filed",
        "ApplicantClassified",
    ]
    for action, body in (
        ("accept", {}),
        ("assign", {"department": "党政综合办", "handler": "王五"}),
    ):
        r = client.post(f"{base}/{case}/{action}", json=body, headers=clerk)
        assert r.status_code == 200, r.text
    bad = client.post(
        f"{base}/{case}/resolve",
        json={
            "result": "不予公开",
            "answer": "不予公开",
            "answer_reason": "太忙",
            "legal_ground": "条例第十四条",
        },
        headers=clerk,
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "answer_reason"
    resolved = client.post(
        f"{base}/{case}/resolve",
        json={
            "result": "不予公开",
            "answer": "不予公开",
            "answer_reason": "属于国家秘密",
            "legal_ground": "条例第十四条",
        },
        headers=clerk,
    )
    assert resolved.status_code == 200, resolved.text
    details = resolved.json()["events"][-1]["details"]
    assert details["answer_category"] == "refuse"
    assert details["answer_reason"] == "state_secret"
    return str(case)


def test_report_tables_sections_formats_publication_and_summary(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth(TOWN, "clerk")
    case = _decided_request(client, clerk)
    review = client.post(
        f"/v1/tenants/{TOWN}/cases/{case}/challenges",
        json={"route": "行政复议", "filed_on": "2026-03-02"},
        headers=clerk,
    )
    assert review.status_code == 201, review.text
    decided = client.post(
        f"/v1/tenants/{TOWN}/challenges/{review.json()['id']}/decision",
        json={"outcome": "纠正", "decided_on": "2026-03-02"},
        headers=clerk,
    )
    assert decided.json()["outcome"] == "corrected"

    url = f"/v1/tenants/{TOWN}/annual-reports/2026"
    for n, body, code in (
        (1, {"text": "2026年，塔河镇坚持以公开为常态。"}, 200),
        (2, {"inputs": {"licensing.decisions": 126, "fees.amount": 3.2}}, 200),
        (3, {"text": "表三由系统生成"}, 422),
        (2, {"inputs": {"fees.total": 1}}, 422),
    ):
        r = client.put(f"{url}/sections/{n}", json=body, headers=clerk)
        assert r.status_code == code, r.text

    report = client.get(url, headers=clerk).json()
    assert _cells(report, "applications", "new")["commercial"] == 1
    assert _cells(report, "applications", "refuse.state_secret")["total"] == 1
    assert _cells(report, "applications", "carried_out")["total"] == 0
    assert _cells(report, "reviews_lawsuits", "all")["review.corrected"] == 1
    assert report["sections"]["1"]["text"].startswith("2026年")
    proactive = {
        r["code"]: r
        for s in report["tables"]["proactive"]["sections"]
        for r in s["rows"]
    }
    assert proactive["fees"]["cells"]["amount"] == 3.2
    assert proactive["fees"]["sources"]["amount"] == "input"
    # Known before the answer: the request is still open.
    early = client.get(url, params={"as_of": "2026-03-01"}, headers=clerk).json()
    assert _cells(early, "applications", "new")["total"] == 0

    page = client.get(url, params={"format": "html"}, headers=clerk)
    assert f'href="/v1/tenants/{TOWN}/cases/{case}"' in page.text
    assert "收到和处理政府信息公开申请情况" in page.text
    # China time to the minute, not UTC ISO (#23); styled from a file (CSP).
    moment = "截至 2026-03-02 10:00（北京时间），以 2026-03-02 10:00 时的记录为准"
    assert moment in page.text
    assert "+00:00" not in page.text
    assert "<style" not in page.text
    pdf = client.get(url, params={"format": "pdf"}, headers=clerk)
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(url, params={"format": "xlsx"}, headers=clerk)
    assert xlsx.content.startswith(b"PK")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert all(sheet.cell(2, 1).value == moment for sheet in book.worksheets)

    # The year is not over: the report is a draft and cannot be published yet.
    assert report["status"] == "draft"
    assert report["deadline"]["on"] == "2027-01-31"
    assert "草稿" in page.text
    early = client.post(f"{url}/publish", json={}, headers=clerk)
    assert early.status_code == 409, early.text
    assert early.json()["title_zh"].startswith("报告年度尚未结束")
    clock.moment = datetime(2027, 1, 5, 2, tzinfo=UTC)
    published = client.post(f"{url}/publish", json={}, headers=clerk)
    assert published.status_code == 201, published.text
    item = published.json()["disclosure_id"]
    shown = client.get(f"/v1/tenants/{TOWN}/disclosures/{item}", headers=clerk)
    assert shown.json()["title"] == "塔河镇2026年政府信息公开工作年度报告"
    again = client.post(f"{url}/publish", json={}, headers=clerk)
    assert again.status_code == 422
    fix = {"inputs": {"fees.amount": 3.25}}
    assert client.put(f"{url}/sections/2", json=fix, headers=clerk).status_code == 200
    corrected = client.post(
        f"{url}/publish", json={"reason": "更正表二收费金额"}, headers=clerk
    )
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["disclosure_id"] == item
    assert corrected.json()["revision"] is True

    county = auth("xinhe", "supervisor")
    summary = client.get(
        "/v1/tenants/xinhe/annual-reports/2026/summary", headers=county
    )
    body = summary.json()
    assert _cells(body, "applications", "new")["total"] == 1
    summed = {
        r["code"]: r["cells"]
        for s in body["tables"]["proactive"]["sections"]
        for r in s["rows"]
    }
    assert summed["licensing"]["decisions"] == 126
    assert "xinhe" in body["not_published"]
    assert TOWN not in body["not_published"]
    due = {r["tenant"]: r["due_on"] for r in body["reports"]}
    assert due["xinhe"] == "2027-03-31"
    assert body["late"] == []
    assert due[TOWN] == "2027-01-31"
    assert "xinhe.tahe.tuanjie" not in due  # villages owe none

    other = auth("wensu", "clerk")
    assert client.get(url, headers=other).status_code == 404
    assert (
        client.put(f"{url}/sections/1", json={"text": "x"}, headers=other).status_code
        == 404
    )


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_cli_writes_the_report_as_pdf_and_the_summary(
    platform: Any, settings: Settings, tmp_path: Path
) -> None:
    build_tree(platform)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env |= {
        "GONGKAI_HOME": str(settings.home),
        "GONGKAI_DATABASE_URL": settings.database_url,
    }
    gongkai = str(Path(sys.executable).parent / "gongkai")
    out = tmp_path / "report.pdf"
    args = ["report", "annual", TOWN, "2026", "--format", "pdf", "-o", str(out)]
    done = subprocess.run(
        [gongkai, *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    summary = subprocess.run(
        [gongkai, "report", "annual", "xinhe", "2026", "--summary"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(summary.stdout)["not_published"][0] == "xinhe"
    unknown = subprocess.run(
        [gongkai, "report", "annual", "nowhere", "2026"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert unknown.returncode == 1
