"""A county whose events a mirror reads from Kafka (its relay's topics).

Only the stream of CloudEvents comes from the broker: the leaves, keys and
consistency proofs still come from the county's audit API (services/mirror/source.py),
and so does the checkpoint-only scan of ``Mirror.step`` for checkpoints signed after
their events were read. The relay (services/streams/relay.py) sends the same
CloudEvents as the feed, signed checkpoints included (on ``<prefix>.audit.v1``), but
ordered per partition (per aggregate), not by log position. A page is therefore:

1. every partition of the county's topics read to the end it had when the step
   began (the checkpoints among them give a bound B: the relay sends a checkpoint
   only once every event up to at least its ``sequence`` is acknowledged);
2. every partition read again to its end taken after (1): all events at or below B
   are now in hand, whatever their partition;
3. the events buffered after the cursor and at or below B, ordered by ``sequence``
   (duplicates from a relay that re-sent after a crash collapse on it), and the
   checkpoints among them; the cursor moves to B (or the last event of a full page),
   never past an event not yet arrived.

The consumer has no group: it starts from the beginning of each partition in each
process and skips what the cursor has passed, so nothing is committed to the
broker and the mirror's own cursor stays the only position.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from domain.tenancy import is_within
from services.mirror.source import (
    FEED_LIMIT,
    FeedPage,
    Source,
    SourceDownError,
)
from services.streams.cloudevents import CHECKPOINT_TYPE
from services.streams.topics import TOPIC_VERSION

READ_SECONDS = 60.0  # reading the partitions to their ends takes longer: down


@dataclass(frozen=True)
class KafkaSettings:
    """Where the county's relay publishes: brokers, and its topics (named, or all
    ``<prefix>.<family>.v1[.<subtree>]`` topics holding the mirrored subtree)."""

    bootstrap: str
    topics: tuple[str, ...] = ()
    prefix: str = "gongkai"

    def to_json(self) -> str:
        return json.dumps(
            {
                "bootstrap": self.bootstrap,
                "topics": list(self.topics),
                "prefix": self.prefix,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> KafkaSettings:
        found = json.loads(text)
        return cls(
            str(found["bootstrap"]),
            tuple(str(t) for t in found.get("topics", [])),
            str(found.get("prefix") or "gongkai"),
        )

    def holds(self, topic: str, top: str) -> bool:
        """Is ``topic`` one of the county's that may hold events of ``top``?"""
        if self.topics:
            return topic in self.topics
        head = self.prefix + "."
        if not topic.startswith(head):
            return False
        family, version, tail = topic[len(head) :].partition(f".{TOPIC_VERSION}")
        if not version or not family or "." in family:
            return False
        if tail and not tail.startswith("."):
            return False
        route = tail[1:]
        return not route or is_within(route, top) or is_within(top, route)


@dataclass
class _Buffer:
    """Events of the mirrored subtree read but not yet paged, by log position."""

    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    checkpoints: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    bound: int = 0  # every event at or below it has been read

    def add(self, event: dict[str, Any], after: int, top: str) -> None:
        if not is_within(str(event.get("subject", "")), top):
            return
        sequence = int(event["sequence"])
        if sequence <= after:
            return
        if event["type"] == CHECKPOINT_TYPE:
            data = event["data"]
            self.checkpoints[(str(data["tenant"]), int(data["size"]))] = event
        else:
            self.events[sequence] = event

    def forget(self, after: int) -> None:
        self.events = {s: e for s, e in self.events.items() if s > after}
        self.checkpoints = {
            k: e for k, e in self.checkpoints.items() if int(e["sequence"]) > after
        }


class KafkaSource(Source):
    """The county's audit API over HTTP, its event pages from Kafka."""

    def __init__(
        self,
        feed: str,
        token: str,
        kafka: KafkaSettings,
        top: str,
        settings: Any,
    ) -> None:
        super().__init__(feed, token)
        self.kafka, self.top = kafka, top
        self._settings = settings.model_copy(
            update={"kafka_bootstrap_servers": kafka.bootstrap}
        )
        self._consumer: Any = None
        self._offsets: dict[Any, int] = {}  # the next offset to read, per partition
        self._buffer = _Buffer()

    def feed(
        self, after: int, limit: int = FEED_LIMIT, types: list[str] | None = None
    ) -> FeedPage:
        if types:  # the checkpoint-only scan: the feed answers it at once
            return super().feed(after, limit, types)
        from kafka.errors import KafkaError

        self._buffer.forget(after)
        try:
            self._read(after)  # (1): checkpoints give the bound
            bound = max(
                [int(e["sequence"]) for e in self._buffer.checkpoints.values()]
                + [after]
            )
            self._read(after)  # (2): every event at or below the bound
        except KafkaError as e:
            self.close()
            raise SourceDownError(f"Kafka {self.kafka.bootstrap}: {e}") from None
        events = sorted(
            (e for s, e in self._buffer.events.items() if s <= bound),
            key=lambda e: int(e["sequence"]),
        )[:limit]
        upto = int(events[-1]["sequence"]) if len(events) == limit else bound
        checkpoints = [
            e for e in self._buffer.checkpoints.values() if int(e["sequence"]) <= upto
        ]
        return FeedPage(events + checkpoints, upto)

    def _read(self, after: int) -> None:
        """Every partition of the county's topics read to its end as it is now."""
        reader = self._reader()
        partitions = self._partitions(reader)
        if not partitions:
            return
        end = reader.end_offsets(partitions)
        deadline = time.monotonic() + READ_SECONDS
        while any(reader.position(p) < end[p] for p in partitions):
            if time.monotonic() > deadline:
                raise SourceDownError(f"Kafka {self.kafka.bootstrap}: 读取超时")
            for records in reader.poll(timeout_ms=500).values():
                for record in records:
                    self._buffer.add(json.loads(record.value), after, self.top)
        for p in partitions:
            self._offsets[p] = reader.position(p)

    def _reader(self) -> Any:
        if self._consumer is None:
            from infra.kafka import consumer, require_crc32c

            require_crc32c()
            self._consumer = consumer(
                self._settings,
                client_id="gongkai-mirror",
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            self._offsets = {}  # a new consumer reads from the beginning again
        return self._consumer

    def _partitions(self, reader: Any) -> list[Any]:
        """The partitions of the county's topics, new ones (a family's first
        event, a new subtree) assigned as they appear, from their beginning."""
        from kafka import TopicPartition

        topics = sorted(t for t in reader.topics() if self.kafka.holds(t, self.top))
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(reader.partitions_for_topic(topic) or ())
        ]
        if set(partitions) != set(self._offsets):
            reader.assign(partitions)
            for p in partitions:
                start = self._offsets.setdefault(p, 0)
                if start:
                    reader.seek(p, start)
                else:
                    reader.seek_to_beginning(p)
        return partitions

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
