"""Evidence bundles: an aggregate's events and all it takes to verify them offline.

A bundle holds the events' canonical leaves and inclusion proofs under the tenant's
signed checkpoint, the verifier keys, and the witness chain: at each level the
parent's ``ChildCheckpointWitnessed`` leaf, proven into the parent's own signed
checkpoint, up to the top tenant. ``gongkai verify`` checks it with no server,
database or network (domain/ledger/evidence.py). Format: docs/audit.md.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

from domain.access import Principal
from domain.errors import GongkaiError, NotFoundError
from domain.ledger.audit_ledger import ledger_id
from domain.ledger.evidence_binding import signing_keys
from domain.ledger.export import ExportStatement
from domain.ledger.leaf import Leaf
from domain.ledger.note import sign_note
from domain.tenancy import parent_of
from projections.audit import AuditView
from projections.sql import iso_moment
from services.audit.auditor import SYSTEM, IssuedCheckpoint
from services.core.base import APP_NAME
from services.core.ports import Running
from services.core.views import AUDIT_NAME

FORMAT = "gongkai-evidence/v2"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class AuditViewBehindError(GongkaiError):
    """The audit view did not reach the end of the log in time: nothing signed."""

    slug = "audit-view-behind"
    status = 503
    title = "The audit view is behind the log"


def catch_up(platform: Running) -> None:
    """Let the audit view reach the end of the log (bounded wait)."""
    platform.wait(AUDIT_NAME, platform.max_position())


def checkpoint_now(platform: Running, path: str) -> IssuedCheckpoint:
    """Sign the tenant's head as of now, the audit view caught up to the end of the
    log first (in this process when no process follows the log), and again after
    (the parent's witness record). Raises AuditViewBehindError rather than sign a
    head that lacks what the log holds (the tenant's key, when its ledger was just
    opened)."""
    auditor = platform.auditor
    if auditor.ledger(path) is None:
        auditor.open_ledger(path)
    if not platform.catch_up_audit():
        view: AuditView = platform.views[AUDIT_NAME]  # type: ignore[assignment]
        behind = platform.max_position() - (view.max_tracking_id(APP_NAME) or 0)
        raise AuditViewBehindError(
            f"审计视图落后日志 {behind} 条事件，未签署 {path} 的检查点；"
            "请确认 `gongkai serve` 或 `gongkai projections run` 正在运行后重试",
            field="path",
        )
    issued = auditor.issue(path)
    platform.catch_up_audit()  # signed already: a lag here only delays the record
    return issued


def entry(view: AuditView, row: dict[str, Any], size: int) -> dict[str, Any]:
    index = int(row["leaf_index"])
    proof = view.inclusion_proof(row["tenant"], index, size)
    return {
        "event_id": row["event_id"],
        "leaf_index": index,
        "leaf_input": b64(row["leaf_input"].encode("utf-8")),
        "inclusion_proof": [b64(h) for h in proof],
    }


def witness_leaf(
    view: AuditView, parent: str, child: str, size: int, note: str
) -> dict[str, Any]:
    """The parent's leaf recording the child's checkpoint ``note`` of ``size``, byte
    for byte (a verifier compares the signature lines too)."""
    found = None
    for row in view.leaves_of_aggregate(str(ledger_id(parent))):
        leaf = Leaf.decode(row["leaf_input"].encode("utf-8"))
        if not leaf.event_type.endswith("ChildCheckpointWitnessed"):
            continue
        state = json.loads(leaf.payload)
        if (state.get("child"), int(state.get("size", -1))) != (child, size):
            continue
        if state.get("note") == note:
            found = row
    if found is None:
        raise NotFoundError(f"{parent} has not witnessed {child} at size {size}")
    return found


def build_bundle(
    platform: Running,
    path: str,
    aggregate_id: UUID,
    kind: str,
    exported_by: Principal | None = None,
) -> dict[str, Any]:
    """The evidence bundle of one aggregate of ``path``, exported by ``exported_by``.

    Pass the caller: its id, tenant and roles are signed into the export statement
    (without one, the installation's own auditor principal is named).
    """
    view: AuditView = platform.views[AUDIT_NAME]  # type: ignore[assignment]
    catch_up(platform)
    rows = [
        r for r in view.leaves_of_aggregate(str(aggregate_id)) if r["tenant"] == path
    ]
    if not rows:
        raise NotFoundError(
            f"{kind} {aggregate_id} has no events in the log of {path}", field="id"
        )
    checkpoint = checkpoint_now(platform, path)
    events = [
        entry(view, r, checkpoint.size)
        for r in rows
        if int(r["leaf_index"]) < checkpoint.size
    ]
    latest, map_proof = platform.auditor.aggregate_map.proof(
        path, checkpoint.size, str(aggregate_id)
    )
    witnesses = []
    child, child_size, child_note = path, checkpoint.size, checkpoint.note
    while (parent := parent_of(child)) is not None:
        catch_up(platform)
        row = witness_leaf(view, parent, child, child_size, child_note)
        parent_checkpoint = checkpoint_now(platform, parent)
        witnesses.append(
            {
                "tenant": parent,
                "checkpoint": parent_checkpoint.note,
                "witness_event": entry(view, row, parent_checkpoint.size),
            }
        )
        child, child_size = parent, parent_checkpoint.size
        child_note = parent_checkpoint.note
    # After the witnesses: a verifier refuses a cosignature dated after the export,
    # and the parents' checkpoints above may have been cosigned just now.
    exported_at = iso_moment(platform.auditor.now()).replace("+00:00", "Z")
    statement = ExportStatement(
        origin=platform.auditor.origin(path),
        kind=kind,
        subject_id=str(aggregate_id),
        size=checkpoint.size,
        root=b64(checkpoint.root_hash),
        exported_at=exported_at,
        exported_by=(exported_by or SYSTEM).actor(),
    )
    signer = platform.auditor.keys.signer(platform.auditor.origin(path), path)
    export = sign_note(statement.body(), signer).format()
    return {
        "format": FORMAT,
        "installation": platform.settings.installation,
        "exported_at": exported_at,
        "subject": {"kind": kind, "id": str(aggregate_id), "tenant": path},
        "tenant": path,
        "checkpoint": checkpoint.note,
        "events": events,
        "map_proof": {
            "version": latest.version,
            "leaf_index": latest.leaf_index,
            "proof": [b64(h) for h in map_proof],
        },
        "export": export,
        "keys": signing_keys(  # only keys the witness chain binds
            platform.settings.installation,
            platform.auditor.verifier_keys(path),
            [checkpoint.note, export, *(w["checkpoint"] for w in witnesses)],
        ),
        "witnesses": witnesses,
    }
