"""The checks ``verify_bundle`` runs over a parsed bundle, each failing with an
``EvidenceError`` at the JSON path of the culprit: keys, signed heads, inclusion,
completeness, the export statement, pins, and each witness level."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import EvidenceError, GongkaiError, LedgerError
from domain.ledger.audit_ledger import ledger_id
from domain.ledger.bundle import (
    FORMAT,
    BundleEvent,
    ParsedBundle,
    WitnessLevel,
    b64,
    fail,
    unb64,
)
from domain.ledger.evidence_report import CheckedEvent
from domain.ledger.export import ExportStatement
from domain.ledger.hashing import hash_leaf
from domain.ledger.leaf import Leaf, LeafFormatError, parse_utc
from domain.ledger.map import MapEntry, root_from_extensions, verify_map_entry
from domain.ledger.note import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    Note,
    Verifier,
    cosignature_key_id,
    parse_verifier_key,
    verifier_key,
    verify_cosignature,
    verify_note,
)
from domain.ledger.tree import verify_inclusion

WITNESS_EVENT = "AuditLedger.ChildCheckpointWitnessed"
"""Event type (after the module's ``:``) of a parent's record of a child checkpoint."""

MakeVerifier = Callable[[str, int], Verifier]
"""``make_verifier(verifier key text, signature type)``: 0x01 notes, 0x04 cosigning."""

TENANT_PATH = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*")
CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True)
class VerifiedKey:
    text: str
    key_id: bytes
    public_key: bytes
    verifier: Verifier


@dataclass(frozen=True)
class VerifiedHead:
    """A checkpoint note verified as signed by its tenant."""

    tenant: str
    note: Note
    checkpoint: Checkpoint
    signed_by: list[Verifier]


def check_header(b: ParsedBundle) -> datetime:
    if b.format != FORMAT:
        hint = (
            ": a v1 bundle cannot show that it lists every event; export it again"
            if b.format == "gongkai-evidence/v1"
            else ""
        )
        fail(f"format {b.format!r} is not {FORMAT!r}{hint}", "format")
    if not b.installation or "/" in b.installation or not b.installation.isprintable():
        fail(f"installation {b.installation!r} is not a host name", "installation")
    if not TENANT_PATH.fullmatch(b.tenant):
        fail(f"tenant {b.tenant!r} is not a tenant path", "tenant")
    if b.subject.tenant != b.tenant:
        fail(
            f"subject.tenant {b.subject.tenant!r} differs from tenant {b.tenant!r}",
            "subject.tenant",
        )
    try:
        return parse_utc(b.exported_at)
    except ValueError:
        fail(
            f"exported_at {b.exported_at!r} is not like 2026-01-31T08:00:00.000000Z",
            "exported_at",
        )


def parent_of(path: str) -> str:
    return path.rpartition(".")[0]


def chain_of(tenant: str) -> list[str]:
    """The tenant and its ancestors, bottom up."""
    parts = tenant.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def origin_of(installation: str, path: str) -> str:
    return f"{installation}/{path}"


def check_keys(
    b: ParsedBundle, chain: list[str], make_verifier: MakeVerifier
) -> dict[str, list[VerifiedKey]]:
    for path in b.keys:
        if path not in chain:
            fail(
                f"keys has {path!r}, which is neither {b.tenant} nor an ancestor",
                f"keys.{path}",
            )
    keys: dict[str, list[VerifiedKey]] = {}
    for path in chain:
        texts = b.keys.get(path)
        if not texts:
            fail(f"keys lacks the verifier keys of {path}", f"keys.{path}")
        if len(set(texts)) != len(texts):
            fail(f"keys.{path} lists a key twice", f"keys.{path}")
        name = origin_of(b.installation, path)
        keys[path] = [
            check_key(text, name, f"keys.{path}[{i}]", make_verifier)
            for i, text in enumerate(texts)
        ]
    return keys


def check_key(
    text: str, name: str, where: str, make_verifier: MakeVerifier
) -> VerifiedKey:
    try:
        key_name, kid, public_key = parse_verifier_key(text, ED25519)
        canonical = verifier_key(key_name, public_key, ED25519)
    except LedgerError as e:
        fail(f"{where} is not an Ed25519 verifier key: {e.detail}", where)
    if text != canonical:
        fail(f"{where} is not in canonical form: {canonical}", where)
    if key_name != name:
        fail(f"{where} is named {key_name!r}, not {name!r}", where)
    verifier = make_key(make_verifier, text, ED25519, where)
    if (verifier.name, bytes(verifier.key_id)) != (name, kid):
        fail(f"the verifier made from {where} has another name or key ID", where)
    return VerifiedKey(text, kid, public_key, verifier)


def make_key(
    make_verifier: MakeVerifier, text: str, signature_type: int, where: str
) -> Verifier:
    try:
        return make_verifier(text, signature_type)
    except Exception as e:  # the injected implementation may raise anything
        fail(f"{where} cannot make a verifier: {e}", where)


def check_head(
    installation: str,
    tenant: str,
    text: str,
    keys: Mapping[str, list[VerifiedKey]],
    where: str,
) -> VerifiedHead:
    """The note ``text``: a checkpoint of ``tenant``'s log signed by its key."""
    origin = origin_of(installation, tenant)
    try:
        note = Note.parse(text)
    except LedgerError as e:
        fail(f"{where} of {tenant} is not a signed note: {e.detail}", where)
    try:
        checkpoint = Checkpoint.parse(note.text)
    except LedgerError as e:
        fail(f"{where} of {tenant} is not a checkpoint: {e.detail}", where)
    if checkpoint.origin != origin:
        fail(
            f"{where} of {tenant} has origin {checkpoint.origin!r}, not {origin!r}",
            where,
        )
    try:
        signed_by = verify_note(note, [k.verifier for k in keys[tenant]])
    except LedgerError as e:
        fail(
            f"{where} of {tenant} is not signed by a key in keys.{tenant}: {e.detail}",
            where,
        )
    return VerifiedHead(tenant, note, checkpoint, signed_by)


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
) -> ExportStatement:
    """The signed export statement, saying exactly what the bundle says."""
    try:
        note = Note.parse(b.export)
        verify_note(note, [k.verifier for k in keys[b.tenant]])
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
    return statement


def parse_pins(trusted: Sequence[str]) -> list[tuple[str, bytes, bytes]]:
    pins = []
    for i, text in enumerate(trusted):
        try:
            pins.append(parse_verifier_key(text.strip(), ED25519))
        except LedgerError as e:
            fail(f"trusted key {i + 1} is not an Ed25519 verifier key: {e.detail}")
    return pins


def check_pinned(
    b: ParsedBundle,
    top: VerifiedHead,
    keys: Mapping[str, list[VerifiedKey]],
    pins: list[tuple[str, bytes, bytes]],
) -> tuple[str, ...]:
    """Key IDs of pinned keys that signed the top checkpoint; raise if pins miss."""
    if not pins:
        return ()
    name = origin_of(b.installation, top.tenant)
    signers = {bytes(v.key_id) for v in top.signed_by}
    used = [k for k in keys[top.tenant] if k.key_id in signers]
    matched = tuple(
        k.key_id.hex() for k in used if (name, k.key_id, k.public_key) in pins
    )
    if not matched:
        signed = ", ".join(k.key_id.hex() for k in used)
        pinned = ", ".join(f"{n}+{kid.hex()}" for n, kid, _ in pins)
        fail(
            f"the chain ends at {top.tenant}, whose checkpoint is signed by key "
            f"{name}+{signed}; none of the trusted keys ({pinned}) signed it",
            "witnesses" if b.witnesses else "checkpoint",
        )
    return matched


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
) -> Verifier:
    """The parent's cosigner that signed the child's note (at ``field``), else raise."""
    name = origin_of(installation, parent)
    verifiers: list[Verifier] = []
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
        verifiers.append(cosigner)
    for line, sig in enumerate(child.note.signatures, start=1):
        for cosigner in verifiers:
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
            return cosigner
    ids = ", ".join(v.key_id.hex() for v in verifiers)
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
    leaf: Leaf, child: VerifiedHead, parent: str, event: BundleEvent
) -> None:
    """Raise unless the parent's proven leaf records exactly the child's checkpoint."""
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
    check_recorded_note(state.get("note"), child, label, field)


def witness_state(leaf: Leaf, label: str, field: str) -> dict[str, Any]:
    try:
        state = json.loads(leaf.payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        fail(f"{label}: the payload is not a JSON object (encrypted?)", field)
    if not isinstance(state, dict):
        fail(f"{label}: the payload is not a JSON object", field)
    return state


def check_recorded_note(
    note: object, child: VerifiedHead, label: str, field: str
) -> None:
    if not isinstance(note, str):
        fail(f"{label} records no note", field)
    try:
        text = Note.parse(note).text
    except GongkaiError as e:
        fail(f"{label} records a note that does not parse: {e.detail}", field)
    if text != child.note.text:
        fail(
            f"{label} records a note whose text differs from the checkpoint of "
            f"{child.tenant}",
            field,
        )
