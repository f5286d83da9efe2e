"""The fast path (stored JSON → CloudEvent) sends exactly what the slow path sends.

For every stored event of the frozen corpora, of a scenario with every event type
and of the demo, the relay's Kafka message (topic, key, value bytes, headers) from
the fast path equals the one from decoding the domain event and mapping it; events
at an older class version, and stores that compress or encrypt, take the slow path.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    Notification,
    UUIDAsHex,
)
from eventsourcing.utils import Environment, resolve_topic
from pydantic_core import to_jsonable_python

from domain.access import Role
from infra.kafka import KafkaSink
from infra.settings import Settings
from services.core.base import DateAsISO
from services.demo.builder import SimClock, load_demo
from services.platform.runtime import Platform
from services.streams.cloudevents import CHECKPOINT_TYPE, iso, streamed
from services.streams.feed import Feed
from services.streams.relay import Relay, encode
from services.streams.relay_reader import _Worker
from services.streams.stored_cloudevents import NotMappableError, StoredMapping
from tests.conftest import MutableClock, principal
from tests.fixtures.corpus.corpus import corpus_dirs, insert_events, load_events
from tests.integration.scenario import VILLAGE, every_event_type


def assert_same_as_slow_path(platform: Platform) -> tuple[int, int]:
    """(fast, slow) counts; every message identical to the slow path's."""
    feed = Feed(platform)
    fast = slow = 0
    notifications = platform.tenants.recorder.select_notifications(start=0, limit=10**6)
    for n in notifications:
        if not streamed(n.topic):
            continue
        decoded = feed.decoded(n)
        expected = encode(decoded)
        assert encode(feed.cloudevent(n)) == expected, (n.id, n.topic)
        try:
            got = feed.stored._fast(n)
        except NotMappableError:
            slow += 1
            continue
        fast += 1
        assert encode(got) == expected, (n.id, n.topic)
        assert got == decoded, (n.id, n.topic)  # the same plain JSON values too
    return fast, slow


def stored_older(event: dict[str, Any]) -> bool:
    stored = json.loads(event["state"]).get("class_version", 1)
    return bool(stored != getattr(resolve_topic(event["topic"]), "class_version", 1))


@pytest.mark.parametrize("directory", corpus_dirs(), ids=lambda d: d.name)
def test_every_corpus_event_maps_the_same_on_the_fast_path(
    settings: Settings, directory: Path
) -> None:
    platform = Platform(settings, clock=MutableClock())
    try:
        events = load_events(directory)
        insert_events(platform, events)
        fast, slow = assert_same_as_slow_path(platform)
    finally:
        platform.close()
    # Exactly the events stored at an older class version go the slow way.
    older = [e for e in events if streamed(e["topic"]) and stored_older(e)]
    assert fast > 0
    assert slow == len(older)


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
def test_every_event_type_maps_the_same_on_the_fast_path(platform: Platform) -> None:
    every_event_type(platform)
    fast, slow = assert_same_as_slow_path(platform)
    assert fast > 0
    assert slow == 0  # everything was written by this release


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_demo_maps_the_same_on_the_fast_path(settings: Settings) -> None:
    clock = SimClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    platform = Platform(settings, clock=clock)
    try:
        load_demo(platform, clock, end=date(2026, 3, 1))
        fast, slow = assert_same_as_slow_path(platform)
    finally:
        platform.close()
    assert fast > 1000
    assert slow == 0


def test_a_store_that_compresses_or_encrypts_takes_the_slow_path() -> None:
    def slow(notification: Any) -> dict[str, Any]:
        return {"slow": notification}

    key = AESCipher.create_key(16)
    for mapper in (
        Mapper(JSONTranscoder(), compressor=ZlibCompressor()),
        Mapper(
            JSONTranscoder(), cipher=AESCipher(Environment(env={"CIPHER_KEY": key}))
        ),
    ):
        mapping = StoredMapping(mapper, "example.org", None, slow)
        assert not mapping.enabled
        assert mapping.cloudevent("n") == {"slow": "n"}


def test_a_utc_moment_maps_from_its_stored_text_as_from_the_datetime() -> None:
    """The shortcut for stored UTC datetimes equals ``iso`` and pydantic's form."""
    moments = [datetime(2026, 3, 2, 2, 14, tzinfo=UTC)]
    moments += [moments[0].replace(microsecond=us) for us in (1, 10, 120000, 999999)]
    moments += [datetime(1999, 12, 31, 23, 59, 59, 500, tzinfo=UTC)]
    mapping = StoredMapping(feed_mapper(), "example.org", None, lambda n: {})
    assert mapping.utc
    for moment in moments:
        stored = {"_type_": "datetime_iso", "_data_": moment.isoformat()}
        assert mapping._utc(stored), stored
        assert mapping._time(stored) == iso(moment)
        assert mapping._jsonable(stored) == to_jsonable_python(moment)
    for text in ("2026-03-02T02:14:00.000000+00:00", "2026-03-02T10:14:00+08:00"):
        stored = {"_type_": "datetime_iso", "_data_": text}
        assert not mapping._utc(stored)  # decoded, then mapped as the slow path does
        assert mapping._time(stored) == iso(datetime.fromisoformat(text))


def feed_mapper() -> Mapper[Any]:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder)


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
def test_the_reader_process_hands_the_relay_what_it_would_send_itself(
    platform: Platform, settings: Settings
) -> None:
    """The reader process's code, run here: each message equals the relay's own
    and the feed's; what it cannot map (a filed case needs the vault) comes back
    to map here. An item withdrawn for personal data goes out without its content,
    by either reader, as in the feed."""
    every_event_type(platform)
    clerk = principal(VILLAGE, Role.CLERK)
    private = platform.disclosures.publish(
        clerk,
        VILLAGE,
        category="common.finance",
        title="团结村低保金发放名单",
        body="低保户张三丰本月领取610元。",
        channels=["公开栏"],
        formed_on=date(2026, 2, 10),
    ).id
    last = platform.disclosures.withdraw(
        clerk, VILLAGE, private, reason="误发：涉及个人隐私", personal_data=True
    )
    assert platform.wait("disclosures", last.position)
    relay = Relay(
        platform, KafkaSink(settings), ensure=lambda: None, reader_process=False
    )
    worker = _Worker(settings)
    try:
        read = worker.read(0, 10**6)
    finally:
        worker.app.close()
    notifications = platform.tenants.recorder.select_notifications(0, 10**6)
    expected = [
        encode(e)
        for e in Feed(platform).page(None, 0, 10**6, scan_limit=10**6).events
        if e["type"] != CHECKPOINT_TYPE
    ]
    assert relay._messages(read.items) == expected
    local = relay.reader.read(0, 10**6).result()
    assert relay._messages(local.items) == expected
    withheld = [
        json.loads(m.value)["data"] for m in expected if m.key == str(private).encode()
    ]
    assert [d.get("withheld") for d in withheld] == [True, None]  # and the withdrawal
    assert withheld[0]["body"] == ""
    assert withheld[1]["personal_data"] is True
    assert "张三丰".encode() not in b"".join(m.value for m in expected)
    assert (read.last, read.count) == (notifications[-1].id, len(notifications))
    handed_back = [i for i in read.items if isinstance(i, Notification)]
    assert handed_back  # Case.Filed
    assert {n.topic for n in handed_back} == {"domain.cases:Case.Filed"}
