"""Inspection files over HTTP: the subsidy (低保金发放) matter across county, town and
village — a complaint, its transfer, a late disclosure, a revision and a back-dated
entry — replayed as a timeline, as of three moments, as a diff; scope; reads recorded.

The clock starts on Monday 2 March 2026, 10:00 in China (tests/conftest.py).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console

from services.cli.verify import verify_file
from tests.conftest import MutableClock
from tests.e2e.conftest import TokenFactory

TOWN = "/v1/tenants/xinhe.tahe"
VILLAGE = "/v1/tenants/xinhe.tahe.xingfu"
COUNTY = "/v1/tenants/xinhe"
SUBSIDY = {
    "category": "common.subsistence",
    "title": "幸福村2026年2月低保金发放情况",
    "body": "保障对象12户，发放金额合计1.86万元。",
    "channels": ["公开栏"],
}


def china(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def build_matter(client: TestClient, auth: TokenFactory, clock: MutableClock) -> dict:
    """The complaint at the town, its transfer to the village, the village's late
    disclosure and revision, and a back-dated entry; returns the ids."""
    town = auth("xinhe.tahe", "clerk")
    village = auth("xinhe.tahe.xingfu", "clerk")
    complaint = {
        "kind": "complaint",
        "channel": "mailbox",
        "signed": True,
        "summary": "幸福村2月份低保金发放名单未公示",
        "applicant": {"name": "李四", "phone": "13900001111"},
    }
    case = ok(client.post(f"{TOWN}/cases", json=complaint, headers=town), 201)["id"]
    ok(client.post(f"{TOWN}/cases/{case}/accept", json={}, headers=town))
    clock.moment = china("2026-03-03T09:00:00")
    card = ok(
        client.post(
            f"{TOWN}/cases/{case}/transfer",
            json={"target": "xinhe.tahe.xingfu", "reason": "属村务公开事项，转村办理"},
            headers=town,
        )
    )
    village_case = card["links"]["transferred_case"]
    clock.moment = china("2026-03-04T15:00:00")  # formed 2 Feb: published late
    late = ok(
        client.post(
            f"{VILLAGE}/disclosures",
            json={**SUBSIDY, "formed_on": "2026-02-02"},
            headers=village,
        ),
        201,
    )
    clock.moment = china("2026-03-05T10:00:00")
    ok(
        client.post(
            f"{VILLAGE}/disclosures/{late['id']}/revisions",
            json={"reason": "更正发放金额", "body": "保障对象12户，合计1.92万元。"},
            headers=village,
        )
    )
    clock.moment = china("2026-03-05T16:00:00")  # recorded today, dated yesterday
    backdated = ok(
        client.post(
            f"{VILLAGE}/disclosures",
            json={
                **SUBSIDY,
                "title": "幸福村低保对象名单（补录）",
                "formed_on": "2026-03-02",
                "published_on": "2026-03-04",
            },
            headers=village,
        ),
        201,
    )
    clock.moment = china("2026-03-06T09:00:00")
    return {
        "case": case,
        "village_case": village_case,
        "late": late["id"],
        "backdated": backdated["id"],
    }


def test_the_subsidy_matter_replays_across_county_town_and_village(
    client: TestClient, auth: TokenFactory, tree: None, clock: MutableClock
) -> None:
    ids = build_matter(client, auth, clock)
    inspector = auth("xinhe", "inspector")
    opened = ok(
        client.post(
            f"{COUNTY}/inspections",
            json={
                "subject": {"kind": "tenant", "tenant": "xinhe.tahe.xingfu"},
                "basis": "群众来信反映幸福村低保金发放名单未公示",
            },
            headers=inspector,
        ),
        201,
    )
    file = f"{COUNTY}/inspections/{opened['id']}"
    for kind, key, tenant in (
        ("case", "case", "xinhe.tahe"),
        ("case", "village_case", "xinhe.tahe.xingfu"),
        ("disclosure", "late", "xinhe.tahe.xingfu"),
        ("disclosure", "backdated", "xinhe.tahe.xingfu"),
    ):
        body = {"kind": kind, "id": ids[key], "tenant": tenant}
        ok(client.post(f"{file}/link", json=body, headers=inspector))
    ok(client.post(f"{file}/note", json={"text": "调取公示栏照片"}, headers=inspector))
    unlinked = {
        **SUBSIDY,
        "title": "幸福村3月低保金发放情况",
        "formed_on": "2026-03-05",
    }
    village = auth("xinhe.tahe.xingfu", "clerk")
    ok(client.post(f"{VILLAGE}/disclosures", json=unlinked, headers=village), 201)

    # The whole timeline, in log order, paged three at a time.
    events: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(f"{file}/timeline", params=params, headers=inspector))
        events += page["events"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    positions = [e["position"] for e in events]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    kinds = [(e["subject"]["kind"], e["type"]) for e in events]
    for expected in (
        ("case", "Case.Filed"),
        ("case", "Case.Transferred"),
        ("disclosure", "Disclosure.Published"),
        ("disclosure", "Disclosure.Revised"),
        ("inspection", "Inspection.Opened"),
        ("inspection", "Inspection.Read"),
    ):
        assert expected in kinds, expected
    # The village's own log comes with the tenant link: what nobody linked, too.
    through_tenant = [e for e in events if e["subject"]["kind"] == "tenant"]
    assert {"Tenant.Registered", "Disclosure.Published"} <= {
        e["type"] for e in through_tenant
    }
    assert any(e["data"].get("title") == unlinked["title"] for e in through_tenant)
    transferred = next(e for e in events if e["type"] == "Case.Transferred")
    assert transferred["actor"]["tenant"] == "xinhe.tahe"
    assert transferred["state"]["state"] == "transferred"
    published = {
        e["subject"]["id"]: e for e in events if e["type"] == "Disclosure.Published"
    }
    assert published[ids["backdated"]]["backdated"] is True
    assert (
        published[ids["backdated"]]["effective_at"]
        < (published[ids["backdated"]]["recorded_at"])
    )
    assert published[ids["late"]]["backdated"] is False
    revised = next(e for e in events if e["type"] == "Disclosure.Revised")
    assert revised["state"]["body"] == "保障对象12户，合计1.92万元。"

    # Filters: one subject, one event type.
    only = ok(
        client.get(
            f"{file}/timeline",
            params={"subject": ids["late"], "type": "Revised"},
            headers=inspector,
        )
    )
    assert [e["type"] for e in only["events"]] == ["Disclosure.Revised"]

    # The state of every subject at three moments.
    def states(moment: str, known_at: str | None = None) -> dict[str, Any]:
        params = {"as_of": moment, "known_at": known_at or moment, "limit": 1}
        page = ok(client.get(f"{file}/timeline", params=params, headers=inspector))
        return {s["id"]: s["state"] for s in page["subjects"]}

    filed = states("2026-03-02T12:00:00+08:00")
    assert filed[ids["case"]]["state"] == "accepted"
    assert filed[ids["village_case"]] is None
    assert filed[ids["late"]] is None
    routed = states("2026-03-03T12:00:00+08:00")
    assert routed[ids["case"]]["state"] == "transferred"
    assert routed[ids["village_case"]]["tenant"] == "xinhe.tahe.xingfu"
    assert routed[ids["late"]] is None
    later = states("2026-03-05T18:00:00+08:00")
    assert later[ids["late"]]["body"] == "保障对象12户，合计1.92万元。"
    assert later[ids["backdated"]]["title"] == "幸福村低保对象名单（补录）"
    # Effective on 4 March, but the platform only learnt of it on the 5th.
    assert states("2026-03-04", "2026-03-05T12:00:00+08:00")[ids["backdated"]] is None
    assert states("2026-03-04", "2026-03-05T18:00:00+08:00")[ids["backdated"]]

    # What changed between the first and the last moment.
    diff = ok(
        client.get(
            f"{file}/diff",
            params={
                "from": "2026-03-02T12:00:00+08:00",
                "to": "2026-03-05T18:00:00+08:00",
            },
            headers=inspector,
        )
    )
    changed = {c["id"]: c for c in diff["changes"]}
    assert changed[ids["case"]]["fields"]["state"] == {
        "from": "accepted",
        "to": "transferred",
    }
    assert changed[ids["late"]]["before"] is None
    assert changed[ids["backdated"]]["events"][0]["backdated"] is True

    # Every read is in the file's own timeline, with who and what.
    ok(client.get(file, headers=inspector))
    reads = ok(
        client.get(
            f"{file}/timeline",
            params={"subject": opened["id"], "type": "Read", "limit": 500},
            headers=inspector,
        )
    )["events"]
    what = [e["data"]["what"] for e in reads]
    assert {"timeline", "diff", "file"} <= set(what)
    assert what.count("timeline") >= 6  # five pages at least, filters, states
    assert all(e["actor"]["id"] == "inspector@xinhe" for e in reads)
    assert reads[-1]["data"]["what"] == "timeline"  # this very read shows itself


def test_inspectors_stay_inside_their_subtree(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    admin = auth(None, "admin")
    sibling = {"code": "yanqi", "name": "雅奇镇", "level": "town", "parent": "xinhe"}
    ok(client.post("/v1/tenants", json=sibling, headers=admin), 201)
    town = auth("xinhe.tahe", "inspector")
    basis = "群众来信"
    on_sibling = {
        "subject": {"kind": "tenant", "tenant": "xinhe.yanqi"},
        "basis": basis,
    }
    refused = client.post(f"{TOWN}/inspections", json=on_sibling, headers=town)
    assert refused.status_code == 404, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    elsewhere = client.post(
        "/v1/tenants/xinhe.yanqi/inspections", json=on_sibling, headers=town
    )
    assert elsewhere.status_code == 404

    county = auth("xinhe", "inspector")
    body = {"subject": {"kind": "tenant", "tenant": "xinhe.yanqi"}, "basis": basis}
    opened = ok(client.post(f"{COUNTY}/inspections", json=body, headers=county), 201)
    file = f"{COUNTY}/inspections/{opened['id']}"
    assert client.get(file, headers=town).status_code == 404  # above the town
    clerk = auth("xinhe", "clerk")
    assert client.get(f"{file}/timeline", headers=clerk).status_code == 403
    assert (
        client.post(f"{COUNTY}/inspections", json=body, headers=clerk).status_code
        == 403
    )
    link = {"kind": "tenant", "tenant": "wensu.jiamu"}
    assert client.post(f"{file}/link", json=link, headers=county).status_code == 404
    close = {"conclusion": "反映问题不属实"}
    stale = {**county, "If-Match": '"7"'}
    assert client.post(f"{file}/close", json=close, headers=stale).status_code == 409
    current = {**county, "If-Match": f'"{opened["version"]}"'}
    ok(client.post(f"{file}/close", json=close, headers=current))
    again = client.post(f"{file}/note", json={"text": "补充"}, headers=county)
    assert again.status_code == 409
    bad = client.get(f"{file}/timeline", params={"cursor": "zz"}, headers=county)
    assert bad.status_code == 422


def test_the_file_exports_verifiable_evidence_and_a_report(
    client: TestClient,
    auth: TokenFactory,
    tree: None,
    clock: MutableClock,
    tmp_path: Path,
) -> None:
    ids = build_matter(client, auth, clock)
    inspector = auth("xinhe.tahe", "inspector")
    subject = {"kind": "case", "id": ids["village_case"], "tenant": "xinhe.tahe.xingfu"}
    body = {"subject": subject, "basis": "上级交办"}
    opened = ok(client.post(f"{TOWN}/inspections", json=body, headers=inspector), 201)
    file = f"{TOWN}/inspections/{opened['id']}"
    link = {"kind": "disclosure", "id": ids["backdated"], "tenant": "xinhe.tahe.xingfu"}
    ok(client.post(f"{file}/link", json=link, headers=inspector))

    exported = client.get(f"{file}/evidence", headers=inspector)
    assert exported.status_code == 200, exported.text
    evidence = exported.json()
    assert evidence["format"] == "gongkai-evidence-set/v1"
    kinds = sorted(b["subject"]["kind"] for b in evidence["bundles"])
    assert kinds == ["case", "disclosure", "inspection"]
    good = tmp_path / "evidence.json"
    good.write_text(exported.text)
    console = Console(file=io.StringIO(), width=200)
    assert verify_file(good, console) == 0
    evidence["bundles"] = [
        b for b in evidence["bundles"] if b["subject"]["kind"] != "disclosure"
    ]
    dropped = tmp_path / "dropped.json"
    dropped.write_text(json.dumps(evidence))
    assert verify_file(dropped, console) == 1

    page = client.get(f"{file}/report", params={"format": "html"}, headers=inspector)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert f"{ids['backdated']}:1" in page.text
    assert "xinhe.tahe.xingfu #" in page.text  # the leaf it sits at
    assert "补录" in page.text
    # Times as the API shows them (the PDF prints the same report_events)
    assert "+08:00" in page.text
    assert "+00:00" not in page.text
    pdf = client.get(f"{file}/report", params={"format": "pdf"}, headers=inspector)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert b"DroidSansFallback" in pdf.content  # the CJK font, embedded
    assert b"DejaVuSans" in pdf.content  # and the Latin one for digits and ids
    refused = client.get(f"{file}/report", params={"format": "doc"}, headers=inspector)
    assert refused.status_code == 422

    asked = {"subject": opened["id"], "type": "Read", "limit": "20"}
    reads = ok(client.get(f"{file}/timeline", params=asked, headers=inspector))[
        "events"
    ]
    assert [e["data"]["what"] for e in reads] == [
        "evidence",
        "report",
        "report",
        "timeline",
    ]
    assert reads[-1]["data"]["detail"] == asked  # every parameter, limit too
