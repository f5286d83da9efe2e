"""``gongkai mirror add --kafka``: the county's events from its relay's broker.

The county (新和县) relays to a tansu broker and serves its audit API; the
prefecture holds one mirror over the feed and one over Kafka, and both hold the
same verified events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.mirror_store import MirrorStore
from infra.settings import Settings
from services.platform.runtime import Platform
from tests.e2e.test_mirror import (  # noqa: F401 - the fixtures
    add,
    checkpoint_all,
    county,
    integrator_token,
    mirror,
    pinned,
    prefecture,
    serving,
    settings_of,
)
from tests.e2e.test_subscribe import publish
from tests.integration.streams import Broker, relaying
from tests.live_server import free_port


@pytest.fixture
def relayed(county: Platform) -> Iterator[Broker]:  # noqa: F811
    """新和县 with records and signed checkpoints, all relayed to a broker."""
    for month in (1, 2):
        publish(county, "xinhe.tahe.tuanjie", f"团结村2026年{month}月财务收支")
        publish(county, "xinhe.tahe.xingfu", f"幸福村2026年{month}月财务收支")
    checkpoint_all(county)
    signed = {"xinhe", "xinhe.tahe", "xinhe.tahe.tuanjie", "xinhe.tahe.xingfu"}
    with relaying(county.settings, county, signed.issubset) as broker:
        yield broker


def held(env: dict[str, str], name: str) -> list[tuple[Any, ...]]:
    store = MirrorStore(
        Settings(_env_file=None, **settings_of(env)).eventsourcing_env()
    )
    try:
        return [
            (r["position"], r["event_id"], r["type"], r["cloudevent"])
            for r in store.events(name)
        ]
    finally:
        store.close()


def test_catch_up_over_kafka_holds_what_the_feed_mirror_holds(
    county: Platform,  # noqa: F811
    prefecture: dict[str, str],  # noqa: F811
    relayed: Broker,
) -> None:
    with serving(county, county.settings, free_port()) as url:
        add(prefecture, url, county)
        added = mirror(
            prefecture,
            "add", "xinhe-kafka", "--kafka", relayed.bootstrap, "--feed", url,
            "--token", integrator_token(county), "--trust", pinned(county),
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        for name in ("xinhe", "xinhe-kafka"):
            caught = mirror(prefecture, "follow", name, "--once")
            assert caught.exit_code == 0, caught.output
    found = mirror(prefecture, "status", "--json")
    by_name = {s["name"]: s for s in json.loads(found.stdout)}
    kafka, feed = by_name["xinhe-kafka"], by_name["xinhe"]
    assert relayed.bootstrap in kafka["kafka"]
    assert "kafka" not in feed
    assert kafka["state"] == "following", kafka
    size = county.views["audit"].head("xinhe").size
    assert kafka["verified_size"] == feed["verified_size"] == size
    events = held(prefecture, "xinhe")
    assert len(events) > 4
    assert held(prefecture, "xinhe-kafka") == events
    printed = mirror(prefecture, "status", "xinhe-kafka")
    assert f"Kafka {relayed.bootstrap}" in printed.stdout
    verified = mirror(prefecture, "verify", "xinhe-kafka")
    assert verified.exit_code == 0, verified.output
