"""The witness chain in ``gongkai audit verify``: each parent against its children.

A parent cosigns a child's checkpoint only after recording it in its own log
(``Auditor.witness``), so three things must hold in the store:

- each child checkpoint carries a valid cosignature by a key the parent's log
  registered (``check_cosignature``);
- each ``ChildCheckpointWitnessed`` agrees with the child's log re-derived from the
  store at that size (``check_witness``);
- each child checkpoint that carries the parent's cosignature, stored or held
  outside, has its ``ChildCheckpointWitnessed`` in the parent's log
  (``check_recorded``): a parent whose tail was deleted, with its leaves, nodes and
  checkpoints and the tracking position set back, is caught by the cosignatures it
  gave before the cut. A parent that cosigned nothing since the cut is not: that is
  what checkpoints held outside and outside witnesses are for (docs/audit.md §7).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.errors import GongkaiError
from domain.ledger.leaf import Leaf
from domain.ledger.note import (
    COSIGNATURE_V1,
    Note,
    cosignature_timestamp,
    verify_cosignature,
)
from domain.timeliness import SHANGHAI
from infra.keys import Ed25519Verifier


@dataclass(frozen=True)
class Finding:
    """One divergence: where, and what differs."""

    tenant: str
    event: str | None
    field: str
    detail: str

    def __str__(self) -> str:
        where = f"tenant {self.tenant}" + (
            f", event {self.event}" if self.event else ""
        )
        return f"{where}, field {self.field}: {self.detail}"


@dataclass
class Recomputed:
    """A tenant's log as re-derived from the raw store."""

    leaves: list[Leaf] = field(default_factory=list)
    roots: dict[int, bytes] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Cosigned:
    """A child checkpoint that carries a valid cosignature of its parent."""

    parent: str
    child: str
    size: int
    text: str
    """The checkpoint body the parent cosigned."""
    at: int
    """The cosignature's time, Unix seconds."""


def check_cosignature(
    parent_name: str,
    path: str,
    parent: str,
    note: Note,
    size: int,
    logs: dict[str, Recomputed],
    where: str,
) -> Cosigned | Finding:
    """The parent's valid cosignature on ``path``'s checkpoint ``note``, or why not."""
    cosigners = [
        Ed25519Verifier(
            parent_name,
            Ed25519Verifier.from_verifier_key(text).public_key,
            signature_type=COSIGNATURE_V1,
        )
        for text in logs[parent].keys
    ]
    for signature in (s for s in note.signatures if s.name == parent_name):
        for cosigner in cosigners:
            try:
                verify_cosignature(note.text, signature, cosigner)
            except GongkaiError:
                continue
            at = cosignature_timestamp(signature)
            return Cosigned(parent, path, size, note.text, at)
    why = f"no valid cosignature by the parent {parent}"
    return Finding(path, None, f"{where}.cosignature", why)


def check_witness(
    parent: str,
    child: str,
    state: dict[str, Any],
    witness_event: str,
    logs: dict[str, Recomputed],
) -> Finding | None:
    """Whether the parent's record agrees with the child's log at its size."""
    size = int(state["size"])
    leaves = logs.get(child, Recomputed()).leaves
    if size > len(leaves):
        return Finding(
            child,
            witness_event,
            "witnessed.size",
            f"{parent} witnessed {size} events; the store now holds {len(leaves)}",
        )
    root = logs[child].roots.get(size)
    if root != base64.b64decode(state["root_hash"]):
        return Finding(
            child,
            witness_event,
            "witnessed.root_hash",
            f"{parent} witnessed a different history of {child} at size {size}",
        )
    return None


def recorded_key(parent: str, state: dict[str, Any]) -> tuple[str, str, int, str]:
    """What a parent's ``ChildCheckpointWitnessed`` state records, to match a
    cosigned checkpoint: parent, child, size and the note's checkpoint body."""
    try:
        text = Note.parse(str(state.get("note"))).text
    except GongkaiError:
        text = ""
    return parent, str(state.get("child")), int(state.get("size", -1)), text


def check_recorded(
    cosigned: list[Cosigned],
    recorded: set[tuple[str, str, int, str]],
    logs: dict[str, Recomputed],
) -> list[Finding]:
    """For each parent, the first cosigned child checkpoint its log does not record.

    "First" is the earliest cosignature: the parent's log was cut before it."""
    missing: dict[str, list[Cosigned]] = {}
    for c in cosigned:
        if (c.parent, c.child, c.size, c.text) not in recorded:
            missing.setdefault(c.parent, []).append(c)
    findings = []
    for parent, items in sorted(missing.items()):
        items.sort(key=lambda c: (c.at, c.child, c.size))
        first = items[0]
        when = datetime.fromtimestamp(first.at, SHANGHAI).isoformat()
        more = (
            f"; {len(items) - 1} more cosigned checkpoints of its children lack theirs"
            if len(items) > 1
            else ""
        )
        findings.append(
            Finding(
                parent,
                None,
                "witnessed.missing",
                f"{parent} cosigned the checkpoint of {first.child} at size "
                f"{first.size} at {when}, but its log ({len(logs[parent].leaves)} "
                "events in the store) holds no ChildCheckpointWitnessed of it: the "
                f"tail of {parent}'s log was rewritten after that cosignature{more}",
            )
        )
    return findings
