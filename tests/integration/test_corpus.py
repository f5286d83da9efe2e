"""Events written by earlier releases still load: the frozen corpora.

Each directory under tests/fixtures/corpus/ holds the stored events of a scenario as
one release wrote them, the view rows they must produce, and the event types the
corpus must cover (manifest.json). They are never regenerated: a release with new
event types adds a new directory (docs/events.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic, resolve_topic

from domain.tenancy import Tenant, tenant_id
from infra.settings import Settings
from services.platform.runtime import Platform
from services.streams.cloudevents import stored_event_classes
from tests.conftest import MutableClock
from tests.fixtures.corpus import make_corpus
from tests.fixtures.corpus.corpus import (
    corpus_dirs,
    dump_events,
    dump_views,
    insert_events,
    load_events,
)

CORPORA = corpus_dirs()


def manifest(directory: Path) -> dict[str, Any]:
    return dict(json.loads((directory / "manifest.json").read_text(encoding="utf-8")))


def loaded(settings: Settings, directory: Path) -> Platform:
    platform = Platform(settings, clock=MutableClock())
    insert_events(platform, load_events(directory))
    return platform


def test_there_is_a_corpus_and_each_covers_the_types_it_names() -> None:
    assert [d.name for d in CORPORA][:1] == ["0.1"]
    for directory in CORPORA:
        named = set(manifest(directory)["event_types"])
        stored = {e["topic"] for e in load_events(directory)}
        assert named, directory
        assert named <= stored, (directory.name, sorted(named - stored))


def test_every_event_type_has_a_class_version_and_its_upcasters() -> None:
    """Also for types added after the corpora: they extend GongkaiAggregate.Event."""
    named = {t for d in CORPORA for t in manifest(d)["event_types"]}
    classes = {resolve_topic(t) for t in named} | {
        cls for _, _, cls in stored_event_classes()
    }
    for cls in classes:
        version = getattr(cls, "class_version", 0)
        assert isinstance(version, int), cls
        assert version >= 1, cls
        for n in range(1, version):
            assert callable(getattr(cls, f"upcast_v{n}_v{n + 1}", None)), (cls, n)


def test_every_stored_event_type_at_its_class_version_is_in_a_corpus() -> None:
    """A new event type, or a new class_version, fails here until a corpus holds it."""
    covered = set()
    for directory in CORPORA:
        named = set(manifest(directory)["event_types"])
        covered |= {
            (e["topic"], stored_version(e))
            for e in load_events(directory)
            if e["topic"] in named
        }
    current = {
        (get_topic(cls), int(getattr(cls, "class_version", 1) or 1))
        for _, _, cls in stored_event_classes()
    }
    missing = [f"{topic} v{version}" for topic, version in sorted(current - covered)]
    assert not missing, (
        f"no frozen corpus holds these event types as this release writes them: "
        f"{missing}. Record each in the scenario of the next release in "
        f"tests/fixtures/corpus/make_corpus.py and write a new corpus directory "
        f"tests/fixtures/corpus/<next release>/ with it (docs/events.md, 'The "
        f"frozen corpora'); never edit or regenerate an existing corpus."
    )


def test_the_corpus_script_refuses_to_overwrite_a_corpus_or_guess_a_scenario(
    tmp_path: Path,
) -> None:
    assert {d.name for d in CORPORA} <= set(make_corpus.SCENARIOS)
    for directory in CORPORA:
        before = (directory / "events.jsonl").read_bytes()
        with pytest.raises(SystemExit, match="already holds a corpus"):
            make_corpus.main(directory)
        assert (directory / "events.jsonl").read_bytes() == before
    with pytest.raises(SystemExit, match="no scenario"):
        make_corpus.main(tmp_path / "9.9")
    assert not (tmp_path / "9.9").exists()


def stored_version(event: dict[str, Any]) -> int:
    """The class version an event was stored at (eventsourcing omits version 1)."""
    return int(json.loads(event["state"]).get("class_version", 1))


@pytest.mark.parametrize("directory", CORPORA, ids=lambda d: d.name)
def test_a_corpus_loads_every_aggregate_and_rebuilds_every_view(
    settings: Settings, directory: Path
) -> None:
    events = load_events(directory)
    platform = loaded(settings, directory)
    try:
        # Stored byte for byte, at the same positions.
        assert dump_events(platform) == events
        versions: dict[str, int] = {}
        for e in events:
            versions[e["originator_id"]] = e["originator_version"]
        for aggregate_id, version in versions.items():
            aggregate = platform.tenants.repository.get(UUID(aggregate_id))
            assert aggregate.version == version, aggregate_id
        platform.rebuild()
        expected = json.loads((directory / "views.json").read_text(encoding="utf-8"))
        got = dump_views(platform)
        for table, rows in expected.items():
            assert _normal(_columns(got.get(table), rows)) == _normal(rows), table
    finally:
        platform.close()


def test_an_upcaster_turns_a_stored_v1_event_into_v2_without_touching_its_bytes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test-only v2 of ``Tenant.Renamed``: names gain the 社区 suffix rule."""
    directory = CORPORA[0]

    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["name"] = state["name"].removesuffix("村") + "（村）"

    monkeypatch.setattr(Tenant.Renamed, "class_version", 2, raising=False)
    monkeypatch.setattr(
        Tenant.Renamed, "upcast_v1_v2", staticmethod(upcast_v1_v2), raising=False
    )
    platform = loaded(settings, directory)
    try:
        village = platform.tenants.repository.get(tenant_id("xinhe.tahe.xingfu"))
        assert village.name == "幸福（村）"  # stored v1 "幸福村", upcast as read
        assert dump_events(platform) == load_events(directory)  # bytes unchanged
        platform.rebuild()
        leaves = dump_views(platform)["audit_leaves"]
        expected = json.loads((directory / "views.json").read_text(encoding="utf-8"))
        assert _normal(leaves) == _normal(expected["audit_leaves"])
        renamed = [e for e in load_events(directory) if e["topic"].endswith("Renamed")]
        assert all('"class_version"' not in e["state"] for e in renamed)
    finally:
        platform.close()


def _columns(
    rows: list[dict[str, Any]] | None, like: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``rows`` cut to the columns the corpus recorded: a later column is no break."""
    names = set(like[0]) if like else set()
    return [{k: v for k, v in row.items() if k in names} for row in rows or []]


def _normal(rows: list[dict[str, Any]] | None) -> list[str]:
    """Rows as sorted JSON text, booleans as integers (SQLite has no booleans)."""
    out = []
    for row in rows or []:
        plain = {k: int(v) if isinstance(v, bool) else v for k, v in row.items()}
        out.append(json.dumps(plain, sort_keys=True, ensure_ascii=False, default=str))
    return sorted(out)
