"""Topic names of the routing per subtree (services/streams/topics.py)."""

from __future__ import annotations

from services.streams.topics import TopicRouting


def test_topic_names_parse_back_and_select_a_subtree() -> None:
    flat, deep = TopicRouting(), TopicRouting("gongkai", 1)
    assert flat.topic("case", "xinhe.tahe") == "gongkai.case.v1"
    assert deep.topic("case", "xinhe.tahe") == "gongkai.case.v1.xinhe"
    assert deep.parse("gongkai.case.v1.xinhe") == ("case", "xinhe")
    assert deep.parse("gongkai.case.v1") is None  # a flat topic is not one of these
    assert deep.parse("gongkai.case.v1.xinhe.tahe") is None  # deeper than 1
    assert deep.parse("other.case.v1.xinhe") is None
    broker = [
        "gongkai.case.v1.xinhe",
        "gongkai.case.v1.wensu",
        "gongkai.audit.v1.xinhe",
    ]
    assert deep.holding(broker, ["case"], "xinhe.tahe") == ["gongkai.case.v1.xinhe"]
    assert deep.holding(broker, ["case", "audit"], None) == sorted(broker)
    two = TopicRouting("gongkai", 2)
    assert two.topic("case", "xinhe") == "gongkai.case.v1.xinhe"
    assert two.holding(
        ["gongkai.case.v1.xinhe", "gongkai.case.v1.xinhe.tahe", "gongkai.case.v1.x"],
        ["case"],
        "xinhe",
    ) == ["gongkai.case.v1.xinhe", "gongkai.case.v1.xinhe.tahe"]


def test_the_default_flat_topics_parse_back_too() -> None:
    """`gongkai audit verify --kafka` and `subscribe --kafka` find the flat topics."""
    flat = TopicRouting()
    assert flat.parse("gongkai.audit.v1") == ("audit", "")
    assert flat.parse("gongkai.audit.v1.xinhe") is None  # a subtree topic is not
    topics = ["gongkai.audit.v1", "gongkai.case.v1", "__consumer_offsets"]
    assert flat.holding(topics, ["audit"], None) == ["gongkai.audit.v1"]
    assert flat.holding(topics, ["case"], "xinhe.tahe") == ["gongkai.case.v1"]
