"""Which keys of an evidence bundle the witness chain binds to the top tenant's key.

The top tenant's checkpoint is signed by a pinned key (``gongkai verify --trust``),
or, with no pin, by keys the bundle itself lists for the top tenant. Below the top,
each parent's ``ChildCheckpointWitnessed`` leaf, proven into the parent's checkpoint,
records the child's checkpoint note byte for byte, signature lines included
(``evidence_witnesses.check_recorded_note``): a key that verifies a line of that note
(the child's own signature, or the parent's cosignature) is a key the parent saw
sign it, so it is bound. A key is accepted only that way, from the top down.

The export statement must be signed by a bound key of the subject's tenant, so its
``exported_by`` and ``exported_at`` cannot be re-signed by a key slipped into
``keys``. Every other key in ``keys`` is named; with a pin, it fails the bundle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from domain.ledger.bundle import fail
from domain.ledger.evidence_keys import VerifiedKey
from domain.ledger.note import (
    ED25519,
    Note,
    cosignature_key_id,
    parse_verifier_key,
)


class Binding:
    """The keys of each tenant of a bundle that the witness chain has bound."""

    def __init__(self, installation: str, keys: Mapping[str, list[VerifiedKey]]):
        self.installation = installation
        self.keys = keys
        self._bound: dict[str, set[bytes]] = {path: set() for path in keys}

    def bind(self, tenant: str, keys: Iterable[VerifiedKey]) -> None:
        """Bind ``keys`` of ``tenant``: they signed a note the chain vouches for."""
        self._bound[tenant].update(k.key_id for k in keys)

    def is_bound(self, tenant: str, key: VerifiedKey) -> bool:
        return key.key_id in self._bound[tenant]

    def name(self, tenant: str, key: VerifiedKey) -> str:
        return f"{self.installation}/{tenant}+{key.key_id.hex()}"

    def unbound(self) -> list[tuple[str, str]]:
        """``(field, name+key id)`` of every key the chain does not bind."""
        return [
            (f"keys.{path}[{i}]", self.name(path, key))
            for path, keys in self.keys.items()
            for i, key in enumerate(keys)
            if not self.is_bound(path, key)
        ]


def check_export_signer(
    binding: Binding, tenant: str, signers: list[VerifiedKey]
) -> VerifiedKey:
    """The bound key that signed the export statement, else raise."""
    bound_signers = [k for k in signers if binding.is_bound(tenant, k)]
    if not bound_signers:
        used = ", ".join(binding.name(tenant, k) for k in signers)
        bound = ", ".join(
            binding.name(tenant, k)
            for k in binding.keys[tenant]
            if binding.is_bound(tenant, k)
        )
        fail(
            f"export is signed by {used}, a key of keys.{tenant} that the witness "
            f"chain does not bind: the checkpoint it vouches for is signed by {bound}",
            "export",
        )
    return bound_signers[0]


def check_all_bound(binding: Binding, pinned: bool) -> tuple[str, ...]:
    """``keys`` entries the chain does not bind, by name; with a pin, raise."""
    unbound = binding.unbound()
    if pinned and unbound:
        names = "; ".join(f"{field} {name}" for field, name in unbound)
        fail(
            f"{len(unbound)} key(s) in the bundle are not bound to the pinned key by "
            f"the witness chain (they signed nothing it records): {names}",
            unbound[0][0],
        )
    return tuple(f"{field} {name}" for field, name in unbound)


def signing_keys(
    installation: str, keys: Mapping[str, list[str]], notes: Iterable[str]
) -> dict[str, list[str]]:
    """The verifier keys of ``keys`` (by tenant) that name a signature line of one of
    ``notes``, as a note signature (type 0x01) or a cosignature (0x04): what an
    exporter lists, since a verifier with a pin refuses any key the chain does not
    bind. Key IDs are matched, not signatures: the verifier checks those."""
    lines = {(s.name, s.key_id) for text in notes for s in Note.parse(text).signatures}
    used: dict[str, list[str]] = {}
    for path, texts in keys.items():
        name = f"{installation}/{path}"
        for text in texts:
            _, kid, public_key = parse_verifier_key(text, ED25519)
            cosigner = cosignature_key_id(name, public_key)
            if (name, kid) in lines or (name, cosigner) in lines:
                used.setdefault(path, []).append(text)
    return used
