"""The Kafka source's pure parts: which topics hold a subtree, what is paged."""

from __future__ import annotations

from typing import Any

from services.mirror.kafka_source import KafkaSettings, _Buffer
from services.streams.cloudevents import CHECKPOINT_TYPE


def test_topics_holding_a_subtree_at_any_depth() -> None:
    kafka = KafkaSettings("b:9092")
    held = [
        "gongkai.case.v1",
        "gongkai.case.v1.xinhe",
        "gongkai.case.v1.xinhe.tahe",
        "gongkai.audit.v1",
    ]
    other = [
        "gongkai.case.v1.shaya",
        "gongkai.case.v2",
        "gongkai.case.v1x",
        "other.case.v1",
        "gongkai.dead.letter",
    ]
    assert [t for t in held + other if kafka.holds(t, "xinhe")] == held
    assert KafkaSettings("b", ("x.y",)).holds("x.y", "xinhe")
    assert not KafkaSettings("b", ("x.y",)).holds("gongkai.case.v1", "xinhe")
    assert KafkaSettings("b", prefix="p").holds("p.case.v1.xinhe", "xinhe.tahe")


def test_settings_round_trip_as_json() -> None:
    kafka = KafkaSettings("a:1,b:2", ("t1", "t2"), "p")
    assert KafkaSettings.from_json(kafka.to_json()) == kafka


def event(sequence: int, subject: str = "xinhe.tahe", kind: str = "x") -> Any:
    return {"sequence": str(sequence), "subject": subject, "type": kind}


def test_the_buffer_keeps_the_subtree_after_the_cursor_once() -> None:
    buffer = _Buffer()
    for e in (event(3), event(3), event(1), event(5, "shaya"), event(7)):
        buffer.add(e, after=2, top="xinhe")
    checkpoint = {
        **event(7, "xinhe", CHECKPOINT_TYPE),
        "data": {"tenant": "xinhe", "size": 4},
    }
    buffer.add(checkpoint, after=2, top="xinhe")
    assert sorted(buffer.events) == [3, 7]  # a duplicate, the cursor, another county
    assert list(buffer.checkpoints) == [("xinhe", 4)]
    buffer.forget(after=7)
    assert (buffer.events, buffer.checkpoints) == ({}, {})
