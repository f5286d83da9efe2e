"""What a mirror checks, online as it follows and offline in ``gongkai mirror verify``.

- A top checkpoint (the county's own log) must be signed by the pinned key.
- A checkpoint of a tenant below it must be signed by one of that tenant's
  registered keys and cosigned by its parent (the parent witnesses its children's
  heads; a town's parent is the county, whose key is the pinned one).
- The leaves held for a tenant must reproduce the root of every checkpoint held for
  it: a full replica recomputes the tree, which is stronger than a proof per event,
  and makes every two checkpoints it holds consistent with each other.
- Every CloudEvent held must be the event its leaf commits to: same tenant, id and
  log position, and (where this installation can decode the stored state) the same
  data as this code maps from the leaf's payload.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.errors import GongkaiError
from domain.ledger import hash_leaf, root_from_leaves
from domain.ledger.leaf import Leaf, LeafFormatError
from domain.ledger.note import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    CosignatureVerifier,
    Note,
    verify_note,
)
from domain.tenancy import is_within, parent_of
from infra.keys import Ed25519Verifier, make_verifier
from services.streams.cloudevents import WITHHELD_FIELDS, by_ce_type, withhold

Mapping_ = Callable[[Any], dict[str, Any]]
COMPARED = ("type", "subject", "id", "time", "effectiveat", "partitionkey")


class KeyRefusedError(Exception):
    """A checkpoint not signed by the key this mirror trusts for its log."""


class NotYetError(Exception):
    """The parent's key is not yet vouched for by a verified checkpoint of the
    parent: the checkpoint waits (its events stay pending) until it is."""


class BadDataError(Exception):
    """What the county served does not match what it signed."""


def top_of(trust_key: str) -> tuple[str, str]:
    """(installation, top tenant path) from the pinned key's name
    ``<installation>/<path>``."""
    name = Ed25519Verifier.from_verifier_key(trust_key).name
    installation, slash, top = name.partition("/")
    if not slash or not top:
        raise ValueError(f"key name {name!r} is not <installation>/<tenant path>")
    return installation, top


def parse(note_text: str) -> tuple[Note, Checkpoint]:
    note = Note.parse(note_text)
    return note, Checkpoint.parse(note.text)


def check_signed(
    note: Note,
    checkpoint: Checkpoint,
    tenant: str,
    trust_key: str,
    keys: Mapping[str, Sequence[str]],
    parent_notes: Sequence[str] = (),
) -> None:
    """Raise KeyRefusedError unless the checkpoint is signed as the module says.

    Below the towns, the parent's key is one the county lists for the parent and
    that signed a checkpoint of the parent this mirror verified (``parent_notes``):
    vouched for, in the end, by the pinned key. NotYetError if there is none yet."""
    installation, top = top_of(trust_key)
    if not is_within(tenant, top):
        raise KeyRefusedError(f"{tenant} 不在所镜像的 {top} 之下")
    if checkpoint.origin != f"{installation}/{tenant}":
        raise KeyRefusedError(f"检查点的来源 {checkpoint.origin} 与单位 {tenant} 不符")
    try:
        if tenant == top:
            verify_note(note, [Ed25519Verifier.from_verifier_key(trust_key)])
            return
        parent = parent_of(tenant)
        assert parent is not None  # below the top
        own = [make_verifier(k, ED25519) for k in keys.get(tenant, [])]
        parent_keys = (
            [trust_key]
            if parent == top
            else vouched(keys.get(parent, []), parent_notes)
        )
        if not parent_keys:
            raise NotYetError(parent)
        cosigners = [
            CosignatureVerifier(make_verifier(k, COSIGNATURE_V1))
            for k in dict.fromkeys(parent_keys)
        ]
        verify_note(note, own)
        verify_note(note, cosigners)
    except (GongkaiError, ValueError) as e:
        raise KeyRefusedError(f"{tenant} 的检查点未经所信任的密钥签名：{e}") from None


def vouched(keys: Sequence[str], notes: Sequence[str]) -> list[str]:
    """The keys that signed one of these (verified) checkpoint notes."""
    found = []
    for key in keys:
        verifier = make_verifier(key, ED25519)
        for text in notes:
            try:
                verify_note(Note.parse(text), [verifier])
            except GongkaiError:
                continue
            found.append(key)
            break
    return found


def check_root(hashes: Sequence[bytes], checkpoint: Checkpoint) -> None:
    """The first ``size`` leaf hashes must reproduce the checkpoint's root."""
    if len(hashes) < checkpoint.size:
        raise BadDataError(f"只有 {len(hashes)} 个叶子，检查点大小为 {checkpoint.size}")
    root = root_from_leaves(list(hashes[: checkpoint.size]))
    if root != checkpoint.root_hash:
        raise BadDataError(f"前 {checkpoint.size} 个叶子算出的根哈希与检查点不符")


def leaf_hash(leaf_input: bytes) -> bytes:
    return hash_leaf(leaf_input)


def decode_leaf(leaf_input: bytes) -> Leaf:
    try:
        return Leaf.decode(leaf_input)
    except LeafFormatError as e:
        raise BadDataError(f"叶子格式不对：{e}") from None


def bind(ce: Mapping[str, Any], leaf: Leaf, mapped: Mapping_ | None) -> None:
    """Raise BadDataError unless ``ce`` is the event ``leaf`` commits to."""
    where = f"事件 {ce.get('id')}（位置 {ce.get('sequence')}）"
    if ce.get("subject") != leaf.tenant:
        raise BadDataError(f"{where} 的单位与叶子不符")
    if ce.get("id") != f"{leaf.aggregate_id}:{leaf.version}":
        raise BadDataError(f"{where} 的编号与叶子不符")
    if str(ce.get("sequence")) != str(leaf.position):
        raise BadDataError(f"{where} 的日志位置与叶子不符")
    if mapped is None:
        return
    try:
        expected = mapped(
            Notification(
                id=leaf.position,
                originator_id=UUID(str(leaf.aggregate_id)),
                originator_version=leaf.version,
                topic=leaf.event_type,
                state=leaf.payload,
            )
        )
    except Exception:
        return
    data = dict(ce.get("data") or {})
    if data.get("withheld") is True and ce.get("type") in by_ce_type():
        et = by_ce_type()[str(ce["type"])]
        if et.qualname in WITHHELD_FIELDS:
            expected = withhold(expected)
    want = dict(expected["data"])
    if "applicant" in want or "applicant" in data:  # the county's redacted form
        want.pop("applicant", None)
        data.pop("applicant", None)
    for key in COMPARED:
        if ce.get(key) != expected.get(key):
            raise BadDataError(f"{where} 的 {key} 与叶子不符")
    if canonical(data) != canonical(want):
        raise BadDataError(f"{where} 的内容与叶子不符")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def mapped_for(mapper: Any) -> Mapping_:
    """The CloudEvent this code maps from a stored notification: the fast path of
    the feed and relay, or decoding with this installation's classes."""
    from services.streams.cloudevents import to_cloudevent
    from services.streams.stored_cloudevents import StoredMapping

    def slow(notification: Any) -> dict[str, Any]:
        event = mapper.to_domain_event(notification)
        return to_cloudevent(notification.id, event, "")

    return StoredMapping(mapper, "", None, slow).cloudevent
