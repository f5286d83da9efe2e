"""``gongkai mirror verify``: re-verify everything a mirror holds, offline.

No request leaves the machine: the held leaves are hashed again (and their bytes,
where held, must give the held hash), every tenant's tree is recomputed and must
reproduce the root of every checkpoint held for it, every checkpoint's signature is
checked against the pinned key (or the tenant's key and its parent's cosignature, as
the follower checked it), this installation's own witness cosignature on the
county's checkpoints is checked with its key, and every held CloudEvent must be the
event its leaf commits to.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from domain.errors import GongkaiError
from domain.ledger import hash_leaf
from domain.ledger.leaf import Leaf
from domain.ledger.note import Signature, verify_cosignature
from domain.tenancy import parent_of
from infra.keys import Ed25519Verifier
from infra.mirror_store import MirrorStore
from services.mirror.checks import (
    BadDataError,
    KeyRefusedError,
    Mapping_,
    NotYetError,
    bind,
    check_root,
    check_signed,
    decode_leaf,
    parse,
    top_of,
)


@dataclass
class Verified:
    tenants: int = 0
    leaves: int = 0
    checkpoints: int = 0
    events: int = 0
    forks: int = 0
    problems: list[str] = field(default_factory=list)


def verify_held(
    store: MirrorStore,
    name: str,
    mapped: Mapping_ | None,
    witness: Ed25519Verifier | None = None,
    progress: Callable[[str], None] | None = None,
) -> Verified:
    config = store.config(name)
    if config is None:
        raise KeyError(name)
    out = Verified(forks=len(store.forks(name)))
    keys = store.keys(name)
    _, top = top_of(config.trust_key)
    by_tenant: dict[str, dict[str, Leaf]] = {}
    for tenant in store.tenants(name):
        out.tenants += 1
        leaves, held = _leaves(store, name, tenant, out)
        by_tenant[tenant] = held
        out.leaves += len(leaves)
        for row in store.checkpoints(name, tenant):
            out.checkpoints += 1
            where = f"{tenant} 大小 {row['size']} 的检查点"
            try:
                note, checkpoint = parse(row["note"])
                if (checkpoint.size, checkpoint.root_hash.hex()) != (
                    int(row["size"]),
                    row["root_hash"],
                ):
                    raise BadDataError("签名内容与所存大小、根哈希不符")
                parent = parent_of(tenant) or tenant
                notes = [r["note"] for r in store.checkpoints(name, parent)]
                check_signed(note, checkpoint, tenant, config.trust_key, keys, notes)
                check_root(leaves, checkpoint)
                if tenant == top and witness is not None and row["cosignature"]:
                    line = Signature.parse_line(row["cosignature"].strip())
                    verify_cosignature(note.text, line, witness)
            except (
                BadDataError,
                KeyRefusedError,
                NotYetError,
                GongkaiError,
                ValueError,
            ) as e:
                out.problems.append(f"{where}：{e}")
        if progress is not None:
            progress(f"{tenant}：{len(leaves)} 个叶子已重算")
    for row in store.events(name):
        out.events += 1
        ce: dict[str, Any] = json.loads(row["cloudevent"])
        leaf = by_tenant.get(row["tenant"], {}).get(row["event_id"])
        try:
            if leaf is None:
                raise BadDataError(f"事件 {row['event_id']} 没有所持的叶子")
            if str(ce.get("id")) != row["event_id"]:
                raise BadDataError(f"事件 {row['event_id']} 的编号被改动")
            bind(ce, leaf, mapped)
        except BadDataError as e:
            out.problems.append(str(e))
    return out


def _leaves(
    store: MirrorStore, name: str, tenant: str, out: Verified
) -> tuple[list[bytes], dict[str, Leaf]]:
    """The tenant's held leaf hashes in order (checked against their bytes where
    held) and its decoded leaves by event id."""
    hashes: list[bytes] = []
    held: dict[str, Leaf] = {}
    for row in store.leaves(name, tenant):
        if int(row["leaf_index"]) != len(hashes):
            out.problems.append(f"{tenant} 缺第 {len(hashes)} 个叶子")
            break
        stored = bytes.fromhex(row["leaf_hash"])
        if row["leaf_input"] is not None:
            data = row["leaf_input"].encode("utf-8")
            if hash_leaf(data) != stored:
                out.problems.append(f"{tenant} 第 {row['leaf_index']} 个叶子被改动")
            try:
                leaf = decode_leaf(data)
                held[f"{leaf.aggregate_id}:{leaf.version}"] = leaf
            except BadDataError as e:
                out.problems.append(f"{tenant} 第 {row['leaf_index']} 个叶子：{e}")
        hashes.append(stored)
    return hashes, held
