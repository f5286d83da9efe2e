"""The aggregate map: a verifiable map from aggregate id to its latest event, pure.

Each tenant checkpoint commits, in one extension line, to the root of a compact
sparse Merkle tree over the tenant's log at that size: for every aggregate with
events in the log, its latest ``version`` and that event's ``leaf_index``. A bundle
proves that entry, so a verifier learns which version is the latest and can tell
when events are missing (docs/audit.md §8).

The tree (one concept, like the Libra/Diem "shortcut" sparse Merkle tree):

- key: ``SHA-256(aggregate id)``, the id as lowercase UUID text with dashes; bit 0
  is the most significant bit of the first byte, and picks the side at depth 0;
- entry hash: ``SHA-256(0x02 || key || version || leaf_index)``, both integers 8-byte
  big-endian;
- an empty subtree is 32 zero bytes; a subtree holding exactly one entry *is* that
  entry's hash, whatever its depth; any other subtree is
  ``SHA-256(0x03 || left || right)``.

The prefixes 0x02/0x03 keep map hashes apart from the log's 0x00/0x01. A proof is
the list of sibling hashes from the root down to the entry's subtree. Since a key has
one path and entry and node hashes never collide, a root proves at most one entry per
aggregate.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hmac
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from hashlib import sha256

from domain.errors import ProofError

MAP_ENTRY_PREFIX = b"\x02"
MAP_NODE_PREFIX = b"\x03"
EMPTY = bytes(32)
KEY_BITS = 256
EXTENSION = "gongkai-map/v1"
"""First word of the checkpoint extension line: ``gongkai-map/v1 <base64 root>``."""

_MAX_INT = 2**63 - 1


@dataclass(frozen=True)
class MapEntry:
    """An aggregate's latest event in a tenant's log up to a checkpoint's size."""

    aggregate_id: str
    version: int
    leaf_index: int

    def __post_init__(self) -> None:
        if not 1 <= self.version <= _MAX_INT or not 0 <= self.leaf_index <= _MAX_INT:
            raise ProofError(f"map entry out of range: {self}")

    @property
    def key(self) -> bytes:
        return map_key(self.aggregate_id)

    def hash(self) -> bytes:
        return hash_entry(self)


def map_key(aggregate_id: str) -> bytes:
    """The 256-bit key of an aggregate id (lowercase UUID text with dashes)."""
    return sha256(aggregate_id.encode("ascii")).digest()


def hash_entry(entry: MapEntry) -> bytes:
    return sha256(
        MAP_ENTRY_PREFIX
        + entry.key
        + entry.version.to_bytes(8, "big")
        + entry.leaf_index.to_bytes(8, "big")
    ).digest()


def hash_node(left: bytes, right: bytes) -> bytes:
    return sha256(MAP_NODE_PREFIX + left + right).digest()


def _bit(key: bytes, depth: int) -> int:
    return (key[depth // 8] >> (7 - depth % 8)) & 1


def _sorted(entries: Iterable[MapEntry]) -> list[tuple[bytes, bytes]]:
    items = sorted((e.key, e.hash()) for e in entries)
    for (a, _), (b, _) in itertools.pairwise(items):
        if a == b:
            raise ProofError("two map entries share a key")
    return items


def _split(items: Sequence[tuple[bytes, bytes]], depth: int) -> int:
    """Index of the first item with bit ``depth`` set (the items share a prefix)."""
    keys = [_bit(k, depth) for k, _ in items]
    return bisect.bisect_left(keys, 1)


def _root(items: Sequence[tuple[bytes, bytes]], depth: int) -> bytes:
    if not items:
        return EMPTY
    if len(items) == 1:
        return items[0][1]
    if depth >= KEY_BITS:
        raise ProofError("two map entries share a key")
    cut = _split(items, depth)
    return hash_node(_root(items[:cut], depth + 1), _root(items[cut:], depth + 1))


def map_root(entries: Iterable[MapEntry]) -> bytes:
    """The root of the map holding ``entries`` (one per aggregate)."""
    return _root(_sorted(entries), 0)


def map_proof(entries: Iterable[MapEntry], aggregate_id: str) -> list[bytes]:
    """Sibling hashes, root first, that lead to ``aggregate_id``'s entry."""
    items = _sorted(entries)
    key = map_key(aggregate_id)
    if not any(k == key for k, _ in items):
        raise ProofError(f"no map entry for {aggregate_id}")
    proof: list[bytes] = []
    depth = 0
    while len(items) > 1:
        cut = _split(items, depth)
        left, right = items[:cut], items[cut:]
        if _bit(key, depth):
            proof.append(_root(left, depth + 1))
            items = right
        else:
            proof.append(_root(right, depth + 1))
            items = left
        depth += 1
    return proof


def root_from_map_proof(entry: MapEntry, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from ``entry``. Requires len(proof) <= 256."""
    if len(proof) > KEY_BITS:
        raise ProofError(f"a map proof has at most {KEY_BITS} hashes")
    if any(len(h) != len(EMPTY) for h in proof):
        raise ProofError("a map proof hash has 32 bytes")
    key, node = entry.key, entry.hash()
    for depth in range(len(proof) - 1, -1, -1):
        sibling = proof[depth]
        node = (
            hash_node(sibling, node) if _bit(key, depth) else hash_node(node, sibling)
        )
    return node


def verify_map_entry(entry: MapEntry, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ProofError unless ``proof`` puts exactly ``entry`` in the map ``root``."""
    calculated = root_from_map_proof(entry, proof)
    if not hmac.compare_digest(calculated, root):
        raise ProofError(
            f"calculated map root {calculated.hex()} does not match {root.hex()}"
        )


def extension_line(root: bytes) -> str:
    """The checkpoint extension line committing to the map ``root``."""
    return f"{EXTENSION} {base64.b64encode(root).decode('ascii')}"


def root_from_extensions(extensions: Sequence[str]) -> bytes | None:
    """The map root a checkpoint's extension lines commit to, if exactly one does."""
    found = [e for e in extensions if e.startswith(EXTENSION + " ")]
    if len(found) != 1:
        return None
    text = found[0][len(EXTENSION) + 1 :]
    try:
        root = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(root) != len(EMPTY) or base64.b64encode(root).decode("ascii") != text:
        return None
    return root


def latest_entries(events: Iterable[tuple[str, int, int]]) -> list[MapEntry]:
    """Map entries from ``(aggregate id, version, leaf index)`` in log order."""
    latest: dict[str, MapEntry] = {}
    for aggregate_id, version, leaf_index in events:
        latest[aggregate_id] = MapEntry(aggregate_id, version, leaf_index)
    return list(latest.values())
