"""``gongkai audit verify``: recompute every leaf and root from the raw event store.

Nothing is trusted but the stored events and the keys the log itself registered:
leaves are re-derived from the raw rows, roots from those leaves, and every stored
checkpoint, cosignature and parent witness record is checked against them; every
child checkpoint its parent cosigned must be recorded in the parent's log
(``verify_chain``: a parent's deleted tail shows). The first divergence names its
tenant, event and field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from domain.errors import GongkaiError
from domain.ledger import append_to_range, hash_leaf, root_from_range
from domain.ledger.leaf import Leaf, LeafFormatError
from domain.ledger.map import latest_entries, map_root, root_from_extensions
from domain.ledger.note import Checkpoint, Note
from domain.tenancy import parent_of
from infra.keys import Ed25519Verifier
from projections.audit import AuditView, event_id, leaf_from
from services.audit.verify_chain import (
    Cosigned,
    Finding,
    Recomputed,
    check_cosignature,
    check_recorded,
    check_witness,
    recorded_key,
)
from services.audit.verify_numbers import NumberLedger
from services.core.base import APP_NAME
from services.core.batches import iter_log
from services.core.ports import Running
from services.core.views import AUDIT_NAME

WITNESSED = "AuditLedger.ChildCheckpointWitnessed"
OPENED = ("AuditLedger.Opened", "AuditLedger.KeyRotated")


@dataclass
class Report:
    events: int = 0
    tenants: int = 0
    checkpoints: int = 0
    witnessed: int = 0
    numbers: int = 0  # document numbers (编号管理) checked
    findings: list[Finding] = field(default_factory=list)


Progress = Callable[[str, int, int], None]


def verify_store(
    platform: Running,
    tenant: str | None = None,
    progress: Progress | None = None,
    held: Iterable[dict[str, Any]] = (),
) -> Report:
    """Check the whole installation (or one tenant's subtree) against the raw store.

    ``held`` are checkpoints kept outside the store
    (services/audit/held_checkpoints.py), checked like the stored ones: a tail
    deleted together with its stored checkpoint still contradicts a checkpoint an
    integrator holds."""
    report = Report()
    view: AuditView = platform.views[AUDIT_NAME]  # type: ignore[assignment]
    # Checkpoints first, then the audited position: every checkpoint read here was
    # signed over leaves at or below that position, so none may exceed the store;
    # and the parent recorded each one before it was stored (Auditor.witness).
    signed: dict[str, list[dict[str, Any]]] = {}
    known: set[tuple[str, int, str]] = set()
    for row in [*view.checkpoints(), *held]:
        key = (str(row["tenant"]), int(row["size"]), str(row["note"]))
        if key not in known:
            known.add(key)
            signed.setdefault(row["tenant"], []).append(row)
    audited = view.max_tracking_id(APP_NAME) or 0  # later events are not audited yet
    numbers = NumberLedger()
    logs, witnesses, recorded = _read_log(platform, audited, report, progress, numbers)
    for path in signed:  # a tenant whose every event was deleted
        logs.setdefault(path, Recomputed())
    selected = sorted(t for t in logs if tenant is None or _within(t, tenant))
    witnessed_sizes: dict[str, set[int]] = {}
    for _, state, _ in witnesses:
        witnessed_sizes.setdefault(str(state["child"]), set()).add(int(state["size"]))
    cosigned: list[Cosigned] = []
    for path in selected:
        _check_leaves(view, path, logs[path], report, audited)
        sizes = {int(c["size"]) for c in signed.get(path, [])}
        _compute_roots(logs[path], sizes | witnessed_sizes.get(path, set()))
        _check_checkpoints(platform, signed.get(path, []), path, logs, report, cosigned)
        report.tenants += 1
        if progress:
            progress("tenants", report.tenants, len(selected))
    for parent, state, witness_event in witnesses:
        child = str(state["child"])
        if tenant is not None and not _within(child, tenant):
            continue
        report.witnessed += 1
        finding = check_witness(parent, child, state, witness_event, logs)
        if finding is not None:
            report.findings.append(finding)
    report.findings.extend(check_recorded(cosigned, recorded, logs))
    report.numbers = numbers.count
    report.findings.extend(
        numbers.findings(lambda t: tenant is None or _within(t, tenant))
    )
    return report


Witnesses = list[tuple[str, dict[str, Any], str]]
"""``(parent, state, event id)`` of each audited ``ChildCheckpointWitnessed``."""


def _read_log(
    platform: Running,
    audited: int,
    report: Report,
    progress: Progress | None,
    numbers: NumberLedger,
) -> tuple[dict[str, Recomputed], Witnesses, set[tuple[str, str, int, str]]]:
    """Each tenant's log re-derived from the audited events; the witness records
    among them; and what every witness record in the store records, also those
    the audit view has not reached yet (a checkpoint is stored after its record).
    Every document number in the store goes to ``numbers``."""
    app = platform.tenants
    logs: dict[str, Recomputed] = {}
    witnesses: Witnesses = []
    recorded: set[tuple[str, str, int, str]] = set()
    for batch in iter_log(app, (), 500):
        for n in batch:
            if n.id > audited and not n.topic.endswith(WITNESSED):
                continue
            try:
                event = app.mapper.to_domain_event(n)
                leaf = leaf_from(n, event)
            except Exception as e:  # a corrupted row cannot even be decoded
                report.findings.append(
                    Finding(
                        "?",
                        f"{n.originator_id}:{n.originator_version}",
                        "payload",
                        f"the stored event at position {n.id} cannot be decoded: {e}",
                    )
                )
                continue
            numbers.see(event)
            if leaf.event_type.endswith(WITNESSED):
                state = json.loads(leaf.payload)
                recorded.add(recorded_key(leaf.tenant, state))
                if n.id <= audited:
                    witnesses.append((leaf.tenant, state, event_id(leaf)))
            if n.id > audited:
                continue
            log = logs.setdefault(leaf.tenant, Recomputed())
            log.leaves.append(leaf)
            if leaf.event_type.endswith(OPENED):
                log.keys.append(json.loads(leaf.payload)["verifier_key"])
            report.events += 1
        if progress:
            progress("events", min(report.events, audited), audited)
    return logs, witnesses, recorded


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top + ".")


def _check_leaves(
    view: AuditView, path: str, log: Recomputed, report: Report, audited: int
) -> None:
    stored = [r for r in view.leaves(path) if int(r["position"]) <= audited]
    for index, leaf in enumerate(log.leaves):
        if index >= len(stored):
            report.findings.append(
                Finding(
                    path,
                    event_id(leaf),
                    "leaf_index",
                    f"event at position {leaf.position} has no "
                    f"leaf in the audit log (index {index})",
                )
            )
            return
        row = stored[index]
        data = leaf.encode()
        if row["leaf_input"].encode("utf-8") == data and row["leaf_hash"] == (
            hash_leaf(data).hex()
        ):
            continue
        report.findings.append(_leaf_difference(path, index, row, leaf))
        return
    if len(stored) > len(log.leaves):
        row = stored[len(log.leaves)]
        report.findings.append(
            Finding(
                path,
                row["event_id"],
                "position",
                f"leaf {len(log.leaves)} records an event that "
                "is no longer in the store",
            )
        )


def _leaf_difference(path: str, index: int, row: dict[str, Any], leaf: Leaf) -> Finding:
    """Name the field where the audited leaf and the store's event differ."""
    try:
        was = Leaf.decode(row["leaf_input"].encode("utf-8"))
    except LeafFormatError as e:
        return Finding(
            path, row["event_id"], "leaf_input", f"stored leaf is corrupt: {e}"
        )
    if event_id(was) != event_id(leaf):
        return Finding(
            path,
            row["event_id"],
            "position",
            f"leaf {index} was event {event_id(was)} at position "
            f"{was.position}; the store now has {event_id(leaf)} there "
            "(an event was deleted or reordered)",
        )
    for name in ("tenant", "event_type", "recorded_at", "effective_at", "position"):
        if getattr(was, name) != getattr(leaf, name):
            return Finding(
                path,
                row["event_id"],
                name,
                f"audited {getattr(was, name)!r}, store has {getattr(leaf, name)!r}",
            )
    return Finding(
        path,
        row["event_id"],
        _payload_field(was.payload, leaf.payload),
        "the stored event's state differs from what was audited",
    )


def _payload_field(was: bytes, now: bytes) -> str:
    try:
        old, new = json.loads(was), json.loads(now)
    except ValueError:
        return "payload"
    keys = sorted(set(old) | set(new))
    changed = [k for k in keys if old.get(k) != new.get(k)]
    return f"payload.{changed[0]}" if changed else "payload"


def _compute_roots(log: Recomputed, sizes: set[int]) -> None:
    """Roots at the given sizes, in one pass over the recomputed leaves."""
    range_: list[bytes] = []
    for size, leaf in enumerate(log.leaves):
        range_, _ = append_to_range(range_, size, hash_leaf(leaf.encode()))
        if size + 1 in sizes:
            log.roots[size + 1] = root_from_range(range_, size + 1)


def _check_checkpoints(
    platform: Running,
    rows: list[dict[str, Any]],
    path: str,
    logs: dict[str, Recomputed],
    report: Report,
    cosigned: list[Cosigned],
) -> None:
    """Each stored (or held) checkpoint of ``path`` against its re-derived log;
    those its parent cosigned go into ``cosigned``."""
    origin = platform.auditor.origin(path)
    keys = [Ed25519Verifier.from_verifier_key(k) for k in logs[path].keys]
    for row in rows:
        size = int(row["size"])
        report.checkpoints += 1
        if size > len(logs[path].leaves):
            report.findings.append(
                Finding(
                    path,
                    None,
                    f"checkpoint {size}.tree_size",
                    f"signed over {size} events; the store has "
                    f"{len(logs[path].leaves)}",
                )
            )
            continue
        where = f"checkpoint {size}"
        try:
            note = Note.parse(row["note"])
            checkpoint = Checkpoint.parse(note.text)
        except GongkaiError as e:
            report.findings.append(
                Finding(path, None, where, f"unreadable: {e.detail}")
            )
            continue
        if checkpoint.origin != origin or checkpoint.size != size:
            report.findings.append(Finding(path, None, where, "origin or size differ"))
        if logs[path].roots.get(size) != checkpoint.root_hash:
            report.findings.append(
                Finding(
                    path,
                    None,
                    f"{where}.root_hash",
                    "the root recomputed from the store differs from the signed root",
                )
            )
        map_root_ = root_from_extensions(checkpoint.extensions)
        if map_root_ is not None and map_root_ != _map_root(logs[path], size):
            report.findings.append(
                Finding(
                    path,
                    None,
                    f"{where}.map_root",
                    "the aggregate map recomputed from the store differs from the "
                    "signed map root",
                )
            )
        signed = [s for s in note.signatures if s.name == origin]
        if not any(_signed_by(note, s, k) for s in signed for k in keys):
            report.findings.append(
                Finding(
                    path,
                    None,
                    f"{where}.signature",
                    "not signed by any key this tenant's log registered",
                )
            )
        parent = parent_of(path)
        if parent is not None and parent in logs:
            name = platform.auditor.origin(parent)
            found = check_cosignature(name, path, parent, note, size, logs, where)
            if isinstance(found, Finding):
                report.findings.append(found)
            else:
                cosigned.append(found)


def _map_root(log: Recomputed, size: int) -> bytes:
    """The aggregate map (domain/ledger/map.py) of the first ``size`` leaves."""
    return map_root(
        latest_entries(
            (str(leaf.aggregate_id), leaf.version, i)
            for i, leaf in enumerate(log.leaves[:size])
        )
    )


def _signed_by(note: Note, signature: Any, verifier: Ed25519Verifier) -> bool:
    return bool(
        signature.key_id == verifier.key_id
        and verifier.verify(note.text.encode("utf-8"), signature.signature)
    )
