"""``verify_file``: exit status and what ``gongkai verify BUNDLE`` prints."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

from rich.console import Console

from domain.ledger.note import Note
from services.verify_cli import verify_file
from tests.unit.ledger.test_evidence import (
    COUNTY,
    DISCLOSURE,
    EXPORTED_AT,
    TOWN,
    VILLAGE,
    bundle,
    key_id,
)


def run(path: Path) -> tuple[int, str]:
    out = StringIO()
    status = verify_file(path, Console(file=out, width=200, color_system=None))
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
