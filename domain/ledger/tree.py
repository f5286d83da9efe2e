"""RFC 6962 / RFC 9162 §2 Merkle tree arithmetic over a store of perfect nodes.

Node ``(level, index)`` covers leaves ``[index·2^level, (index+1)·2^level)``; level 0
holds the leaf hashes. Only *perfect* nodes, all of whose leaves exist, are stored:
once complete they never change. A proof may also need an *ephemeral* node on the
right border of the tree, which is hashed on the fly from the stored perfect nodes
under it. The *compact range* of a tree is the list of perfect nodes on its right
border, largest first: one per set bit of the size. See ``docs/ledger.md``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from domain.errors import ProofError, RootMismatchError
from domain.ledger.hashing import EMPTY_ROOT, HASH_SIZE, hash_children

NodeReader: TypeAlias = Callable[[int, int], bytes]
"""``get(level, index)``: the hash of a stored perfect node."""


@dataclass(frozen=True, slots=True)
class NodeId:
    """A stored perfect node: leaves ``[index·2^level, (index+1)·2^level)``."""

    level: int
    index: int


@dataclass(frozen=True, slots=True)
class Ephemeral:
    """An imperfect right-border node: the fold of stored ``parts``, left first."""

    level: int
    index: int
    parts: tuple[NodeId, ...]


NodeRef: TypeAlias = NodeId | Ephemeral


StoredNode: TypeAlias = tuple[int, int, bytes]
"""``(level, index, hash)`` of a perfect node to write to the store."""


# Reference MTH ------------------------------------------------------------------------


def root_from_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of RFC 6962 §2.1 by its recursive definition: the test oracle, O(n)."""
    return _mth(leaf_hashes, 0, len(leaf_hashes)) if leaf_hashes else EMPTY_ROOT


def _mth(leaves: Sequence[bytes], begin: int, end: int) -> bytes:
    """MTH of ``leaves[begin:end]``. Requires begin < end."""
    if end - begin == 1:
        return leaves[begin]
    split = begin + _split(end - begin)
    return hash_children(_mth(leaves, begin, split), _mth(leaves, split, end))


def _split(n: int) -> int:
    """The largest power of two smaller than n. Requires n >= 2."""
    return 1 << ((n - 1).bit_length() - 1)


# Compact ranges and appends ---------------------------------------------------------


def range_nodes(size: int) -> list[NodeId]:
    """The compact range of a tree of ``size`` leaves. Requires size >= 0."""
    return _border(size, size.bit_length())


def _border(end: int, below: int) -> list[NodeId]:
    """Perfect nodes tiling ``[end - end % 2^below, end)``, largest first."""
    return [NodeId(b, (end >> b) - 1) for b in reversed(range(below)) if end >> b & 1]


def range_from_store(size: int, get: NodeReader) -> list[bytes]:
    """Read the compact range of a tree of ``size`` leaves: popcount(size) reads."""
    return [get(node.level, node.index) for node in range_nodes(size)]


def append_to_range(
    range_: Sequence[bytes], size: int, leaf_hash: bytes
) -> tuple[list[bytes], list[StoredNode]]:
    """Append leaf number ``size``: return the new range and the nodes to store.

    Requires ``range_`` to be the compact range of the tree of ``size`` leaves. Needs
    no reads: each new parent's left child is the last hash of the range. The nodes
    come bottom-up, the leaf first; they are all perfect, so storing them is final.
    """
    _require_range(range_, size)
    hashes = list(range_)
    node, level, index = leaf_hash, 0, size
    stored: list[StoredNode] = [(0, size, leaf_hash)]
    while index & 1:
        node = hash_children(hashes.pop(), node)
        level, index = level + 1, index >> 1
        stored.append((level, index, node))
    hashes.append(node)
    return hashes, stored


def root_from_range(range_: Sequence[bytes], size: int) -> bytes:
    """Root of the tree of ``size`` leaves. Requires range_ to be its compact range."""
    _require_range(range_, size)
    return _fold(range_) if range_ else EMPTY_ROOT


def _require_range(range_: Sequence[bytes], size: int) -> None:
    if size < 0 or len(range_) != size.bit_count():
        msg = f"a compact range for size {size} has {size.bit_count()} hashes"
        raise ValueError(msg)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Hash a right-border run of perfect nodes right to left. Requires hashes."""
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = hash_children(left, acc)
    return acc


# Which nodes a proof needs ------------------------------------------------------------


def inclusion_proof_nodes(index: int, size: int) -> list[NodeRef]:
    """Nodes of the inclusion proof for leaf ``index``. Requires 0 <= index < size."""
    _require_index(index, size)
    return _path(0, index, size)


def consistency_proof_nodes(size1: int, size2: int) -> list[NodeRef]:
    """Nodes of the consistency proof from size1 to size2. Requires 0 <= size1 <= size2.

    The proof is the path from the smallest node of size1's compact range (the seed)
    up to the root of size2, preceded by the seed unless it is the whole old tree.
    """
    _require_sizes(size1, size2)
    if size1 in (0, size2):
        return []
    level, index = _seed(size1)
    seed: list[NodeRef] = [] if index == 0 else [NodeId(level, index)]
    return seed + _path(level, index, size2)


def _seed(size1: int) -> tuple[int, int]:
    """The last node of size1's compact range. Requires size1 > 0."""
    level = (size1 & -size1).bit_length() - 1
    return level, (size1 >> level) - 1


def _path(level: int, index: int, size: int) -> list[NodeRef]:
    """Siblings from node (level, index) up to the root of ``size`` leaves."""
    refs: list[NodeRef] = []
    for lvl in range(level, (size - 1).bit_length()):
        sibling = (index >> (lvl - level)) ^ 1
        if sibling << lvl < size:
            refs.append(_node(lvl, sibling, size))
    return refs


def _node(level: int, index: int, size: int) -> NodeRef:
    """Node (level, index) of the tree of ``size``. Requires it to hold a leaf."""
    if (index + 1) << level <= size:
        return NodeId(level, index)
    parts = _border(size, level)
    return parts[0] if len(parts) == 1 else Ephemeral(level, index, tuple(parts))


def _path_length(level: int, index: int, size: int) -> int:
    """len(_path(level, index, size)) in closed form: inner levels + left border."""
    inner = (index ^ ((size - 1) >> level)).bit_length()
    return inner + (index >> inner).bit_count()


# Reading proofs from a store ----------------------------------------------------------


def resolve_proof(refs: Iterable[NodeRef], get: NodeReader) -> list[bytes]:
    """Read each stored node once and fold each ephemeral node from its parts."""
    return [_resolve(ref, get) for ref in refs]


def _resolve(ref: NodeRef, get: NodeReader) -> bytes:
    if isinstance(ref, NodeId):
        return get(ref.level, ref.index)
    return _fold([get(part.level, part.index) for part in ref.parts])


def inclusion_proof(index: int, size: int, get: NodeReader) -> list[bytes]:
    """The inclusion proof for leaf ``index``. Requires 0 <= index < size."""
    return resolve_proof(inclusion_proof_nodes(index, size), get)


def consistency_proof(size1: int, size2: int, get: NodeReader) -> list[bytes]:
    """The consistency proof from size1 to size2. Requires 0 <= size1 <= size2."""
    return resolve_proof(consistency_proof_nodes(size1, size2), get)


# Verifiers (RFC 9162 §2.1.3.2, §2.1.4.2) ----------------------------------------------


def root_from_inclusion_proof(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root that ``proof`` gives leaf_hash at index (RFC 9162 §2.1.3.2).

    Requires 0 <= index < size, 32-byte hashes and exactly as many proof hashes as
    the tree shape needs; this length check stands in for the RFC's checks of sn.
    """
    _require_index(index, size)
    _require_hashes(leaf_hash, *proof)
    _require_length(proof, _path_length(0, index, size))
    fn, sn, root = index, size - 1, leaf_hash
    for hash_ in proof:
        if fn & 1 or fn == sn:
            root = hash_children(hash_, root)
            fn, sn = _shift_to_right_child(fn, sn)
        else:
            root = hash_children(root, hash_)
        fn, sn = fn >> 1, sn >> 1
    return root


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise unless proof puts leaf_hash at index of the tree with this root.

    Requires 0 <= index < size (else ProofError); RootMismatchError on a wrong root.
    """
    _require_match(root, root_from_inclusion_proof(index, size, leaf_hash, proof))


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Raise unless proof shows tree (size2, root2) extends (size1, root1).

    Requires 0 <= size1 <= size2 and an empty proof iff size1 is 0 or size2
    (else ProofError); RootMismatchError if a root differs (RFC 9162 §2.1.4.2).
    """
    _require_sizes(size1, size2)
    if size1 in (0, size2):
        _require_length(proof, 0)
        if size1 == size2:
            _require_match(root2, root1)
        return
    _require_hashes(*proof)
    level, index = _seed(size1)
    _require_length(proof, int(index > 0) + _path_length(level, index, size2))
    path = list(proof) if index > 0 else [root1, *proof]
    fn, sn = (size1 - 1) >> level, (size2 - 1) >> level
    old = new = path[0]
    for hash_ in path[1:]:
        if fn & 1 or fn == sn:
            old, new = hash_children(hash_, old), hash_children(hash_, new)
            fn, sn = _shift_to_right_child(fn, sn)
        else:
            new = hash_children(new, hash_)
        fn, sn = fn >> 1, sn >> 1
    _require_match(root1, old)
    _require_match(root2, new)


def _shift_to_right_child(fn: int, sn: int) -> tuple[int, int]:
    """Climb while fn is a left child with no right sibling (RFC 9162 loop step)."""
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


# Preconditions ----------------------------------------------------------------------


def _require_index(index: int, size: int) -> None:
    if not 0 <= index < size:
        msg = f"leaf index {index} is outside a tree of size {size}"
        raise ProofError(msg, field="index")


def _require_sizes(size1: int, size2: int) -> None:
    if not 0 <= size1 <= size2:
        msg = f"tree sizes {size1} -> {size2} are not 0 <= size1 <= size2"
        raise ProofError(msg, field="size")


def _require_hashes(*hashes: bytes) -> None:
    if any(len(hash_) != HASH_SIZE for hash_ in hashes):
        msg = f"every hash must be {HASH_SIZE} bytes"
        raise ProofError(msg, field="proof")


def _require_length(proof: Sequence[bytes], want: int) -> None:
    if len(proof) != want:
        msg = f"proof has {len(proof)} hashes, the tree shape needs {want}"
        raise ProofError(msg, field="proof")


def _require_match(expected: bytes, calculated: bytes) -> None:
    if not hmac.compare_digest(expected, calculated):
        raise RootMismatchError(expected=expected, calculated=calculated)
