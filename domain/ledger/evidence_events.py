"""The subject's part of an evidence bundle: the checks ``verify_bundle`` runs on its
events (canonical leaves, numbered, proven into the tenant's checkpoint), on the map
proof that shows no version is missing, and on the signed export statement.

Each check takes the tenant's head as ``evidence_keys`` verified it, and fails with
an ``EvidenceError`` at the JSON path of the culprit. ``decode_leaf`` and
``check_included`` serve the witness levels too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from domain.errors import LedgerError
from domain.ledger.bundle import BundleEvent, ParsedBundle, b64, fail, unb64
from domain.ledger.evidence_keys import (
    VerifiedHead,
    VerifiedKey,
    origin_of,
    signed_with,
)
from domain.ledger.evidence_report import CheckedEvent
from domain.ledger.export import ExportStatement
from domain.ledger.hashing import hash_leaf
from domain.ledger.leaf import Leaf, LeafFormatError
from domain.ledger.map import MapEntry, root_from_extensions, verify_map_entry
from domain.ledger.note import Note, verify_note
from domain.ledger.tree import verify_inclusion

CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def decode_leaf(event: BundleEvent) -> tuple[Leaf, bytes]:
    """The canonical leaf of ``event`` and its bytes, its event_id matching."""
    raw = unb64(event.leaf_input)
    if raw is None:
        fail(
            f"{event.where} ({event.event_id}): leaf_input is not canonical base64",
            f"{event.where}.leaf_input",
        )
    try:
        leaf = Leaf.decode(raw)
    except (LeafFormatError, AttributeError) as e:  # decode lets AttributeError out
        fail(f"{event.where} ({event.event_id}): {e}", f"{event.where}.leaf_input")
    actual = f"{leaf.aggregate_id}:{leaf.version}"
    if event.event_id != actual:
        fail(
            f"{event.where}: event_id {event.event_id!r} but the leaf is {actual}",
            f"{event.where}.event_id",
        )
    return leaf, raw


def check_included(event: BundleEvent, leaf_bytes: bytes, head: VerifiedHead) -> None:
    """Raise unless the event's proof puts its leaf at its index under ``head``."""
    proof: list[bytes] = []
    for i, text in enumerate(event.proof):
        hash_ = unb64(text)
        if hash_ is None:
            fail(
                f"{event.where} ({event.event_id}): inclusion_proof[{i}] is not "
                "canonical base64",
                f"{event.where}.inclusion_proof[{i}]",
            )
        proof.append(hash_)
    size, root = head.checkpoint.size, head.checkpoint.root_hash
    try:
        verify_inclusion(event.leaf_index, size, hash_leaf(leaf_bytes), proof, root)
    except LedgerError as e:
        fail(
            f"{event.where} ({event.event_id}) is not at leaf_index "
            f"{event.leaf_index} of {head.tenant}'s checkpoint of size {size}: "
            f"{e.detail}",
            f"{event.where}.inclusion_proof",
        )


def short_type(event_type: str) -> str:
    """``Disclosure.Published`` of ``domain.disclosure:Disclosure.Published``."""
    return event_type.rpartition(":")[2]


def check_events(b: ParsedBundle, head: VerifiedHead) -> list[CheckedEvent]:
    if not b.events:
        fail("events is empty: a bundle proves at least the first event", "events")
    checked: list[CheckedEvent] = []
    for n, event in enumerate(b.events, start=1):
        leaf, raw = decode_leaf(event)
        label = f"{event.where} ({event.event_id})"
        if leaf.tenant != b.tenant:
            fail(
                f"{label} is in the log of {leaf.tenant!r}, not {b.tenant!r}",
                f"{event.where}.leaf_input",
            )
        if str(leaf.aggregate_id) != b.subject.id:
            fail(
                f"{label} is of aggregate {leaf.aggregate_id}, not the subject "
                f"{b.subject.id!r}",
                f"{event.where}.leaf_input",
            )
        if leaf.version != n:
            reason = "a history starts at version 1" if n == 1 else "versions run on"
            fail(
                f"{label} is version {leaf.version}, expected {n}: {reason} "
                "without gaps, in order",
                f"{event.where}.event_id",
            )
        short = short_type(leaf.event_type)
        kind = CAMEL.sub("_", short.partition(".")[0]).lower()
        if kind != b.subject.kind:
            fail(
                f"{label} is a {short} event, not of a {b.subject.kind!r}",
                "subject.kind",
            )
        check_included(event, raw, head)
        checked.append(
            CheckedEvent(event.event_id, short, leaf.recorded_at, leaf.effective_at)
        )
    return checked


def version_of(event: BundleEvent) -> int | None:
    text = event.event_id.rpartition(":")[2]
    return int(text) if text.isdigit() and len(text) < 19 else None


def check_complete(b: ParsedBundle, head: VerifiedHead) -> MapEntry:
    """The subject's map entry under the checkpoint; every version up to it present."""
    if not b.events:
        fail("events is empty: a bundle proves at least the first event", "events")
    root = root_from_extensions(head.checkpoint.extensions)
    if root is None:
        fail(
            f"the checkpoint of {b.tenant} commits to no aggregate map "
            "(gongkai-map/v1 extension line): the bundle cannot show it is complete",
            "checkpoint",
        )
    m = b.map_entry
    proof = [unb64(h) for h in m.proof]
    for i, hash_ in enumerate(proof):
        if hash_ is None:
            fail(
                f"map_proof.proof[{i}] is not canonical base64", f"map_proof.proof[{i}]"
            )
    try:
        entry = MapEntry(b.subject.id, m.version, m.leaf_index)
        verify_map_entry(entry, [h for h in proof if h is not None], root)
    except LedgerError as e:
        fail(
            f"map_proof does not put {b.subject.kind} {b.subject.id} at version "
            f"{m.version}, leaf {m.leaf_index} in the map of {b.tenant}'s checkpoint "
            f"of size {head.checkpoint.size}: {e.detail}",
            "map_proof",
        )
    present = {version_of(e) for e in b.events}
    missing = [v for v in range(1, entry.version + 1) if v not in present]
    if missing:
        shown = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
        last = " (the latest)" if missing[-1] == entry.version else ""
        fail(
            f"events lack version {shown}{last} of {b.subject.kind} {b.subject.id}: "
            f"the checkpoint of size {head.checkpoint.size} commits to version "
            f"{entry.version} (leaf {entry.leaf_index}) as its latest",
            "events",
        )
    if len(b.events) != entry.version:
        fail(
            f"events hold {len(b.events)} items for versions 1…{entry.version}: "
            "each version once, in order",
            "events",
        )
    return entry


def check_export(
    b: ParsedBundle, head: VerifiedHead, keys: Mapping[str, list[VerifiedKey]]
) -> tuple[ExportStatement, list[VerifiedKey]]:
    """The signed export statement, saying exactly what the bundle says, and the
    tenant's keys that signed it."""
    try:
        note = Note.parse(b.export)
        verified = verify_note(note, [k.verifier for k in keys[b.tenant]])
        statement = ExportStatement.parse(note.text)
    except LedgerError as e:
        fail(
            f"export is not a statement signed by a key in keys.{b.tenant}: {e.detail}",
            "export",
        )
    expected = {
        "origin": origin_of(b.installation, b.tenant),
        "kind": b.subject.kind,
        "subject_id": b.subject.id,
        "size": head.checkpoint.size,
        "root": b64(head.checkpoint.root_hash),
        "exported_at": b.exported_at,
    }
    for name, value in expected.items():
        if getattr(statement, name) != value:
            field = "exported_at" if name == "exported_at" else "export"
            fail(
                f"the signed export statement says {name} "
                f"{getattr(statement, name)!r}, the bundle {value!r}",
                field,
            )
    return statement, signed_with(verified, keys[b.tenant])
