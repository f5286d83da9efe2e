"""The audit trail: checkpoints, tree heads, keys, leaves and proofs (RFC 6962 §4)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from domain.access import require_read
from domain.errors import InconsistentInputError, NotFoundError
from projections.audit import AuditView
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import MAX_INT, IndexPath
from services.api.problems import HttpProblemError
from services.api.schemas import (
    AuditKeys,
    ConsistencyProof,
    InclusionProof,
    LeafEntries,
    LeafEntry,
    Refusals,
    TreeHead,
)
from services.audit.auditor import IssuedCheckpoint
from services.audit.evidence import checkpoint_now
from services.core.views import AUDIT_NAME
from services.platform.runtime import Platform

router = APIRouter(prefix="/tenants/{path}/audit", tags=["audit"])

MAX_LEAVES = 256
"""The most leaves one ``GET …/leaves?start=&end=`` answers (CT get-entries style)."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def audit_view(platform: Platform) -> AuditView:
    view: AuditView = platform.views[AUDIT_NAME]  # type: ignore[assignment]
    return view


def current_checkpoint(platform: Platform, path: str) -> IssuedCheckpoint:
    """The checkpoint of the tenant's head as of this request (the audit view is
    waited for, bounded, up to the end of the log), issued now if need be."""
    platform.disclosures.tenant(path)
    return checkpoint_now(platform, path)


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    summary="The signed checkpoint (C2SP signed note) with cosignatures",
)
def checkpoint(
    path: str, principal: PrincipalDep, platform: PlatformDep
) -> PlainTextResponse:
    require_read(principal, path)
    issued = current_checkpoint(platform, path)
    return PlainTextResponse(issued.note, media_type="text/plain; charset=utf-8")


@router.get(
    "/tree-head",
    response_model=TreeHead,
    summary="Tree size, root hash and the checkpoint that signs them",
)
def tree_head(path: str, principal: PrincipalDep, platform: PlatformDep) -> TreeHead:
    require_read(principal, path)
    issued = current_checkpoint(platform, path)
    millis = int(datetime.fromisoformat(issued.issued_at).timestamp() * 1000)
    return TreeHead(
        tree_size=issued.size,
        timestamp=millis,
        sha256_root_hash=b64(issued.root_hash),
        checkpoint=issued.note,
    )


@router.get(
    "/keys",
    response_model=AuditKeys,
    summary="Verifier keys of the tenant and its ancestors (signed-note form)",
)
def keys(path: str, principal: PrincipalDep, platform: PlatformDep) -> AuditKeys:
    require_read(principal, path)
    platform.disclosures.tenant(path)
    return AuditKeys(keys=platform.auditor.verifier_keys(path))


@router.get(
    "/refusals",
    response_model=Refusals,
    summary="Child checkpoints this tenant refused to witness, and why",
)
def refusals(path: str, principal: PrincipalDep, platform: PlatformDep) -> Refusals:
    require_read(principal, path)
    platform.disclosures.tenant(path)
    ledger = platform.auditor.ledger(path)
    items = ledger.refusals if ledger else []
    return Refusals(items=[{"child": r["child"], "reason": r["reason"]} for r in items])


@router.get(
    "/leaves",
    response_model=LeafEntries,
    summary="Leaves start…end (inclusive) of the tenant's log, at most 256 a request",
)
def leaves(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    start: Annotated[int, Query(ge=0, le=MAX_INT, description="first leaf index")],
    end: Annotated[
        int, Query(ge=0, le=MAX_INT, description="last leaf index (inclusive)")
    ],
) -> LeafEntries:
    """Like CT's get-entries: a bounded batch; ask again from the last index + 1."""
    require_read(principal, path)
    platform.disclosures.tenant(path)
    if start > end:
        raise _bad_range(f"start {start} is after end {end}", "start")
    view = audit_view(platform)
    size = view.head(path).size
    if start >= size:
        raise _bad_range(
            f"start {start} is beyond the log of {path!r}, which has {size} leaves",
            "start",
        )
    last = min(end, size - 1, start + MAX_LEAVES - 1)
    return LeafEntries(
        leaves=[
            LeafEntry(
                leaf_index=int(row["leaf_index"]),
                leaf_input=b64(row["leaf_input"].encode()),
                event_id=row["event_id"],
            )
            for row in view.leaves_between(path, start, last)
        ]
    )


def _bad_range(detail: str, field: str) -> HttpProblemError:
    return HttpProblemError(400, "invalid-range", "Invalid leaf range", detail, field)


@router.get(
    "/leaves/{index}",
    response_model=LeafEntry,
    summary="One leaf of the tenant's log: its canonical bytes",
)
def leaf(
    path: str, index: IndexPath, principal: PrincipalDep, platform: PlatformDep
) -> LeafEntry:
    require_read(principal, path)
    row = audit_view(platform).leaf(path, index)
    if row is None:
        raise NotFoundError(f"no leaf {index} in the log of {path!r}", field="index")
    return LeafEntry(
        leaf_index=index,
        leaf_input=b64(row["leaf_input"].encode()),
        event_id=row["event_id"],
    )


@router.get(
    "/proofs/inclusion",
    response_model=InclusionProof,
    summary="Inclusion proof of an event in the tree of a given size",
)
def inclusion(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    event: Annotated[str, Query(description="event id: <aggregate id>:<version>")],
    tree_size: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> InclusionProof:
    require_read(principal, path)
    view = audit_view(platform)
    row = view.leaf_for_event(event)
    if row is None or row["tenant"] != path:
        raise NotFoundError(
            f"event {event!r} is not in the log of {path!r}", field="event"
        )
    size = tree_size or view.head(path).size
    index = int(row["leaf_index"])
    _check_size(view, path, size, index)
    proof = view.inclusion_proof(path, index, size)
    return InclusionProof(
        leaf_index=index,
        tree_size=size,
        leaf_hash=b64(bytes.fromhex(row["leaf_hash"])),
        audit_path=[b64(h) for h in proof],
    )


@router.get(
    "/proofs/consistency",
    response_model=ConsistencyProof,
    summary="Consistency proof between two tree sizes",
)
def consistency(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    first: Annotated[int, Query(ge=0, le=MAX_INT)],
    second: Annotated[int, Query(ge=0, le=MAX_INT)],
) -> ConsistencyProof:
    require_read(principal, path)
    view = audit_view(platform)
    if first > second:
        raise InconsistentInputError("first must not exceed second", field="first")
    _check_size(view, path, second, None)
    proof = view.consistency_proof(path, first, second)
    return ConsistencyProof(
        first=first, second=second, consistency=[b64(h) for h in proof]
    )


def _check_size(view: AuditView, path: str, size: int, index: int | None) -> None:
    head = view.head(path).size
    if size > head:
        raise NotFoundError(
            f"the log of {path!r} has {head} leaves, not {size}", field="tree_size"
        )
    if index is not None and index >= size:
        raise NotFoundError(
            f"the event is leaf {index}, beyond tree size {size}", field="tree_size"
        )
