"""No input gets a 500: out-of-range values are 400/422 problems naming the field.

Also the request guard (415 for non-UTF-8 bodies, 400 for duplicate JSON members,
422 for NUL characters), 405 with ``Allow``, and a keep-alive connection that
survives every one of these over a real socket, even an unexpected server error.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from infra.settings import Settings
from services.api.params import encode_cursor
from services.server import create_app
from tests.conftest import build_tree
from tests.e2e.conftest import FINANCE, TokenFactory

V = "/v1/tenants/xinhe.tahe.tuanjie"
TOO_BIG = 2**63
CASE = {"kind": "complaint", "channel": "mailbox", "signed": False, "summary": "多收费"}


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def out_of_range_requests(disclosure_id: str) -> list[tuple[str, str]]:
    """(URL, field) pairs that answered 500 before the bounds (issue 7 §1)."""
    far = ["9999-12-31", "9999-12-31T23:59:59-14:00", "1999-12-31", "2100-01-01"]
    urls = []
    for value in far:
        urls += [
            (f"{V}/disclosures?as_of={value}", "as_of"),
            (f"{V}/disclosures?known_at={value}", "known_at"),
            (f"{V}/disclosures/{disclosure_id}?as_of={value}", "as_of"),
            (f"{V}/disclosures/{disclosure_id}/history?known_at={value}", "known_at"),
            (f"{V}/catalogue?as_of={value}", "as_of"),
            (f"{V}/case-stats?as_of={value}", "as_of"),
        ]
    return [
        *urls,
        (f"{V}/catalogue?as_of=9999-12-31T23:59:59Z", "as_of"),
        (f"{V}/disclosures?as_of=2099-12-31T23:59:59-14:00", "as_of"),
        (f"{V}/disclosures?as_of=2026-02-30", "as_of"),
        (f"{V}/case-stats?from=9999-12-31", "from"),
        (f"{V}/audit/leaves/{TOO_BIG}", "index"),
        (f"{V}/audit/leaves/-1", "index"),
        (f"{V}/audit/proofs/consistency?first=0&second={TOO_BIG}", "second"),
        (f"{V}/audit/proofs/inclusion?event=x&tree_size={TOO_BIG}", "tree_size"),
        (f"{V}/disclosures?cursor={cursor_of(f'p:{TOO_BIG}')}", "cursor"),
        (f"{V}/disclosures?cursor={cursor_of('p:' + '9' * 5000)}", "cursor"),
        (f"{V}/disclosures?cursor=%00", "cursor"),
        (f"{V}/disclosures?category=a%00b", "category"),
    ]


def assert_problem(response: Any, status: tuple[int, ...], field: str) -> None:
    assert response.status_code in status, (field, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == field, response.text


@pytest.fixture
def seeded(client: TestClient, auth: TokenFactory, tree: None) -> dict[str, Any]:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    made = client.post(f"{V}/disclosures", json=FINANCE, headers=clerk)
    filed = client.post(f"{V}/cases", json=CASE, headers=clerk)
    assert made.status_code == filed.status_code == 201, (made.text, filed.text)
    return {"clerk": clerk, "disclosure": made.json()["id"], "case": filed.json()["id"]}


def test_out_of_range_parameters_are_problems_naming_the_field(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    for url, field in out_of_range_requests(seeded["disclosure"]):
        response = client.get(url, headers=seeded["clerk"])
        assert_problem(response, (400, 422), field)
    cursor = client.get(
        f"{V}/disclosures",
        params={"cursor": cursor_of(f"p:{TOO_BIG}")},
        headers=seeded["clerk"],
    )
    assert cursor.json()["type"].endswith("/invalid-cursor")
    # The largest values the bounds admit are answered, not refused.
    edge = client.get(f"{V}/audit/leaves/{TOO_BIG - 1}", headers=seeded["clerk"])
    assert edge.status_code == 404
    last = client.get(
        f"{V}/disclosures",
        params={"as_of": "2099-12-31", "cursor": encode_cursor(TOO_BIG - 1)},
        headers=seeded["clerk"],
    )
    assert last.status_code == 200, last.text


def test_body_dates_and_counts_are_bounded(
    client: TestClient, auth: TokenFactory, seeded: dict[str, Any]
) -> None:
    supervisor = auth("xinhe.tahe", "supervisor")
    url = f"{V}/cases/{seeded['case']}/supervise"
    far = client.post(
        url, json={"due_on": "9999-12-31", "note": "限期办结"}, headers=supervisor
    )
    assert_problem(far, (422,), "due_on")
    early = {**FINANCE, "formed_on": "1999-12-31"}
    refused = client.post(f"{V}/disclosures", json=early, headers=seeded["clerk"])
    assert_problem(refused, (422,), "formed_on")
    moment = {"reason": "撤回", "effective_at": "9999-12-31T23:59:59-14:00"}
    withdrawn = client.post(
        f"{V}/disclosures/{seeded['disclosure']}/withdrawal",
        json=moment,
        headers=seeded["clerk"],
    )
    assert_problem(withdrawn, (422,), "effective_at")
    extend = client.post(
        f"{V}/cases/{seeded['case']}/extend",
        json={"working_days": TOO_BIG, "reason": "核查", "approver": "王主任"},
        headers=seeded["clerk"],
    )
    assert_problem(extend, (422,), "working_days")


def test_bodies_must_be_utf8_json_without_duplicate_members(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    url, clerk = f"{V}/disclosures", seeded["clerk"]
    text = json.dumps(FINANCE, ensure_ascii=False)
    utf16 = client.post(
        url,
        content=text.encode("utf-16"),
        headers={**clerk, "Content-Type": "application/json; charset=utf-16"},
    )
    assert_problem(utf16, (415,), "Content-Type")
    undeclared = client.post(
        url,
        content=text.encode("utf-16"),
        headers={**clerk, "Content-Type": "application/json"},
    )
    assert_problem(undeclared, (415,), "Content-Type")
    duplicate = text[:-1] + ', "title": "另一个标题"}'
    twice = client.post(
        url,
        content=duplicate.encode(),
        headers={**clerk, "Content-Type": "application/json"},
    )
    assert_problem(twice, (400,), "title")
    assert twice.json()["type"].endswith("/duplicate-member")
    nul = client.post(url, json={**FINANCE, "body": "a\x00b"}, headers=clerk)
    assert_problem(nul, (422,), "body")
    explicit = client.post(
        url,
        content=text.encode(),
        headers={**clerk, "Content-Type": "application/json; charset=UTF-8"},
    )
    assert explicit.status_code == 201, explicit.text


def test_json_in_any_encoding_but_utf8_is_415(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    """RFC 8259 §8.1: only UTF-8. An ASCII text in UTF-16 or UTF-32 without a byte
    order mark is also valid UTF-8 (with NULs), which the parser used to guess."""
    url, clerk = f"{V}/disclosures", seeded["clerk"]
    ascii_text = json.dumps(FINANCE)  # \u escapes: every byte is ASCII
    json_type = {**clerk, "Content-Type": "application/json"}
    for encoding in (
        "utf-16-le",
        "utf-16-be",
        "utf-16",
        "utf-32-le",
        "utf-32-be",
        "utf-32",
    ):
        response = client.post(
            url, content=ascii_text.encode(encoding), headers=json_type
        )
        assert_problem(response, (415,), "Content-Type")
    broken = ascii_text.encode()[:-2] + b'\xff"}'
    assert_problem(
        client.post(url, content=broken, headers=json_type), (415,), "Content-Type"
    )
    # A UTF-8 byte order mark may be ignored (§8.1), and the guard reads past it.
    bom = b"\xef\xbb\xbf"
    twice = (ascii_text[:-1] + ', "title": "x"}').encode()
    duplicate = client.post(url, content=bom + twice, headers=json_type)
    assert_problem(duplicate, (400,), "title")
    nul = json.dumps({**FINANCE, "body": "a\x00b"}).encode()
    assert_problem(
        client.post(url, content=bom + nul, headers=json_type), (422,), "body"
    )
    accepted = client.post(url, content=bom + ascii_text.encode(), headers=json_type)
    assert accepted.status_code == 201, accepted.text


def test_json_members_must_have_the_declared_type(
    client: TestClient, auth: TokenFactory, seeded: dict[str, Any]
) -> None:
    """Strict types: no boolean for an integer, no text for a number or a boolean."""
    county = auth("xinhe", "admin")
    url = "/v1/tenants/xinhe/case-rules"
    valid = {"max_extensions": 2, "basically_satisfied_counts": True}
    for field, value in (
        ("max_extensions", False),
        ("max_extensions", True),
        ("max_extensions", "2"),
        ("max_extensions", 2.5),
        ("basically_satisfied_counts", 0),
        ("basically_satisfied_counts", "true"),
    ):
        refused = client.put(url, json={**valid, field: value}, headers=county)
        assert_problem(refused, (422,), field)
        assert refused.json()["type"].endswith("/validation-error")
    assert client.get(url, headers=county).json()["max_extensions"] == 1
    assert client.put(url, json=valid, headers=county).status_code == 200
    clerk = seeded["clerk"]
    for day in (20260210, "2026-02-10T00:00:00", "2026-2-10"):
        dated = client.post(
            f"{V}/disclosures", json={**FINANCE, "formed_on": day}, headers=clerk
        )
        assert_problem(dated, (422,), "formed_on")
    # A number may be written as an integer (JSON has one number type).
    section = client.put(
        f"{V}/annual-reports/2026/sections/2",
        json={"inputs": {"fees.amount": 3}},
        headers=clerk,
    )
    assert section.status_code == 200, section.text


def test_405_lists_every_method_of_the_path(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    response = client.delete(f"{V}/disclosures", headers=seeded["clerk"])
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.fixture
def server(settings: Settings, platform: Any) -> Iterator[tuple[FastAPI, int]]:
    """The app behind uvicorn on 127.0.0.1, a free port, in a thread."""
    build_tree(platform)
    app = create_app(settings, platform=platform)

    @app.get("/v1/test-failure", include_in_schema=False)
    def failure() -> None:
        raise RuntimeError("a bug")

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not uv.started:
        time.sleep(0.01)
    port = uv.servers[0].sockets[0].getsockname()[1]
    try:
        yield app, port
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_keep_alive_connection_survives_bad_input_and_bugs(
    server: tuple[FastAPI, int], auth: TokenFactory
) -> None:
    _, port = server
    headers = auth("xinhe.tahe.tuanjie", "clerk")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    requests = [
        ("GET", f"{V}/disclosures?as_of=9999-12-31", 422),
        ("GET", f"{V}/disclosures?as_of=2099-12-31T23:59:59-14:00", 400),
        ("GET", f"{V}/disclosures?as_of=9999-12-31T23:59:59-14:00", 422),
        ("GET", f"{V}/catalogue?as_of=9999-12-31T23:59:59Z", 422),
        ("GET", f"{V}/audit/leaves/{TOO_BIG}", 422),
        ("GET", f"{V}/disclosures?cursor={cursor_of(f'p:{TOO_BIG}')}", 400),
        ("GET", "/v1/test-failure", 500),
        ("GET", f"{V}/disclosures", 200),
    ]
    utf16 = json.dumps(FINANCE, ensure_ascii=False).encode("utf-16")
    duplicate = b'{"reason": "a", "reason": "b"}'
    bodies = {
        f"{V}/disclosures": (utf16, "application/json; charset=utf-16"),
        f"{V}/disclosures/x/withdrawal": (duplicate, "application/json"),
    }
    requests += [
        ("POST", f"{V}/disclosures", 415),
        ("POST", f"{V}/disclosures/x/withdrawal", 400),
        ("GET", f"{V}/disclosures", 200),
    ]
    connection.connect()
    sock = connection.sock
    for method, url, status in requests:
        body, kind = bodies.get(url, (None, "")) if method == "POST" else (None, "")
        sent = {**headers, "Content-Type": kind} if body else headers
        connection.request(method, url, body=body, headers=sent)
        response = connection.getresponse()
        body = response.read()
        assert response.status == status, (url, body)
        if response.status != 200:
            assert response.getheader("content-type") == "application/problem+json"
            assert json.loads(body)["status"] == response.status
        assert connection.sock is sock, f"the server closed the connection on {url}"
    connection.close()


def test_if_match_takes_ascii_digits_only(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    url = f"{V}/disclosures/{seeded['disclosure']}/withdrawal"
    for etag in ("²", '"1e3"', "9" * 30):
        response = client.post(
            url,
            json={"reason": "撤回"},
            headers={**seeded["clerk"], "If-Match": etag.encode("latin-1")},
        )
        assert_problem(response, (400,), "If-Match")
