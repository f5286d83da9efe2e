"""Offline verification of ``gongkai-evidence/v2`` bundles: no server, store or network.

A bundle is one JSON object (``services/evidence.py`` writes it)::

    format, installation, exported_at, subject {kind, id, tenant}, tenant,
    checkpoint   the tenant's signed checkpoint note, cosigned by its parent; one
                 extension line commits to the aggregate map (domain/ledger/map.py)
    events       [{event_id, leaf_index, leaf_input, inclusion_proof}], versions 1..n
    map_proof    {version, leaf_index, proof}: the subject's entry in that map
    export       the export statement (domain/ledger/export.py), signed by the tenant
    keys         {tenant path: [verifier key, ...]} for the tenant and its ancestors
    witnesses    [{tenant, checkpoint, witness_event}], parent first, up to the top

``verify_bundle`` checks, in order, and stops at the first failure with an
``EvidenceError`` whose ``field`` is the JSON path of the culprit:

1. the shape, the format, the subject's tenant, and every key (canonical text, named
   ``<installation>/<path>``, only for the tenant and its ancestors);
2. the tenant's checkpoint: origin ``<installation>/<tenant>``, signed by its key;
3. completeness: the map proof puts the subject's latest version ``n`` and its leaf
   index under the checkpoint's map root, and the events are exactly versions 1..n
   (what is missing is named); each event: a canonical leaf of the tenant, of the
   subject, numbered as its ``event_id`` says, proven into the checkpoint, the last
   one at the map's leaf index; the export statement is signed by the tenant's key
   and says what the bundle says (time, principal, subject, checkpoint);
4. each witness level, child to parent: the child's note carries the parent's
   cosignature/v1 (dated no later than ``exported_at``); the parent's
   ``AuditLedger.ChildCheckpointWitnessed`` leaf is proven into the parent's own
   signed checkpoint and records exactly the child's checkpoint (checked last, so a
   mismatch there is a real contradiction, not a damaged leaf); the chain ends at a
   top tenant.

With ``trusted`` verifier keys (``gongkai verify --trust``), the top tenant's
checkpoint must be signed by one of them; without, the bundle's own keys are trusted
and the report says so. Ed25519 comes in through ``make_verifier``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from domain.audit import ledger_id
from domain.errors import EvidenceError, GongkaiError, LedgerError
from domain.ledger.bundle import (
    FORMAT,
    BundleEvent,
    ParsedBundle,
    Subject,
    WitnessLevel,
    b64,
    fail,
    load_bundle,
    parse_bundle,
    unb64,
)
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

__all__ = [
    "FORMAT",
    "BundleReport",
    "CheckedEvent",
    "KeyUse",
    "Subject",
    "Witness",
    "load_bundle",
    "verify_bundle",
]

WITNESS_EVENT = "AuditLedger.ChildCheckpointWitnessed"
"""Event type (after the module's ``:``) of a parent's record of a child checkpoint."""

MakeVerifier = Callable[[str, int], Verifier]
"""``make_verifier(verifier key text, signature type)``: 0x01 notes, 0x04 cosigning."""

_TENANT_PATH = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


# The report ---------------------------------------------------------------------------


class CheckedEvent(NamedTuple):
    """One verified event; ``event_type`` is short: ``Disclosure.Published``."""

    event_id: str
    event_type: str
    recorded_at: datetime
    effective_at: datetime | None

    @property
    def version(self) -> int:
        return int(self.event_id.rpartition(":")[2])


class Witness(NamedTuple):
    """A parent that witnessed the level below, and the size of its own checkpoint."""

    tenant: str
    size: int


class KeyUse(NamedTuple):
    """A key that verified: its tenant, hex key ID, and signature type (1 or 4)."""

    tenant: str
    key_id: str
    signature_type: int


@dataclass(frozen=True)
class BundleReport:
    """Everything ``verify_bundle`` checked, for display."""

    installation: str
    exported_at: datetime
    tenant: str
    subject: Subject
    checkpoint_size: int
    checkpoint_root: str
    events: tuple[CheckedEvent, ...]
    witnessed_by: tuple[Witness, ...]
    key_ids: tuple[KeyUse, ...]
    latest_version: int
    exported_by: dict[str, str]
    pinned: tuple[str, ...]
    """The pinned key IDs the top checkpoint is signed by; empty: none was pinned."""

    @property
    def chain(self) -> tuple[str, ...]:
        """Tenant paths from the subject's tenant up to the top."""
        return (self.tenant, *(w.tenant for w in self.witnessed_by))


# Verification -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    text: str
    key_id: bytes
    public_key: bytes
    verifier: Verifier


@dataclass(frozen=True)
class _Head:
    """A checkpoint note verified as signed by its tenant."""

    tenant: str
    note: Note
    checkpoint: Checkpoint
    signed_by: list[Verifier]


def verify_bundle(
    bundle: Mapping[str, Any],
    make_verifier: MakeVerifier,
    trusted: Sequence[str] = (),
) -> BundleReport:
    """What ``bundle`` proves if it all verifies; else EvidenceError at the first fault.

    ``make_verifier(key_text, signature_type)`` must build a Verifier for the verifier
    key ``key_text`` (type 0x01 text) with that name, public key and signature type.
    ``trusted``: verifier keys obtained out of band; if any, the top tenant's
    checkpoint must be signed by one of them.
    """
    b = parse_bundle(bundle)
    pins = _parse_pins(trusted)
    exported_at = _check_header(b)
    chain = _chain(b.tenant)
    keys = _check_keys(b, chain, make_verifier)
    head = _check_head(b.installation, b.tenant, b.checkpoint, keys, "checkpoint")
    used = [KeyUse(b.tenant, v.key_id.hex(), ED25519) for v in head.signed_by]
    latest = _check_complete(b, head)
    events = _check_events(b, head)
    if b.events[-1].leaf_index != latest.leaf_index:
        fail(
            f"events[{len(b.events) - 1}] is at leaf_index "
            f"{b.events[-1].leaf_index}, but the map puts version {latest.version} "
            f"at leaf {latest.leaf_index}",
            f"events[{len(b.events) - 1}].leaf_index",
        )
    statement = _check_export(b, head, keys)
    witnessed: list[Witness] = []
    child, child_field = head, "checkpoint"
    for level in b.witnesses:
        _check_parent_path(child.tenant, level)
        parent = level.tenant
        cosigner = _check_cosigned(
            b.installation,
            child,
            parent,
            keys,
            make_verifier,
            not_after=int(exported_at.timestamp()),
            where=level.where,
            field=child_field,
        )
        used.append(KeyUse(parent, cosigner.key_id.hex(), COSIGNATURE_V1))
        leaf, leaf_bytes = _witness_leaf(parent, level.event)
        where = f"{level.where}.checkpoint"
        parent_head = _check_head(b.installation, parent, level.checkpoint, keys, where)
        _check_included(level.event, leaf_bytes, parent_head)
        _check_witness_record(leaf, child, parent, level.event)
        used.extend(
            KeyUse(parent, v.key_id.hex(), ED25519) for v in parent_head.signed_by
        )
        witnessed.append(Witness(parent, parent_head.checkpoint.size))
        child, child_field = parent_head, where
    if "." in child.tenant:
        fail(
            f"the witness chain stops at {child.tenant}: its parent "
            f"{_parent(child.tenant)} must witness it, up to the top tenant",
            "witnesses",
        )
    pinned = _check_pinned(b, child, keys, pins)
    return BundleReport(
        installation=b.installation,
        exported_at=exported_at,
        tenant=b.tenant,
        subject=b.subject,
        checkpoint_size=head.checkpoint.size,
        checkpoint_root=b64(head.checkpoint.root_hash),
        events=tuple(events),
        witnessed_by=tuple(witnessed),
        key_ids=tuple(used),
        latest_version=latest.version,
        exported_by=statement.exported_by,
        pinned=pinned,
    )


def _check_header(b: ParsedBundle) -> datetime:
    if b.format != FORMAT:
        hint = (
            ": a v1 bundle cannot show that it lists every event; export it again"
            if b.format == "gongkai-evidence/v1"
            else ""
        )
        fail(f"format {b.format!r} is not {FORMAT!r}{hint}", "format")
    if not b.installation or "/" in b.installation or not b.installation.isprintable():
        fail(f"installation {b.installation!r} is not a host name", "installation")
    if not _TENANT_PATH.fullmatch(b.tenant):
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


def _parent(path: str) -> str:
    return path.rpartition(".")[0]


def _chain(tenant: str) -> list[str]:
    """The tenant and its ancestors, bottom up."""
    parts = tenant.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _origin(installation: str, path: str) -> str:
    return f"{installation}/{path}"


def _check_keys(
    b: ParsedBundle, chain: list[str], make_verifier: MakeVerifier
) -> dict[str, list[_Key]]:
    for path in b.keys:
        if path not in chain:
            fail(
                f"keys has {path!r}, which is neither {b.tenant} nor an ancestor",
                f"keys.{path}",
            )
    keys: dict[str, list[_Key]] = {}
    for path in chain:
        texts = b.keys.get(path)
        if not texts:
            fail(f"keys lacks the verifier keys of {path}", f"keys.{path}")
        if len(set(texts)) != len(texts):
            fail(f"keys.{path} lists a key twice", f"keys.{path}")
        name = _origin(b.installation, path)
        keys[path] = [
            _check_key(text, name, f"keys.{path}[{i}]", make_verifier)
            for i, text in enumerate(texts)
        ]
    return keys


def _check_key(text: str, name: str, where: str, make_verifier: MakeVerifier) -> _Key:
    try:
        key_name, kid, public_key = parse_verifier_key(text, ED25519)
        canonical = verifier_key(key_name, public_key, ED25519)
    except LedgerError as e:
        fail(f"{where} is not an Ed25519 verifier key: {e.detail}", where)
    if text != canonical:
        fail(f"{where} is not in canonical form: {canonical}", where)
    if key_name != name:
        fail(f"{where} is named {key_name!r}, not {name!r}", where)
    verifier = _make(make_verifier, text, ED25519, where)
    if (verifier.name, bytes(verifier.key_id)) != (name, kid):
        fail(f"the verifier made from {where} has another name or key ID", where)
    return _Key(text, kid, public_key, verifier)


def _make(
    make_verifier: MakeVerifier, text: str, signature_type: int, where: str
) -> Verifier:
    try:
        return make_verifier(text, signature_type)
    except Exception as e:  # the injected implementation may raise anything
        fail(f"{where} cannot make a verifier: {e}", where)


def _check_head(
    installation: str,
    tenant: str,
    text: str,
    keys: Mapping[str, list[_Key]],
    where: str,
) -> _Head:
    """The note ``text``: a checkpoint of ``tenant``'s log signed by its key."""
    origin = _origin(installation, tenant)
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
    return _Head(tenant, note, checkpoint, signed_by)


def _decode_leaf(event: BundleEvent) -> tuple[Leaf, bytes]:
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


def _check_included(event: BundleEvent, leaf_bytes: bytes, head: _Head) -> None:
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


def _short_type(event_type: str) -> str:
    """``Disclosure.Published`` of ``domain.disclosure:Disclosure.Published``."""
    return event_type.rpartition(":")[2]


def _check_events(b: ParsedBundle, head: _Head) -> list[CheckedEvent]:
    if not b.events:
        fail("events is empty: a bundle proves at least the first event", "events")
    checked: list[CheckedEvent] = []
    for n, event in enumerate(b.events, start=1):
        leaf, raw = _decode_leaf(event)
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
        short = _short_type(leaf.event_type)
        kind = _CAMEL.sub("_", short.partition(".")[0]).lower()
        if kind != b.subject.kind:
            fail(
                f"{label} is a {short} event, not of a {b.subject.kind!r}",
                "subject.kind",
            )
        _check_included(event, raw, head)
        checked.append(
            CheckedEvent(event.event_id, short, leaf.recorded_at, leaf.effective_at)
        )
    return checked


def _version_of(event: BundleEvent) -> int | None:
    text = event.event_id.rpartition(":")[2]
    return int(text) if text.isdigit() and len(text) < 19 else None


def _check_complete(b: ParsedBundle, head: _Head) -> MapEntry:
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
    present = {_version_of(e) for e in b.events}
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


def _check_export(
    b: ParsedBundle, head: _Head, keys: Mapping[str, list[_Key]]
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
        "origin": _origin(b.installation, b.tenant),
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


def _parse_pins(trusted: Sequence[str]) -> list[tuple[str, bytes, bytes]]:
    pins = []
    for i, text in enumerate(trusted):
        try:
            pins.append(parse_verifier_key(text.strip(), ED25519))
        except LedgerError as e:
            fail(f"trusted key {i + 1} is not an Ed25519 verifier key: {e.detail}")
    return pins


def _check_pinned(
    b: ParsedBundle,
    top: _Head,
    keys: Mapping[str, list[_Key]],
    pins: list[tuple[str, bytes, bytes]],
) -> tuple[str, ...]:
    """Key IDs of pinned keys that signed the top checkpoint; raise if pins miss."""
    if not pins:
        return ()
    name = _origin(b.installation, top.tenant)
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


def _check_parent_path(child: str, level: WitnessLevel) -> None:
    if "." not in child:
        fail(
            f"{level.where}: {child} is a top tenant, no one witnesses it",
            f"{level.where}.tenant",
        )
    if level.tenant != _parent(child):
        fail(
            f"{level.where}: the parent of {child} is {_parent(child)}, "
            f"not {level.tenant!r}",
            f"{level.where}.tenant",
        )


def _check_cosigned(
    installation: str,
    child: _Head,
    parent: str,
    keys: Mapping[str, list[_Key]],
    make_verifier: MakeVerifier,
    *,
    not_after: int,
    where: str,
    field: str,
) -> Verifier:
    """The parent's cosigner that signed the child's note (at ``field``), else raise."""
    name = _origin(installation, parent)
    verifiers: list[Verifier] = []
    for i, key in enumerate(keys[parent]):
        cosigner = _make(make_verifier, key.text, COSIGNATURE_V1, f"keys.{parent}[{i}]")
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


def _witness_leaf(parent: str, event: BundleEvent) -> tuple[Leaf, bytes]:
    """The leaf of a ChildCheckpointWitnessed event of ``parent``'s audit ledger."""
    leaf, raw = _decode_leaf(event)
    label = f"{event.where} ({event.event_id})"
    field = f"{event.where}.leaf_input"
    if leaf.tenant != parent:
        fail(f"{label} is in the log of {leaf.tenant!r}, not {parent!r}", field)
    if leaf.aggregate_id != ledger_id(parent):
        fail(f"{label} is not an event of {parent}'s audit ledger", field)
    if _short_type(leaf.event_type) != WITNESS_EVENT:
        fail(f"{label} is a {leaf.event_type}, not a {WITNESS_EVENT}", field)
    return leaf, raw


def _check_witness_record(
    leaf: Leaf, child: _Head, parent: str, event: BundleEvent
) -> None:
    """Raise unless the parent's proven leaf records exactly the child's checkpoint."""
    label = f"{event.where} ({event.event_id})"
    field = f"{event.where}.leaf_input"
    state = _witness_state(leaf, label, field)
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
    _check_recorded_note(state.get("note"), child, label, field)


def _witness_state(leaf: Leaf, label: str, field: str) -> dict[str, Any]:
    try:
        state = json.loads(leaf.payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        fail(f"{label}: the payload is not a JSON object (encrypted?)", field)
    if not isinstance(state, dict):
        fail(f"{label}: the payload is not a JSON object", field)
    return state


def _check_recorded_note(note: object, child: _Head, label: str, field: str) -> None:
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
