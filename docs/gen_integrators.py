"""Writes docs/integrators.md: the stream contract with one real example per type.

    .venv/bin/python docs/gen_integrators.py > docs/integrators.md

The examples are recorded by tests/integration/scenario.py (the same scenario the
contract test checks) into a throw-away SQLite store, then mapped exactly as the
relay and the feed map them.
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.settings import Settings
from services.platform.runtime import Platform
from services.streams.cloudevents import CHECKPOINT_TYPE, by_ce_type, family_of_type
from services.streams.feed import Feed
from services.streams.schemas import all_types
from tests.conftest import MutableClock
from tests.integration.scenario import every_event_type

INTRO = (Path(__file__).parent / "integrators.intro.md").read_text(encoding="utf-8")


def richness(event: dict[str, Any]) -> tuple[int, bool]:
    data = event["data"]
    return len(data), "已删除" not in json.dumps(data, ensure_ascii=False)


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="gongkai-doc-"))
    settings = Settings(home=home, token_secret=secrets.token_urlsafe(32))
    platform = Platform(settings, clock=MutableClock())
    platform.start_projections()
    try:
        every_event_type(platform)
        events = Feed(platform).page(None, 0, 1000, scan_limit=10**6).events
    finally:
        platform.close()
    example: dict[str, dict[str, Any]] = {}
    for event in events:  # the richest of each type, an applicant not erased
        best = example.get(event["type"])
        if best is None or richness(event) > richness(best):
            example[event["type"]] = event
    out = [INTRO.rstrip(), "", "## Event types", ""]
    out.append("| type | topic | from |")
    out.append("|---|---|---|")
    for t in all_types():
        source = (
            "the audit view (signed checkpoints)"
            if t == CHECKPOINT_TYPE
            else f"`{by_ce_type()[t].qualname}`"
        )
        out.append(f"| `{t}` | `gongkai.{family_of_type(t)}.v1` | {source} |")
    for t in all_types():
        out += [
            "",
            f"### `{t}`",
            "",
            f"Schema: `GET /v1/schemas/{t}.json`",
            "",
            "```json",
            json.dumps(example[t], ensure_ascii=False, indent=2),
            "```",
        ]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
