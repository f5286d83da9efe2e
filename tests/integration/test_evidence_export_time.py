"""An evidence bundle is dated after every signature in it, even when the
checkpoints above its tenant are issued and cosigned while it is exported (a
verifier refuses a cosignature dated after the export)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.access import Role
from domain.ledger.evidence import load_bundle, verify_bundle
from infra.keys import make_verifier
from infra.settings import Settings
from services.audit.evidence import build_bundle
from services.platform.runtime import Platform
from tests.conftest import build_tree, principal


class TickingClock:
    """Each reading is one second after the last: every step of an export lands
    in a new second, as on a loaded machine."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


def test_a_bundle_exported_while_its_parents_are_cosigned_verifies(
    tmp_path: Path,
) -> None:
    settings = Settings(
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'gongkai.db'}",
        token_secret=secrets.token_urlsafe(32),
    )
    platform = Platform(settings, clock=TickingClock())
    platform.start_projections()
    try:
        build_tree(platform)
        village = "xinhe.tahe.tuanjie"
        clerk = principal(village, Role.CLERK)
        published = platform.disclosures.publish(
            clerk,
            village,
            category="common.finance",
            title="团结村2026年1月财务收支",
            body="一、收入合计12.6万元。",
            channels=["公开栏"],
            formed_on=datetime(2026, 2, 27).date(),
        )
        bundle = build_bundle(platform, village, published.id, "disclosure")
    finally:
        platform.close()
    assert len(bundle["witnesses"]) == 2  # the town's and the county's checkpoints
    report = verify_bundle(load_bundle(json.dumps(bundle)), make_verifier)
    assert report.subject.id == str(published.id)
