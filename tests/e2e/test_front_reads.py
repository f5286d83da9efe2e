"""Public pages answered in front of the app (services/api/front.py): the same
answer, headers and body, as the route's path, apart from the request id and Date;
still counted in /metrics and echoing X-Request-ID; a write moves the key."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from services.api.front import FrontReads
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
