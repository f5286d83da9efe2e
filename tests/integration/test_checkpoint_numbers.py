"""Checkpoints are numbered as they are stored; a store from before numbers them."""

from __future__ import annotations

from typing import Any

from infra.settings import Settings
from services.audit.evidence import checkpoint_now
from services.core.views import AUDIT_NAME
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree
from tests.integration.test_audit import raw_store
from tests.integration.test_held_checkpoints import publish


def numbers(p: Platform) -> dict[tuple[str, int], int]:
    view: Any = p.views[AUDIT_NAME]
    return {(r["tenant"], int(r["size"])): int(r["seq"]) for r in view.checkpoints()}


def test_an_older_store_s_checkpoints_are_numbered_in_the_order_they_cover(
    platform: Platform, settings: Settings, clock: MutableClock
) -> None:
    build_tree(platform)
    publish(platform, "新和县2026年1月财务收支")
    for path in ("xinhe.tahe", "xinhe", "wensu"):
        checkpoint_now(platform, path)
    assert numbers(platform) == {("xinhe.tahe", 2): 1, ("xinhe", 4): 2, ("wensu", 2): 3}
    platform.close()
    with raw_store(settings) as (conn, _, _):  # the table as it was before numbers
        conn.execute("DROP INDEX audit_checkpoints_seq")
        conn.execute("ALTER TABLE audit_checkpoints DROP COLUMN seq")

    again = Platform(settings, clock=clock)
    try:
        audit: Any = again.views[AUDIT_NAME]
        covered = audit.checkpoints_covering(0, again.max_position())
        renumbered = numbers(again)  # in the order of the events they cover
        assert [renumbered[(r["tenant"], int(r["size"]))] for r in covered] == [1, 2, 3]
        latest = again.auditor.latest("xinhe")
        assert latest is not None
        audit.save_checkpoint(  # stored again (a new cosignature): same number
            "xinhe", latest.size, latest.root_hash, latest.note, latest.issued_at
        )
        assert numbers(again) == renumbered
        again.start_projections()
        publish(again, "新和县2026年2月财务收支")
        issued = checkpoint_now(again, "xinhe")
        assert numbers(again)[("xinhe", issued.size)] == 4
        assert audit.checkpoint_number_at(again.max_position()) == 4
        assert [r["seq"] for r in audit.checkpoints_after(2, 10)] == [3, 4]
    finally:
        again.close()
