"""Integrator clients: register, list, rotate, revoke, and the client-credentials
check behind ``POST /v1/auth/token`` (grant_type=client_credentials).

The registry is events (``IntegratorClient``); the secret is not: its SHA-256 digest
goes to the credential store (infra/credentials.py), and the secret itself is answered
once, to the admin who registered or rotated the client.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from domain.access import Principal, Role, require_read, require_subtree_role
from domain.errors import ClientNotFoundError
from domain.people.clients import IntegratorClient
from infra.credentials import CredentialStore
from infra.passwords import client_secret_digest, new_client_secret, same_digest
from services.core.base import GongkaiApplication, recorded

CLIENT_PREFIX = "client:"
"""A client token's subject is ``client:<client_id>``."""


@dataclass(frozen=True)
class ClientGrant:
    """A good client-credentials request: what the token will say."""

    client_id: str
    tenant: str
    families: tuple[str, ...]
    generation: int


class Clients(GongkaiApplication):
    """Registers integrator clients and checks their credentials."""

    credentials: CredentialStore
    known_families: Collection[str]

    def configure(
        self, credentials: CredentialStore, known_families: Collection[str]
    ) -> None:
        self.credentials, self.known_families = credentials, known_families

    def client(
        self, principal: Principal, path: str, client_id: str
    ) -> IntegratorClient:
        """The client ``client_id`` of tenant ``path``; others are 404s."""
        require_read(principal, path)
        found = self._by_id(client_id)
        if found is None or found.tenant != path:
            raise ClientNotFoundError(
                f"no integrator client {client_id!r} at {path!r}", field="client_id"
            )
        return found

    def list(
        self, principal: Principal, path: str, *, descendants: bool = False
    ) -> list[IntegratorClient]:
        """The clients of ``path`` (and below), by tenant then name."""
        require_read(principal, path)
        self.read_tenant(path)
        found = [
            c
            for cid in self.credentials.client_ids(path, descendants=descendants)
            if (c := self._by_id(cid)) is not None
        ]
        return sorted(found, key=lambda c: (c.tenant, c.name, c.client_id))

    def register(
        self, principal: Principal, path: str, *, name: str, families: list[str]
    ) -> tuple[IntegratorClient, str, int]:
        """Register a client; returns it, its secret (shown once) and the position."""
        require_subtree_role(principal, path, Role.ADMIN)
        self.read_tenant(path)
        with recorded(self):
            client = IntegratorClient.register(
                tenant=path,
                name=name,
                families=families,
                known_families=self.known_families,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        position = self._commit(client)
        return client, self._issue(client), position

    def rotate(
        self, principal: Principal, path: str, client_id: str
    ) -> tuple[IntegratorClient, str, int]:
        """A new secret; the old one and its tokens stop working."""
        require_subtree_role(principal, path, Role.ADMIN)
        client = self.client(principal, path, client_id)
        with recorded(self):
            client.rotate(actor=principal.actor(), effective_at=self.now())
        position = self._commit(client)
        return client, self._issue(client), position

    def revoke(
        self, principal: Principal, path: str, client_id: str, reason: str
    ) -> tuple[IntegratorClient, int]:
        """Refuse the client for good; its secret's digest is dropped."""
        require_subtree_role(principal, path, Role.ADMIN)
        client = self.client(principal, path, client_id)
        with recorded(self):
            client.revoke(reason, actor=principal.actor(), effective_at=self.now())
        position = self._commit(client)
        self.credentials.set_client_secret(client.client_id, client.tenant, None)
        return client, position

    # Client credentials --------------------------------------------------------------

    def grant(self, client_id: str, secret: str) -> ClientGrant | None:
        """The grant for a good id and secret, else None (never told apart)."""
        digest = client_secret_digest(secret)
        stored = self.credentials.client_secret_digest(client_id.strip())
        if not same_digest(stored, digest):
            return None
        client = self._by_id(client_id)
        if client is None or client.revoked:
            return None
        return ClientGrant(
            client.client_id, client.tenant, tuple(client.families), client.generation
        )

    def current(self, client_id: str, generation: int | None) -> Principal | None:
        """The principal a client token stands for now, or None (rotated, revoked).

        Asked on every request of a client token: the client is kept by its version
        in the reference cache (as a staffer is, signin.py), so a request asks the
        store one version query; a rotation or revocation moves the version."""
        try:
            ident = UUID(hex=client_id.strip())
        except ValueError:
            return None
        client = self.references.get(
            ("client", ident), [ident], lambda: self._get(ident, IntegratorClient)
        )
        if client is None or not client.accepts(generation):
            return None
        return Principal(
            id=CLIENT_PREFIX + client.client_id,
            tenant=client.tenant,
            roles=frozenset({Role.INTEGRATOR}),
            families=frozenset(client.families),
        )

    def _by_id(self, client_id: str) -> IntegratorClient | None:
        try:
            return self._get(UUID(hex=client_id.strip()), IntegratorClient)
        except ValueError:
            return None

    def _issue(self, client: IntegratorClient) -> str:
        secret = new_client_secret()
        self.credentials.set_client_secret(
            client.client_id, client.tenant, client_secret_digest(secret)
        )
        return secret
