"""Integrator clients: systems that read a tenant subtree's streams with their own
credentials (OAuth2 client-credentials grant), registered by an admin.

A client is scoped to one tenant (its subtree) and a set of stream families. Its
secret never enters these events: the registry says *that* a secret was issued or
rotated, the credential store holds its digest. ``generation`` counts the rotations:
a token carries the generation it was issued under, so a rotation ends every token
of the old secret, and a revocation ends them all for good.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import ClientStateError, InvalidInputError
from domain.people.staff import check_text


def check_families(values: Iterable[str], known: Collection[str]) -> list[str]:
    """Sorted distinct families; requires at least one, each a streamed family."""
    chosen = sorted({v.strip() for v in values if v.strip()})
    if not chosen:
        raise InvalidInputError("a client needs at least one family", field="families")
    unknown = [f for f in chosen if f not in known]
    if unknown:
        allowed = ", ".join(sorted(known))
        raise InvalidInputError(
            f"unknown stream families {unknown}; use some of {allowed}",
            field="families",
        )
    return chosen


def client_id_of(aggregate_id: UUID) -> str:
    """The public client id: the aggregate id's hex (32 characters)."""
    return aggregate_id.hex


class IntegratorClient(GongkaiAggregate):
    """A system reading the streams of a tenant's subtree (系统对接), by its own
    credentials."""

    @classmethod
    def register(
        cls,
        *,
        tenant: str,
        name: str,
        families: Iterable[str],
        known_families: Collection[str],
        actor: dict[str, str],
        effective_at: datetime,
    ) -> IntegratorClient:
        """Check the name and families, then register (the secret is issued apart)."""
        return cls(
            tenant=tenant,
            name=check_text(name, "name"),
            families=check_families(families, known_families),
            actor=actor,
            effective_at=effective_at,
        )

    @event("Registered")
    def __init__(
        self,
        tenant: str,
        name: str,
        families: list[str],
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.tenant = tenant
        self.name = name
        self.families = families
        self.generation = 0
        self.revoked = False

    @property
    def client_id(self) -> str:
        return client_id_of(self.id)

    def rotate(self, *, actor: dict[str, str], effective_at: datetime) -> None:
        """A new secret: the old one and every token issued with it stop working."""
        if self.revoked:
            raise ClientStateError(f"client {self.client_id} is revoked")
        self._rotated(tenant=self.tenant, actor=actor, effective_at=effective_at)

    @event("SecretRotated")
    def _rotated(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.generation += 1

    def revoke(
        self, reason: str, *, actor: dict[str, str], effective_at: datetime
    ) -> None:
        """Refuse the client for good: its secret and every token of it."""
        if self.revoked:
            raise ClientStateError(f"client {self.client_id} is already revoked")
        self._revoked(
            reason=check_text(reason, "reason"),
            tenant=self.tenant,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Revoked")
    def _revoked(
        self, reason: str, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.revoked = True
        self.generation += 1

    def accepts(self, generation: int | None) -> bool:
        """Whether a token of this client (issued under ``generation``) still works."""
        return not self.revoked and generation == self.generation


CLIENT_EVENT_LABELS = {
    "Registered": "登记",
    "SecretRotated": "更换密钥",
    "Revoked": "吊销",
}
