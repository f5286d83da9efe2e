"""Write the RFC 6962 proof vectors in ``inclusion/`` and ``consistency/``.

Run ``.venv/bin/python tests/unit/domain/ledger/testdata/gen_vectors.py``; running it
again leaves no diff (``test_tree.py`` checks that). Stdlib only, and independent of
``domain.ledger`` on purpose: proofs come from the recursive PATH and PROOF of
RFC 6962 §2.1.1-2.1.2, and ``want_error`` from recursive verifiers that undo them.
Inputs, all committed and named in README.md: ``reference/tree.json`` (the 8-leaf
reference tree) and the transparency-dev/merkle happy paths under ``upstream/``, which
must equal what RFC 6962 gives.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Sequence
from hashlib import sha256
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
UPSTREAM = "transparency-dev/merkle testdata"
SOME_HASH = bytes.fromhex(
    "abacaba000000000000000000000000000000000000000000060061e00123456"
)  # sha256SomeHash of proof/verify_test.go
EMPTY_ROOT = sha256(b"").digest()
Vector = dict[str, Any]
Mutation = tuple[str, Vector]


# RFC 6962 §2.1, literally --------------------------------------------------------


def leaf(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n; n >= 2."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return EMPTY_ROOT
    if len(d) == 1:
        return d[0]
    k = split(len(d))
    return node(mth(d[:k]), mth(d[k:]))


def path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = split(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = split(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    return [] if m in (0, len(d)) else subproof(m, d, True)


# Recursive verifiers that undo PATH and SUBPROOF ---------------------------------


def _sized(*hashes: bytes) -> bool:
    return all(len(h) == 32 for h in hashes)


def inclusion_ok(i: int, n: int, lh: bytes, p: list[bytes], root: bytes) -> bool:
    if not (0 <= i < n and _sized(lh, *p)):
        return False
    return _climb(i, n, lh, p) == root


def _climb(i: int, n: int, h: bytes, p: list[bytes]) -> bytes | None:
    """The root that PATH(i, D[n]) = p implies for leaf hash h, or None."""
    if n == 1:
        return None if p else h
    if not p:
        return None
    k, top = split(n), p[-1]
    if i < k:
        below = _climb(i, k, h, p[:-1])
        return None if below is None else node(below, top)
    below = _climb(i - k, n - k, h, p[:-1])
    return None if below is None else node(top, below)


def consistency_ok(m: int, n: int, p: list[bytes], r1: bytes, r2: bytes) -> bool:
    if not 0 <= m <= n:
        return False
    if m in (0, n):
        return not p and (m < n or r1 == r2)
    return _sized(*p) and _unwind(m, n, p, True, r1) == (r1, r2)


def _unwind(
    m: int, n: int, p: list[bytes], b: bool, r1: bytes
) -> tuple[bytes, bytes] | None:
    """The (old, new) roots that SUBPROOF(m, D[n], b) = p implies, or None."""
    if m == n:
        if b:
            return None if p else (r1, r1)
        return (p[0], p[0]) if len(p) == 1 else None
    if not p:
        return None
    k, top = split(n), p[-1]
    if m <= k:
        sub = _unwind(m, k, p[:-1], b, r1)
        return None if sub is None else (sub[0], node(sub[1], top))
    sub = _unwind(m - k, n - k, p[:-1], False, r1)
    return None if sub is None else (node(top, sub[0]), node(top, sub[1]))


# Vector records --------------------------------------------------------------------


def inclusion(
    desc: str, source: str, i: int, n: int, lh: bytes, p: list[bytes], root: bytes
) -> Vector:
    return {
        "desc": desc,
        "source": source,
        "index": i,
        "size": n,
        "leaf_hash": lh.hex(),
        "proof": [h.hex() for h in p],
        "root": root.hex(),
        "want_error": not inclusion_ok(i, n, lh, p, root),
    }


def consistency(
    desc: str, source: str, m: int, n: int, p: list[bytes], r1: bytes, r2: bytes
) -> Vector:
    return {
        "desc": desc,
        "source": source,
        "size1": m,
        "size2": n,
        "proof": [h.hex() for h in p],
        "root1": r1.hex(),
        "root2": r2.hex(),
        "want_error": not consistency_ok(m, n, p, r1, r2),
    }


def flip_hash(h: bytes, mask: int) -> bytes:
    """h with ``mask`` XORed into its first byte."""
    return bytes([h[0] ^ mask]) + h[1:]


def flip(p: list[bytes], k: int, mask: int) -> list[bytes]:
    """A copy of p with ``mask`` XORed into the first byte of p[k]."""
    return [flip_hash(h, mask) if j == k else h for j, h in enumerate(p)]


# Mutations (after corruptInclusionProof / corruptConsistencyProof) -------------------


def inclusion_mutations(
    src: str, i: int, n: int, lh: bytes, p: list[bytes], r: bytes
) -> list[Mutation]:
    """Systematic corruptions of one good inclusion proof, each a (slug, vector)."""

    def mk(slug: str, *args: Any) -> Mutation:
        return slug, inclusion(slug.replace("-", " "), src, *args)

    out = [
        mk("index-minus-1", i - 1, n, lh, p, r),
        mk("index-plus-1", i + 1, n, lh, p, r),
        mk("index-xor-2", i ^ 2, n, lh, p, r),
        mk("size-times-2", i, n * 2, lh, p, r),
        mk("size-div-2", i, n // 2, lh, p, r),
        mk("wrong-leaf", i, n, b"WrongLeaf", p, r),
        mk("flipped-leaf-bit-0", i, n, flip_hash(lh, 1), p, r),
        mk("empty-root", i, n, lh, p, EMPTY_ROOT),
        mk("random-root", i, n, lh, p, SOME_HASH),
        mk("flipped-root-bit-7", i, n, lh, p, flip_hash(r, 0x80)),
        mk("trailing-garbage", i, n, lh, [*p, b""], r),
        mk("trailing-root", i, n, lh, [*p, r], r),
        mk("preceding-garbage", i, n, lh, [b"", *p], r),
        mk("preceding-root", i, n, lh, [r, *p], r),
    ]
    out += [
        mk(f"modified-proof-{k}-bit-3", i, n, lh, flip(p, k, 8), r)
        for k in range(len(p))
    ]
    if p:
        out.append(mk("removed-component", i, n, lh, p[:-1], r))
    if len(p) > 1:
        out.append(mk("inserted-component", i, n, lh, [p[0], SOME_HASH, *p[1:]], r))
    if p and lh != r:
        out.append(mk("swapped-leaf-and-root", i, n, r, p, lh))
    return out


def consistency_mutations(
    src: str, m: int, n: int, p: list[bytes], r1: bytes, r2: bytes
) -> list[Mutation]:
    """Systematic corruptions of one good, non-empty consistency proof."""

    def mk(slug: str, *args: Any) -> Mutation:
        return slug, consistency(slug.replace("-", " "), src, *args)

    out = [
        mk("size1-minus-1", m - 1, n, p, r1, r2),
        mk("size1-plus-1", m + 1, n, p, r1, r2),
        mk("size1-xor-2", m ^ 2, n, p, r1, r2),
        mk("size2-times-2", m, n * 2, p, r1, r2),
        mk("size2-div-2", m, n // 2, p, r1, r2),
        mk("wrong-root1", m, n, p, b"WrongRoot", r2),
        mk("wrong-root2", m, n, p, r1, b"WrongRoot"),
        mk("flipped-root1-bit-7", m, n, p, flip_hash(r1, 0x80), r2),
        mk("flipped-root2-bit-7", m, n, p, r1, flip_hash(r2, 0x80)),
        mk("swapped-roots", m, n, p, r2, r1),
        mk("empty-proof", m, n, [], r1, r2),
        mk("trailing-garbage", m, n, [*p, b""], r1, r2),
        mk("trailing-root1", m, n, [*p, r1], r1, r2),
        mk("trailing-root2", m, n, [*p, r2], r1, r2),
        mk("preceding-garbage", m, n, [b"", *p], r1, r2),
        mk("preceding-root1", m, n, [r1, *p], r1, r2),
        mk("preceding-root2", m, n, [r2, *p], r1, r2),
        mk("preceding-proof-0", m, n, [p[0], *p], r1, r2),
        mk("truncated-proof", m, n, p[:-1], r1, r2),
        mk("dropped-proof-0", m, n, p[1:], r1, r2),
    ]
    out += [
        mk(f"modified-proof-{k}-bit-4", m, n, flip(p, k, 16), r1, r2)
        for k in range(len(p))
    ]
    return out


# Sources ---------------------------------------------------------------------------


def reference_leaves() -> list[bytes]:
    tree = json.loads((HERE / "reference" / "tree.json").read_text())
    leaves = [leaf(bytes.fromhex(x)) for x in tree["leaf_inputs"]]
    roots = [bytes.fromhex(x) for x in tree["root_hashes"]]
    if [mth(leaves[:n]) for n in range(len(leaves) + 1)] != roots:
        raise SystemExit("reference/tree.json roots differ from RFC 6962 MTH")
    return leaves


def upstream(kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The upstream happy paths of one kind, as (source path, raw record)."""
    for file in sorted((HERE / "upstream" / kind).glob("*/happy-path.json")):
        case = file.parent.name
        yield f"{UPSTREAM}/{kind}/{case}/happy-path.json", json.loads(file.read_text())


def b64(values: Sequence[str] | None) -> list[bytes]:
    return [base64.b64decode(v) for v in values or ()]


# Suites ----------------------------------------------------------------------------


def inclusion_suite(d: list[bytes]) -> Iterator[tuple[str, Vector]]:
    src = "RFC 6962 PATH over reference/tree.json"
    for n in range(1, len(d) + 1):
        for i in range(n):
            desc = f"leaf {i} of the {n}-leaf reference tree"
            yield (
                f"rfc6962-n{n}-i{i}",
                inclusion(desc, src, i, n, d[i], path(i, d[:n]), mth(d[:n])),
            )
    for src, raw in upstream("inclusion"):
        case = src.split("/")[-2]
        i, n, p = raw["leafIdx"], raw["treeSize"], b64(raw["proof"])
        lh, r = b64([raw["leafHash"], raw["root"]])
        if p != path(i, d[:n]) or r != mth(d[:n]) or lh != d[i]:
            raise SystemExit(f"{src} differs from RFC 6962")
        yield f"tdm-{case}-happy-path", inclusion("happy path", src, i, n, lh, p, r)
        for slug, v in inclusion_mutations(src, i, n, lh, p, r):
            yield f"tdm-{case}-{slug}", v
    yield from inclusion_edges()


def consistency_suite(d: list[bytes]) -> Iterator[tuple[str, Vector]]:
    src = "RFC 6962 PROOF over reference/tree.json"
    for n in range(len(d) + 1):
        for m in range(n + 1):
            desc = f"{m} to {n} leaves of the reference tree"
            r1, r2 = mth(d[:m]), mth(d[:n])
            yield (
                f"rfc6962-m{m}-n{n}",
                consistency(desc, src, m, n, proof(m, d[:n]), r1, r2),
            )
    for src, raw in upstream("consistency"):
        case = src.split("/")[-2]
        m, n, p = raw["size1"], raw["size2"], b64(raw["proof"])
        r1, r2 = b64([raw["root1"], raw["root2"]])
        if p != proof(m, d[:n]) or [r1, r2] != [mth(d[:m]), mth(d[:n])]:
            raise SystemExit(f"{src} differs from RFC 6962")
        yield f"tdm-{case}-happy-path", consistency("happy path", src, m, n, p, r1, r2)
        if p:
            for slug, v in consistency_mutations(src, m, n, p, r1, r2):
                yield f"tdm-{case}-{slug}", v
    yield from consistency_edges()


def inclusion_edges() -> Iterator[tuple[str, Vector]]:
    """TestVerifyInclusion{,SingleEntry} of proof/verify_test.go."""
    src = "transparency-dev/merkle proof/verify_test.go"
    for i, n in ((0, 0), (0, 1), (1, 0), (2, 1)):
        for slug, lh, r in (
            ("some-leaf-no-root", SOME_HASH, b""),
            ("no-leaf-empty-root", b"", EMPTY_ROOT),
            ("some-leaf-empty-root", SOME_HASH, EMPTY_ROOT),
        ):
            desc = f"index {i} size {n}: {slug.replace('-', ' ')}"
            yield f"edge-i{i}-n{n}-{slug}", inclusion(desc, src, i, n, lh, [], r)
    h = leaf(b"data")
    for slug, lh, r in (
        ("single-entry", h, h),
        ("single-entry-no-leaf", b"", h),
        ("single-entry-no-root", h, b""),
        ("single-entry-no-hashes", b"", b""),
    ):
        yield f"edge-{slug}", inclusion(slug.replace("-", " "), src, 0, 1, lh, [], r)


def consistency_edges() -> Iterator[tuple[str, Vector]]:
    """The TestVerifyConsistency table of proof/verify_test.go."""
    src = "transparency-dev/merkle proof/verify_test.go"
    a, b, e = b"don't care 1", b"don't care 2", EMPTY_ROOT
    table = [
        ("0-0-different-roots", 0, 0, a, b, []),
        ("1-1-different-roots", 1, 1, a, b, []),
        ("0-0-same-roots", 0, 0, a, a, []),
        ("0-1-any-roots", 0, 1, a, b, []),
        ("1-1-same-roots", 1, 1, b, b, []),
        ("1-0-time-travel", 1, 0, a, b, []),
        ("2-1-time-travel", 2, 1, a, b, []),
        ("1-2-empty-proof", 1, 2, a, b, []),
        ("0-0-roots-differ", 0, 0, e, b, []),
        ("1-1-roots-differ", 1, 1, e, b, []),
        ("0-0-non-empty-proof", 0, 0, e, e, [e]),
        ("0-1-non-empty-proof", 0, 1, e, e, [e]),
        ("1-1-non-empty-proof", 1, 1, e, e, [e]),
    ]
    for slug, m, n, r1, r2, p in table:
        yield f"edge-{slug}", consistency(slug.replace("-", " "), src, m, n, p, r1, r2)


# Output ----------------------------------------------------------------------------


def write(folder: Path, vectors: Iterator[tuple[str, Vector]]) -> int:
    """Replace every vector file in folder; a mutation must come out as an error."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    count = 0
    for name, v in vectors:
        if name.startswith("tdm-") and "happy-path" not in name and not v["want_error"]:
            raise SystemExit(f"mutation {name} still verifies")
        (folder / f"{name}.json").write_text(json.dumps(v, indent=2) + "\n")
        count += 1
    return count


def generate(out: Path) -> dict[str, int]:
    """Write both folders under out and return how many files each got."""
    d = reference_leaves()
    suites: dict[str, Callable[[list[bytes]], Iterator[tuple[str, Vector]]]] = {
        "inclusion": inclusion_suite,
        "consistency": consistency_suite,
    }
    return {kind: write(out / kind, suite(d)) for kind, suite in suites.items()}


if __name__ == "__main__":
    print(generate(HERE))
