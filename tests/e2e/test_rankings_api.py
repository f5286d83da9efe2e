"""A town's monthly ranking of its villages: weights as data, 样本不足, intervals."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from tests.e2e.conftest import TokenFactory

TOWN = "/v1/tenants/xinhe.tahe"
CASE = {
    "kind": "complaint",
    "channel": "mailbox",
    "signed": True,
    "summary": "路灯不亮",
    "applicant": {"name": "张三", "phone": "13812345678"},
}
STEPS = (
    ("accept", {}),
    ("assign", {"department": "社会事务服务部", "handler": "李四"}),
    ("resolve", {"result": "已修复"}),
    ("reply", {"method": "电话", "content": "已告知"}),
    ("feedback", {"rating": "satisfied"}),
)


def handle(client: TestClient, village: str, headers: dict[str, str]) -> None:
    base = f"/v1/tenants/{village}/cases"
    filed = client.post(base, json=CASE, headers=headers)
    assert filed.status_code == 201, filed.text
    for step, body in STEPS:
        done = client.post(
            f"{base}/{filed.json()['id']}/{step}", json=body, headers=headers
        )
        assert done.status_code == 200, done.text


def test_a_monthly_ranking_with_a_minimum_sample(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    sup = auth("xinhe.tahe", "supervisor")
    scheme = {"weights": {"response": 30, "resolution": 35, "satisfaction": 35},
              "min_sample": 2}  # fmt: skip
    put = client.put(f"{TOWN}/ranking-scheme", json=scheme, headers=sup)
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 1
    denied = client.put(
        f"{TOWN}/ranking-scheme", json=scheme, headers=auth("xinhe.tahe", "clerk")
    )
    assert denied.status_code == 403
    for _ in range(2):
        handle(client, "xinhe.tahe.tuanjie", auth("xinhe.tahe.tuanjie", "clerk"))
    handle(client, "xinhe.tahe.xingfu", auth("xinhe.tahe.xingfu", "clerk"))
    got = client.get(f"{TOWN}/rankings?month=2026-03", headers=sup)
    assert got.status_code == 200, got.text
    rows: list[dict[str, Any]] = got.json()["rows"]
    assert [(r["unit"], r["rank"], r["status"]) for r in rows] == [
        ("xinhe.tahe.tuanjie", 1, "ranked"),
        ("xinhe.tahe.school-1", None, "样本不足"),
        ("xinhe.tahe.xingfu", None, "样本不足"),
    ]
    top = rows[0]
    assert top["composite"] == 1.0
    assert top["rates"]["satisfaction"]["ci95"][1] == 1.0
    assert top["interval"][0] < 1.0
    book = client.get(f"{TOWN}/rankings?month=2026-03&format=xlsx", headers=sup)
    assert book.status_code == 200, book.text
    sheet = list(
        openpyxl.load_workbook(io.BytesIO(book.content)).active.iter_rows(
            values_only=True
        )
    )
    header = sheet[0]
    assert header[:3] == ("名次", "单位", "单位路径")
    at = {name: i for i, name in enumerate(header)}
    assert [
        (r[at["单位路径"]], r[at["名次"]] or None, r[at["状态"]]) for r in sheet[1:]
    ] == [(r["unit"], r["rank"], r["status"]) for r in rows]
    assert sheet[1][at["综合得分"]] == top["composite"]
    assert sheet[1][at["满意率95%上限"]] == top["rates"]["satisfaction"]["ci95"][1]
    assert sheet[1][at["综合95%下限"]] == top["interval"][0]
    earlier = client.get(f"{TOWN}/rankings?month=2026-02", headers=sup).json()
    assert all(r["status"] == "样本不足" for r in earlier["rows"])
    bad = client.get(f"{TOWN}/rankings?month=2026-13", headers=sup)
    assert bad.status_code in (400, 422)
    other = client.get(
        f"{TOWN}/rankings?month=2026-03", headers=auth("wensu", "supervisor")
    )
    assert other.status_code == 404
