"""The consumers of docs/consumer.md, run as an integrator runs them: the Kafka one
against the relay on a real broker (tansu), the feed one against a live server.

Each is run as a process from docs/examples/ (the files the doc shows, held equal to
its code blocks here): every event once, nothing again on a second run (committed
offsets, a kept position), everything again but as duplicates on a replay.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.settings import Settings
from services.audit.evidence import checkpoint_now
from services.platform.runtime import Platform
from services.streams.feed import Feed
from services.streams.topics import TopicRouting
from tests.conftest import build_tree
from tests.e2e.conftest import TokenFactory
from tests.e2e.test_feed_api import record_some
from tests.integration.streams import Broker, relaying

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "consumer.md"
EXAMPLES = ROOT / "docs" / "examples"
INCLUDE = re.compile(r"<!-- include: (examples/\S+) -->\n```python\n(.*?)```", re.S)


def run(example: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / example), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def kept(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(r[0] for r in conn.execute("SELECT id FROM events"))


def test_the_doc_shows_the_examples_as_they_are() -> None:
    text = DOC.read_text(encoding="utf-8")
    shown = dict(INCLUDE.findall(text))
    assert set(shown) == {"examples/kafka_consumer.py", "examples/feed_consumer.py"}
    for name, code in shown.items():
        assert code == (DOC.parent / name).read_text(encoding="utf-8"), name


@pytest.fixture
def relayed(
    settings: Settings, platform: Platform, client: Any, auth: TokenFactory
) -> Iterator[tuple[Broker, list[dict[str, Any]]]]:
    """The platform's events (two counties, a filed case, checkpoints) relayed to a
    broker at the default routing, one topic per family."""
    build_tree(platform)
    record_some(client, auth)
    checkpoint_now(platform, "xinhe")
    expected = Feed(platform).page(None, 0, 10_000, scan_limit=10**6).events
    signed = {e["subject"] for e in expected if e["type"].endswith("Issued.v1")}
    with relaying(settings, platform, lambda published: published == signed) as broker:
        yield broker, expected


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
def test_the_kafka_consumer_keeps_each_event_once_and_replays(
    relayed: tuple[Broker, list[dict[str, Any]]], tmp_path: Path
) -> None:
    broker, expected = relayed
    db = tmp_path / "kafka.sqlite3"
    topics: list[str] = []
    for family in ("tenancy", "disclosure", "case", "audit"):
        topics += ["--topic", TopicRouting().family_topic(family)]
    common = ["--bootstrap", broker.bootstrap, "--db", str(db), "--idle", "3"]
    first = run("kafka_consumer.py", *common, "--group", "archive", *topics)
    wanted = sorted(
        e["id"]
        for e in expected
        if e["type"].split(".")[2] in ("tenancy", "disclosure", "case", "audit")
    )
    assert first == {"processed": len(wanted), "duplicates": 0}
    assert kept(db) == wanted
    again = run("kafka_consumer.py", *common, "--group", "archive", *topics)
    assert again == {"processed": 0, "duplicates": 0}  # offsets were committed
    replay = run(
        "kafka_consumer.py", *common, "--group", "archive", "--replay", *topics
    )
    assert replay == {"processed": 0, "duplicates": len(wanted)}
    assert kept(db) == wanted


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_feed_consumer_keeps_each_event_once_and_resumes(
    served: str, platform: Platform, client: Any, auth: TokenFactory, tmp_path: Path
) -> None:
    build_tree(platform)
    record_some(client, auth)
    token = auth("xinhe", "integrator")["Authorization"].removeprefix("Bearer ")
    mine = Feed(platform).page("xinhe", 0, 1000, scan_limit=10**6).events
    db = tmp_path / "feed.sqlite3"
    common = ["--api", served, "--token", token, "--db", str(db)]
    first = run("feed_consumer.py", *common)
    assert first["processed"] == len(mine) > 3
    assert first["duplicates"] == 0
    assert kept(db) == sorted(e["id"] for e in mine)
    assert run("feed_consumer.py", *common)["processed"] == 0  # resumes at its cursor
    replay = run("feed_consumer.py", *common, "--replay")
    assert (replay["processed"], replay["duplicates"]) == (0, len(mine))
    filed = run(
        "feed_consumer.py",
        *common[:-1],
        str(tmp_path / "filed.sqlite3"),
        "--type",
        "cn.gongkai.case.CaseFiled.v2",
    )
    assert filed["processed"] == 1
