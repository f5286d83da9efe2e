"""A county's own catalogue and next year's holidays, over HTTP."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from domain.disclosures.catalogue import catalogue_to_csv, find_entry
from domain.disclosures.catalogue_defaults import DEFAULT_CATALOGUE
from tests.conftest import MutableClock
from tests.e2e.conftest import FINANCE, TokenFactory


def county_csv() -> str:
    finance = find_entry("common.finance", DEFAULT_CATALOGUE)
    assert finance is not None
    own = replace(finance, level2="村级财务收支（新和县目录）")
    extra = replace(
        finance,
        code="xinhe.water-fees",
        level1="水费收缴",
        level2="农业灌溉水费收缴情况",
        applies_to=("village",),
    )
    return catalogue_to_csv([own, extra])


def test_a_county_loads_its_own_catalogue_and_its_villages_use_it(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    supervisor = auth("xinhe", "supervisor")
    loaded = client.post(
        "/v1/tenants/xinhe/catalogue",
        params={"source": "新和县标准目录2026.csv"},
        content=county_csv().encode("utf-8-sig"),
        headers={**supervisor, "content-type": "text/csv"},
    )
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["catalogue_version"] == 1
    assert loaded.json()["codes"] == ["common.finance", "xinhe.water-fees"]

    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    item = client.post(
        "/v1/tenants/xinhe.tahe.tuanjie/disclosures",
        headers=clerk,
        json={
            **FINANCE,
            "category": "xinhe.water-fees",
            "title": "团结村2026年灌溉水费收缴情况",
        },
    )
    assert item.status_code == 201, item.text
    assert item.json()["category_label"] == "水费收缴/农业灌溉水费收缴情况"
    catalogue = client.get(
        "/v1/tenants/xinhe.tahe.tuanjie/catalogue", headers=clerk
    ).json()
    assert catalogue["catalogue_version"] == 1
    codes = [c["entry"]["code"] for c in catalogue["categories"]]
    assert "xinhe.water-fees" in codes
    # Another county's village still has only the defaults.
    other = client.post(
        "/v1/tenants/wensu/disclosures",
        headers=auth("wensu", "clerk"),
        json={**FINANCE, "category": "xinhe.water-fees"},
    )
    assert other.status_code == 422


def test_a_broken_catalogue_names_the_line_and_column_and_loads_nothing(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    text = county_csv().replace("按月", "每天", 1).replace("按季度", "每天", 1)
    response = client.post(
        "/v1/tenants/xinhe/catalogue",
        content=text.encode(),
        headers={**auth("xinhe", "admin"), "content-type": "text/csv"},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/invalid-catalogue")
    assert problem["line"] == 2
    assert problem["field"] == "公开周期"
    catalogue = client.get(
        "/v1/tenants/xinhe/catalogue", headers=auth("xinhe", "admin")
    ).json()
    assert catalogue["catalogue_version"] == 0


def test_only_a_county_loads_a_catalogue(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    response = client.post(
        "/v1/tenants/xinhe.tahe/catalogue",
        content=county_csv().encode(),
        headers={**auth("xinhe.tahe", "admin"), "content-type": "text/csv"},
    )
    assert response.status_code == 403


def test_the_template_is_the_default_catalogue_as_csv(client: TestClient) -> None:
    response = client.get("/v1/catalogue/template.csv")
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    assert "common.finance" in response.text


def test_next_years_holidays_move_due_dates(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    clock.moment = clock.moment.replace(year=2027, month=1, day=4)
    before = client.post(
        "/v1/tenants/xinhe.tahe.tuanjie/disclosures",
        headers=clerk,
        json={**FINANCE, "formed_on": "2026-12-30"},
    ).json()
    assert before["due_on"] == "2027-01-27"
    assert any("2027" in w for w in before["warnings"])
    years = client.get("/v1/calendar/years", headers=clerk).json()["years"]
    assert 2027 not in [y["year"] for y in years]

    schedule = {
        "year": 2027,
        "holidays": ["2027-01-01", "2027-01-18", "2027-01-19"],
        "workdays": ["2027-01-16"],
        "source": "测试用安排（非官方）",
    }
    denied = client.post(
        "/v1/tenants/xinhe.tahe/holiday-schedules",
        json=schedule,
        headers=auth("xinhe.tahe", "supervisor"),
    )
    assert denied.status_code == 403
    uploaded = client.post(
        "/v1/tenants/xinhe/holiday-schedules",
        json=schedule,
        headers=auth("xinhe", "supervisor"),
    )
    assert uploaded.status_code == 201, uploaded.text
    after = client.post(
        "/v1/tenants/xinhe.tahe.tuanjie/disclosures",
        headers=clerk,
        json={**FINANCE, "formed_on": "2026-12-30"},
    ).json()
    # 3 weekday holidays (1 Jan, 18–19 Jan) less 1 make-up Saturday: 2 days later.
    assert after["due_on"] == "2027-01-29"
    assert after["warnings"] == []
    years = client.get("/v1/calendar/years", headers=clerk).json()["years"]
    assert {"year": 2027, "source": "测试用安排（非官方）"} in years
    bad = client.post(
        "/v1/tenants/xinhe/holiday-schedules",
        json={**schedule, "workdays": ["2027-01-18"]},
        headers=auth("xinhe", "supervisor"),
    )
    assert bad.status_code == 422
    assert bad.json()["type"].endswith("/invalid-holiday-schedule")
