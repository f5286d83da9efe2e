"""Offline verification of ``gongkai-evidence/v2`` bundles: no server, store or network.

A bundle is one JSON object (``services/audit/evidence.py`` writes it)::

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
   signed checkpoint and records exactly the child's checkpoint, byte for byte with
   its signature lines (checked last, so a mismatch there is a real contradiction,
   not a damaged leaf); the chain ends at a top tenant;
5. the keys, from the top down (``evidence_binding``): with ``trusted`` verifier keys
   (``gongkai verify --trust``) the top tenant's checkpoint must be signed by one of
   them, without, the bundle's own keys are trusted and the report says so; below
   the top a key counts only if it verified a line of a note its parent recorded;
   the export statement must be signed by such a bound key; any other key in
   ``keys`` is named in the report, and fails the bundle when a key is pinned.

Ed25519 comes in through ``make_verifier``. The checks themselves are in
``evidence_keys`` (header, keys, signed checkpoints, pins), ``evidence_events``
(events, completeness, the export statement), ``evidence_witnesses`` (each witness
level) and ``evidence_binding`` (which keys the chain binds); what they prove, in
``evidence_report``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain.ledger.bundle import (
    FORMAT,
    Subject,
    b64,
    fail,
    load_bundle,
    parse_bundle,
)
from domain.ledger.evidence_binding import (
    Binding,
    check_all_bound,
    check_export_signer,
)
from domain.ledger.evidence_events import (
    check_complete,
    check_events,
    check_export,
    check_included,
)
from domain.ledger.evidence_keys import (
    MakeVerifier,
    chain_of,
    check_head,
    check_header,
    check_keys,
    check_pinned,
    parent_of,
    parse_pins,
    signed_with,
)
from domain.ledger.evidence_report import BundleReport, CheckedEvent, KeyUse, Witness
from domain.ledger.evidence_witnesses import (
    check_cosigned,
    check_parent_path,
    check_witness_record,
    witness_leaf,
)
from domain.ledger.note import (
    COSIGNATURE_V1,
    ED25519,
)

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
    pins = parse_pins(trusted)
    exported_at = check_header(b)
    chain = chain_of(b.tenant)
    keys = check_keys(b, chain, make_verifier)
    head = check_head(b.installation, b.tenant, b.checkpoint, keys, "checkpoint")
    used = [KeyUse(b.tenant, v.key_id.hex(), ED25519) for v in head.signed_by]
    latest = check_complete(b, head)
    events = check_events(b, head)
    if b.events[-1].leaf_index != latest.leaf_index:
        fail(
            f"events[{len(b.events) - 1}] is at leaf_index "
            f"{b.events[-1].leaf_index}, but the map puts version {latest.version} "
            f"at leaf {latest.leaf_index}",
            f"events[{len(b.events) - 1}].leaf_index",
        )
    statement, export_signers = check_export(b, head, keys)
    binding = Binding(b.installation, keys)
    witnessed: list[Witness] = []
    child, child_field = head, "checkpoint"
    for level in b.witnesses:
        check_parent_path(child.tenant, level)
        parent = level.tenant
        cosigning_key, cosigner = check_cosigned(
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
        leaf, leaf_bytes = witness_leaf(parent, level.event)
        where = f"{level.where}.checkpoint"
        parent_head = check_head(b.installation, parent, level.checkpoint, keys, where)
        check_included(level.event, leaf_bytes, parent_head)
        check_witness_record(leaf, child, parent, level.event, child_field)
        # The parent recorded the child's note as it is here: its signers are bound.
        binding.bind(child.tenant, signed_with(child.signed_by, keys[child.tenant]))
        binding.bind(parent, [cosigning_key])
        used.extend(
            KeyUse(parent, v.key_id.hex(), ED25519) for v in parent_head.signed_by
        )
        witnessed.append(Witness(parent, parent_head.checkpoint.size))
        child, child_field = parent_head, where
    if "." in child.tenant:
        fail(
            f"the witness chain stops at {child.tenant}: its parent "
            f"{parent_of(child.tenant)} must witness it, up to the top tenant",
            "witnesses",
        )
    top_keys = check_pinned(b, child, keys, pins)
    binding.bind(child.tenant, top_keys)
    export_key = check_export_signer(binding, b.tenant, export_signers)
    unbound = check_all_bound(binding, pinned=bool(pins))
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
        exported_key=export_key.key_id.hex(),
        pinned=tuple(k.key_id.hex() for k in top_keys) if pins else (),
        unbound=unbound,
    )
