"""Signed checkpoints of each tenant's Merkle log, witnessed by the parent tenant.

A tenant signs its tree head as a C2SP checkpoint. Its parent then checks that the
new head is consistent with the last one it witnessed (an RFC 6962 consistency
proof), cosigns it, and records the witnessed checkpoint as an event in its own log,
so the county's head commits to every town's and village's history below it. A head
that contradicts what the parent witnessed, or that is signed by a key the child never
registered, is refused and the refusal recorded.
"""

from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from domain.access import Principal, Role
from domain.errors import ConflictError, GongkaiError, LedgerError, NotFoundError
from domain.ledger import verify_consistency
from domain.ledger.audit_ledger import AuditLedger, ledger_id
from domain.ledger.leaf import Leaf
from domain.ledger.map import extension_line, root_from_extensions
from domain.ledger.note import (
    COSIGNATURE_V1,
    Checkpoint,
    CosignatureSigner,
    Note,
    add_signature,
    sign_note,
    verify_note,
)
from domain.tenancy import ancestors_of, parent_of
from infra.keys import Ed25519Verifier, KeyStore
from projections.audit import AuditView
from projections.audit_map import AuditMap
from projections.sql import iso_moment
from services.core.base import GongkaiApplication, recorded

log = logging.getLogger("gongkai.audit")

SYSTEM = Principal(id="gongkai-auditor", tenant=None, roles=frozenset({Role.ADMIN}))


class CheckpointRefusedError(LedgerError, ConflictError):
    """A child's checkpoint contradicts its parent's record; the refusal is logged."""

    slug = "checkpoint-refused"


@dataclass(frozen=True)
class IssuedCheckpoint:
    tenant: str
    size: int
    root_hash: bytes
    note: str
    issued_at: str


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def has_map(note: str) -> bool:
    """Whether the checkpoint note commits to an aggregate map (docs/audit.md §8)."""
    body = Note.parse(note).text
    return root_from_extensions(Checkpoint.parse(body).extensions) is not None


ISSUE_ATTEMPTS = 3


class Auditor(GongkaiApplication):
    """Issues checkpoints and witnesses children's; keeps keys outside the log."""

    view: AuditView
    keys: KeyStore
    installation: str
    aggregate_map: AuditMap

    def configure(self, view: AuditView, keys: KeyStore, installation: str) -> None:
        self.view, self.keys, self.installation = view, keys, installation
        self.aggregate_map = AuditMap(view)
        self._issuing = threading.Lock()

    # Names and keys -----------------------------------------------------------------

    def origin(self, path: str) -> str:
        """The checkpoint origin and key name: installation and tenant path."""
        return f"{self.installation}/{path}"

    def ledger(self, path: str) -> AuditLedger | None:
        return self._get(ledger_id(path), AuditLedger)

    def open_ledger(self, path: str) -> tuple[AuditLedger, int]:
        """The tenant's ledger, opened (its key registered in the log) on first use.

        The checkpointer and a reader may open the same ledger at once: the loser
        of that race takes the winner's ledger."""
        found = self.ledger(path)
        if found is not None:
            return found, 0
        self.tenant(path)
        signer = self.keys.signer(self.origin(path), path)
        with recorded(self):
            ledger = AuditLedger(
                tenant=path,
                verifier_key=signer.verifier_key(),
                actor=SYSTEM.actor(),
                effective_at=self.now(),
            )
        try:
            return ledger, self._commit(ledger)
        except ConflictError:
            found = self.ledger(path)
            if found is None:
                raise
            return found, 0

    def registered_verifiers(self, path: str) -> list[Ed25519Verifier]:
        """Verifiers for every key the tenant's log registered, newest first."""
        ledger = self.ledger(path)
        keys = list(reversed(ledger.keys)) if ledger else []
        return [Ed25519Verifier.from_verifier_key(k) for k in keys]

    def verifier_keys(self, path: str) -> dict[str, list[str]]:
        """The tenant's and its ancestors' verifier keys, by tenant path."""
        out: dict[str, list[str]] = {}
        for p in [*ancestors_of(path), path]:
            ledger = self.ledger(p)
            if ledger is not None:
                out[p] = list(ledger.keys)
        return out

    def rotate_key(self, principal: Principal, path: str, reason: str) -> int:
        """Replace the tenant's signing key and record the new one in its log."""
        ledger, _ = self.open_ledger(path)
        self.keys.rotate(path)
        signer = self.keys.signer(self.origin(path), path)
        with recorded(self):
            ledger.rotate_key(
                signer.verifier_key(),
                reason,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        return self._commit(ledger)

    # Checkpoints --------------------------------------------------------------------

    def latest(self, path: str) -> IssuedCheckpoint | None:
        row = self.view.latest_checkpoint(path)
        if row is None:
            return None
        return IssuedCheckpoint(
            path,
            int(row["size"]),
            bytes.fromhex(row["root_hash"]),
            row["note"],
            row["issued_at"],
        )

    def issue(self, path: str) -> IssuedCheckpoint:
        """Sign the tenant's current tree head and have the parent witness it.

        Issuing again at an unchanged size returns the checkpoint already issued.
        The checkpointer and a reader (evidence export) may race to issue the same
        checkpoint: one at a time in this process, and a lost race with another
        process is retried against what the winner recorded.
        """
        with self._issuing:
            for attempt in range(ISSUE_ATTEMPTS):
                try:
                    return self._issue(path)
                except CheckpointRefusedError:
                    raise
                except ConflictError:
                    if attempt == ISSUE_ATTEMPTS - 1:
                        raise
                    log.info("checkpoint of %s raced another issuer; again", path)
        raise AssertionError("unreachable")

    def _issue(self, path: str) -> IssuedCheckpoint:
        head = self.view.head(path)
        if head.size == 0:
            raise NotFoundError(f"the log of {path!r} is still empty", field="path")
        last = self.latest(path)
        if last is not None and last.size == head.size and has_map(last.note):
            return last
        if self.ledger(path) is None:
            raise NotFoundError(f"the ledger of {path!r} is not open yet", field="path")
        map_line = extension_line(self.aggregate_map.root(path, head.size))
        checkpoint = Checkpoint(
            self.origin(path), head.size, head.root_hash, (map_line,)
        )
        note = sign_note(checkpoint.body(), self.keys.signer(self.origin(path), path))
        parent = parent_of(path)
        if parent is not None:
            note = self.witness(parent, path, note)
        issued_at = iso_moment(self.now())
        self.view.save_checkpoint(
            path, head.size, head.root_hash, note.format(), issued_at
        )
        log.info("checkpoint %s size %d", path, head.size)
        return IssuedCheckpoint(
            path, head.size, head.root_hash, note.format(), issued_at
        )

    def witness(self, parent: str, child: str, note: Note) -> Note:
        """As ``parent``: check, cosign and record the child's checkpoint."""
        ledger, _ = self.open_ledger(parent)
        try:
            verify_note(note, self.registered_verifiers(child))
        except GongkaiError as e:
            self._refuse(ledger, child, note, f"signature: {e.detail}")
        checkpoint = Checkpoint.parse(note.text)
        previous = ledger.last_witnessed(child)
        if previous is not None:
            self._check_consistent(ledger, child, note, checkpoint, previous)
        timestamp = int(self.now().timestamp())
        cosigner = self.keys.cosigner(self.origin(parent), parent)
        cosigned = add_signature(note, CosignatureSigner(cosigner, timestamp))
        with recorded(self):
            ledger.witness(
                child=child,
                size=checkpoint.size,
                root_hash=b64(checkpoint.root_hash),
                note=cosigned.format(),
                actor=SYSTEM.actor(),
                effective_at=self.now(),
            )
        self._commit(ledger)
        return cosigned

    def _check_consistent(
        self,
        ledger: AuditLedger,
        child: str,
        note: Note,
        checkpoint: Checkpoint,
        previous: dict[str, object],
    ) -> None:
        size1 = int(str(previous["size"]))
        root1 = base64.b64decode(str(previous["root_hash"]))
        if checkpoint.size < size1:
            self._refuse(
                ledger,
                child,
                note,
                f"size {checkpoint.size} is smaller than witnessed {size1}",
            )
        try:
            proof = self.view.consistency_proof(child, size1, checkpoint.size)
            verify_consistency(
                size1, checkpoint.size, proof, root1, checkpoint.root_hash
            )
        except (GongkaiError, LookupError) as e:
            self._refuse(
                ledger,
                child,
                note,
                f"not consistent with the witnessed size {size1}: {e}",
            )

    def _refuse(self, ledger: AuditLedger, child: str, note: Note, reason: str) -> None:
        """Record the refusal once per checkpoint text, then raise."""
        if not any(
            r["child"] == child and Note.parse(r["note"]).text == note.text
            for r in ledger.refusals
        ):
            self._record_refusal(ledger, child, note, reason)
        raise CheckpointRefusedError(
            f"{ledger.tenant} refused the checkpoint of {child}: {reason}", field="path"
        )

    def _record_refusal(
        self, ledger: AuditLedger, child: str, note: Note, reason: str
    ) -> None:
        with recorded(self):
            ledger.refuse(
                child=child,
                note=note.format(),
                reason=reason,
                actor=SYSTEM.actor(),
                effective_at=self.now(),
            )
        self._commit(ledger)
        log.warning("refused checkpoint of %s: %s", child, reason)

    def cosigner_verifier(self, path: str) -> Ed25519Verifier:
        """The verifier of ``path``'s cosignatures (its current key, type 0x04)."""
        return Ed25519Verifier(
            self.origin(path), self.keys.public_key(path), signature_type=COSIGNATURE_V1
        )

    def due(self, now: datetime, every_events: int, every_seconds: float) -> list[str]:
        """Tenants grown by ``every_events``, or at all in ``every_seconds``."""
        due: list[str] = []
        for head in self.view.heads():
            last = self.view.latest_checkpoint(head.tenant)
            since = int(last["size"]) if last else 0
            if last is not None:
                then = datetime.fromisoformat(last["issued_at"])
            else:
                first = self.view.leaf(head.tenant, 0)
                then = (
                    Leaf.decode(first["leaf_input"].encode()).recorded_at
                    if first
                    else now
                )
            grown = head.size - since
            age = (now - then).total_seconds()
            if grown >= every_events or (grown > 0 and age >= every_seconds):
                due.append(head.tenant)
        return due
