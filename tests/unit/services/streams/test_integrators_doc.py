"""docs/integrators.md lists every streamed event type (regenerate it with
``.venv/bin/python docs/gen_integrators.py > docs/integrators.md``)."""

from __future__ import annotations

from pathlib import Path

from services.streams.cloudevents import CHECKPOINT_TYPE, by_ce_type

DOC = Path(__file__).resolve().parents[4] / "docs" / "integrators.md"


def test_every_streamed_type_has_its_section() -> None:
    headings = {
        line.removeprefix("### ").strip("` ")
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("### ")
    }
    missing = sorted({*by_ce_type(), CHECKPOINT_TYPE} - headings)
    assert not missing, f"regenerate docs/integrators.md: {missing}"
