"""编号管理 in ``gongkai audit verify``: a number deleted from the raw store shows
as a gap in its series, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import date

from domain.access import Role
from infra.settings import Settings
from services.audit.evidence import catch_up
from services.audit.verify import verify_store
from services.core.base import recorded
from services.documents.series import numbered
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree, principal
from tests.integration.test_audit import raw_store

TOWN = "xinhe.tahe"
SUP = principal(TOWN, Role.SUPERVISOR)


def issue_three(p: Platform, clock: MutableClock) -> None:
    app = p.campaigns
    for n in (1, 2, 3):
        clock.advance(minutes=10)
        with recorded(app):
            series = numbered(
                app, TOWN, "bulletin", {"doc": str(n)}, f"通报{n}",
                date(2026, 3, n), SUP.actor(),
            )  # fmt: skip
        app._commit(series)


def test_a_deleted_number_is_a_gap_in_audit_verify(
    platform: Platform, clock: MutableClock, settings: Settings
) -> None:
    build_tree(platform)
    issue_three(platform, clock)
    series = platform.series.series(SUP, TOWN, "bulletin")
    assert [series.wenhao(n) for n in series.numbers] == [
        "塔河政公开〔2026〕1号", "塔河政公开〔2026〕2号", "塔河政公开〔2026〕3号",
    ]  # fmt: skip
    platform.series.void(SUP, TOWN, "bulletin", 2026, 3, "文号错用")
    catch_up(platform)
    clean = verify_store(platform)
    assert clean.findings == []
    assert clean.numbers == 3

    with raw_store(settings) as (conn, table, _):
        lite = isinstance(conn, sqlite3.Connection)
        mark = "?" if lite else "%s"
        key = series.id.hex if lite else series.id
        conn.execute(  # number 2 (Opened is version 1)
            f"DELETE FROM {table} WHERE originator_id = {mark} "
            f"AND originator_version = 3",
            (key,),
        )
    found = [f for f in verify_store(platform).findings if f.field == "number"]
    assert [(f.tenant, f.detail.split(": ", 1)[1]) for f in found] == [
        (TOWN, "塔河政公开〔2026〕2号 is missing (缺号)")
    ]
