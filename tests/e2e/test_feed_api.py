"""The HTTP feed and its SSE form: paging, scoping, type filter, resume, redaction."""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from infra.settings import DEFAULT_PUBLIC_URL
from services.audit.evidence import catch_up, checkpoint_now
from services.platform.runtime import Platform
from services.streams.cloudevents import CHECKPOINT_TYPE as CHECKPOINT
from services.streams.feed import Feed
from tests.conftest import build_tree
from tests.e2e.conftest import FINANCE, TokenFactory
from tests.e2e.test_cases_api import APPLICANT, COMPLAINT
from tests.e2e.test_subscribe import publish

TUANJIE = "/v1/tenants/xinhe.tahe.tuanjie"
JIAMU = "/v1/tenants/wensu.jiamu"
FILED = "cn.gongkai.case.CaseFiled.v2"
PUBLISHED = "cn.gongkai.disclosure.DisclosurePublished.v1"
CLEAR = [v for v in APPLICANT.values() if v]


def record_some(client: TestClient, auth: TokenFactory) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    for month in ("1", "2", "3"):
        body = {**FINANCE, "title": f"团结村2026年{month}月财务收支"}
        r = client.post(f"{TUANJIE}/disclosures", json=body, headers=clerk)
        assert r.status_code == 201, r.text
    r = client.post(f"{TUANJIE}/cases", json=COMPLAINT, headers=clerk)
    assert r.status_code == 201, r.text
    other = auth("wensu.jiamu", "clerk")
    body = {**FINANCE, "title": "佳木镇2026年1月财务收支"}
    assert client.post(f"{JIAMU}/disclosures", json=body, headers=other).is_success


def read_all(client: TestClient, headers: dict[str, str], **params: Any) -> list[Any]:
    events: list[Any] = []
    after = 0
    while True:
        r = client.get(
            "/v1/feed", params={**params, "after": after, "limit": 2}, headers=headers
        )
        assert r.status_code == 200, r.text
        page = r.json()
        assert len([e for e in page["events"] if "Checkpoint" not in e["type"]]) <= 2
        events += page["events"]
        if page["next_after"] == after:
            return events
        after = page["next_after"]


def test_the_feed_pages_a_subtree_in_log_order_with_no_personal_data(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    record_some(client, auth)
    xinhe = auth("xinhe", "integrator")
    events = read_all(client, xinhe)
    positions = [int(e["sequence"]) for e in events]
    assert positions == sorted(positions)
    assert len({e["id"] for e in events}) == len(events)
    assert {e["subject"].split(".")[0] for e in events} == {"xinhe"}
    assert sum(e["type"] == PUBLISHED for e in events) == 3
    filed = next(e for e in events if e["type"] == FILED)
    assert filed["data"]["applicant"]["name"] == "张**"
    assert filed["data"]["applicant"]["phone"] == "138****5678"
    sealed = next(e for e in events if e["type"].endswith("ApplicantRecordSealed.v1"))
    assert "ciphertext" not in sealed["data"]
    assert sealed["data"]["applicant_ref"] == filed["data"]["applicant_ref"]
    text = json.dumps(events, ensure_ascii=False)
    assert not [v for v in CLEAR if v in text]
    for event in events:  # every event matches the schema its dataschema serves
        url = urlsplit(event["dataschema"])
        assert f"{url.scheme}://{url.netloc}" == DEFAULT_PUBLIC_URL
        assert url.path == f"/v1/schemas/{event['type']}.json"
        schema = client.get(url.path).json()
        assert schema["$id"] == event["dataschema"]
        Draft202012Validator(schema).validate(event)


def test_a_sibling_integrator_sees_nothing_of_yours_and_types_filter(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    record_some(client, auth)
    wensu = read_all(client, auth("wensu", "integrator"))
    assert wensu
    assert all(e["subject"].startswith("wensu") for e in wensu)
    village = read_all(client, auth("xinhe.tahe.xingfu", "integrator"))
    assert {e["subject"] for e in village} == {"xinhe.tahe.xingfu"}  # its own only
    only = read_all(client, auth("xinhe", "integrator"), type=FILED)
    assert [e["type"] for e in only] == [FILED]
    both = read_all(client, auth(None, "admin"), type=f"{FILED},{PUBLISHED}")
    assert {e["type"] for e in both} == {FILED, PUBLISHED}
    assert len(both) == 5


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_feed_refuses_other_roles_and_unknown_types(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    assert client.get("/v1/feed").status_code == 401
    clerk = client.get("/v1/feed", headers=auth("xinhe", "clerk"))
    assert clerk.status_code == 403
    assert clerk.headers["content-type"] == "application/problem+json"
    for role in ("inspector", "supervisor"):  # the checkpoints, and only them
        reader = auth("xinhe", role)
        held = client.get("/v1/feed", params={"type": CHECKPOINT}, headers=reader)
        assert held.status_code == 200, held.text
        for params in ({}, {"type": f"{CHECKPOINT},{FILED}"}):
            refused = client.get("/v1/feed", params=params, headers=reader)
            assert refused.status_code == 403
            assert refused.json()["field"] == "type"
    live = client.get(
        "/v1/feed/live",
        params={"type": CHECKPOINT, "duration": 0.1},
        headers=auth("xinhe", "inspector"),
    )
    assert live.status_code == 200
    assert (
        client.get("/v1/feed/live", headers=auth("xinhe", "inspector")).status_code
        == 403
    )
    bad = client.get(
        "/v1/feed",
        params={"type": "cn.gongkai.nope.v1"},
        headers=auth("xinhe", "integrator"),
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "type"
    assert client.get("/v1/schemas/cn.gongkai.nope.v1").status_code == 404
    listed = client.get("/v1/schemas").json()
    assert FILED in listed["types"]
    # An earlier version, no longer sent (its events go out upcast), stays served.
    assert "cn.gongkai.case.CaseResolved.v1" in listed["retired"]
    old = client.get("/v1/schemas/cn.gongkai.case.CaseResolved.v1.json")
    assert old.status_code == 200
    assert old.headers["content-type"] == "application/schema+json"
    assert "answer_category" not in old.json()["properties"]["data"]["properties"]


def sse(client: TestClient, headers: dict[str, str], **params: Any) -> list[Any]:
    with client.stream(
        "GET",
        "/v1/feed/live",
        params={"duration": 1, "keepalive": 0.2, **params},
        headers=headers,
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    assert ": keep-alive" in text
    out = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in lines:
            event = json.loads(lines["data"])
            # a frame's id is its cursor: the position the stream had reached
            # (past the events a checkpoint covers) and the checkpoint number
            position, number = lines["id"].split("-")
            assert int(position) >= int(event["sequence"])
            assert int(number) >= 0
            out.append(event)
    return out


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_live_events_resume_after_the_last_event_id(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    record_some(client, auth)
    xinhe = auth("xinhe", "integrator")
    everything = sse(client, xinhe)
    assert [e["id"] for e in everything] == [e["id"] for e in read_all(client, xinhe)]
    middle = everything[len(everything) // 2]["sequence"]
    # a bare position (the id older streams sent) resumes after it
    resumed = sse(client, {**xinhe, "Last-Event-ID": middle})
    assert resumed == [e for e in everything if int(e["sequence"]) > int(middle)]
    bad = client.get("/v1/feed/live", headers={**xinhe, "Last-Event-ID": "12-x"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "Last-Event-ID"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_live_delivers_a_checkpoint_signed_after_the_stream_passed_its_events(
    client: TestClient, auth: TokenFactory, tree: None, platform: Platform
) -> None:
    record_some(client, auth)
    checkpoint_now(platform, "xinhe.tahe.tuanjie")
    record_some(client, auth)
    catch_up(platform)
    later = threading.Timer(0.5, checkpoint_now, (platform, "xinhe.tahe.tuanjie"))
    later.start()
    try:
        events = sse(client, auth("xinhe", "integrator"), type=CHECKPOINT, duration=2.5)
    finally:
        later.join()
    latest = platform.auditor.latest("xinhe.tahe.tuanjie")
    assert latest is not None
    assert latest.note in [e["data"]["note"] for e in events]


def first_frame(
    url: str, headers: dict[str, str], last_id: str | None
) -> tuple[str, dict[str, Any]] | None:
    """Connect (resuming after ``last_id``), take the first frame, disconnect;
    None if the stream closes (after one second) without one."""
    if last_id is not None:
        headers = {**headers, "Last-Event-ID": last_id}
    with httpx.stream(
        "GET",
        f"{url}/v1/feed/live",
        params={"duration": 1, "keepalive": 60},
        headers=headers,
        timeout=30,
    ) as response:
        assert response.status_code == 200, response.read()
        block: dict[str, str] = {}
        for line in response.iter_lines():
            if line:
                key, _, value = line.partition(": ")
                block[key] = value
            elif "data" in block:
                return block["id"], json.loads(block["data"])
            else:
                block = {}
    return None


def follow(
    url: str, headers: dict[str, str], frames: list[tuple[str, dict[str, Any]]]
) -> None:
    """Reconnect after every frame until the stream has nothing more."""
    last = frames[-1][0] if frames else None
    while (got := first_frame(url, headers, last)) is not None:
        frames.append(got)
        last = got[0]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_client_reconnecting_after_every_frame_gets_each_message_exactly_once(
    platform: Platform, served: str, auth: TokenFactory
) -> None:
    build_tree(platform)
    for month in (1, 2):
        publish(platform, "xinhe.tahe.tuanjie", f"团结村2026年{month}月财务收支")
        publish(platform, "xinhe", f"新和县2026年{month}月财务收支")
        publish(platform, "wensu.jiamu", f"佳木镇2026年{month}月财务收支")
    checkpoint_now(platform, "xinhe")
    publish(platform, "xinhe.tahe.tuanjie", "团结村2026年3月财务收支")
    publish(platform, "xinhe", "新和县2026年3月财务收支")
    checkpoint_now(platform, "xinhe.tahe.tuanjie")  # its witness: tahe's log
    xinhe = auth("xinhe", "integrator")
    frames: list[tuple[str, dict[str, Any]]] = []
    follow(served, xinhe, frames)
    passed = len(frames)
    reached = max(int(event["sequence"]) for _, event in frames)
    # Signed after the stream passed their events: late checkpoints (tahe's
    # witness goes into xinhe's log, after them).
    checkpoint_now(platform, "xinhe")
    checkpoint_now(platform, "xinhe.tahe")
    publish(platform, "xinhe.tahe.xingfu", "幸福村2026年1月财务收支")
    follow(served, xinhe, frames)

    cursors = [tuple(int(part) for part in i.split("-")) for i, _ in frames]
    assert all(a < b for a, b in itertools.pairwise(cursors))  # unique, increasing
    ids = [event["id"] for _, event in frames]
    assert len(ids) == len(set(ids))  # nothing twice
    expected = Feed(platform).page("xinhe", 0, 10_000, scan_limit=10**6).events
    assert sorted(ids) == sorted(e["id"] for e in expected)  # nothing missing
    late = [
        event
        for _, event in frames[passed:]
        if event["type"] == CHECKPOINT and int(event["sequence"]) <= reached
    ]
    assert {e["subject"] for e in late} == {"xinhe", "xinhe.tahe"}
