"""Inspection files: staff actors by badge number and name, the caller's own
``allowed_actions``, and evidence sets that fail ``gongkai verify`` when any event of
any bundle is dropped or the pinned key is wrong.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console

from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from services.cli.verify import verify_file
from tests.e2e.conftest import TokenFactory

COUNTY = "/v1/tenants/xinhe"
TOWN = "/v1/tenants/xinhe.tahe"
VILLAGE = "/v1/tenants/xinhe.tahe.xingfu"
WRITES = ["link", "note", "finding", "close"]
COMPLAINT = {
    "kind": "complaint",
    "channel": "mailbox",
    "signed": True,
    "summary": "幸福村2月份低保金发放名单未公示",
    "applicant": {"name": "李四", "phone": "13900001111"},
}


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def test_staff_act_by_name_and_cards_list_only_the_callers_actions(
    client: TestClient, auth: TokenFactory, tree: None, settings: Settings
) -> None:
    staffer = {
        "number": "XH-0901",
        "name": "热依拉",
        "post": "纪委监委",
        "roles": ["inspector"],
    }
    ok(client.post(f"{TOWN}/staff", json=staffer, headers=auth("xinhe", "admin")), 201)
    token = TokenSigner(load_secret(settings)).mint(
        subject="XH-0901@xinhe", tenant="xinhe.tahe", roles=["inspector"]
    )
    named = {"Authorization": f"Bearer {token}"}
    body = {"subject": {"kind": "tenant", "tenant": "xinhe.tahe.xingfu"}, "basis": "x"}
    opened = ok(client.post(f"{TOWN}/inspections", json=body, headers=named), 201)
    assert opened["allowed_actions"] == WRITES
    file = f"{TOWN}/inspections/{opened['id']}"

    mine = {"subject": opened["id"]}
    events = ok(client.get(f"{file}/timeline", params=mine, headers=named))["events"]
    assert events[0]["type"] == "Inspection.Opened"
    actor = events[0]["actor"]
    assert (actor["id"], actor["number"], actor["name"]) == (
        "XH-0901@xinhe",
        "XH-0901",
        "热依拉",
    )
    page = client.get(f"{file}/report", headers=named)
    assert "热依拉（XH-0901）" in page.text

    county = auth("xinhe", "inspector")  # reads the town's file, may not work on it
    assert ok(client.get(file, headers=county))["allowed_actions"] == []
    refused = client.post(f"{file}/note", json={"text": "县纪委意见"}, headers=county)
    assert refused.status_code == 403
    plain = auth("xinhe.tahe", "inspector")  # no staff record: the id alone
    ok(client.post(f"{file}/note", json={"text": "补充"}, headers=plain))
    last = ok(client.get(f"{file}/timeline", params=mine, headers=plain))["events"]
    plain_actors = [
        e["actor"] for e in last if e["actor"]["id"] == "inspector@xinhe.tahe"
    ]
    assert plain_actors
    assert all("name" not in a for a in plain_actors)

    link = {"kind": "tenant", "tenant": "xinhe.tahe.tuanjie"}
    for action, payload in (
        ("link", link),
        ("note", {"text": "走访群众"}),
        ("finding", {"text": "名单未按月公示"}),
        ("close", {"conclusion": "问题属实，责令整改"}),
    ):  # every action the card lists is granted
        card = ok(client.post(f"{file}/{action}", json=payload, headers=named))
    assert card["status"] == "closed"
    assert card["allowed_actions"] == []
    assert (
        client.post(f"{file}/note", json={"text": "x"}, headers=named).status_code
        == 409
    )


def test_an_evidence_set_missing_any_event_or_pinned_to_a_wrong_key_fails(
    client: TestClient, auth: TokenFactory, tree: None, tmp_path: Path
) -> None:
    clerk = auth("xinhe.tahe.xingfu", "clerk")
    case = ok(client.post(f"{VILLAGE}/cases", json=COMPLAINT, headers=clerk), 201)["id"]
    ok(client.post(f"{VILLAGE}/cases/{case}/accept", json={}, headers=clerk))
    assign = {"department": "村委会", "handler": "王五"}
    ok(client.post(f"{VILLAGE}/cases/{case}/assign", json=assign, headers=clerk))
    inspector = auth("xinhe.tahe", "inspector")
    subject = {"kind": "case", "id": case, "tenant": "xinhe.tahe.xingfu"}
    body = {"subject": subject, "basis": "群众来信"}
    opened = ok(client.post(f"{TOWN}/inspections", json=body, headers=inspector), 201)
    file = f"{TOWN}/inspections/{opened['id']}"
    ok(client.post(f"{file}/note", json={"text": "调阅台账"}, headers=inspector))
    exported = client.get(f"{file}/evidence", headers=inspector)
    assert exported.status_code == 200, exported.text
    evidence = exported.json()
    whole = tmp_path / "set.json"
    whole.write_text(exported.text, encoding="utf-8")
    keys = ok(client.get(f"{TOWN}/audit/keys", headers=inspector))["keys"]

    out = io.StringIO()
    assert verify_file(whole, Console(file=out, width=300)) == 0, out.getvalue()
    assert "inspector @ xinhe.tahe" in out.getvalue()  # the exporter, signed
    assert "no key pinned" in out.getvalue()
    for bundle in evidence["bundles"]:  # maps prove each bundle complete
        assert bundle["format"] == "gongkai-evidence/v2"
        assert bundle["map_proof"]["version"] == len(bundle["events"])

    for kind in ("inspection", "case"):
        at = next(
            i for i, b in enumerate(evidence["bundles"]) if b["subject"]["kind"] == kind
        )
        subject_id = evidence["bundles"][at]["subject"]["id"]
        assert len(evidence["bundles"][at]["events"]) == 3  # opened, note, read
        for drop in (0, 1, 2):  # the first, a middle and the last event
            cut = json.loads(exported.text)
            del cut["bundles"][at]["events"][drop]
            path = tmp_path / f"{kind}-{drop}.json"
            path.write_text(json.dumps(cut, ensure_ascii=False), encoding="utf-8")
            out = io.StringIO()
            assert verify_file(path, Console(file=out, width=300)) == 1
            said = out.getvalue()
            assert f"events lack version {drop + 1}" in said, said
            assert f"{kind} {subject_id}" in said
            assert f"bundles[{at}]" in said

    hidden = json.loads(exported.text)  # the case and its listing both left out
    hidden["bundles"] = [b for b in hidden["bundles"] if b["subject"]["id"] != case]
    hidden["subjects"] = [s for s in hidden["subjects"] if s["id"] != case]
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps(hidden, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    assert verify_file(path, Console(file=out, width=300)) == 1
    assert f"the file links case {case}" in out.getvalue(), out.getvalue()

    top = keys["xinhe"][-1]
    pinned = verify(whole, "--trust", top)
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    assert "is pinned (--trust) for every bundle" in pinned.stdout
    wrong = keys["xinhe.tahe"][-1]  # a real key, but not the top tenant's
    refused = verify(whole, "--trust", wrong)
    assert refused.returncode == 1, refused.stdout
    assert "none of the trusted keys" in refused.stdout


def verify(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    gongkai = str(Path(sys.executable).parent / "gongkai")
    return subprocess.run(
        [gongkai, "verify", str(path), *options],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
