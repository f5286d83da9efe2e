"""``gongkai verify BUNDLE``: check an evidence bundle offline, say what it proves."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from domain.errors import EvidenceError
from domain.ledger.evidence import BundleReport, load_bundle, verify_bundle
from domain.ledger.export import principal_text
from domain.ledger.leaf import utc_text
from infra.keys import make_verifier
from services.audit.evidence_set import read_set, verify_set

SIGNATURE_TYPES = {1: "签名 signature", 4: "副署 cosignature"}


def read_trust_file(path: Path) -> list[str]:
    """Verifier keys, one a line; blank lines and ``#`` comments are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [t.strip() for t in lines if t.strip() and not t.lstrip().startswith("#")]


def verify_file(
    path: Path,
    console: Console,
    trust: Sequence[str] = (),
    trust_file: Path | None = None,
) -> int:
    """Verify the bundle at ``path``, print a summary or the reason; exit status."""
    try:
        pins = [*trust, *(read_trust_file(trust_file) if trust_file else [])]
        if trust_file is not None and not pins:
            return _failed(console, f"{trust_file} holds no key")
        if (evidence_set := read_set(path)) is not None:  # an inspection's bundles
            return verify_set(evidence_set, path, console, pins)
        report = verify_bundle(load_bundle(path.read_bytes()), make_verifier, pins)
    except OSError as e:
        return _failed(console, f"cannot read {e.filename or path}: {e.strerror or e}")
    except UnicodeDecodeError as e:
        return _failed(console, f"the trust file is not UTF-8: {e.reason}")
    except EvidenceError as e:
        where = f" [{e.field}]" if e.field else ""
        return _failed(console, f"{e.detail}{where}")
    _summary(console, path, report)
    return 0


def _failed(console: Console, reason: str) -> int:
    _say(console, f"✗ 验证失败 verification failed: {reason}")
    return 1


def _say(console: Console, text: str = "") -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _summary(console: Console, path: Path, report: BundleReport) -> None:
    subject = report.subject
    _say(console, f"✓ 证据包验证通过 evidence verified: {path.name}")
    _say(console, f"  租户 tenant:      {report.tenant} ({report.installation})")
    _say(console, f"  对象 subject:     {subject.kind} {subject.id}")
    _say(
        console,
        f"  检查点 checkpoint: size {report.checkpoint_size}, "
        f"root {report.checkpoint_root}",
    )
    _say(
        console,
        f"  完整 complete:     versions 1…{report.latest_version}, the latest by the "
        "checkpoint's aggregate map",
    )
    _say(console, f"  事件 events ({len(report.events)}):")
    for event in report.events:
        effective = utc_text(event.effective_at) if event.effective_at else "—"
        _say(
            console,
            f"    v{event.version:<3} {event.event_type:<28} "
            f"recorded {utc_text(event.recorded_at)}  effective {effective}",
        )
    chain = " ← ".join(
        [report.tenant, *(f"{w.tenant} (size {w.size})" for w in report.witnessed_by)]
    )
    _say(console, f"  见证链 witnesses: {chain}")
    keys = ", ".join(
        f"{k.tenant} {k.key_id} {SIGNATURE_TYPES.get(k.signature_type, '?')}"
        for k in report.key_ids
    )
    _say(console, f"  密钥 keys:        {keys}")
    _say(
        console,
        f"  导出 exported:     {utc_text(report.exported_at)} by "
        f"{principal_text(report.exported_by)} (signed by {report.tenant} "
        f"{report.exported_key})",
    )
    for key in report.unbound:
        _say(
            console,
            f"  未绑定 unbound:   {key}: signed nothing the witness chain records "
            "(with --trust this fails)",
        )
    top = report.chain[-1]
    if report.pinned:
        _say(
            console,
            f"  信任 trust:       {top} key {', '.join(report.pinned)} "
            "is pinned (--trust)",
        )
    else:
        _say(
            console,
            "  信任 trust:       no key pinned: trusted the keys inside the bundle; "
            f"pin {top}'s key obtained out of band with --trust KEY",
        )
