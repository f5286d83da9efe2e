"""Reads answered in front of the app (services/api/front.py): the same answer,
headers and body, as the route's path, apart from the request id and Date; still
counted in /metrics and echoing X-Request-ID; a write moves the key. API reads: the
token is checked as the route checks it (revoked, rotated, roles changed: never a
kept answer), and the scope is part of the key."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from services.api.front import FrontReads
from tests.e2e import test_clients_api as clients
from tests.e2e import test_staff_api as staff
from tests.e2e.conftest import FINANCE, TokenFactory

BOARD = "/gongkai/xinhe.tahe.tuanjie"
PER_REQUEST = {"x-request-id", "date"}


def front_of(client: TestClient) -> FrontReads:
    """The app's FrontReads layer (the middleware stack is built on first use)."""
    layer = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, FrontReads):
        layer = layer.app
    return layer


def answer_of(response: Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = sorted(
        (k.lower(), v)
        for k, v in response.headers.multi_items()
        if k.lower() not in PER_REQUEST
    )
    return response.status_code, headers, response.content


def board_count(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("gongkai_http_requests_total{") and (
            'route="/gongkai/{path}"' in line and 'status="200"' in line
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_front_answer_is_the_routes_answer(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    rendered = client.get(BOARD)  # through the app: rendered, kept with its headers
    front = front_of(client)
    before, counted = front.answered, board_count(client)
    again = client.get(BOARD, headers={"X-Request-ID": "front-1"})
    assert front.answered == before + 1  # answered in front of the app
    assert again.headers["x-request-id"] == "front-1"
    assert answer_of(again) == answer_of(rendered)
    assert board_count(client) == counted + 1  # /metrics counts it on its route

    # A 304 from the route's path, then from the front: the same headers.
    etag = rendered.headers["etag"]
    front._recipes.clear()
    routed = client.get(BOARD, headers={"If-None-Match": etag})
    client.get(BOARD)  # the front learns the page again
    before = front.answered
    fronted = client.get(BOARD, headers={"If-None-Match": etag})
    assert front.answered == before + 1
    assert routed.status_code == fronted.status_code == 304
    assert answer_of(fronted) == answer_of(routed)

    # A write moves the key: the front neither sends the old page nor a 304.
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    made = client.post(
        "/v1/tenants/xinhe.tahe.tuanjie/disclosures", json=FINANCE, headers=clerk
    )
    assert made.status_code == 201, made.text
    assert client.get(BOARD, headers={"If-None-Match": etag}).status_code == 200
    assert FINANCE["title"] in client.get(BOARD).text


def test_unknown_pages_and_other_tenants_are_not_answered_in_front(
    client: TestClient, tree: None
) -> None:
    client.get(BOARD)
    front = front_of(client)
    before = front.answered
    assert client.get("/gongkai/xinhe.tahe.nowhere").status_code == 404
    assert client.get("/gongkai/xinhe.tahe.nowhere").status_code == 404
    sibling = client.get("/gongkai/xinhe.tahe.xingfu")
    assert sibling.status_code == 200
    assert "幸福村" in sibling.text
    assert "团结村政府信息公开专栏" not in sibling.text
    assert front.answered == before


# API reads: answered in front once the route has answered the caller's scope.

LIST = "/v1/tenants/xinhe.tahe.tuanjie/disclosures"


def test_an_api_read_in_front_is_the_routes_answer(
    client: TestClient,
    auth: TokenFactory,
    tree: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    made = client.post(LIST, json=FINANCE, headers=clerk)
    assert made.status_code == 201, made.text
    routed = client.get(LIST, headers=clerk)  # through the app, kept
    assert routed.status_code == 200, routed.text
    front = front_of(client)
    before = front.answered
    with caplog.at_level(logging.INFO, logger="gongkai.access"):
        again = client.get(LIST, headers={**clerk, "X-Request-ID": "front-api"})
    assert front.answered == before + 1
    assert answer_of(again) == answer_of(routed)
    record = next(r for r in caplog.records if r.__dict__.get("path") == LIST)
    assert record.__dict__["principal"] == "clerk@xinhe.tahe.tuanjie"
    assert record.__dict__["route"] == "/v1/tenants/{path}/disclosures"

    # A 304 from the route's path, then from the front: the same answer.
    etag = {**clerk, "If-None-Match": routed.headers["etag"]}
    front._recipes.clear()
    via_route = client.get(LIST, headers=etag)
    client.get(LIST, headers=clerk)  # the front learns the query again
    before = front.answered
    via_front = client.get(LIST, headers=etag)
    assert front.answered == before + 1
    assert via_route.status_code == via_front.status_code == 304
    assert answer_of(via_front) == answer_of(via_route)

    # The writer's next read sees its write: neither the old answer nor a 304.
    second = {**FINANCE, "title": "团结村2026年2月财务收支"}
    assert client.post(LIST, json=second, headers=clerk).status_code == 201
    fresh = client.get(LIST, headers=etag)
    assert fresh.status_code == 200
    assert second["title"] in fresh.text


def test_scope_is_part_of_the_front_key(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    assert client.post(LIST, json=FINANCE, headers=clerk).status_code == 201
    kept = client.get(LIST, headers=clerk)
    assert client.get(LIST, headers=clerk).status_code == 200
    front = front_of(client)
    before = front.answered
    # A sibling village's clerk: not found (out of its scope), with or without
    # the other's ETag.
    sibling = auth("xinhe.tahe.xingfu", "clerk")
    assert client.get(LIST, headers=sibling).status_code == 404
    held = {**sibling, "If-None-Match": kept.headers["etag"]}
    assert client.get(LIST, headers=held).status_code == 404
    # Another principal of the same village, or the same with other roles: its
    # own answer, first through the app; no token at all: 401.
    for other in (
        auth("xinhe.tahe.tuanjie", "supervisor"),
        auth("xinhe.tahe.tuanjie", "clerk", "handler"),
    ):
        mine = client.get(LIST, headers=other)
        assert mine.status_code == 200
        assert mine.headers["etag"] != kept.headers["etag"]
    assert client.get(LIST).status_code == 401
    assert (
        client.get(LIST, headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )
    assert front.answered == before


def test_a_staff_token_is_checked_before_a_front_answer(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    created = staff.register(client, auth, "XH-0401")
    staff.activate(client, created)
    signed = staff.bearer(staff.sign_in(client, created["username"]))
    assert client.get(LIST, headers=signed).status_code == 200
    front = front_of(client)
    before = front.answered
    assert client.get(LIST, headers=signed).status_code == 200
    assert front.answered == before + 1

    # Roles changed in the registry: another scope, so through the app first.
    admin = auth("xinhe.tahe", "admin")
    url = "/v1/tenants/xinhe.tahe.tuanjie/staff/XH-0401"
    changed = client.post(
        f"{url}/update", json={"roles": ["supervisor"]}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    before = front.answered
    assert client.get(LIST, headers=signed).status_code == 200
    assert front.answered == before
    assert client.get(LIST, headers=signed).status_code == 200
    assert front.answered == before + 1

    # Deactivated, or signed out: refused at once, never a kept answer.
    gone = client.post(f"{url}/deactivate", json={"reason": "调离"}, headers=admin)
    assert gone.status_code == 200, gone.text
    refused = client.get(LIST, headers=signed)
    assert refused.status_code == 401
    assert refused.json()["type"].endswith("/token-revoked")
    assert client.post(f"{url}/reactivate", headers=admin).status_code == 200
    fresh = staff.bearer(staff.sign_in(client, created["username"]))
    assert client.get(LIST, headers=fresh).status_code == 200
    assert client.get(LIST, headers=fresh).status_code == 200
    before = front.answered
    assert client.post("/v1/auth/revoke", headers=fresh).status_code == 204
    assert client.get(LIST, headers=fresh).status_code == 401
    assert front.answered == before


def test_a_client_token_is_answered_in_front_until_rotated(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    created = clients.register(client, auth)
    headers = clients.bearer(
        clients.token(client, created["client_id"], created["client_secret"])
    )
    town = "/v1/tenants/xinhe.tahe/disclosures?include_descendants=true"
    routed = client.get(town, headers=headers)
    assert routed.status_code == 200, routed.text
    front = front_of(client)
    before = front.answered
    assert answer_of(client.get(town, headers=headers)) == answer_of(routed)
    assert front.answered == before + 1
    rotated = client.post(
        f"/v1/tenants/xinhe.tahe/clients/{created['client_id']}/rotate",
        headers=auth("xinhe", "admin"),
    )
    assert rotated.status_code == 200, rotated.text
    refused = client.get(town, headers=headers)
    assert refused.status_code == 401
    assert front.answered == before + 1
