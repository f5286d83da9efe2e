"""The aggregate map: roots, proofs, and the one-entry-per-aggregate property."""

from __future__ import annotations

from uuid import UUID, uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ProofError
from domain.ledger.map import (
    EMPTY,
    MapEntry,
    extension_line,
    latest_entries,
    map_proof,
    map_root,
    root_from_extensions,
    verify_map_entry,
)

NS = UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")


def entries(n: int) -> list[MapEntry]:
    return [MapEntry(str(uuid5(NS, f"a{i}")), i % 5 + 1, 3 * i) for i in range(n)]


def test_the_empty_map_and_a_single_entry() -> None:
    assert map_root([]) == EMPTY
    (only,) = entries(1)
    assert map_root([only]) == only.hash()
    assert map_proof([only], only.aggregate_id) == []
    verify_map_entry(only, [], only.hash())


@given(st.integers(min_value=1, max_value=60), st.data())
def test_every_entry_proves_into_the_root(n: int, data: st.DataObject) -> None:
    items = entries(n)
    root = map_root(items)
    assert map_root(reversed(items)) == root  # order does not matter
    entry = data.draw(st.sampled_from(items))
    proof = map_proof(items, entry.aggregate_id)
    verify_map_entry(entry, proof, root)


def test_a_stale_version_or_another_leaf_does_not_verify() -> None:
    items = entries(20)
    root = map_root(items)
    entry = items[7]
    proof = map_proof(items, entry.aggregate_id)
    for wrong in (
        MapEntry(entry.aggregate_id, entry.version - 1 or 2, entry.leaf_index),
        MapEntry(entry.aggregate_id, entry.version, entry.leaf_index + 1),
        MapEntry(items[8].aggregate_id, entry.version, entry.leaf_index),
    ):
        with pytest.raises(ProofError):
            verify_map_entry(wrong, proof, root)
    with pytest.raises(ProofError):
        verify_map_entry(entry, proof[:-1], root)
    with pytest.raises(ProofError):
        map_proof(items, str(uuid5(NS, "absent")))


def test_latest_entries_keep_the_last_version_and_the_extension_round_trips() -> None:
    a, b = str(uuid5(NS, "a")), str(uuid5(NS, "b"))
    latest = latest_entries([(a, 1, 0), (b, 1, 1), (a, 2, 2), (a, 3, 5)])
    assert sorted((e.aggregate_id, e.version, e.leaf_index) for e in latest) == sorted(
        [(a, 3, 5), (b, 1, 1)]
    )
    root = map_root(latest)
    line = extension_line(root)
    assert line.startswith("gongkai-map/v1 ")
    assert root_from_extensions([line]) == root
    assert root_from_extensions([]) is None
    assert root_from_extensions([line, line]) is None
    assert root_from_extensions([line + "x"]) is None
