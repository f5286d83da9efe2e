"""Checkpoints held outside catch a tail deleted with its leaves and checkpoint."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from domain.access import Role
from infra.settings import Settings
from services.audit.evidence import checkpoint_now
from services.audit.held_checkpoints import held_rows
from services.audit.verify import verify_store
from services.cli.app import app
from services.platform.runtime import Platform
from services.server import create_app
from services.streams.cloudevents import CHECKPOINT_TYPE
from services.streams.feed import Feed
from services.streams.relay import relay_status, run_relay
from services.streams.subscribe import Selection, from_kafka
from tests.conftest import MutableClock, build_tree, principal
from tests.integration.streams import running_broker
from tests.integration.test_audit import raw_store

CLERK = principal("xinhe", Role.CLERK)


def publish(p: Platform, title: str) -> Any:
    return p.disclosures.publish(
        CLERK,
        "xinhe",
        category="common.finance",
        title=title,
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["网站"],
        formed_on=date(2026, 2, 27),
    )


def delete_tail(p: Platform, settings: Settings, aggregate: Any, size: int) -> None:
    """What a person with write access to the database can do: the tenant's last
    events, then (by a rebuild) their leaves, and the checkpoint that signed them."""
    with raw_store(settings) as (conn, table, _):
        sqlite = isinstance(conn, sqlite3.Connection)
        mark = "?" if sqlite else "%s"
        key = aggregate.hex if sqlite else aggregate
        conn.execute(f"DELETE FROM {table} WHERE originator_id = {mark}", (key,))
        conn.execute(
            f"DELETE FROM audit_checkpoints WHERE tenant = {mark} AND size = {mark}",
            ("xinhe", size),
        )
    p.stop_projections()  # a rebuild replaces the views under the runners
    p.rebuild()


def test_a_coordinated_tail_deletion_is_caught_by_checkpoints_held_outside(
    platform: Platform, settings: Settings, clock: MutableClock, tmp_path: Path
) -> None:
    build_tree(platform)
    for month in (1, 2):
        clock.advance(minutes=10)
        publish(platform, f"新和县2026年{month}月财务收支")
    first = checkpoint_now(platform, "xinhe")
    clock.advance(minutes=10)
    last = publish(platform, "新和县2026年3月财务收支")
    signed = checkpoint_now(platform, "xinhe")
    assert signed.size == first.size + 1
    held = Feed(platform).page(None, 0, 1000, [CHECKPOINT_TYPE]).events
    assert [(e["subject"], e["data"]["size"]) for e in held] == [
        ("xinhe", first.size),
        ("xinhe", signed.size),
    ]
    assert held[-1]["data"]["note"] == signed.note
    path = tmp_path / "held.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in held), encoding="utf-8")

    delete_tail(platform, settings, last.id, signed.size)

    assert verify_store(platform).findings == []  # the store alone cannot tell
    report = verify_store(platform, held=held_rows(settings, str(path)))
    assert [(f.tenant, f.field) for f in report.findings] == [
        ("xinhe", f"checkpoint {signed.size}.tree_size")
    ]
    env = {
        "GONGKAI_DATABASE_URL": settings.effective_database_url,
        "GONGKAI_HOME": str(settings.home),
    }
    result = CliRunner().invoke(
        app,
        ["audit", "verify", "--checkpoints", "-"],
        input=path.read_text(encoding="utf-8"),
        env=env,
    )
    assert result.exit_code == 1, result.output
    assert "2 checkpoints held outside" in result.output
    assert f"tenant xinhe, field checkpoint {signed.size}.tree_size" in result.output


def test_the_relay_publishes_every_signed_checkpoint_and_verify_reads_the_topic(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    with running_broker() as broker:
        settings = Settings(
            home=tmp_path / "home",
            database_url=fresh_pg_url,
            token_secret=secrets.token_urlsafe(32),
            kafka_bootstrap_servers=broker.bootstrap,
            relay_poll_seconds=0.05,
        )
        clock = MutableClock()
        platform = Platform(settings, clock=clock)
        platform.start_projections()
        stop = threading.Event()
        relay = threading.Thread(
            target=run_relay, args=(settings, stop), kwargs={"build": Platform}
        )
        try:
            build_tree(platform)
            publish(platform, "新和县2026年1月财务收支")
            issued = [
                checkpoint_now(platform, path)
                for path in ("xinhe.tahe", "xinhe", "wensu")
            ]
            relay.start()
            wait = time.monotonic() + 30
            while relay_status(platform)["lag"] or len(published(settings)) < 3:
                assert time.monotonic() < wait
                time.sleep(0.1)
            rows = held_rows(settings, None, kafka=True)
            streamed = list(from_kafka(settings, Selection("xinhe.tahe")))
            expected = Feed(platform).page("xinhe.tahe", 0, 1000).events
            with TestClient(create_app(settings, platform=platform)) as client:
                health = client.get("/v1/health").json()
            assert health["relay"] == {"position": platform.max_position(), "lag": 0}
            env = {
                "GONGKAI_DATABASE_URL": fresh_pg_url,
                "GONGKAI_HOME": str(settings.home),
            }
            status = CliRunner().invoke(
                app, ["relay", "--status", "--max-lag", "0"], env=env
            )
            assert status.exit_code == 0, status.output
            assert "lag 0" in status.output
        finally:
            stop.set()
            relay.join(timeout=20)
            platform.close()
    by_tenant = {(r["tenant"], r["size"]): r["note"] for r in rows}
    for checkpoint in issued:  # with the parent's cosignature where there is one
        assert by_tenant[(checkpoint.tenant, checkpoint.size)] == checkpoint.note
    assert "— gongkai.local/xinhe " in by_tenant[("xinhe.tahe", issued[0].size)]
    # `gongkai subscribe --kafka`: the subtree's events, as the feed has them
    assert sorted(e["id"] for e in streamed) == sorted(e["id"] for e in expected)


def published(settings: Settings) -> list[Any]:
    from services.audit.held_checkpoints import lines_from_kafka

    return [line for line in lines_from_kafka(settings) if CHECKPOINT_TYPE in line]
