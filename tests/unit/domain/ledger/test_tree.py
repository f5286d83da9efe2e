"""RFC 6962 Merkle tree arithmetic: reference vectors, then properties.

The vectors in ``testdata/`` come from the transparency-dev/merkle test data and the
RFC 6962 reference tree (see testdata/README.md); ``gen_vectors.py`` derives the
negative ones. The properties grow one log of 5,000 leaves through ``append_to_range``
and check every proof served from its node store against ``root_from_leaves``.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInputError, ProofError, RootMismatchError
from domain.ledger import (
    EMPTY_ROOT,
    Ephemeral,
    NodeId,
    NodeRef,
    append_to_range,
    consistency_proof,
    consistency_proof_nodes,
    hash_children,
    hash_leaf,
    inclusion_proof,
    inclusion_proof_nodes,
    range_from_store,
    range_nodes,
    root_from_inclusion_proof,
    root_from_leaves,
    root_from_range,
    verify_consistency,
    verify_inclusion,
)

TESTDATA = Path(__file__).parent / "testdata"
INCLUSION = sorted((TESTDATA / "inclusion").glob("*.json"))
CONSISTENCY = sorted((TESTDATA / "consistency").glob("*.json"))
Store = dict[tuple[int, int], bytes]


# Helpers ------------------------------------------------------------------------------


def independent_mth(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH written out again, sharing no code with domain.ledger."""
    if not leaves:
        return sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    left, right = independent_mth(leaves[:k]), independent_mth(leaves[k:])
    return sha256(b"\x01" + left + right).digest()


def grow(leaf_hashes: Sequence[bytes]) -> tuple[Store, list[bytes]]:
    """Append every leaf through the public API: the node store and each size's root."""
    store: Store = {}
    range_: list[bytes] = []
    roots = [root_from_range(range_, 0)]
    for size, leaf_hash in enumerate(leaf_hashes):
        range_, nodes = append_to_range(range_, size, leaf_hash)
        for level, index, hash_ in nodes:
            assert (level, index) not in store, "a perfect node is written once"
            store[level, index] = hash_
        roots.append(root_from_range(range_, size + 1))
    return store, roots


@dataclass
class Reader:
    """A ``get`` over a store that counts reads and refuses nodes not yet perfect."""

    store: Store
    size: int
    reads: int = 0

    def __call__(self, level: int, index: int) -> bytes:
        assert (index + 1) << level <= self.size, f"({level}, {index}) is not perfect"
        self.reads += 1
        return self.store[level, index]


BIG = 5000
LEAVES = [hash_leaf(i.to_bytes(4, "big")) for i in range(BIG)]


@cache
def log() -> tuple[Store, list[bytes]]:
    return grow(LEAVES)


@cache
def oracle(size: int) -> bytes:
    return root_from_leaves(LEAVES[:size])


def height(size: int) -> int:
    """ceil(log2(size)) for size >= 1."""
    return (size - 1).bit_length()


def reads_of(refs: Sequence[NodeRef]) -> int:
    return sum(1 if isinstance(ref, NodeId) else len(ref.parts) for ref in refs)


def raises_if(want_error: bool) -> AbstractContextManager[Any]:
    return pytest.raises(ProofError) if want_error else nullcontext()


# Hasher and reference tree (testonly/constants.go, rfc6962_test.go) -------------------


def test_hasher_matches_the_rfc6962_vectors() -> None:
    data = json.loads((TESTDATA / "reference" / "hasher.json").read_text())
    assert data["empty_root"] == EMPTY_ROOT.hex()
    for case in data["leaves"]:
        assert hash_leaf(bytes.fromhex(case["data"])).hex() == case["want"], case
    for case in data["nodes"]:
        left, right = bytes.fromhex(case["left"]), bytes.fromhex(case["right"])
        assert hash_children(left, right).hex() == case["want"], case


def test_appending_the_reference_leaves_stores_exactly_the_published_nodes() -> None:
    tree = json.loads((TESTDATA / "reference" / "tree.json").read_text())
    leaves = [hash_leaf(bytes.fromhex(x)) for x in tree["leaf_inputs"]]
    store, roots = grow(leaves)
    published = {
        (level, index): bytes.fromhex(h)
        for level, hashes in enumerate(tree["node_hashes"])
        for index, h in enumerate(hashes)
    }
    assert store == published
    assert [r.hex() for r in roots] == tree["root_hashes"]
    for size, want in enumerate(tree["root_hashes"]):
        assert independent_mth(leaves[:size]).hex() == want
        assert root_from_leaves(leaves[:size]).hex() == want
        compact = [[node.level, node.index] for node in range_nodes(size)]
        assert compact == tree["compact_ranges"][size]


# Proof vectors ------------------------------------------------------------------------


@dataclass(frozen=True)
class InclusionVector:
    desc: str
    index: int
    size: int
    leaf_hash: bytes
    proof: list[bytes]
    root: bytes
    want_error: bool

    @classmethod
    def load(cls, path: Path) -> InclusionVector:
        v = json.loads(path.read_text())
        return cls(
            v["desc"],
            v["index"],
            v["size"],
            bytes.fromhex(v["leaf_hash"]),
            [bytes.fromhex(h) for h in v["proof"]],
            bytes.fromhex(v["root"]),
            v["want_error"],
        )


@dataclass(frozen=True)
class ConsistencyVector:
    desc: str
    size1: int
    size2: int
    proof: list[bytes]
    root1: bytes
    root2: bytes
    want_error: bool

    @classmethod
    def load(cls, path: Path) -> ConsistencyVector:
        v = json.loads(path.read_text())
        return cls(
            v["desc"],
            v["size1"],
            v["size2"],
            [bytes.fromhex(h) for h in v["proof"]],
            bytes.fromhex(v["root1"]),
            bytes.fromhex(v["root2"]),
            v["want_error"],
        )


def reference_store() -> Store:
    tree = json.loads((TESTDATA / "reference" / "tree.json").read_text())
    return grow([hash_leaf(bytes.fromhex(x)) for x in tree["leaf_inputs"]])[0]


@pytest.mark.parametrize("path", INCLUSION, ids=lambda p: p.stem)
def test_inclusion_vector(path: Path) -> None:
    v = InclusionVector.load(path)
    with raises_if(v.want_error):
        verify_inclusion(v.index, v.size, v.leaf_hash, v.proof, v.root)
    if not v.want_error:
        get = Reader(reference_store(), v.size)
        assert inclusion_proof(v.index, v.size, get) == v.proof


@pytest.mark.parametrize("path", CONSISTENCY, ids=lambda p: p.stem)
def test_consistency_vector(path: Path) -> None:
    v = ConsistencyVector.load(path)
    with raises_if(v.want_error):
        verify_consistency(v.size1, v.size2, v.proof, v.root1, v.root2)
    if not v.want_error and v.size2 <= 8:
        get = Reader(reference_store(), v.size2)
        assert consistency_proof(v.size1, v.size2, get) == v.proof


def test_vector_folders_hold_upstream_cases_and_every_reference_proof() -> None:
    stems = {p.stem for p in INCLUSION}
    assert {f"tdm-{n}-happy-path" for n in range(5)} <= stems
    assert {f"rfc6962-n{n}-i{i}" for n in range(1, 9) for i in range(n)} <= stems
    stems = {p.stem for p in CONSISTENCY}
    assert {f"tdm-{n}-happy-path" for n in range(5)} <= stems
    assert {f"rfc6962-m{m}-n{n}" for n in range(9) for m in range(n + 1)} <= stems


def test_regenerating_the_vectors_leaves_no_diff(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen", TESTDATA / "gen_vectors.py")
    assert spec is not None
    assert spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    counts = gen.generate(tmp_path)
    for kind, committed in (("inclusion", INCLUSION), ("consistency", CONSISTENCY)):
        fresh = sorted((tmp_path / kind).glob("*.json"))
        assert [p.name for p in fresh] == [p.name for p in committed]
        assert counts[kind] == len(committed)
        for new, old in zip(fresh, committed, strict=True):
            assert new.read_bytes() == old.read_bytes(), old.name


# The node store -----------------------------------------------------------------------


def test_range_roots_equal_mth_at_every_size() -> None:
    _, roots = log()
    for size in [*range(301), 511, 512, 513, 1000, 2047, 2048, 4097, BIG]:
        assert roots[size] == oracle(size), size
    assert oracle(BIG) == independent_mth(LEAVES)


def test_store_holds_each_perfect_node_once_and_nothing_else() -> None:
    size = 300
    store, _ = grow(LEAVES[:size])
    assert len(store) == 2 * size - size.bit_count()
    for (level, index), hash_ in store.items():
        span = LEAVES[index << level : (index + 1) << level]
        assert len(span) == 1 << level
        assert hash_ == root_from_leaves(span)


def test_compact_range_can_be_read_back_from_the_store() -> None:
    store, roots = log()
    for size in (0, 1, 7, 300, 4097, BIG):
        get = Reader(store, size)
        assert root_from_range(range_from_store(size, get), size) == roots[size]
        assert get.reads == size.bit_count()


def test_append_refuses_a_range_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="compact range"):
        append_to_range([], 1, LEAVES[0])


def test_proof_nodes_name_stored_nodes_and_ephemeral_border_nodes() -> None:
    assert inclusion_proof_nodes(0, 7) == [
        NodeId(0, 1),
        NodeId(1, 1),
        Ephemeral(2, 1, (NodeId(1, 2), NodeId(0, 6))),
    ]
    assert inclusion_proof_nodes(6, 7) == [NodeId(1, 2), NodeId(2, 0)]
    assert consistency_proof_nodes(3, 7) == [
        NodeId(0, 2),
        NodeId(0, 3),
        NodeId(1, 0),
        Ephemeral(2, 1, (NodeId(1, 2), NodeId(0, 6))),
    ]
    assert consistency_proof_nodes(4, 7) == [
        Ephemeral(2, 1, (NodeId(1, 2), NodeId(0, 6)))
    ]
    assert consistency_proof_nodes(0, 7) == consistency_proof_nodes(7, 7) == []


# Properties ---------------------------------------------------------------------------


def inclusion_reads_bound(size: int) -> int:
    """Path siblings, with one border sibling replaced by its stored parts."""
    return height(size) + max(size.bit_count() - 2, 0)


def consistency_reads_bound(size2: int) -> int:
    """The seed, its path, and one border sibling replaced by its stored parts."""
    return height(size2) + max(size2.bit_count() - 1, 1)


def check_inclusion(index: int, size: int) -> None:
    store, _ = log()
    get = Reader(store, size)
    proof = inclusion_proof(index, size, get)
    verify_inclusion(index, size, LEAVES[index], proof, oracle(size))
    assert get.reads == reads_of(inclusion_proof_nodes(index, size))
    assert get.reads <= inclusion_reads_bound(size) <= 2 * height(size)


def check_consistency(size1: int, size2: int) -> None:
    store, _ = log()
    get = Reader(store, size2)
    proof = consistency_proof(size1, size2, get)
    verify_consistency(size1, size2, proof, oracle(size1), oracle(size2))
    assert get.reads == reads_of(consistency_proof_nodes(size1, size2))
    assert get.reads <= consistency_reads_bound(size2) <= max(2 * height(size2), 2)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300))
def test_every_inclusion_proof_from_the_store_verifies(size: int) -> None:
    for index in range(size):
        check_inclusion(index, size)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300))
def test_every_consistency_proof_from_the_store_verifies(size2: int) -> None:
    for size1 in range(size2 + 1):
        check_consistency(size1, size2)


@settings(max_examples=8, deadline=None)
@given(st.integers(301, BIG), st.data())
def test_proofs_verify_in_large_trees(size: int, data: st.DataObject) -> None:
    indices = st.integers(0, size - 1)
    for index in [0, size - 1, *data.draw(st.lists(indices, max_size=40))]:
        check_inclusion(index, size)
    for size1 in [0, 1, size - 1, size, *data.draw(st.lists(indices, max_size=10))]:
        check_consistency(size1, size)


def altered(proof: list[bytes], data: st.DataObject) -> tuple[list[bytes], type]:
    """The proof with one bit flipped (root mismatch), or a node dropped or added."""
    kinds = ["flip", "drop", "add"] if proof else ["add"]
    kind = data.draw(st.sampled_from(kinds))
    at = data.draw(st.integers(0, len(proof) - (kind != "add")))
    if kind == "flip":
        bit = data.draw(st.integers(0, 255))
        hash_ = bytearray(proof[at])
        hash_[bit // 8] ^= 1 << bit % 8
        return [*proof[:at], bytes(hash_), *proof[at + 1 :]], RootMismatchError
    if kind == "drop":
        return [*proof[:at], *proof[at + 1 :]], ProofError
    extra = data.draw(st.binary(min_size=32, max_size=32))
    return [*proof[:at], extra, *proof[at:]], ProofError


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 1000), st.data())
def test_an_altered_inclusion_proof_fails(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1))
    store, _ = log()
    proof, error = altered(inclusion_proof(index, size, Reader(store, size)), data)
    with pytest.raises(error):
        verify_inclusion(index, size, LEAVES[index], proof, oracle(size))


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 1000), st.data())
def test_an_altered_consistency_proof_fails(size2: int, data: st.DataObject) -> None:
    size1 = data.draw(st.integers(1, size2 - 1))
    store, _ = log()
    proof = consistency_proof(size1, size2, Reader(store, size2))
    proof, error = altered(proof, data)
    with pytest.raises(error):
        verify_consistency(size1, size2, proof, oracle(size1), oracle(size2))


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 1000), st.data())
def test_a_proof_for_another_index_or_size_fails(
    size: int, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, size - 1))
    other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
    store, _ = log()
    proof = inclusion_proof(index, size, Reader(store, size))
    with pytest.raises(ProofError):
        verify_inclusion(other, size, LEAVES[index], proof, oracle(size))
    with pytest.raises(ProofError):
        verify_inclusion(index, size + 1, LEAVES[index], proof, oracle(size + 1))


# Preconditions and errors -------------------------------------------------------------

BAD_INDEX: list[tuple[int, int]] = [(-1, 4), (4, 4), (0, 0), (2, 1)]


@pytest.mark.parametrize(("index", "size"), BAD_INDEX)
def test_an_index_outside_the_tree_is_refused(index: int, size: int) -> None:
    calls: list[Callable[[], object]] = [
        lambda: inclusion_proof_nodes(index, size),
        lambda: root_from_inclusion_proof(index, size, LEAVES[0], []),
        lambda: verify_inclusion(index, size, LEAVES[0], [], EMPTY_ROOT),
    ]
    for call in calls:
        with pytest.raises(ProofError, match="outside"):
            call()


@pytest.mark.parametrize(("size1", "size2"), [(-1, 3), (4, 3), (1, 0)])
def test_sizes_that_shrink_are_refused(size1: int, size2: int) -> None:
    with pytest.raises(ProofError, match="sizes"):
        consistency_proof_nodes(size1, size2)
    with pytest.raises(ProofError, match="sizes"):
        verify_consistency(size1, size2, [], EMPTY_ROOT, EMPTY_ROOT)


def test_a_root_mismatch_carries_both_roots() -> None:
    root = oracle(5)
    with pytest.raises(RootMismatchError) as caught:
        verify_inclusion(0, 1, LEAVES[0], [], root)
    assert caught.value.expected == root
    assert caught.value.calculated == LEAVES[0]
    assert isinstance(caught.value, InvalidInputError)
    assert caught.value.slug == "invalid-proof"
    assert caught.value.status == 422
