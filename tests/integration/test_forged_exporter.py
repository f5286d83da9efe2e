"""An exported bundle binds every key to the county's, also across key rotations,
and the forged exporter of #20 §1 fails ``gongkai verify --trust`` on a real export."""

from __future__ import annotations

import json
import secrets
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

from rich.console import Console

from domain.access import Role
from infra.keys import KeyStore
from infra.settings import Settings
from services.audit.evidence import build_bundle
from services.cli.verify import verify_file
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree, principal
from tests.fixtures.bundles import (
    FORGED_BY,
    export_by,
    re_signed,
)

VILLAGE, TOWN = "xinhe.tahe.tuanjie", "xinhe.tahe"


def verify(path: Path, pin: str) -> tuple[int, str]:
    out = StringIO()
    status = verify_file(path, Console(file=out, width=300), (pin,))
    return status, out.getvalue()


def write(tmp_path: Path, name: str, bundle: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return path


def test_rotated_keys_stay_bound_and_a_forged_exporter_is_refused(
    tmp_path: Path,
) -> None:
    settings = Settings(
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'gongkai.db'}",
        token_secret=secrets.token_urlsafe(32),
    )
    clock = MutableClock()
    platform = Platform(settings, clock=clock)
    platform.start_projections()
    auditor = platform.auditor
    try:
        build_tree(platform)
        published = platform.disclosures.publish(
            principal(VILLAGE, Role.CLERK),
            VILLAGE,
            category="common.finance",
            title="团结村2026年1月财务收支",
            body="一、收入合计12.6万元。",
            channels=["公开栏"],
            formed_on=date(2026, 2, 27),
        )
        first = build_bundle(platform, VILLAGE, published.id, "disclosure")
        # The town's key changes after it cosigned the village's checkpoint, which
        # stays as it is (the village logs nothing new): two town keys, both bound.
        clock.advance(minutes=5)
        auditor.rotate_key(principal(TOWN, Role.ADMIN), TOWN, "年度密钥轮换")
        clock.advance(minutes=5)
        rotated = build_bundle(platform, VILLAGE, published.id, "disclosure")
        county_key = auditor.verifier_keys("xinhe")["xinhe"][0]
        registered = auditor.verifier_keys(VILLAGE)
    finally:
        platform.close()
    assert rotated["checkpoint"] == first["checkpoint"]
    assert rotated["keys"][TOWN] == registered[TOWN]  # old (cosigned), new (signed)
    for name, bundle in (("first.json", first), ("rotated.json", rotated)):
        status, out = verify(write(tmp_path, name, bundle), county_key)
        assert status == 0, out
        assert "unbound" not in out

    # A new Ed25519 key named like the village's, made by the same code.
    forger = KeyStore(tmp_path / "forger").signer(auditor.origin(VILLAGE), VILLAGE)
    forged = json.loads(json.dumps(first))
    forged["checkpoint"] = re_signed(forged["checkpoint"], forger)
    forged["export"] = export_by(forged, forger, FORGED_BY)
    forged["keys"][VILLAGE] = [forger.verifier_key()]
    status, out = verify(write(tmp_path, "forged.json", forged), county_key)
    assert status == 1, out
    assert f"the checkpoint of {VILLAGE} is not signed as" in out
    assert "XH-9999" not in out
