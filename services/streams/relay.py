"""``gongkai relay``: the log and its signed checkpoints to Kafka, as CloudEvents.

A worker like the audit follower: it reads the raw notification log after its
committed position, sends each event (redacted, services/streams/cloudevents.py) to its
family's topic keyed by aggregate id, and commits the new position in the store
only once the broker acknowledged the whole batch. After a crash it re-sends from
the committed position with the same ids: at-least-once, effectively once for a
consumer that remembers ids. While the broker is down it backs off and retries the
same batch. Signed checkpoints go to ``gongkai.audit.v1`` once the events they
cover are out, keyed by their tenant's checkpoint series (so a key's ``sequence``
only grows), each tenant's published size tracked like the position.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from pydantic_core import from_json, to_json

from infra.kafka import BrokerUnavailableError, Message, ensure_topics
from infra.runlock import ProjectionLock
from projections.audit import AuditView
from projections.sql import PostgresSqlView, SQLiteSqlView, SqlView
from services.core.ports import Running
from services.core.views import AUDIT_NAME, ProjectionSpec
from services.streams.cloudevents import (
    families,
    family_of_type,
    kafka_headers,
    withheld_types,
    withhold,
)
from services.streams.feed import Feed
from services.streams.relay_reader import (
    READER_CONNECTIONS,
    Encoded,
    LocalReader,
    ReadBatch,
    ReaderProcess,
)
from services.streams.topics import TopicRouting

log = logging.getLogger("gongkai.relay")

RELAY_NAME = "relay"
POSITION = "gongkai"  # tracking name of the relayed log position
CHECKPOINT = "checkpoint:"  # + tenant: tracking of the tenant's published size


class RelayPositions(SqlView):
    """The relay's committed positions (one tracking row per stream)."""

    tracking_table_name = "relay_tracking"

    def published_sizes(self) -> dict[str, int]:
        rows = self._query(
            f"SELECT application_name, notification_id FROM {self.tracking_table_name}"
            " WHERE application_name LIKE ?",
            [CHECKPOINT + "%"],
        )
        return {
            r["application_name"][len(CHECKPOINT) :]: int(r["notification_id"])
            for r in rows
        }


class PostgresRelayPositions(RelayPositions, PostgresSqlView):
    pass


class SQLiteRelayPositions(RelayPositions, SQLiteSqlView):
    pass


RELAY = ProjectionSpec(Projection, PostgresRelayPositions, SQLiteRelayPositions)


def relay_positions(platform: Running) -> RelayPositions:
    view = platform.views.get(RELAY_NAME)
    if view is None:
        view = platform.construct_view(RELAY, RELAY_NAME)
        platform.views[RELAY_NAME] = view
    return view  # type: ignore[return-value]


def relay_status(platform: Running) -> dict[str, Any]:
    """Where the relay stands: its committed position and how far behind the log."""
    position = relay_positions(platform).max_tracking_id(POSITION) or 0
    return {"position": position, "lag": max(platform.max_position() - position, 0)}


class Sink(Protocol):
    def send(self, messages: list[Message]) -> list[Any]: ...

    def wait(self, futures: list[Any]) -> None: ...

    def send_all(self, messages: list[Message]) -> None: ...

    def close(self) -> None: ...


@dataclass
class InFlight:
    """A batch handed to the producer, not yet acknowledged."""

    futures: list[Any]
    last: int
    count: int


def encode(cloudevent: dict[str, Any], routing: TopicRouting | None = None) -> Message:
    """The Kafka message of a CloudEvent: structured mode, UTF-8 JSON, on its
    family's topic (of its subtree, with a routing depth)."""
    routing = routing or TopicRouting()
    return Message(
        topic=routing.topic(family_of_type(cloudevent["type"]), cloudevent["subject"]),
        key=str(cloudevent["partitionkey"]).encode(),
        value=to_json(cloudevent),
        headers=kafka_headers(cloudevent),
    )


@dataclass
class Backoff:
    """Exponential waits from ``first`` to ``most`` seconds, reset on success."""

    first: float = 0.2
    most: float = 30.0
    current: float = 0.0

    def next(self) -> float:
        self.current = min(self.most, self.current * 2 if self.current else self.first)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


class Relay:
    """Follows the log into a sink; ``run`` until ``stop`` is set."""

    checkpoint_seconds = 1.0  # how often new signed checkpoints are looked for

    def __init__(
        self,
        platform: Running,
        sink: Sink,
        *,
        ensure: Callable[[], object] | None = None,
        reader_process: bool | None = None,
    ) -> None:
        self.platform = platform
        self.settings = platform.settings
        self.sink = sink
        self.positions = relay_positions(platform)
        self.feed = Feed(platform)
        self.audit: AuditView = platform.views[AUDIT_NAME]  # type: ignore[assignment]
        self.backoff = Backoff(most=self.settings.relay_backoff_max_seconds)
        self._ensure = ensure or self._ensure_topics
        self.routing = TopicRouting.of(self.settings)
        # Subtree topics known to exist (depth > 0): each new one is created
        # before the first message is sent to it.
        self._topics: set[str] = set()
        self._create = ensure is None
        self.sent = 0
        self._reported = 0.0
        self._inflight: InFlight | None = None
        self._reading: Future[ReadBatch] | None = None  # the next batch, read ahead
        self._checkpoints_at = 0.0
        self._sent_upto = 0
        if reader_process is None:
            reader_process = self.settings.relay_reader_process
        self.reader: LocalReader | ReaderProcess = (
            ReaderProcess(self.settings)
            if reader_process
            else LocalReader(self._select)
        )

    def _select(self, after: int, limit: int) -> Sequence[Any]:
        return self.platform.tenants.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )

    def close(self) -> None:
        """Stop the reader process, if there is one."""
        self.reader.close()

    def restart(self) -> None:
        """Forget what is in flight and read ahead: re-send from the committed
        position (after the broker failed)."""
        self._inflight = None
        self._reading = None

    def _ensure_topics(self) -> object:
        if self.routing.depth:
            return None  # subtree topics are made as their first events come
        return self._create_topics([self.routing.family_topic(f) for f in families()])

    def _create_topics(self, topics: list[str]) -> object:
        return ensure_topics(
            self.settings,
            topics,
            self.settings.kafka_topic_partitions,
            self.settings.kafka_topic_replication,
        )

    def _send(self, messages: list[Message]) -> list[Any]:
        """Hand messages to the sink, once the subtree topics they need exist."""
        if self.routing.depth and self._create:
            new = sorted({m.topic for m in messages} - self._topics)
            if new:
                try:
                    self._create_topics(new)
                except Exception as e:  # e.g. NoBrokersAvailable: back off, re-send
                    if not type(e).__module__.startswith("kafka"):
                        raise
                    raise BrokerUnavailableError(str(e) or type(e).__name__) from e
                self._topics.update(new)
        return self.sink.send(messages)

    @property
    def position(self) -> int:
        return self.positions.max_tracking_id(POSITION) or 0

    def step(self) -> int:
        """Hand the next batch to the producer (read and mapped while the previous
        one was sent), then wait for the previous one's acks and commit its position
        (so reading, mapping and sending overlap); returns the events sent. Then,
        once a second at most, new checkpoints whose events are acknowledged."""
        if self._inflight is None and self._reading is None:
            self._sent_upto = self.position
        start = self._sent_upto
        reading = self._reading or self.reader.read(start, self.settings.relay_batch)
        read = reading.result()
        # Read ahead: the next batch is read and mapped while this one is sent.
        self._reading = (
            self.reader.read(read.last, self.settings.relay_batch)
            if read.count
            else None
        )
        current = None
        if read.count:
            messages = self._messages(read.items)
            current = InFlight(self._send(messages), read.last, read.count)
            self._sent_upto = read.last
        previous, self._inflight = self._inflight, current
        if previous is not None:
            self._settle(previous)
        now = time.monotonic()
        if now - self._checkpoints_at >= self.checkpoint_seconds:
            self._checkpoints_at = now  # also under load, once a second at most
            self._send_checkpoints(previous.last if previous else start)
        return read.count

    def _messages(self, items: Sequence[Encoded | Any]) -> list[Message]:
        """The Kafka messages of a batch's read items (encoded by the reader
        process, or notifications to map here); the content of items withdrawn
        for personal data left out (one look-up for the batch, none without a
        publication or correction in it)."""
        mapped = [
            item if type(item) is tuple else self.feed.cloudevent(item)
            for item in items
        ]
        types = withheld_types()
        maybe = {i: key for i, m in enumerate(mapped) if (key := _item_of(m, types))}
        gone = self.feed.withheld(maybe.values())
        messages = []
        for i, m in enumerate(mapped):
            if type(m) is tuple:
                if maybe.get(i) in gone:
                    messages.append(encode(withhold(from_json(m[2])), self.routing))
                else:
                    family, key, value, headers = m
                    topic = self.routing.topic(family, _tenant(headers))
                    messages.append(Message(topic, key, value, headers))
            else:
                event = withhold(m) if maybe.get(i) in gone else m
                messages.append(encode(event, self.routing))
        return messages

    def _settle(self, inflight: InFlight) -> None:
        try:
            self.sink.wait(inflight.futures)
        except BrokerUnavailableError:
            self.restart()  # re-send from the committed position
            raise
        self.positions.insert_tracking(Tracking(POSITION, inflight.last))
        self.sent += inflight.count

    def flush(self) -> None:
        """Wait for and commit what is in flight (what was read ahead is read
        again by the next relay)."""
        self._reading = None
        inflight, self._inflight = self._inflight, None
        if inflight is not None:
            self._settle(inflight)

    def _send_checkpoints(self, upto: int) -> None:
        published = self.positions.published_sizes()
        due = [
            row
            for row in self.audit.checkpoints_covering(0, upto)
            if int(row["size"]) > published.get(row["tenant"], 0)
        ]
        if not due:
            return
        messages = [encode(self.feed.checkpoint(row), self.routing) for row in due]
        self.sink.wait(self._send(messages))
        newest: dict[str, int] = {}
        for row in due:
            newest[row["tenant"]] = max(newest.get(row["tenant"], 0), int(row["size"]))
        for tenant, size in newest.items():
            self.positions.insert_tracking(Tracking(CHECKPOINT + tenant, size))

    def run(self, stop: threading.Event) -> None:
        ensured = False
        while not stop.is_set():
            try:
                if not ensured:
                    self._ensure()
                    ensured = True
                sent = self.step()
                self.backoff.reset()
            except BrokerUnavailableError as e:
                self.restart()  # re-send from the committed position
                ensured = False  # a restarted broker may have lost its topics
                self._topics.clear()
                wait = self.backoff.next()
                log.warning("broker unavailable (%s); retrying in %.1fs", e, wait)
                stop.wait(wait)
                continue
            except Exception as e:  # e.g. NoBrokersAvailable while creating topics
                if type(e).__module__.startswith("kafka"):
                    wait = self.backoff.next()
                    log.warning("broker unavailable (%r); retrying in %.1fs", e, wait)
                    stop.wait(wait)
                    continue
                raise
            self._report()
            if sent == 0:
                stop.wait(self.settings.relay_poll_seconds)
        with contextlib.suppress(BrokerUnavailableError):
            self.flush()

    def _report(self, every: float = 10.0) -> None:
        now = time.monotonic()
        if now - self._reported >= every:
            self._reported = now
            status = relay_status(self.platform)
            log.info(
                "relay at position %d, lag %d, sent %d",
                status["position"],
                status["lag"],
                self.sent,
            )


def _tenant(headers: list[tuple[str, bytes]]) -> str:
    """The ``gongkai-tenant`` header of an encoded message (its subject)."""
    return next(v for k, v in headers if k == "gongkai-tenant").decode()


def _item_of(mapped: Encoded | dict[str, Any], types: frozenset[str]) -> str | None:
    """The disclosure id of an event whose content may be withheld, else None."""
    if type(mapped) is tuple:
        family, key, _, headers = mapped
        if family != "disclosure":
            return None
        kind = next((v for k, v in headers if k == "gongkai-type"), b"").decode()
        return key.decode() if kind in types else None
    event: dict[str, Any] = mapped  # type: ignore[assignment]
    return str(event["partitionkey"]) if event["type"] in types else None


def relay_lock(platform: Running) -> ProjectionLock:
    """One relay per store (the same discipline as the projection runners)."""
    return ProjectionLock(platform.settings, RELAY_NAME)


def run_relay(
    settings: Any,
    stop: threading.Event | None = None,
    *,
    build: Callable[[Any], Running],
) -> None:
    """The ``gongkai relay`` process: lock, follow, publish until stopped.

    ``build`` makes the platform from the settings (the caller's
    ``services.platform.runtime.Platform``, which the streams cannot import).

    Raises ProjectionsBusyError if another relay runs on this store, ValueError if
    no broker is configured.
    """
    import signal

    from infra.kafka import KafkaSink, client_config

    client_config(settings)  # refuse early without GONGKAI_KAFKA_BOOTSTRAP_SERVERS
    if settings.store_kind == "postgresql" and settings.relay_reader_process:
        # The reader process's one connection comes out of the relay's budget.
        budget = settings.pg_connections - READER_CONNECTIONS
        settings = settings.model_copy(update={"pg_connections": budget})
    stop = stop or threading.Event()
    platform = build(settings)
    lock = relay_lock(platform)
    sink = KafkaSink(settings)
    # The relay makes objects at the rate it sends; each full pass of the cyclic
    # collector would also walk the hundreds of thousands that start-up left (the
    # applications, views, schemas, kafka-python): freeze those out of its sight.
    gc.freeze()
    try:
        lock.acquire()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        status = relay_status(platform)
        log.info(
            "relay following the log from position %d (lag %d) to %s",
            status["position"],
            status["lag"],
            settings.kafka_bootstrap_servers,
        )
        relay = Relay(platform, sink)
        try:
            relay.run(stop)
        finally:
            relay.close()
    finally:
        sink.close()
        lock.release()
        platform.close()
