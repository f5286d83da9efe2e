"""The relay's partitioner puts every key where kafka-python's default one does."""

from __future__ import annotations

from uuid import uuid4

from kafka.partitioner.default import DefaultPartitioner

from infra.kafka import KeyHashCache


class Cluster:
    """The two questions a partitioner asks of the cluster's metadata."""

    def __init__(self, partitions: dict[str, set[int]]) -> None:
        self.partitions = partitions

    def topics(self) -> set[str]:
        return set(self.partitions)

    def partitions_for_topic(self, topic: str) -> set[int]:
        return self.partitions[topic]

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return self.partitions[topic]


def test_same_partition_as_the_default_for_every_key_and_partition_count() -> None:
    ours, theirs = KeyHashCache(size=50), DefaultPartitioner()
    keys = [str(uuid4()).encode() for _ in range(200)] + [b"", b"xinhe", "县".encode()]
    for count in (1, 2, 3, 7, 12):
        cluster = Cluster({"gongkai.case.v1": set(range(count))})
        for key in keys * 2:  # the second time from the cache (and past its size)
            expected = theirs.partition("gongkai.case.v1", key, key, None, b"", cluster)
            got = ours.partition("gongkai.case.v1", key, key, None, b"", cluster)
            assert got == expected, (count, key)


def test_partitions_follow_the_metadata_when_a_topic_grows() -> None:
    ours, theirs = KeyHashCache(), DefaultPartitioner()
    cluster = Cluster({"t": {0, 1, 2}})
    key = str(uuid4()).encode()
    ours.partition("t", key, key, None, b"", cluster)
    cluster.partitions["t"] = set(range(8))
    assert ours.partition("t", key, key, None, b"", cluster) == theirs.partition(
        "t", key, key, None, b"", cluster
    )


def test_keyless_messages_go_to_some_partition() -> None:
    cluster = Cluster({"t": {0, 1, 2}})
    assert KeyHashCache().partition("t", None, None, None, b"", cluster) in {0, 1, 2}
