"""The frozen vectors of tests/fixtures/vectors/: the project's verifier gives each
its verdict, as an outside verifier must (README.md there), and the script that
wrote them writes the same bytes again."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from domain.errors import EvidenceError, LedgerError
from domain.ledger import verify_consistency
from domain.ledger.evidence import load_bundle, verify_bundle
from domain.ledger.map import MapEntry, map_root, verify_map_entry
from domain.ledger.note import (
    COSIGNATURE_V1,
    Checkpoint,
    CosignatureVerifier,
    Note,
    Verifier,
    verify_note,
)
from infra.keys import Ed25519Verifier, make_verifier
from tests.fixtures.vectors import make_vectors

VECTORS = Path(make_vectors.__file__).parent


def cases(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def named(items: list[dict[str, Any]]) -> Any:
    return pytest.mark.parametrize("case", items, ids=[c["name"] for c in items])


def test_the_script_writes_the_committed_vectors_byte_for_byte() -> None:
    generated = make_vectors.generate()
    on_disk = {
        str(p.relative_to(VECTORS)): p.read_text(encoding="utf-8")
        for p in VECTORS.rglob("*.json")
    }
    assert sorted(on_disk) == sorted(generated)
    for path, text in generated.items():
        assert on_disk[path] == text, f"{path} no longer reproduces: vectors are frozen"


def test_the_issue_20_attacks_are_among_the_vectors() -> None:
    verdicts = {c["name"]: c["verdict"] for c in cases("bundles.json")}
    assert verdicts["forged-exporter"] == "reject"
    assert verdicts["county-tail-rewritten"] == "reject"
    held = {c["name"]: c["verdict"] for c in cases("consistency.json")}
    assert held["tail-rewritten"] == "reject"


def verdict(check: Callable[[], object]) -> str:
    """``accept`` if ``check`` returns, ``reject`` if the verifier refuses."""
    try:
        check()
    except LedgerError:
        return "reject"
    return "accept"


@named(cases("bundles.json"))
def test_each_bundle_gets_its_verdict(case: dict[str, Any]) -> None:
    data = (VECTORS / case["file"]).read_bytes()
    if case["verdict"] == "reject":
        with pytest.raises(EvidenceError) as caught:
            verify_bundle(load_bundle(data), make_verifier, case["trust"])
        assert caught.value.field == case["field"], caught.value.detail
        return
    report = verify_bundle(load_bundle(data), make_verifier, case["trust"])
    assert case["verdict"] == "accept"
    assert list(report.unbound) == case["unbound"]


def verifier(text: str) -> Verifier:
    """A note verifier of a key of either type: 0x01 note, 0x04 cosignature/v1."""
    kind = base64.b64decode(text.split("+", 2)[2])[0]
    if kind == COSIGNATURE_V1:
        key = Ed25519Verifier.from_verifier_key(text, signature_type=COSIGNATURE_V1)
        return CosignatureVerifier(key)
    return Ed25519Verifier.from_verifier_key(text)


@named(cases("notes.json"))
def test_each_note_gets_its_verdict(case: dict[str, Any]) -> None:
    verifiers = {key: verifier(key) for key in case["keys"]}
    signed: list[Verifier] = []

    def check() -> None:
        signed.extend(verify_note(Note.parse(case["note"]), verifiers.values()))

    assert verdict(check) == case["verdict"]
    by = [k for k, v in verifiers.items() if any(v is s for s in signed)]
    assert by == case["signed_by"]


def entry(item: dict[str, Any]) -> MapEntry:
    return MapEntry(item["aggregate_id"], item["version"], item["leaf_index"])


def test_each_map_root_is_recomputed_from_its_entries() -> None:
    for m in cases("map_proofs.json")["maps"]:
        root = map_root(entry(e) for e in m["entries"])
        assert base64.b64encode(root).decode() == m["root"], m["name"]


@named(cases("map_proofs.json")["proofs"])
def test_each_map_proof_gets_its_verdict(case: dict[str, Any]) -> None:
    proof = [base64.b64decode(h) for h in case["proof"]]
    root = base64.b64decode(case["root"])
    assert (
        verdict(lambda: verify_map_entry(entry(case), proof, root)) == (case["verdict"])
    )


@named(cases("consistency.json"))
def test_each_held_checkpoint_gets_its_verdict(case: dict[str, Any]) -> None:
    key = [Ed25519Verifier.from_verifier_key(case["key"])]
    old, new = (Note.parse(case[n]) for n in ("old", "new"))
    verify_note(old, key)
    verify_note(new, key)
    a, b = Checkpoint.parse(old.text), Checkpoint.parse(new.text)
    proof = [base64.b64decode(h) for h in case["proof"]]

    def check() -> None:
        if b.size < a.size:
            raise LedgerError(f"the log shrank from {a.size} to {b.size}")
        verify_consistency(a.size, b.size, proof, a.root_hash, b.root_hash)

    assert verdict(check) == case["verdict"]
