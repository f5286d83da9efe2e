"""The audit trail against tampering done directly in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg
import pytest

from domain.access import Role
from domain.errors import GongkaiError
from domain.ledger import verify_consistency, verify_inclusion
from domain.ledger.map import extension_line, map_root
from domain.ledger.note import Checkpoint, Note, sign_note
from infra.keys import Ed25519Signer
from infra.settings import Settings
from projections.audit_map import map_entries
from services.audit.auditor import CheckpointRefusedError
from services.audit.evidence import catch_up, checkpoint_now
from services.audit.verify import verify_store
from services.core.views import AUDIT_NAME
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree, principal

TUANJIE = "xinhe.tahe.tuanjie"
CLERK = principal(TUANJIE, Role.CLERK)


def publish(p: Platform, title: str) -> Any:
    return p.disclosures.publish(
        CLERK,
        TUANJIE,
        category="common.finance",
        title=title,
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["公开栏"],
        formed_on=date(2026, 2, 27),
    )


@pytest.fixture
def audited(platform: Platform, clock: MutableClock) -> Platform:
    """Three items in 团结村, checkpoints issued up the chain to 新和县."""
    build_tree(platform)
    for month in (1, 2, 3):
        clock.advance(minutes=10)
        publish(platform, f"团结村2026年{month}月财务收支")
    for path in (TUANJIE, "xinhe.tahe", "xinhe"):
        checkpoint_now(platform, path)
    catch_up(platform)
    return platform


@contextmanager
def raw_store(settings: Settings) -> Iterator[tuple[Any, str, str]]:
    """A connection to the event store, its events table and position column."""
    if settings.store_kind == "sqlite":
        conn: Any = sqlite3.connect(settings.sqlite_path())
        try:
            yield conn, "stored_events", "rowid"
            conn.commit()
        finally:
            conn.close()
    else:
        with psycopg.connect(settings.effective_database_url, autocommit=True) as pg:
            yield pg, "gongkai_events", "notification_id"


def positions_of(conn: Any, table: str, column: str, aggregate: Any) -> list[int]:
    key = aggregate.hex if isinstance(conn, sqlite3.Connection) else aggregate
    mark = "?" if isinstance(conn, sqlite3.Connection) else "%s"
    rows = conn.execute(
        f"SELECT {column} FROM {table} WHERE originator_id = {mark} "
        "ORDER BY originator_version",
        (key,),
    ).fetchall()
    return [int(r[0]) for r in rows]


def first_finding(p: Platform) -> Any:
    report = verify_store(p)
    assert report.findings, "tampering went unnoticed"
    return report.findings[0]


def disclosure_ids(p: Platform) -> list[Any]:
    view = p.views[AUDIT_NAME]
    rows = view.leaves(TUANJIE)  # type: ignore[attr-defined]
    ids = []
    for r in rows:
        if "Disclosure.Published" in r["leaf_input"]:
            ids.append(r["event_id"].split(":")[0])
    return ids


def test_an_untouched_store_verifies_clean(audited: Platform) -> None:
    report = verify_store(audited)
    assert report.findings == []
    assert report.events == audited.max_position()
    assert report.checkpoints >= 3
    assert report.witnessed >= 2


def test_proofs_from_the_view_verify_against_the_signed_checkpoint(
    audited: Platform,
) -> None:
    view = audited.views[AUDIT_NAME]
    note = Note.parse(audited.auditor.latest(TUANJIE).note)  # type: ignore[union-attr]
    checkpoint = Checkpoint.parse(note.text)
    for row in view.leaves(TUANJIE):  # type: ignore[attr-defined]
        index = int(row["leaf_index"])
        proof = view.inclusion_proof(TUANJIE, index, checkpoint.size)  # type: ignore[attr-defined]
        verify_inclusion(
            index,
            checkpoint.size,
            bytes.fromhex(row["leaf_hash"]),
            proof,
            checkpoint.root_hash,
        )
    first = view.head(TUANJIE)  # type: ignore[attr-defined]
    publish(audited, "团结村补充公告")
    catch_up(audited)
    second = view.head(TUANJIE)  # type: ignore[attr-defined]
    proof = view.consistency_proof(TUANJIE, first.size, second.size)  # type: ignore[attr-defined]
    verify_consistency(
        first.size, second.size, proof, first.root_hash, second.root_hash
    )


def test_one_changed_byte_is_named_by_tenant_event_and_field(
    audited: Platform, settings: Settings
) -> None:
    target = disclosure_ids(audited)[1]
    with raw_store(settings) as (conn, table, column):
        position = positions_of(conn, table, column, uuid.UUID(target))[0]
        mark = "?" if isinstance(conn, sqlite3.Connection) else "%s"
        state = bytes(
            conn.execute(
                f"SELECT state FROM {table} WHERE {column} = {mark}", (position,)
            ).fetchone()[0]
        )
        forged = state.replace(b'"working_days_late":0', b'"working_days_late":9', 1)
        assert forged != state
        assert len(forged) == len(state)
        conn.execute(
            f"UPDATE {table} SET state = {mark} WHERE {column} = {mark}",
            (forged, position),
        )
    finding = first_finding(audited)
    assert finding.tenant == TUANJIE
    assert finding.event == f"{target}:1"
    assert finding.field == "payload.working_days_late"


def test_a_deleted_row_is_reported(audited: Platform, settings: Settings) -> None:
    target = disclosure_ids(audited)[1]
    with raw_store(settings) as (conn, table, _):
        mark = "?" if isinstance(conn, sqlite3.Connection) else "%s"
        key = (
            target.replace("-", "") if isinstance(conn, sqlite3.Connection) else target
        )
        conn.execute(f"DELETE FROM {table} WHERE originator_id = {mark}", (key,))
    finding = first_finding(audited)
    assert finding.tenant == TUANJIE
    assert finding.event == f"{target}:1"
    assert finding.field == "position"


def test_two_reordered_rows_are_reported(audited: Platform, settings: Settings) -> None:
    first, second = disclosure_ids(audited)[:2]
    with raw_store(settings) as (conn, table, column):
        a = positions_of(conn, table, column, uuid.UUID(first))[0]
        b = positions_of(conn, table, column, uuid.UUID(second))[0]
        mark = "?" if isinstance(conn, sqlite3.Connection) else "%s"
        for old, new in ((a, -1), (b, a), (-1, b)):
            conn.execute(
                f"UPDATE {table} SET {column} = {mark} WHERE {column} = {mark}",
                (new, old),
            )
    finding = first_finding(audited)
    assert finding.tenant == TUANJIE
    assert finding.event == f"{first}:1"
    assert finding.field == "position"


def test_a_child_re_signed_with_a_new_key_is_refused_and_reported(
    audited: Platform, clock: MutableClock
) -> None:
    auditor = audited.auditor
    auditor.keys.rotate(TUANJIE)  # a new key the log never registered
    clock.advance(minutes=5)
    publish(audited, "团结村重新签名后的公告")
    catch_up(audited)
    with pytest.raises(CheckpointRefusedError):
        auditor.issue(TUANJIE)
    with pytest.raises(CheckpointRefusedError):  # retried: refused, recorded once
        auditor.issue(TUANJIE)
    parent = auditor.ledger("xinhe.tahe")
    assert parent is not None
    assert len(parent.refusals) == 1
    assert parent.refusals[-1]["child"] == TUANJIE
    assert "signature" in parent.refusals[-1]["reason"]
    # The forger stores the self-signed checkpoint anyway: verify names it.
    head = audited.views[AUDIT_NAME].head(TUANJIE)  # type: ignore[attr-defined]
    signer = Ed25519Signer(auditor.origin(TUANJIE), b"\x07" * 32)
    forged = sign_note(
        Checkpoint(auditor.origin(TUANJIE), head.size, head.root_hash).body(), signer
    )
    audited.views[AUDIT_NAME].save_checkpoint(  # type: ignore[attr-defined]
        TUANJIE, head.size, head.root_hash, forged.format(), "2026-03-02T03:00:00Z"
    )
    fields = {(f.tenant, f.field) for f in verify_store(audited).findings}
    assert (TUANJIE, f"checkpoint {head.size}.signature") in fields
    assert (TUANJIE, f"checkpoint {head.size}.cosignature") in fields


def test_a_registered_key_rotation_keeps_the_chain_valid(
    audited: Platform, clock: MutableClock
) -> None:
    auditor = audited.auditor
    auditor.rotate_key(principal(TUANJIE, Role.ADMIN), TUANJIE, "年度密钥轮换")
    clock.advance(minutes=5)
    publish(audited, "团结村轮换密钥后的公告")
    catch_up(audited)
    issued = auditor.issue(TUANJIE)
    assert issued.size == audited.views[AUDIT_NAME].head(TUANJIE).size  # type: ignore[attr-defined]
    assert verify_store(audited).findings == []


def test_a_parent_refuses_a_history_rewritten_below_what_it_witnessed(
    audited: Platform, settings: Settings, clock: MutableClock
) -> None:
    target = disclosure_ids(audited)[0]
    with raw_store(settings) as (conn, table, column):
        position = positions_of(conn, table, column, uuid.UUID(target))[0]
        mark = "?" if isinstance(conn, sqlite3.Connection) else "%s"
        state = bytes(
            conn.execute(
                f"SELECT state FROM {table} WHERE {column} = {mark}", (position,)
            ).fetchone()[0]
        )
        conn.execute(
            f"UPDATE {table} SET state = {mark} WHERE {column} = {mark}",
            (state.replace("1月".encode(), "9月".encode(), 1), position),
        )
    audited.stop_projections()
    audited.rebuild()  # the forger rebuilds the audit view from the rewritten store
    audited.start_projections()
    clock.advance(minutes=5)
    publish(audited, "新公告")
    catch_up(audited)
    with pytest.raises(GongkaiError) as refused:
        audited.auditor.issue(TUANJIE)
    assert "consistent" in refused.value.detail
    findings = verify_store(audited).findings
    assert any(f.field == "witnessed.root_hash" for f in findings)


def test_a_signed_map_root_that_the_store_does_not_give_is_reported(
    audited: Platform,
) -> None:
    """The tenant's own key signs a checkpoint whose aggregate map hides an event."""
    auditor = audited.auditor
    view = audited.views[AUDIT_NAME]
    head = view.head(TUANJIE)  # type: ignore[attr-defined]
    entries = map_entries(view, TUANJIE, head.size)  # type: ignore[arg-type]
    assert entries
    latest = max(entries, key=lambda e: e.version)
    hidden = [e for e in entries if e is not latest]
    lie = Checkpoint(
        auditor.origin(TUANJIE),
        head.size,
        head.root_hash,
        (extension_line(map_root(hidden)),),
    )
    signer = auditor.keys.signer(auditor.origin(TUANJIE), TUANJIE)
    view.save_checkpoint(  # type: ignore[attr-defined]
        TUANJIE,
        head.size,
        head.root_hash,
        sign_note(lie.body(), signer).format(),
        "2026-03-02T03:00:00Z",
    )
    fields = {(f.tenant, f.field) for f in verify_store(audited).findings}
    assert (TUANJIE, f"checkpoint {head.size}.map_root") in fields
    assert (TUANJIE, f"checkpoint {head.size}.root_hash") not in fields
