"""The Kafka relay against a real Kafka-protocol broker (tansu), as a real process.

An independent consumer proves at-least-once delivery with stable ids and per-key
order when the relay is SIGKILLed mid-burst, and when the broker is down at start
and then stopped (SIGSTOP) and resumed (SIGCONT) mid-stream, then killed and
restarted (a memory broker comes back empty: what was recorded meanwhile arrives).
"""

from __future__ import annotations

import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from cloudevents.v1.kafka import KafkaMessage, from_structured

from infra.settings import Settings
from services.audit.evidence import checkpoint_now
from services.platform.runtime import Platform
from services.streams.cloudevents import (
    CHECKPOINT_TYPE,
    CONTENT_TYPE,
    checkpoints_id,
    families,
    kafka_topic,
)
from services.streams.feed import Feed
from services.streams.relay import relay_positions, relay_status, run_relay
from tests.conftest import ADMIN, MutableClock, build_tree
from tests.integration.streams import (
    Broker,
    Received,
    burst,
    read_topics,
    relay_process,
    running_broker,
)
from tests.integration.test_held_checkpoints import publish

TOPICS = [kafka_topic(f) for f in families()]


@pytest.fixture
def store(
    fresh_pg_url: str, tmp_path: Path
) -> Iterator[tuple[Platform, dict[str, str]]]:
    settings = Settings(
        home=tmp_path / "home",
        database_url=fresh_pg_url,
        token_secret=secrets.token_urlsafe(32),
    )
    platform = Platform(settings)
    platform.tenants.register(
        ADMIN, code="xinhe", name="新和县", level="county", parent=None, kind=None
    )
    env = {
        "GONGKAI_HOME": str(tmp_path / "home"),
        "GONGKAI_DATABASE_URL": fresh_pg_url,
        "GONGKAI_RELAY_BATCH": "50",
        "GONGKAI_RELAY_POLL_SECONDS": "0.1",
        "GONGKAI_RELAY_BACKOFF_MAX_SECONDS": "1",
        "GONGKAI_KAFKA_TOPIC_PARTITIONS": "3",
        "GONGKAI_KAFKA_DELIVERY_TIMEOUT_MS": "3000",
    }
    try:
        yield platform, env
    finally:
        platform.close()


def wait_for(platform: Platform, position: int, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while relay_status(platform)["position"] < position:
        assert time.monotonic() < deadline, relay_status(platform)
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (the reader process and its resource tracker)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def gone(pids: list[int], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    for pid in pids:
        while Path(f"/proc/{pid}").exists() and not zombie(pid):
            assert time.monotonic() < deadline, f"process {pid} outlived the relay"
            time.sleep(0.05)


def zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0


def check_delivery(platform: Platform, received: Received, after: int = 0) -> int:
    """Everything after ``after`` arrived, re-sends are identical, each key in
    order; → the number of re-sends."""
    expected = {
        e["id"]: e
        for e in Feed(platform).page(None, after, 10_000, scan_limit=10**6).events
    }
    events = received.events
    assert {e["id"] for e in events} == set(expected)  # nothing missing, nothing else
    for event in events:
        assert event == expected[event["id"]]  # a re-send is the same event
    seen: set[str] = set()
    last: dict[bytes, int] = {}
    for message, event in zip(received.messages, events, strict=True):
        if event["id"] in seen:
            continue  # a re-send of what this key already delivered
        seen.add(event["id"])
        assert message.key == event["partitionkey"].encode()
        assert int(event["sequence"]) > last.get(message.key, 0), "per-key order"
        last[message.key] = int(event["sequence"])
    last_message = received.messages[-1]
    headers = dict(last_message.headers)
    assert headers["content-type"] == CONTENT_TYPE.encode()
    assert headers["gongkai-tenant"] == b"xinhe"
    assert headers["gongkai-type"] == events[-1]["type"].encode()
    parsed = from_structured(  # the CloudEvents SDK's own structured-mode parser
        KafkaMessage(headers, last_message.key, last_message.value)
    )
    assert parsed["id"] == events[-1]["id"]
    assert parsed.get_data() == events[-1]["data"]
    return len(events) - len(seen)


@pytest.mark.parametrize("reader_process", ["0", "1"], ids=["one", "reader"])
def test_a_relay_killed_mid_burst_resends_from_its_position_and_loses_nothing(
    store: tuple[Platform, dict[str, str]], tmp_path: Path, reader_process: str
) -> None:
    platform, env = store
    env["GONGKAI_RELAY_READER_PROCESS"] = reader_process
    with running_broker() as broker:
        env["GONGKAI_KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        log = tmp_path / "relay.log"
        relay = relay_process(env, log)
        burst(platform, 250, 3)
        wait_for(platform, 100)
        second = relay_process(env, log)  # one relay per store: this one refuses
        assert second.wait(timeout=30) == 1
        helpers = children(relay.pid)
        assert len(helpers) == (2 if reader_process == "1" else 0)  # + its tracker
        for _ in range(5):  # the burst goes on; the relay dies in the middle of it
            burst(platform, 50, 3)
            if relay.poll() is None:
                relay.send_signal(signal.SIGKILL)
                relay.wait(timeout=10)
                killed_at = relay_status(platform)["position"]
                gone(helpers)  # the reader process does not outlive the relay
        total = platform.max_position()
        assert killed_at < total
        relay = relay_process(env, log)
        wait_for(platform, total)
        stop(relay)
        received = read_topics(broker.bootstrap, TOPICS, until=total)
    resent = check_delivery(platform, received)
    assert total == 2001
    print(f"killed at {killed_at}/{total}; {resent} re-sent")
    assert "already runs" in log.read_text()


def test_the_relay_waits_for_a_broker_that_is_down_stopped_or_restarted(
    store: tuple[Platform, dict[str, str]], tmp_path: Path
) -> None:
    platform, env = store
    broker = Broker()
    env["GONGKAI_KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
    relay = relay_process(env, tmp_path / "relay.log")
    try:
        burst(platform, 250, 3)
        time.sleep(1.5)  # the broker is down: the relay backs off
        assert relay_status(platform)["position"] == 0
        broker.start()
        wait_for(platform, 200)
        broker.pause()  # stopped mid-stream: nothing answers
        burst(platform, 250, 3)
        time.sleep(4)
        paused_at = relay_status(platform)["position"]
        broker.resume()
        total = platform.max_position()
        assert paused_at < total
        wait_for(platform, total)
        received = read_topics(broker.bootstrap, TOPICS, until=total)
        check_delivery(platform, received)
        # Killed and restarted: a memory broker comes back empty, without topics.
        broker.stop()
        burst(platform, 50, 3)
        time.sleep(1)
        broker.start()
        wait_for(platform, platform.max_position())
        stop(relay)
        after_restart = read_topics(broker.bootstrap, TOPICS, until=200)
    finally:
        if relay.poll() is None:
            relay.kill()
        broker.stop()
    check_delivery(platform, after_restart, after=total)
    assert "broker unavailable" in (tmp_path / "relay.log").read_text()


def test_every_key_s_sequence_only_grows_and_every_id_is_its_aggregate_and_version(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    """A county's checkpoint signed before its ledger witnessed a child's: on its
    own key, with its own id, not after the witness record on the ledger's."""
    with running_broker() as broker:
        settings = Settings(
            home=tmp_path / "home",
            database_url=fresh_pg_url,
            token_secret=secrets.token_urlsafe(32),
            kafka_bootstrap_servers=broker.bootstrap,
            relay_poll_seconds=0.05,
        )
        platform = Platform(settings, clock=MutableClock())
        platform.start_projections()
        stop = threading.Event()
        relay = threading.Thread(
            target=run_relay, args=(settings, stop), kwargs={"build": Platform}
        )
        try:
            build_tree(platform)
            publish(platform, "新和县2026年1月财务收支")
            checkpoint_now(platform, "xinhe")
            checkpoint_now(platform, "xinhe.tahe")  # witnessed in xinhe's ledger
            checkpoint_now(platform, "xinhe")
            expected = Feed(platform).page(None, 0, 10_000, scan_limit=10**6).events
            signed = {
                e["subject"]: e["data"]["size"]
                for e in expected
                if e["type"] == CHECKPOINT_TYPE
            }
            relay.start()
            deadline = time.monotonic() + 30
            while relay_positions(platform).published_sizes() != signed:
                assert time.monotonic() < deadline, relay_status(platform)
                time.sleep(0.1)
            received = read_topics(broker.bootstrap, TOPICS, until=len(expected))
        finally:
            stop.set()
            relay.join(timeout=20)
            platform.close()
    assert {e["id"] for e in received.events} == {e["id"] for e in expected}
    last: dict[bytes, int] = {}
    for message, event in zip(received.messages, received.events, strict=True):
        aggregate, _, version = event["id"].partition(":")
        assert message.key == aggregate.encode() == event["partitionkey"].encode()
        if event["type"] == CHECKPOINT_TYPE:
            assert aggregate == str(checkpoints_id(event["subject"]))
            assert int(version) == event["data"]["size"]
        else:
            assert UUID(aggregate) == UUID(event["data"]["aggregate_id"])
            assert int(version) == event["data"]["version"]
        sequence = int(event["sequence"])
        assert sequence > last.get(message.key, 0), f"{event['id']} went back"
        last[message.key] = sequence
    county = [
        e["data"]["size"]
        for e in received.events
        if e["type"] == CHECKPOINT_TYPE and e["subject"] == "xinhe"
    ]
    assert len(county) == 2  # both county checkpoints, on their own key, in order
    assert county == sorted(county)
