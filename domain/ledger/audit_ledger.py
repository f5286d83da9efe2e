"""A tenant's audit ledger: its signing keys and what it witnessed of its children.

The ledger's own events sit in the tenant's Merkle log like every other event, so a
tenant's key history, and every child checkpoint it vouched for, are themselves
committed to by the tenant's checkpoints (DESIGN: "the parent is the child's witness").
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate, stored_as
from domain.errors import ConflictError


@lru_cache(maxsize=65_536)  # derived on every command; uuid5 hashes each time
def ledger_id(tenant: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:ledger:{tenant}")


@stored_as("domain.audit")  # its stored name (docs/events.md)
class AuditLedger(GongkaiAggregate):
    """One per tenant: its verifier keys, and the child checkpoints it witnessed."""

    @staticmethod
    def create_id(tenant: str, **_: Any) -> UUID:
        return ledger_id(tenant)

    @event("Opened")
    def __init__(
        self,
        tenant: str,
        verifier_key: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.tenant = tenant
        self.keys: list[str] = [verifier_key]
        self.witnessed: dict[str, dict[str, Any]] = {}
        self.refusals: list[dict[str, Any]] = []

    @property
    def current_key(self) -> str:
        return self.keys[-1]

    def rotate_key(
        self,
        verifier_key: str,
        reason: str,
        *,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """Record a new signing key; old checkpoints still verify with old keys."""
        if verifier_key in self.keys:
            raise ConflictError("that key is already registered", field="key")
        self._key_rotated(
            tenant=self.tenant,
            previous=self.current_key,
            verifier_key=verifier_key,
            reason=reason,
            actor=actor,
            effective_at=effective_at,
        )

    @event("KeyRotated")
    def _key_rotated(
        self,
        tenant: str,
        previous: str,
        verifier_key: str,
        reason: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.keys.append(verifier_key)

    def witness(
        self,
        *,
        child: str,
        size: int,
        root_hash: str,
        note: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """Record a child's checkpoint, already checked consistent and cosigned."""
        self._witnessed(
            tenant=self.tenant,
            child=child,
            size=size,
            root_hash=root_hash,
            note=note,
            actor=actor,
            effective_at=effective_at,
        )

    @event("ChildCheckpointWitnessed")
    def _witnessed(
        self,
        tenant: str,
        child: str,
        size: int,
        root_hash: str,
        note: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.witnessed[child] = {"size": size, "root_hash": root_hash, "note": note}

    def refuse(
        self,
        *,
        child: str,
        note: str,
        reason: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """Record a child checkpoint that contradicts what was witnessed before."""
        self._refused(
            tenant=self.tenant,
            child=child,
            note=note,
            reason=reason,
            actor=actor,
            effective_at=effective_at,
        )

    @event("ChildCheckpointRefused")
    def _refused(
        self,
        tenant: str,
        child: str,
        note: str,
        reason: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.refusals.append({"child": child, "reason": reason, "note": note})

    def last_witnessed(self, child: str) -> dict[str, Any] | None:
        return self.witnessed.get(child)
