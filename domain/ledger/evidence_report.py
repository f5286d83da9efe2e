"""What verifying an evidence bundle proves: the events, witnesses and keys that
checked out (``verify_bundle`` returns a ``BundleReport``; the CLI prints it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from domain.ledger.bundle import Subject


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
    exported_key: str
    """Hex key ID of the tenant's bound key that signed the export statement."""
    pinned: tuple[str, ...]
    """The pinned key IDs the top checkpoint is signed by; empty: none was pinned."""
    unbound: tuple[str, ...] = ()
    """``keys.<path>[i] <name>+<key id>`` of keys the witness chain does not bind
    (signed nothing it records); with a pin the bundle fails instead."""

    @property
    def chain(self) -> tuple[str, ...]:
        """Tenant paths from the subject's tenant up to the top."""
        return (self.tenant, *(w.tenant for w in self.witnessed_by))
