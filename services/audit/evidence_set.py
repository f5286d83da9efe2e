"""Evidence sets (``gongkai-evidence-set/v1``): verify every bundle of an inspection
file offline, and that every subject the set lists has its bundle.

Kept apart from the builder so ``gongkai verify`` needs neither server nor database.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from domain.errors import EvidenceError
from domain.ledger.evidence import load_bundle, verify_bundle
from domain.ledger.export import principal_text
from infra.keys import make_verifier

SET_FORMAT = "gongkai-evidence-set/v1"
NO_EVENTS_HERE = ("staff", "campaign")  # registries kept elsewhere may have none


def read_set(path: Path) -> dict[str, Any] | None:
    """The evidence set in ``path``, or None if the file is not one."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == SET_FORMAT else None


def verify_set(
    data: dict[str, Any], path: Path, console: Console, pins: Sequence[str] = ()
) -> int:
    """Verify every bundle of the set (each against ``pins``, the ``--trust`` keys,
    when given) and that each listed subject has its bundle."""

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    bundles = data.get("bundles")
    subjects = data.get("subjects")
    if not isinstance(bundles, list) or not isinstance(subjects, list) or not bundles:
        say("✗ 验证失败 verification failed: the set lists no bundles [bundles]")
        return 1
    reports = []
    for i, bundle in enumerate(bundles):
        try:
            reports.append(
                verify_bundle(load_bundle(json.dumps(bundle)), make_verifier, pins)
            )
        except EvidenceError as e:
            where = f" [bundles[{i}].{e.field}]" if e.field else f" [bundles[{i}]]"
            say(f"✗ 验证失败 verification failed: {_named(bundle)}{e.detail}{where}")
            return 1
    proven = {(r.subject.kind, r.subject.id) for r in reports}
    own = data.get("inspection", {})
    if ("inspection", own.get("id")) not in proven:
        say("✗ 验证失败 verification failed: the file's own bundle is missing")
        return 1
    own_bundle = next(
        b
        for b, r in zip(bundles, reports, strict=True)
        if (r.subject.kind, r.subject.id) == ("inspection", own.get("id"))
    )
    listed = [(s.get("kind"), s.get("id")) for s in subjects if isinstance(s, dict)]
    for kind, subject_id in [*signed_links(own_bundle), *listed]:
        if kind in ("tenant", *NO_EVENTS_HERE):
            continue  # a tenant's id is its path; registries kept elsewhere
        if (kind, subject_id) not in proven:
            say(
                f"✗ 验证失败 verification failed: the file links {kind} {subject_id} "
                "but the set holds no bundle for it"
            )
            return 1
    say(f"✓ 核查证据集验证通过 inspection evidence verified: {path.name}")
    say(f"  核查档案 file:   {own.get('id')} ({own.get('tenant')})")
    for r in reports:
        say(
            f"  {r.subject.kind:<11} {r.subject.id}  {r.tenant}  "
            f"{len(r.events)} events (versions 1…{r.latest_version}, complete), "
            f"checkpoint size {r.checkpoint_size}"
        )
    exporters = sorted({principal_text(r.exported_by) for r in reports})
    say(f"  导出 exported by: {', '.join(exporters)} (signed in every bundle)")
    for key in sorted({k for r in reports for k in r.unbound}):
        say(f"  未绑定 unbound:  {key}: signed nothing the witness chain records")
    tops = sorted({r.chain[-1] for r in reports})
    if pins:
        keys = sorted({k for r in reports for k in r.pinned})
        say(
            f"  信任 trust:      {', '.join(tops)} key {', '.join(keys)} is pinned "
            "(--trust) for every bundle"
        )
    else:
        say(
            "  信任 trust:      no key pinned: trusted the keys inside the bundles; "
            f"pin {', '.join(tops)}'s key obtained out of band with --trust KEY"
        )
    return 0


def signed_links(bundle: dict[str, Any]) -> list[tuple[str, str]]:
    """The subjects the file's own (verified) bundle says were linked: the
    ``subject`` of ``Opened`` and the ``link`` of each ``Linked``, from the leaves'
    payloads, so a subject cannot be dropped from the set with its bundle."""
    from domain.ledger.leaf import Leaf

    links: list[tuple[str, str]] = []
    for event in bundle.get("events", []):
        leaf = Leaf.decode(base64.b64decode(event["leaf_input"]))
        field = {"Opened": "subject", "Linked": "link"}.get(
            leaf.event_type.rsplit(".", 1)[-1]
        )
        if field is None:
            continue
        try:
            link = json.loads(leaf.payload)[field]
            links.append((str(link["kind"]), str(link["id"])))
        except (ValueError, KeyError, TypeError):
            continue  # an encoding this verifier does not know: the listing decides
    return links


def _named(bundle: Any) -> str:
    """``case <id> (tenant): `` for a failing bundle, when it says what it is."""
    subject = bundle.get("subject") if isinstance(bundle, dict) else None
    if not isinstance(subject, dict):
        return ""
    return f"{subject.get('kind')} {subject.get('id')} ({subject.get('tenant')}): "
