"""Topic routing per subtree (GONGKAI_KAFKA_TOPIC_DEPTH, _PREFIX) on a real broker.

At depth 2 each event goes to ``<prefix>.<family>.v1.<county>[.<township>]``, so a
broker's ACL on a township's topics gives its integrator that subtree and nothing
else; ``gongkai subscribe --kafka`` and ``audit verify --kafka`` find the topics.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import date
from pathlib import Path

from kafka import KafkaAdminClient

from domain.access import Role
from domain.tenancy import is_within
from infra.settings import Settings
from services.audit.evidence import checkpoint_now
from services.audit.held_checkpoints import lines_from_kafka
from services.platform.runtime import Platform
from services.streams.cloudevents import CHECKPOINT_TYPE, family_of_type
from services.streams.feed import Feed
from services.streams.relay import relay_positions, relay_status, run_relay
from services.streams.subscribe import Selection, from_kafka
from services.streams.topics import TopicRouting
from tests.conftest import MutableClock, build_tree, principal
from tests.integration.streams import Broker, read_topics


def publish(platform: Platform, tenant: str, title: str) -> None:
    platform.disclosures.publish(
        principal(tenant, Role.CLERK),
        tenant,
        category="common.finance",
        title=title,
        body="一、收入合计12.6万元。",
        channels=["网站"],
        formed_on=date(2026, 2, 27),
    )


def test_each_subtree_has_its_topics_and_a_township_reads_only_its_own(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    routing = TopicRouting("gk-test", 2)
    broker = Broker()  # started once the relay runs: its first topics wait for it
    try:
        settings = Settings(
            home=tmp_path / "home",
            database_url=fresh_pg_url,
            token_secret=secrets.token_urlsafe(32),
            kafka_bootstrap_servers=broker.bootstrap,
            kafka_topic_prefix=routing.prefix,
            kafka_topic_depth=routing.depth,
            kafka_topic_partitions=2,
            relay_batch=7,  # several batches, read ahead while one is sent
            relay_poll_seconds=0.05,
            relay_backoff_max_seconds=0.5,
        )
        platform = Platform(settings, clock=MutableClock())
        platform.start_projections()
        stop = threading.Event()
        relay = threading.Thread(
            target=run_relay, args=(settings, stop), kwargs={"build": Platform}
        )
        try:
            build_tree(platform)
            publish(platform, "xinhe", "新和县2026年1月财务收支")
            publish(platform, "xinhe.tahe.tuanjie", "团结村2026年1月财务收支")
            publish(platform, "wensu.jiamu", "佳木镇2026年1月财务收支")
            for tenant in ("xinhe.tahe", "xinhe", "wensu"):
                checkpoint_now(platform, tenant)
            expected = Feed(platform).page(None, 0, 10_000, scan_limit=10**6).events
            signed = {
                e["subject"]: e["data"]["size"]
                for e in expected
                if e["type"] == CHECKPOINT_TYPE
            }
            relay.start()
            time.sleep(1)  # the relay finds no broker to make its topics on
            broker.start()
            deadline = time.monotonic() + 60
            while relay_positions(platform).published_sizes() != signed:
                assert time.monotonic() < deadline, relay_status(platform)
                time.sleep(0.1)
            admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
            try:
                topics = sorted(admin.list_topics())
            finally:
                admin.close()
            received = read_topics(broker.bootstrap, topics, until=len(expected))
            township = list(from_kafka(settings, Selection(tenant="xinhe.tahe")))
            held = [line for line in lines_from_kafka(settings) if line]
        finally:
            stop.set()
            if relay.is_alive():
                relay.join(timeout=20)
            platform.close()
    finally:
        broker.stop()
    assert "gk-test.disclosure.v1.xinhe.tahe" in topics
    assert "gk-test.disclosure.v1.wensu.jiamu" in topics
    assert "gk-test.case.v1" not in topics  # no topic per family: per subtree only
    assert not [t for t in topics if t.startswith("gongkai.")]
    # Every event exactly once, on the topic of its family and subtree.
    assert sorted(e["id"] for e in received.events) == sorted(e["id"] for e in expected)
    for message, event in zip(received.messages, received.events, strict=True):
        family = family_of_type(event["type"])
        assert message.topic == routing.topic(family, event["subject"])
    on_tahe = {
        e["subject"]
        for m, e in zip(received.messages, received.events, strict=True)
        if m.topic.endswith(".v1.xinhe.tahe")
    }
    assert on_tahe == {"xinhe.tahe", "xinhe.tahe.tuanjie", "xinhe.tahe.xingfu"} | {
        "xinhe.tahe.school-1"
    }
    # What a township's ACL lets it read is its subtree (the village's item and
    # the township's checkpoint included), and the readers find their topics.
    mine = [e for e in expected if is_within(e["subject"], "xinhe.tahe")]
    assert sorted(e["id"] for e in township) == sorted(e["id"] for e in mine)
    assert any(e["type"] == CHECKPOINT_TYPE for e in township)
    assert len([h for h in held if CHECKPOINT_TYPE in h]) == len(signed)
