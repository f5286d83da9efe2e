"""``verify_file``: exit status and what ``gongkai verify BUNDLE`` prints."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

from rich.console import Console

from domain.ledger.note import Note
from services.cli.verify import verify_file
from tests.fixtures.bundles import FORGER, forged_exporter
from tests.unit.domain.ledger.test_evidence import (
    COUNTY,
    DISCLOSURE,
    EXPORTED_AT,
    TOWN,
    VILLAGE,
    bundle,
    key_id,
    signer,
)


def run(
    path: Path, trust: tuple[str, ...] = (), trust_file: Path | None = None
) -> tuple[int, str]:
    out = StringIO()
    console = Console(file=out, width=200, color_system=None)
    status = verify_file(path, console, trust, trust_file)
    return status, out.getvalue()


def write(tmp_path: Path, b: dict[str, Any] | str) -> Path:
    path = tmp_path / "evidence.json"
    text = b if isinstance(b, str) else json.dumps(b, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_bundle_exits_0_and_shows_what_was_proven(tmp_path: Path) -> None:
    status, out = run(write(tmp_path, bundle()))

    assert status == 0, out
    assert out.startswith("✓ ")
    assert f"{VILLAGE} (gongkai.local)" in out
    assert f"disclosure {DISCLOSURE}" in out
    assert "size 6, root " in out
    lines = out.splitlines()
    published = next(line for line in lines if "v1 " in line)
    assert "Disclosure.Published" in published
    assert "recorded 2026-11-20T" in published
    assert "effective 2026-11-20T" in published
    withdrawn = next(line for line in lines if "v3 " in line)
    assert "Disclosure.Withdrawn" in withdrawn
    assert "effective 2026-11-18T01:30:00.000000Z" in withdrawn
    assert f"{VILLAGE} ← {TOWN} (size 3) ← {COUNTY} (size 3)" in out
    assert f"{VILLAGE} {key_id(VILLAGE)}" in out
    assert EXPORTED_AT in out
    assert (
        "by inspector-li (inspector @ xinhe) "
        f"(signed by xinhe.tahe.tuanjie {key_id(VILLAGE)})"
    ) in out
    assert "unbound" not in out
    assert "versions 1…3" in out
    assert "no key pinned: trusted the keys inside the bundle" in out


def test_trust_pins_the_top_key_and_a_wrong_pin_fails(tmp_path: Path) -> None:
    path = write(tmp_path, bundle())
    top = signer(COUNTY).verifier_key()
    status, out = run(path, (top,))
    assert status == 0, out
    assert f"{COUNTY} key {key_id(COUNTY)} is pinned" in out
    wrong = signer(COUNTY, key_seed=b"\x05" * 32).verifier_key()
    status, out = run(path, (wrong,))
    assert status == 1
    assert "none of the trusted keys" in out
    keys = tmp_path / "trusted.txt"
    keys.write_text(f"# 新和县 published key\n\n{wrong}\n{top}\n", encoding="utf-8")
    assert run(path, trust_file=keys)[0] == 0
    keys.write_text(f"{wrong}\n", encoding="utf-8")
    assert run(path, trust_file=keys)[0] == 1
    keys.write_text("# nothing\n", encoding="utf-8")
    status, out = run(path, trust_file=keys)
    assert status == 1
    assert "holds no key" in out


def test_a_tampered_bundle_exits_1_with_the_reason(tmp_path: Path) -> None:
    b = bundle()
    note = Note.parse(b["checkpoint"])
    b["checkpoint"] = Note(note.text, note.signatures[:1]).format()

    status, out = run(write(tmp_path, b))

    assert status == 1
    assert out.startswith("✗ ")
    assert "carries no cosignature/v1 line by gongkai.local/xinhe.tahe" in out
    assert "[checkpoint]" in out
    assert "✓" not in out


def test_broken_json_exits_1(tmp_path: Path) -> None:
    status, out = run(write(tmp_path, '{"format": "gongkai-evidence/v1",'))
    assert status == 1
    assert "not JSON" in out


def test_a_missing_file_exits_1(tmp_path: Path) -> None:
    status, out = run(tmp_path / "nowhere.json")
    assert status == 1
    assert "cannot read" in out


def test_reasons_with_brackets_are_printed_verbatim(tmp_path: Path) -> None:
    b = bundle()
    b["events"][1]["inclusion_proof"][0] = "[bold]x[/bold]"
    status, out = run(write(tmp_path, b))
    assert status == 1
    assert "events[1]" in out
    assert "[events[1].inclusion_proof[0]]" in out


def test_the_forged_exporter_of_issue_20_exits_1_with_the_county_pinned(
    tmp_path: Path,
) -> None:
    b = forged_exporter(bundle())
    status, out = run(write(tmp_path, b), (signer(COUNTY).verifier_key(),))
    assert status == 1, out
    assert "✓" not in out
    assert "XH-9999" not in out
    assert f"the checkpoint of {VILLAGE} is not signed as" in out
    assert out.rstrip().endswith("[checkpoint]")


def test_an_unbound_key_is_named_and_fails_only_with_a_pin(tmp_path: Path) -> None:
    b = bundle()
    b["keys"][VILLAGE].append(FORGER.verifier_key())
    path = write(tmp_path, b)
    status, out = run(path)
    assert status == 0, out
    assert f"未绑定 unbound:   keys.{VILLAGE}[1] {FORGER.name}+" in out
    status, out = run(path, (signer(COUNTY).verifier_key(),))
    assert status == 1, out
    assert f"[keys.{VILLAGE}[1]]" in out
