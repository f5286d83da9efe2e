"""Every key of a bundle is bound to the pinned top key by the witness chain (#20 §1).

The forger holds a real bundle and the installation's signing code, not its keys: a
new Ed25519 key named like the village's may re-sign anything, but the town recorded
the village's checkpoint note byte for byte, signature lines included.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from domain.errors import EvidenceError
from domain.ledger.evidence import verify_bundle
from domain.ledger.note import Note, add_signature
from tests.fixtures.bundles import (
    COUNTY,
    FORGED_BY,
    FORGER,
    TOWN,
    VILLAGE,
    build_bundle,
    export_by,
    forged_exporter,
    make_verifier,
    re_signed,
    signer,
)

GOOD = build_bundle()
COUNTY_KEY = signer(COUNTY).verifier_key()


def bundle() -> dict[str, Any]:
    return copy.deepcopy(GOOD)


def refused(b: dict[str, Any], *words: str, trust: bool = True) -> EvidenceError:
    with pytest.raises(EvidenceError) as caught:
        verify_bundle(b, make_verifier, [COUNTY_KEY] if trust else [])
    for word in words:
        assert word in caught.value.detail, caught.value.detail
    return caught.value


def test_the_honest_bundle_verifies_with_the_county_pinned_every_key_bound() -> None:
    report = verify_bundle(bundle(), make_verifier, [COUNTY_KEY])
    assert report.unbound == ()
    assert report.exported_by["id"] == "inspector-li"


def test_a_forged_exporter_with_a_new_village_key_is_refused() -> None:
    """The attack of #20 §1, step by step; before, it verified with the pin."""
    b = forged_exporter(bundle())
    for trust in (True, False):
        error = refused(
            b,
            f"the checkpoint of {VILLAGE} is not signed as witnesses[0]",
            f"the bundle's lines are by {FORGER.name}+{FORGER.key_id.hex()}",
            f"the record's by {signer(VILLAGE).name}+{signer(VILLAGE).key_id.hex()}",
            trust=trust,
        )
        assert error.field == "checkpoint"


def test_an_extra_village_key_cannot_sign_the_export() -> None:
    """The checkpoint left as the town recorded it, the export by a key beside it."""
    b = bundle()
    b["keys"][VILLAGE].append(FORGER.verifier_key())
    b["export"] = export_by(b, FORGER, FORGED_BY)
    for trust in (True, False):
        error = refused(
            b,
            f"export is signed by {FORGER.name}+{FORGER.key_id.hex()}",
            "that the witness chain does not bind",
            trust=trust,
        )
        assert error.field == "export"


def test_the_export_signed_by_both_keys_still_needs_the_bound_one() -> None:
    b = bundle()
    b["keys"][VILLAGE].append(FORGER.verifier_key())
    forged = Note.parse(export_by(b, FORGER, FORGED_BY))
    b["export"] = add_signature(forged, signer(VILLAGE)).format()
    report = verify_bundle(b, make_verifier)  # the village's own key signed it too
    assert report.exported_by == FORGED_BY
    forger = f"{FORGER.name}+{FORGER.key_id.hex()}"
    assert report.unbound == (f"keys.{VILLAGE}[1] {forger}",)
    refused(b, f"keys.{VILLAGE}[1] {FORGER.name}", "not bound to the pinned key")


def test_a_key_that_signed_nothing_recorded_is_named_and_fails_with_a_pin() -> None:
    b = bundle()
    b["keys"][TOWN].insert(0, signer(TOWN, key_seed=b"\x01" * 32).verifier_key())
    report = verify_bundle(b, make_verifier)
    assert [u.split(" ")[0] for u in report.unbound] == [f"keys.{TOWN}[0]"]
    error = refused(b, "1 key(s) in the bundle are not bound", f"keys.{TOWN}[0]")
    assert error.field == f"keys.{TOWN}[0]"


def test_a_town_checkpoint_re_signed_by_a_new_town_key_is_refused() -> None:
    b = bundle()
    town = signer(TOWN, key_seed=b"\x67" * 32)
    b["witnesses"][0]["checkpoint"] = re_signed(b["witnesses"][0]["checkpoint"], town)
    b["keys"][TOWN].append(town.verifier_key())  # the true one still cosigns
    error = refused(b, f"the checkpoint of {TOWN} is not signed as witnesses[1]")
    assert error.field == "witnesses[0].checkpoint"


def test_a_second_top_signature_by_a_key_not_pinned_is_not_bound() -> None:
    b = bundle()
    top = b["witnesses"][1]
    other = signer(COUNTY, key_seed=b"\x68" * 32)
    top["checkpoint"] = add_signature(Note.parse(top["checkpoint"]), other).format()
    b["keys"][COUNTY].append(other.verifier_key())
    assert verify_bundle(b, make_verifier).unbound == ()  # no pin: both trusted
    refused(b, f"keys.{COUNTY}[1] {other.name}+{other.key_id.hex()}")
