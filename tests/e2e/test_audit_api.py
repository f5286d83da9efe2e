"""The audit trail over HTTP: signed checkpoints, keys, leaves and proofs."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from domain.ledger import hash_leaf, verify_consistency, verify_inclusion
from domain.ledger.leaf import Leaf
from domain.ledger.note import COSIGNATURE_V1, Checkpoint, Note, verify_note
from infra.keys import Ed25519Verifier
from tests.e2e.conftest import FINANCE, TokenFactory

VILLAGE = "/v1/tenants/xinhe.tahe.tuanjie"
COMPLAINT = {
    "kind": "complaint",
    "channel": "mailbox",
    "signed": True,
    "summary": "低保金发放名单未公示",
    "applicant": {"name": "张三丰", "phone": "13812345678"},
}


def publish(client: TestClient, auth: TokenFactory, title: str) -> str:
    response = client.post(
        f"{VILLAGE}/disclosures",
        json={**FINANCE, "title": title},
        headers=auth("xinhe.tahe.tuanjie", "clerk"),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_supervisor_gets_a_checkpoint_cosigned_by_the_town(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    publish(client, auth, "团结村2026年1月财务收支")
    county = auth("xinhe", "inspector")
    response = client.get(f"{VILLAGE}/audit/checkpoint", headers=county)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    note = Note.parse(response.text)
    checkpoint = Checkpoint.parse(note.text)
    assert checkpoint.origin == "gongkai.local/xinhe.tahe.tuanjie"
    keys = client.get(f"{VILLAGE}/audit/keys", headers=county).json()["keys"]
    # The village signed; the town witnessed; the county has not signed anything yet.
    assert set(keys) == {"xinhe.tahe", "xinhe.tahe.tuanjie"}
    village = [Ed25519Verifier.from_verifier_key(k) for k in keys["xinhe.tahe.tuanjie"]]
    assert verify_note(note, village)
    town_key = Ed25519Verifier.from_verifier_key(keys["xinhe.tahe"][-1])
    cosigner = Ed25519Verifier(
        "gongkai.local/xinhe.tahe", town_key.public_key, signature_type=COSIGNATURE_V1
    )
    assert any(s.key_id == cosigner.key_id for s in note.signatures)

    head = client.get(f"{VILLAGE}/audit/tree-head", headers=county).json()
    assert head["tree_size"] == checkpoint.size
    assert base64.b64decode(head["sha256_root_hash"]) == checkpoint.root_hash
    assert head["checkpoint"] == response.text


def test_leaves_and_proofs_verify_against_the_tree_head(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    first = publish(client, auth, "团结村2026年1月财务收支")
    county = auth("xinhe", "supervisor")
    head1 = client.get(f"{VILLAGE}/audit/tree-head", headers=county).json()
    publish(client, auth, "团结村2026年2月财务收支")
    head2 = client.get(f"{VILLAGE}/audit/tree-head", headers=county).json()
    assert head2["tree_size"] > head1["tree_size"]

    proof = client.get(
        f"{VILLAGE}/audit/proofs/inclusion",
        headers=county,
        params={"event": f"{first}:1", "tree_size": head2["tree_size"]},
    ).json()
    leaf = client.get(
        f"{VILLAGE}/audit/leaves/{proof['leaf_index']}", headers=county
    ).json()
    data = base64.b64decode(leaf["leaf_input"])
    assert leaf["event_id"] == f"{first}:1"
    decoded = Leaf.decode(data)
    assert decoded.tenant == "xinhe.tahe.tuanjie"
    assert decoded.event_type == "domain.disclosure:Disclosure.Published"
    assert base64.b64decode(proof["leaf_hash"]) == hash_leaf(data)
    verify_inclusion(
        proof["leaf_index"],
        proof["tree_size"],
        hash_leaf(data),
        [base64.b64decode(h) for h in proof["audit_path"]],
        base64.b64decode(head2["sha256_root_hash"]),
    )
    consistency = client.get(
        f"{VILLAGE}/audit/proofs/consistency",
        headers=county,
        params={"first": head1["tree_size"], "second": head2["tree_size"]},
    ).json()
    verify_consistency(
        head1["tree_size"],
        head2["tree_size"],
        [base64.b64decode(h) for h in consistency["consistency"]],
        base64.b64decode(head1["sha256_root_hash"]),
        base64.b64decode(head2["sha256_root_hash"]),
    )


def test_bad_proof_requests_are_problems(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    item = publish(client, auth, "团结村公告")
    county = auth("xinhe", "supervisor")
    client.get(f"{VILLAGE}/audit/tree-head", headers=county)
    beyond = client.get(
        f"{VILLAGE}/audit/proofs/inclusion",
        headers=county,
        params={"event": f"{item}:1", "tree_size": 10_000},
    )
    assert beyond.status_code == 404
    assert beyond.json()["field"] == "tree_size"
    unknown = client.get(
        f"{VILLAGE}/audit/proofs/inclusion", headers=county, params={"event": "nope:1"}
    )
    assert unknown.status_code == 404
    backwards = client.get(
        f"{VILLAGE}/audit/proofs/consistency",
        headers=county,
        params={"first": 3, "second": 1},
    )
    assert backwards.status_code == 422
    assert client.get(f"{VILLAGE}/audit/leaves/9999", headers=county).status_code == 404


def test_leaves_come_in_bounded_ranges_and_bad_ranges_are_400(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    for n in range(3):
        publish(client, auth, f"团结村2026年{n + 1}月财务收支")
    county = auth("xinhe", "inspector")
    size = client.get(f"{VILLAGE}/audit/tree-head", headers=county).json()["tree_size"]
    url = f"{VILLAGE}/audit/leaves"
    batch = client.get(url, headers=county, params={"start": 1, "end": 3})
    assert batch.status_code == 200, batch.text
    leaves = batch.json()["leaves"]
    assert [leaf["leaf_index"] for leaf in leaves] == [1, 2, 3]
    single = client.get(f"{url}/2", headers=county).json()
    assert leaves[1] == single
    tail = client.get(url, headers=county, params={"start": 0, "end": 10**9}).json()
    assert len(tail["leaves"]) == size  # capped at the log's end
    for params, field in (
        ({"start": 3, "end": 1}, "start"),
        ({"start": size, "end": size + 5}, "start"),
    ):
        bad = client.get(url, headers=county, params=params)
        assert bad.status_code == 400, bad.text
        assert bad.json()["field"] == field
        assert bad.headers["content-type"].startswith("application/problem+json")
    for params in ({"start": -1, "end": 2}, {"start": 0, "end": 2**63}):
        assert client.get(url, headers=county, params=params).status_code in (400, 422)
    other = auth("wensu", "inspector")
    assert (
        client.get(url, headers=other, params={"start": 0, "end": 1}).status_code == 404
    )


def test_an_evidence_bundle_verifies_offline_and_one_changed_byte_fails(
    client: TestClient, auth: TokenFactory, tree: None, tmp_path: Path
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    item = publish(client, auth, "团结村2026年1月财务收支")
    revised = client.post(
        f"{VILLAGE}/disclosures/{item}/revisions",
        headers=clerk,
        json={"reason": "更正金额", "body": "二、支出合计9.6万元。"},
    )
    assert revised.status_code == 200
    inspector = auth("xinhe", "inspector")
    response = client.get(f"{VILLAGE}/evidence/disclosures/{item}", headers=inspector)
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(response.content)

    ok = verify(bundle)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "xinhe.tahe.tuanjie" in ok.stdout
    assert "xinhe.tahe" in ok.stdout

    text = response.content.decode()
    position = text.index('"leaf_input": "') + len('"leaf_input": "') + 20
    swapped = "A" if text[position] != "A" else "B"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(text[:position] + swapped + text[position + 1 :])
    bad = verify(tampered)
    assert bad.returncode == 1
    assert "✗" in bad.stdout


def test_a_case_bundle_missing_its_first_middle_or_last_event_fails(
    client: TestClient, auth: TokenFactory, tree: None, tmp_path: Path
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    filed = client.post(f"{VILLAGE}/cases", headers=clerk, json=COMPLAINT)
    case = filed.json()["id"]
    for action, body in (
        ("accept", {}),
        ("assign", {"department": "社会事务服务部", "handler": "李四"}),
        ("resolve", {"result": "已责令退还多收停车费"}),
        ("reply", {"method": "电话", "content": "已电话告知处理结果"}),
        ("feedback", {"rating": "unsatisfied"}),
    ):
        done = client.post(f"{VILLAGE}/cases/{case}/{action}", headers=clerk, json=body)
        assert done.status_code == 200, (action, done.text)
    inspector = auth("xinhe", "inspector")
    response = client.get(f"{VILLAGE}/evidence/cases/{case}", headers=inspector)
    assert response.status_code == 200, response.text
    bundle = json.loads(response.content)
    assert [e["event_id"] for e in bundle["events"]][-1] == f"{case}:6"
    whole = tmp_path / "case.json"
    whole.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    top = client.get(f"{VILLAGE}/audit/keys", headers=inspector).json()["keys"]
    ok = verify(whole, "--trust", top["xinhe"][-1])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "versions 1…6" in ok.stdout
    assert "is pinned (--trust)" in ok.stdout
    assert "inspector @ xinhe" in ok.stdout

    for drop, version in ((0, 1), (2, 3), (5, 6)):
        cut = json.loads(json.dumps(bundle))
        del cut["events"][drop]
        path = tmp_path / f"without-v{version}.json"
        path.write_text(json.dumps(cut, ensure_ascii=False), encoding="utf-8")
        bad = verify(path)
        assert bad.returncode == 1, bad.stdout
        assert f"events lack version {version}" in bad.stdout, bad.stdout

    wrong = top["xinhe.tahe"][-1]  # a real key, but not the top tenant's
    refused = verify(whole, "--trust", wrong)
    assert refused.returncode == 1
    assert "none of the trusted keys" in refused.stdout


def verify(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    gongkai = str(Path(sys.executable).parent / "gongkai")
    return subprocess.run(
        [gongkai, "verify", str(path), *options],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
