"""Offline verification of evidence bundles, built from real keys and trees.

The bundle (tests/fixtures/bundles.py) is a village disclosure's history (团结村 ←
塔河镇 ← 新和县): the village log, its checkpoint cosigned by the town, the town's
record of that checkpoint proven into its own checkpoint cosigned by the county, and
the county's record of the town.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from domain.errors import EvidenceError, GongkaiError
from domain.ledger.evidence import (
    CheckedEvent,
    KeyUse,
    Subject,
    Witness,
    load_bundle,
    verify_bundle,
)
from domain.ledger.export import ExportStatement
from domain.ledger.leaf import Leaf, utc_text
from domain.ledger.note import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    CosignatureSigner,
    Note,
    Verifier,
    add_signature,
    sign_note,
)
from infra.keys import Ed25519Signer
from tests.fixtures.bundles import (
    COUNTY,
    DISCLOSURE,
    EXPORTED_AT,
    EXPORTED_BY,
    INSTALLATION,
    LEDGER_TOPIC,
    OTHER,
    T0,
    TOWN,
    VILLAGE,
    b64,
    build_bundle,
    cosigner,
    make_verifier,
    origin,
    signer,
)

GOOD = build_bundle()
GOOD_TEXT = json.dumps(GOOD, ensure_ascii=False, indent=1)


def bundle() -> dict[str, Any]:
    return copy.deepcopy(GOOD)


def fails(b: dict[str, Any], *words: str, field: str | None = None) -> EvidenceError:
    """Assert that ``b`` fails to verify with every word in the reason."""
    with pytest.raises(EvidenceError) as caught:
        verify_bundle(b, make_verifier)
    for word in words:
        assert word in caught.value.detail, caught.value.detail
    if field is not None:
        assert caught.value.field == field
    return caught.value


def key_id(path: str, signature_type: int = ED25519) -> str:
    if signature_type == COSIGNATURE_V1:
        return cosigner(path).key_id.hex()
    return signer(path).key_id.hex()


# The good bundle ----------------------------------------------------------------------


def test_a_good_bundle_verifies_and_the_report_says_what_it_proves() -> None:
    report = verify_bundle(load_bundle(GOOD_TEXT), make_verifier)

    assert report.tenant == VILLAGE
    assert report.installation == INSTALLATION
    assert report.subject == Subject("disclosure", str(DISCLOSURE), VILLAGE)
    assert report.checkpoint_size == 6
    head = Checkpoint.parse(Note.parse(GOOD["checkpoint"]).text)
    assert report.checkpoint_root == b64(head.root_hash)
    assert [e.event_type for e in report.events] == [
        "Disclosure.Published",
        "Disclosure.Revised",
        "Disclosure.Withdrawn",
    ]
    assert [e.version for e in report.events] == [1, 2, 3]
    first = report.events[0]
    assert first == CheckedEvent(
        f"{DISCLOSURE}:1", "Disclosure.Published", first.recorded_at, first.recorded_at
    )
    assert report.events[2].effective_at == T0 - timedelta(days=2)
    assert report.witnessed_by == (Witness(TOWN, 3), Witness(COUNTY, 3))
    assert report.chain == (VILLAGE, TOWN, COUNTY)
    assert report.key_ids == (
        KeyUse(VILLAGE, key_id(VILLAGE), ED25519),
        KeyUse(TOWN, key_id(TOWN, COSIGNATURE_V1), COSIGNATURE_V1),
        KeyUse(TOWN, key_id(TOWN), ED25519),
        KeyUse(COUNTY, key_id(COUNTY, COSIGNATURE_V1), COSIGNATURE_V1),
        KeyUse(COUNTY, key_id(COUNTY), ED25519),
    )
    assert utc_text(report.exported_at) == EXPORTED_AT


def test_the_payload_of_the_first_event_is_the_chinese_state_it_recorded() -> None:
    leaf = Leaf.decode(base64.b64decode(GOOD["events"][0]["leaf_input"]))
    assert json.loads(leaf.payload)["title"] == "团结村2026年第三季度村级财务收支公开"


def test_a_town_and_a_county_bundle_verify_with_shorter_chains() -> None:
    town = verify_bundle(build_bundle(TOWN), make_verifier)
    county = verify_bundle(build_bundle(COUNTY), make_verifier)
    assert town.chain == (TOWN, COUNTY)
    assert county.chain == (COUNTY,)
    assert county.witnessed_by == ()


def test_a_retired_key_listed_beside_the_current_one_is_named_as_unbound() -> None:
    b = bundle()
    retired = signer(VILLAGE, key_seed=b"\x01" * 32).verifier_key()
    b["keys"][VILLAGE].insert(0, retired)
    report = verify_bundle(b, make_verifier)
    assert report.key_ids[0] == KeyUse(VILLAGE, key_id(VILLAGE), ED25519)
    assert report.unbound == (f"keys.{VILLAGE}[0] {retired.rpartition('+')[0]}",)
    pinned = [signer(COUNTY).verifier_key()]
    with pytest.raises(EvidenceError) as caught:
        verify_bundle(b, make_verifier, pinned)  # an exporter lists only bound keys
    assert "not bound to the pinned key" in caught.value.detail
    assert caught.value.field == f"keys.{VILLAGE}[0]"


# Every one-character change fails ----------------------------------------------------


def mutate(char: str) -> str:
    """Another character of the same class, so base64 and digits stay well formed."""
    for alphabet in ("0123456789", "abcdefghijklmnopqrstuvwxyz"):
        for a in (alphabet, alphabet.upper()):
            if char in a:
                return a[(a.index(char) + 1) % len(a)]
    return {"+": "/", "/": "+", "=": "A", "—": "-", " ": "\t"}.get(char, "#")


def spans(text: str, value: str) -> Iterator[int]:
    """Positions of every character of each JSON-encoded occurrence of ``value``."""
    encoded = json.dumps(value, ensure_ascii=False)[1:-1]
    start = text.find(encoded)
    while start >= 0:
        yield from range(start, start + len(encoded))
        start = text.find(encoded, start + 1)


def positions() -> list[int]:
    """Every position: the export time and principal are signed too."""
    assert set(spans(GOOD_TEXT, EXPORTED_AT))
    return list(range(len(GOOD_TEXT)))


def outcome(text: str) -> str:
    """'ok' if ``text`` verifies, else the class of what stopped it."""
    try:
        verify_bundle(load_bundle(text), make_verifier)
    except EvidenceError:
        return "EvidenceError"
    except GongkaiError as e:  # pragma: no cover - must not happen
        return f"leaked {type(e).__name__}: {e}"
    return "ok"


def test_every_one_character_change_fails_with_an_evidence_error() -> None:
    """Each character of the bundle (leaves, proofs, notes, keys, names) matters."""
    original = json.loads(GOOD_TEXT)
    results: dict[str, list[int]] = {}
    for i in positions():
        text = GOOD_TEXT[:i] + mutate(GOOD_TEXT[i]) + GOOD_TEXT[i + 1 :]
        try:
            if json.loads(text) == original:
                continue  # white space between tokens: the same bundle
        except json.JSONDecodeError:
            pass
        results.setdefault(outcome(text), []).append(i)
    assert len(results["EvidenceError"]) > 8000
    assert set(results) == {"EvidenceError"}, {
        k: [GOOD_TEXT[max(0, i - 20) : i + 20] for i in v[:3]]
        for k, v in results.items()
        if k != "EvidenceError"
    }


def signed_export(b: dict[str, Any], key: Ed25519Signer, **changes: Any) -> str:
    statement = ExportStatement.parse(Note.parse(b["export"]).text)
    fields = {**statement.__dict__, **changes}
    return sign_note(ExportStatement(**fields).body(), key).format()


def test_the_export_time_and_principal_are_signed_by_the_tenant() -> None:
    report = verify_bundle(bundle(), make_verifier)
    assert report.exported_by == EXPORTED_BY
    b = bundle()
    b["exported_at"] = "2027-01-01T00:00:00.000000Z"
    fails(b, "signed export statement says exported_at", field="exported_at")
    b["exported_at"] = "2026-11-25 14:00"
    fails(b, "exported_at", field="exported_at")
    b = bundle()
    b["export"] = signed_export(b, signer(VILLAGE), exported_by={"id": "someone"})
    assert verify_bundle(b, make_verifier).exported_by == {"id": "someone"}
    b["export"] = signed_export(b, signer(TOWN))  # another tenant's key
    fails(b, "export is not a statement signed by a key in keys.", field="export")
    b = bundle()
    b["export"] = signed_export(b, signer(VILLAGE), size=5)
    fails(b, "says size 5", field="export")
    b = bundle()  # a time before the cosignatures, signed, is still refused
    early = "2026-11-20T00:00:00.000000Z"
    b["export"] = signed_export(b, signer(VILLAGE), exported_at=early)
    b["exported_at"] = early
    fails(b, "cosigned in the future", "witnesses[0]", field="checkpoint")


# Events -------------------------------------------------------------------------------


def reencoded(entry: dict[str, Any], **changes: Any) -> str:
    leaf = Leaf.decode(base64.b64decode(entry["leaf_input"]))
    fields = {**leaf.__dict__, **changes}
    return b64(Leaf(**fields).encode())


def test_an_altered_leaf_payload_does_not_reach_the_root() -> None:
    b = bundle()
    first = b["events"][0]
    leaf = Leaf.decode(base64.b64decode(first["leaf_input"]))
    forged = leaf.payload.replace("12.5万元".encode(), "125万元".encode())
    assert forged != leaf.payload
    first["leaf_input"] = reencoded(first, payload=forged)
    fails(
        b,
        f"events[0] ({DISCLOSURE}:1) is not at leaf_index 1",
        "does not match",
        field="events[0].inclusion_proof",
    )


def test_swapped_events_are_out_of_order() -> None:
    b = bundle()
    b["events"][0], b["events"][1] = b["events"][1], b["events"][0]
    fails(
        b,
        f"events[0] ({DISCLOSURE}:2) is version 2, expected 1",
        field="events[0].event_id",
    )


def test_a_missing_first_event_is_named() -> None:
    b = bundle()
    del b["events"][0]
    fails(b, "events lack version 1 of disclosure", field="events")


def test_a_missing_middle_event_is_named() -> None:
    b = bundle()
    del b["events"][1]
    fails(b, "events lack version 2 of", "commits to version 3", field="events")


def test_a_missing_last_event_is_named_by_the_map() -> None:
    b = bundle()
    del b["events"][2]
    fails(b, "events lack version 3 (the latest)", "leaf 4", field="events")


def test_a_map_proof_of_an_older_version_does_not_verify() -> None:
    b = bundle()
    del b["events"][2]
    b["map_proof"].update(version=2, leaf_index=b["events"][1]["leaf_index"])
    fails(b, "map_proof does not put", "at version 2", field="map_proof")


def test_a_checkpoint_without_the_map_cannot_prove_completeness() -> None:
    b = bundle()
    note = Note.parse(b["checkpoint"])
    bare = Checkpoint.parse(note.text)
    plain = Checkpoint(bare.origin, bare.size, bare.root_hash)
    b["checkpoint"] = sign_note(plain.body(), signer(VILLAGE)).format()
    fails(b, "commits to no aggregate map", field="checkpoint")


def test_a_duplicated_event_is_refused() -> None:
    b = bundle()
    b["events"].append(copy.deepcopy(b["events"][2]))
    fails(b, "each version once", field="events")


def test_no_events_at_all_is_refused() -> None:
    b = bundle()
    b["events"] = []
    fails(b, "events is empty", field="events")


def test_a_proof_for_another_index_fails() -> None:
    b = bundle()
    b["events"][1]["leaf_index"] = b["events"][2]["leaf_index"]
    fails(b, f"events[1] ({DISCLOSURE}:2) is not at leaf_index 4")


def test_a_proof_hash_that_is_not_canonical_base64_is_named() -> None:
    b = bundle()
    b["events"][2]["inclusion_proof"][1] = "not base64!"
    fails(b, "inclusion_proof[1] is not canonical base64")


def test_a_leaf_of_another_aggregate_is_not_the_subject() -> None:
    b = bundle()
    b["subject"]["id"] = str(OTHER)
    fails(b, "map_proof does not put", field="map_proof")


def test_an_event_id_that_does_not_match_its_leaf_is_named() -> None:
    b = bundle()
    b["events"][0]["event_id"] = f"{OTHER}:1"
    fails(b, f"event_id '{OTHER}:1' but the leaf is {DISCLOSURE}:1")


def test_a_non_canonical_leaf_is_refused() -> None:
    b = bundle()
    raw = base64.b64decode(b["events"][0]["leaf_input"])
    b["events"][0]["leaf_input"] = b64(raw.replace(b'","', b'", "', 1))
    fails(b, "not in canonical form", field="events[0].leaf_input")


def test_the_subject_kind_must_match_the_aggregate() -> None:
    b = bundle()
    b["subject"]["kind"] = "case"
    fails(b, "is a Disclosure.Published event, not of a 'case'", field="subject.kind")


# Checkpoints and keys -----------------------------------------------------------------


def test_a_checkpoint_signed_by_an_unknown_key_is_refused() -> None:
    b = bundle()
    note = Note.parse(b["checkpoint"])
    rogue = sign_note(note.text, signer(VILLAGE, key_seed=b"\x02" * 32))
    b["checkpoint"] = Note(note.text, (*rogue.signatures, note.signatures[1])).format()
    fails(
        b,
        f"checkpoint of {VILLAGE} is not signed by a key in keys.{VILLAGE}",
        "no signature by a known key",
        field="checkpoint",
    )


def test_keys_named_for_another_installation_are_refused() -> None:
    b = bundle()
    b["installation"] = "gongkai.example"
    fails(
        b,
        f"is named '{origin(VILLAGE)}', not 'gongkai.example/{VILLAGE}'",
        field=f"keys.{VILLAGE}[0]",
    )


def test_a_checkpoint_of_another_origin_is_refused() -> None:
    b = bundle()
    head = Checkpoint.parse(Note.parse(b["checkpoint"]).text)
    body = Checkpoint(origin("xinhe.tahe.other"), head.size, head.root_hash).body()
    b["checkpoint"] = sign_note(body, signer(VILLAGE)).format()
    fails(b, "has origin 'gongkai.local/xinhe.tahe.other'", field="checkpoint")


def test_a_key_named_for_another_tenant_is_refused() -> None:
    b = bundle()
    b["keys"][VILLAGE] = [signer(TOWN).verifier_key()]
    fails(b, f"is named '{origin(TOWN)}', not '{origin(VILLAGE)}'")


def test_a_key_with_an_upper_case_id_is_not_canonical() -> None:
    b = bundle()
    name, kid, rest = b["keys"][TOWN][0].split("+")
    b["keys"][TOWN][0] = f"{name}+{kid.upper()}+{rest}"
    if kid == kid.upper():
        pytest.skip("the key ID happens to have no letters")
    fails(b, "not in canonical form", field=f"keys.{TOWN}[0]")


def test_keys_of_a_tenant_outside_the_chain_are_refused() -> None:
    b = bundle()
    b["keys"]["xinhe.other"] = [signer("xinhe.other").verifier_key()]
    fails(b, "neither", field="keys.xinhe.other")


def test_missing_keys_of_an_ancestor_are_refused() -> None:
    b = bundle()
    del b["keys"][COUNTY]
    fails(b, f"keys lacks the verifier keys of {COUNTY}", field=f"keys.{COUNTY}")


# The witness chain --------------------------------------------------------------------


def test_a_missing_parent_cosignature_is_refused() -> None:
    b = bundle()
    note = Note.parse(b["checkpoint"])
    b["checkpoint"] = Note(note.text, note.signatures[:1]).format()
    fails(
        b,
        f"witnesses[0]: the checkpoint of {VILLAGE} carries no cosignature/v1 line "
        f"by {origin(TOWN)} (key ID {key_id(TOWN, COSIGNATURE_V1)})",
        field="checkpoint",
    )


def test_a_missing_county_cosignature_of_the_town_is_refused() -> None:
    b = bundle()
    note = Note.parse(b["witnesses"][0]["checkpoint"])
    b["witnesses"][0]["checkpoint"] = Note(note.text, note.signatures[:1]).format()
    fails(b, f"the checkpoint of {TOWN} carries no", field="witnesses[0].checkpoint")


def test_a_cosignature_by_the_grandparent_instead_of_the_parent_is_refused() -> None:
    b = bundle()
    note = Note.parse(b["checkpoint"])
    stamp = 1_795_000_000
    wrong = add_signature(
        Note(note.text, note.signatures[:1]),
        CosignatureSigner(cosigner(COUNTY), stamp),
    )
    b["checkpoint"] = wrong.format()
    fails(b, f"carries no cosignature/v1 line by {origin(TOWN)}")


def test_a_witness_event_recording_a_different_root_is_refused() -> None:
    def other_root(child: str, fields: dict[str, Any]) -> dict[str, Any]:
        if child == VILLAGE:
            fields["root_hash"] = b64(hashlib.sha256(b"another history").digest())
        return fields

    fails(
        build_bundle(witness_state=other_root),
        "witnesses[0].witness_event",
        "records root",
        f"the checkpoint of {VILLAGE} has",
        field="witnesses[0].witness_event.leaf_input",
    )


def test_a_witness_event_recording_another_size_or_child_or_note_is_refused() -> None:
    def smaller(child: str, fields: dict[str, Any]) -> dict[str, Any]:
        return {**fields, "size": fields["size"] - 1} if child == TOWN else fields

    def sibling(child: str, fields: dict[str, Any]) -> dict[str, Any]:
        return {**fields, "child": "xinhe.tahe.other"} if child == VILLAGE else fields

    def other_note(child: str, fields: dict[str, Any]) -> dict[str, Any]:
        forged = fields["note"].replace("\n6\n", "\n5\n")
        return {**fields, "note": forged} if child == VILLAGE else fields

    fails(build_bundle(witness_state=smaller), "witnesses[1]", "records size 2")
    fails(build_bundle(witness_state=sibling), "records child 'xinhe.tahe.other'")
    fails(build_bundle(witness_state=other_note), "records a note whose text differs")


def test_a_wrong_parent_path_is_refused() -> None:
    b = bundle()
    b["witnesses"][0]["tenant"] = "xinhe.hongqi"
    fails(
        b,
        f"the parent of {VILLAGE} is {TOWN}, not 'xinhe.hongqi'",
        field="witnesses[0].tenant",
    )


def test_swapped_witness_levels_are_refused() -> None:
    b = bundle()
    b["witnesses"].reverse()
    fails(b, f"the parent of {VILLAGE} is {TOWN}, not '{COUNTY}'")


def test_a_chain_that_stops_below_the_top_is_refused() -> None:
    b = bundle()
    del b["witnesses"][1]
    fails(b, f"the witness chain stops at {TOWN}", field="witnesses")


def test_a_chain_that_goes_above_the_top_is_refused() -> None:
    b = bundle()
    b["witnesses"].append(copy.deepcopy(b["witnesses"][1]))
    fails(b, f"{COUNTY} is a top tenant", field="witnesses[2].tenant")


def test_a_witness_event_of_another_type_is_refused() -> None:
    b = bundle()
    # the county's Opened event is leaf 0 of its log, proven into the same checkpoint
    good = b["witnesses"][1]["witness_event"]
    leaf = Leaf.decode(base64.b64decode(good["leaf_input"]))
    assert leaf.version == 2
    b["witnesses"][1]["witness_event"] = {
        **good,
        "event_id": f"{leaf.aggregate_id}:1",
        "leaf_input": reencoded(
            good, version=1, event_type=f"{LEDGER_TOPIC}.KeyRotated"
        ),
    }
    fails(b, "is a domain.audit:AuditLedger.KeyRotated, not a", "ChildCheckpoint")


def test_a_witness_event_from_the_childs_own_log_is_refused() -> None:
    b = bundle()
    b["witnesses"][0]["witness_event"] = copy.deepcopy(b["events"][0])
    fails(b, f"is in the log of '{VILLAGE}', not '{TOWN}'")


# Loading ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"format": ', "not JSON"),
        (GOOD_TEXT[:-2], "not JSON"),
        ("[]", "not a JSON object"),
        ('{"format": "a", "format": "b"}', "repeats the key 'format'"),
        ('{"format": "gongkai-evidence/v1"}', "cannot show that a bundle lists"),
        ('{"format": "gongkai-evidence/v2"}', "bundle lacks"),
    ],
)
def test_broken_json_is_refused_with_a_reason(text: str, words: str) -> None:
    with pytest.raises(EvidenceError, match=words):
        load_bundle(text)


def test_bytes_that_are_not_utf8_are_refused() -> None:
    with pytest.raises(EvidenceError, match="not UTF-8"):
        load_bundle(GOOD_TEXT.encode()[:-10] + b"\xff" + GOOD_TEXT.encode()[-9:])


@pytest.mark.parametrize(
    ("change", "words", "where"),
    [
        (lambda b: b.update(extra=1), "unknown fields 'extra'", "bundle"),
        (lambda b: b.update(format="gongkai-evidence/v3"), "is not", "format"),
        (lambda b: b["events"][0].update(leaf_index=True), "JSON integer", None),
        (lambda b: b["events"][0].pop("inclusion_proof"), "lacks", "events[0]"),
        (lambda b: b["keys"].update(xinhe="k"), "JSON array", "keys.xinhe"),
        (lambda b: b["subject"].update(tenant=TOWN), "differs", "subject.tenant"),
        (lambda b: b["witnesses"][0].update(checkpoint=7), "JSON string", None),
    ],
)
def test_shape_errors_name_the_field(
    change: Callable[[dict[str, Any]], object], words: str, where: str | None
) -> None:
    b = bundle()
    change(b)
    error = fails(b, words)
    if where is not None:
        assert error.field == where


def test_load_bundle_returns_the_dict() -> None:
    assert load_bundle(GOOD_TEXT) == GOOD
    assert load_bundle(GOOD_TEXT.encode()) == GOOD


def test_a_verifier_factory_that_raises_is_reported_as_evidence() -> None:
    def broken(text: str, signature_type: int) -> Verifier:
        raise RuntimeError("no Ed25519 here")

    with pytest.raises(EvidenceError, match="cannot make a verifier: no Ed25519"):
        verify_bundle(bundle(), broken)


# Trust pinning ------------------------------------------------------------------------


def test_a_pinned_top_key_is_reported_and_a_wrong_one_fails() -> None:
    top = signer(COUNTY).verifier_key()
    report = verify_bundle(bundle(), make_verifier, [top])
    assert report.pinned == (key_id(COUNTY),)
    assert verify_bundle(bundle(), make_verifier).pinned == ()
    stranger = signer(COUNTY, key_seed=b"\x07" * 32).verifier_key()
    fails_pinned = pytest.raises(EvidenceError)
    with fails_pinned as caught:
        verify_bundle(bundle(), make_verifier, [stranger])
    assert "none of the trusted keys" in caught.value.detail
    with pytest.raises(EvidenceError, match="none of the trusted keys"):
        verify_bundle(bundle(), make_verifier, [signer(VILLAGE).verifier_key()])
    report = verify_bundle(bundle(), make_verifier, [stranger, top])
    assert report.pinned == (key_id(COUNTY),)
    with pytest.raises(EvidenceError, match="trusted key 1 is not"):
        verify_bundle(bundle(), make_verifier, ["not a key"])
