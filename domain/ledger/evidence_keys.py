"""Who signed what in an evidence bundle: the checks ``verify_bundle`` runs on its
header, its verifier keys, each signed checkpoint (a head), and the trusted pins.

The other checks build on what these establish: the subject's events, map proof and
export statement (``evidence_events``) and each witness level (``evidence_witnesses``)
are checked against a tenant's ``VerifiedHead`` and ``VerifiedKey`` entries. Each
check fails with an ``EvidenceError`` at the JSON path of the culprit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.errors import LedgerError
from domain.ledger.bundle import FORMAT, ParsedBundle, fail
from domain.ledger.leaf import parse_utc
from domain.ledger.note import (
    ED25519,
    Checkpoint,
    Note,
    Verifier,
    parse_verifier_key,
    verifier_key,
    verify_note,
)

MakeVerifier = Callable[[str, int], Verifier]
"""``make_verifier(verifier key text, signature type)``: 0x01 notes, 0x04 cosigning."""

TENANT_PATH = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*")


@dataclass(frozen=True)
class VerifiedKey:
    text: str
    key_id: bytes
    public_key: bytes
    verifier: Verifier


@dataclass(frozen=True)
class VerifiedHead:
    """A checkpoint note verified as signed by its tenant; ``text`` as in the bundle."""

    tenant: str
    text: str
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
    return VerifiedHead(tenant, text, note, checkpoint, signed_by)


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
) -> list[VerifiedKey]:
    """The pinned keys that signed the top checkpoint; raise if pins miss.

    Without pins, every key of the top tenant that signed its checkpoint."""
    signers = signed_with(top.signed_by, keys[top.tenant])
    if not pins:
        return signers
    name = origin_of(b.installation, top.tenant)
    matched = [k for k in signers if (name, k.key_id, k.public_key) in pins]
    if not matched:
        signed = ", ".join(k.key_id.hex() for k in signers)
        pinned = ", ".join(f"{n}+{kid.hex()}" for n, kid, _ in pins)
        fail(
            f"the chain ends at {top.tenant}, whose checkpoint is signed by key "
            f"{name}+{signed}; none of the trusted keys ({pinned}) signed it",
            "witnesses" if b.witnesses else "checkpoint",
        )
    return matched


def signed_with(
    verified: Sequence[Verifier], keys: Sequence[VerifiedKey]
) -> list[VerifiedKey]:
    """The keys among ``keys`` whose verifier is one of ``verified``."""
    return [k for k in keys if any(v is k.verifier for v in verified)]
