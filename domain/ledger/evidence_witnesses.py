"""The witness levels of an evidence bundle: the checks ``verify_bundle`` runs on each
parent up the chain, that it cosigned the child's checkpoint and that its audit
ledger's proven ``ChildCheckpointWitnessed`` leaf records exactly that checkpoint.

A level's own checkpoint is verified by ``evidence_keys`` and its leaf decoded and
proven by ``evidence_events``; what is left is the parent-child link. Each check fails
with an ``EvidenceError`` at the JSON path of the culprit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from domain.errors import EvidenceError, GongkaiError, LedgerError
from domain.ledger.audit_ledger import ledger_id
from domain.ledger.bundle import BundleEvent, WitnessLevel, b64, fail, unb64
from domain.ledger.evidence_events import decode_leaf, short_type
from domain.ledger.evidence_keys import (
    MakeVerifier,
    VerifiedHead,
    VerifiedKey,
    make_key,
    origin_of,
    parent_of,
)
from domain.ledger.leaf import Leaf
from domain.ledger.note import (
    COSIGNATURE_V1,
    Note,
    Verifier,
    cosignature_key_id,
    verify_cosignature,
)

WITNESS_EVENT = "AuditLedger.ChildCheckpointWitnessed"
"""Event type (after the module's ``:``) of a parent's record of a child checkpoint."""


def check_parent_path(child: str, level: WitnessLevel) -> None:
    if "." not in child:
        fail(
            f"{level.where}: {child} is a top tenant, no one witnesses it",
            f"{level.where}.tenant",
        )
    if level.tenant != parent_of(child):
        fail(
            f"{level.where}: the parent of {child} is {parent_of(child)}, "
            f"not {level.tenant!r}",
            f"{level.where}.tenant",
        )


def check_cosigned(
    installation: str,
    child: VerifiedHead,
    parent: str,
    keys: Mapping[str, list[VerifiedKey]],
    make_verifier: MakeVerifier,
    *,
    not_after: int,
    where: str,
    field: str,
) -> tuple[VerifiedKey, Verifier]:
    """The parent's key and cosigner that signed the child's note (at ``field``),
    else raise."""
    name = origin_of(installation, parent)
    verifiers: list[tuple[VerifiedKey, Verifier]] = []
    for i, key in enumerate(keys[parent]):
        cosigner = make_key(
            make_verifier, key.text, COSIGNATURE_V1, f"keys.{parent}[{i}]"
        )
        expected = cosignature_key_id(name, key.public_key)
        if (cosigner.name, bytes(cosigner.key_id)) != (name, expected):
            fail(
                f"the cosigner made from keys.{parent}[{i}] has another name or key ID",
                f"keys.{parent}[{i}]",
            )
        verifiers.append((key, cosigner))
    for line, sig in enumerate(child.note.signatures, start=1):
        for key, cosigner in verifiers:
            if (sig.name, sig.key_id) != (cosigner.name, bytes(cosigner.key_id)):
                continue
            try:
                verify_cosignature(
                    child.note.text,
                    sig,
                    cosigner,
                    not_after=not_after,
                )
            except LedgerError as e:
                fail(
                    f"{where}: signature line {line} of {child.tenant}'s checkpoint, "
                    f"the cosignature of {parent}, fails: {e.detail}",
                    field,
                )
            return key, cosigner
    ids = ", ".join(v.key_id.hex() for _, v in verifiers)
    raise EvidenceError(
        f"{where}: the checkpoint of {child.tenant} carries no cosignature/v1 line "
        f"by {name} (key ID {ids})",
        field=field,
    )


def witness_leaf(parent: str, event: BundleEvent) -> tuple[Leaf, bytes]:
    """The leaf of a ChildCheckpointWitnessed event of ``parent``'s audit ledger."""
    leaf, raw = decode_leaf(event)
    label = f"{event.where} ({event.event_id})"
    field = f"{event.where}.leaf_input"
    if leaf.tenant != parent:
        fail(f"{label} is in the log of {leaf.tenant!r}, not {parent!r}", field)
    if leaf.aggregate_id != ledger_id(parent):
        fail(f"{label} is not an event of {parent}'s audit ledger", field)
    if short_type(leaf.event_type) != WITNESS_EVENT:
        fail(f"{label} is a {leaf.event_type}, not a {WITNESS_EVENT}", field)
    return leaf, raw


def check_witness_record(
    leaf: Leaf, child: VerifiedHead, parent: str, event: BundleEvent, child_field: str
) -> None:
    """Raise unless the parent's proven leaf records exactly the child's checkpoint:
    the same note byte for byte, its signature lines included, so the child's key is
    the one the parent saw sign it (the culprit is then the note at ``child_field``).
    """
    label = f"{event.where} ({event.event_id})"
    field = f"{event.where}.leaf_input"
    state = witness_state(leaf, label, field)
    checkpoint = child.checkpoint
    if state.get("tenant", parent) != parent:
        fail(f"{label} records tenant {state['tenant']!r}, not {parent!r}", field)
    if state.get("child") != child.tenant:
        fail(
            f"{label} records child {state.get('child')!r}, not {child.tenant!r}",
            field,
        )
    size = state.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size != checkpoint.size:
        fail(
            f"{label} records size {size!r}, the checkpoint of {child.tenant} has "
            f"{checkpoint.size}",
            field,
        )
    recorded = state.get("root_hash")
    root = unb64(recorded) if isinstance(recorded, str) else None
    if root != checkpoint.root_hash:
        fail(
            f"{label} records root {recorded!r}, the checkpoint of {child.tenant} "
            f"has {b64(checkpoint.root_hash)}",
            field,
        )
    check_recorded_note(state.get("note"), child, label, field, child_field)


def witness_state(leaf: Leaf, label: str, field: str) -> dict[str, Any]:
    try:
        state = json.loads(leaf.payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        fail(f"{label}: the payload is not a JSON object (encrypted?)", field)
    if not isinstance(state, dict):
        fail(f"{label}: the payload is not a JSON object", field)
    return state


def check_recorded_note(
    note: object, child: VerifiedHead, label: str, field: str, child_field: str
) -> None:
    if not isinstance(note, str):
        fail(f"{label} records no note", field)
    try:
        recorded = Note.parse(note)
    except GongkaiError as e:
        fail(f"{label} records a note that does not parse: {e.detail}", field)
    if recorded.text != child.note.text:
        fail(
            f"{label} records a note whose text differs from the checkpoint of "
            f"{child.tenant}",
            field,
        )
    if note != child.text:
        fail(
            f"the checkpoint of {child.tenant} is not signed as {label} recorded "
            f"it: the bundle's lines are by {signers_of(child.note)}, the record's by "
            f"{signers_of(recorded)}; a key the witness chain does not bind signed it",
            child_field,
        )


def signers_of(note: Note) -> str:
    """``name+keyid, …``: who signed ``note``, line by line, unverified."""
    return ", ".join(f"{s.name}+{s.key_id.hex()}" for s in note.signatures)
