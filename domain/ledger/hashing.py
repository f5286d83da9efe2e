"""RFC 6962 §2.1 hashing: SHA-256 with one-byte domain separation.

A leaf hash and an interior-node hash can never be confused, because the preimage of
each starts with a different prefix byte (RFC 9162 §2.1.1, second-preimage defence).
"""

from __future__ import annotations

from hashlib import sha256

LEAF_PREFIX = b"\x00"
"""Prefix of a leaf preimage: ``MTH({d}) = SHA-256(0x00 || d)``."""

NODE_PREFIX = b"\x01"
"""Prefix of an interior-node preimage: ``SHA-256(0x01 || left || right)``."""

HASH_SIZE = 32
"""Length in bytes of every leaf, node and root hash."""

EMPTY_ROOT = sha256(b"").digest()
"""Root of the empty tree: the hash of the empty string."""


def hash_leaf(data: bytes) -> bytes:
    """Hash one log entry into a leaf hash."""
    return sha256(LEAF_PREFIX + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """Hash two child hashes into their parent. Requires both to be node hashes."""
    return sha256(NODE_PREFIX + left + right).digest()
