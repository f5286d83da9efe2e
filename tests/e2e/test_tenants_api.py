"""Tenants over HTTP: registering, nesting rules, scope and renaming."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import TokenFactory


def position(client: TestClient) -> int:
    return int(client.get("/v1/health").json()["position"])


def test_the_installation_admin_registers_a_county(
    client: TestClient, auth: TokenFactory
) -> None:
    response = client.post(
        "/v1/tenants",
        json={"code": "xinhe", "name": "新和县", "level": "县"},
        headers=auth(None, "admin"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["path"] == "xinhe"
    assert body["level"] == "county"
    assert body["level_label"] == "县"
    assert response.headers["Location"] == "/v1/tenants/xinhe"
    assert response.headers["ETag"] == '"1"'


def test_a_county_admin_registers_below_its_own_node(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    county_admin = auth("xinhe", "admin")
    response = client.post(
        "/v1/tenants",
        json={
            "code": "czs",
            "name": "塔河镇财政所",
            "level": "unit",
            "kind": "科室",
            "parent": "xinhe.tahe",
        },
        headers=county_admin,
    )
    assert response.status_code == 201, response.text
    assert response.json()["kind_label"] == "科室"
    town = client.get("/v1/tenants/xinhe.tahe", headers=county_admin).json()
    assert "xinhe.tahe.czs" in [c["path"] for c in town["children"]]


def test_bad_tenants_are_problems_that_change_nothing(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    admin = auth(None, "admin")
    cases = [
        (
            {"code": "bad", "name": "某村", "level": "village", "parent": "xinhe"},
            422,
            "invalid-nesting",
            "parent",
        ),
        (
            {
                "code": "u1",
                "name": "某站",
                "level": "unit",
                "parent": "xinhe.tahe.tuanjie",
                "kind": "station",
            },
            422,
            "invalid-nesting",
            "parent",
        ),
        (
            {"code": "u2", "name": "某单位", "level": "unit", "parent": "xinhe"},
            422,
            "invalid-nesting",
            "kind",
        ),
        (
            {"code": "tahe", "name": "塔河镇", "level": "town", "parent": "xinhe"},
            409,
            "tenant-exists",
            "code",
        ),
        (
            {"code": "x1", "name": "某镇", "level": "town", "parent": "nowhere"},
            404,
            "tenant-not-found",
            "parent",
        ),
        (
            {"code": "Tahe!", "name": "某镇", "level": "town", "parent": "xinhe"},
            422,
            "invalid-tenant-code",
            "code",
        ),
        (
            {"code": "x2", "name": "某镇", "level": "city", "parent": "xinhe"},
            422,
            "invalid-input",
            "level",
        ),
        (
            {"code": "x3", "level": "town", "parent": "xinhe"},
            422,
            "validation-error",
            "name",
        ),
        (
            {"code": "x4", "name": "某镇", "level": "town", "parent": "xinhe", "x": 1},
            422,
            "validation-error",
            "x",
        ),
    ]
    before = position(client)
    for body, status, slug, field in cases:
        response = client.post("/v1/tenants", json=body, headers=admin)
        assert response.status_code == status, (body, response.text)
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert problem["type"].endswith("/" + slug), problem
        assert problem["field"] == field, problem
        assert problem["status"] == status
        assert problem["detail"]
    assert position(client) == before


def test_only_admins_register_and_only_the_installation_admin_registers_counties(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    county = {"code": "aksu", "name": "阿克苏县", "level": "county"}
    town = {"code": "new", "name": "新镇", "level": "town", "parent": "xinhe"}
    assert (
        client.post(
            "/v1/tenants", json=county, headers=auth("xinhe", "admin")
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/v1/tenants", json=town, headers=auth("xinhe", "supervisor")
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/v1/tenants", json=town, headers=auth("wensu", "admin")
        ).status_code
        == 404
    )
    assert client.post("/v1/tenants", json=town).status_code == 401


def test_each_caller_sees_only_its_own_roots(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    everyone = client.get("/v1/tenants", headers=auth(None, "admin")).json()
    assert [t["path"] for t in everyone["items"]] == ["wensu", "xinhe"]
    town = client.get("/v1/tenants", headers=auth("xinhe.tahe", "supervisor")).json()
    assert [t["path"] for t in town["items"]] == ["xinhe.tahe"]
    assert (
        client.get(
            "/v1/tenants/xinhe", headers=auth("xinhe.tahe", "supervisor")
        ).status_code
        == 404
    )


def test_renaming_honours_if_match(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    admin = auth("xinhe", "admin")
    stale = client.post(
        "/v1/tenants/xinhe.tahe/rename",
        json={"name": "塔河乡"},
        headers={**admin, "If-Match": '"7"'},
    )
    assert stale.status_code == 409
    assert stale.json()["type"].endswith("/version-mismatch")
    assert stale.json()["current"] == 1
    ok = client.post(
        "/v1/tenants/xinhe.tahe/rename",
        json={"name": "塔河乡"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["name"] == "塔河乡"
    assert ok.headers["ETag"] == '"2"'
    shown = client.get("/v1/tenants/xinhe", headers=admin).json()
    assert "塔河乡" in [c["name"] for c in shown["children"]]
    bad = client.post(
        "/v1/tenants/xinhe.tahe/rename",
        json={"name": "x"},
        headers={**admin, "If-Match": "yesterday"},
    )
    assert bad.status_code == 400
