"""Kafka clients as Gongkai configures them: settings → kafka-python, topics, a sink.

The producer is idempotent (``enable_idempotence=True``, set explicitly) with
``acks="all"``; the ``crc32c`` package makes kafka-python checksum record batches in
C rather than pure Python (about 3x faster), so its absence is an error here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.partitioner.default import DefaultPartitioner, murmur2

from infra.settings import Settings

log = logging.getLogger("gongkai.kafka")

Headers = list[tuple[str, bytes]]


class BrokerUnavailableError(Exception):
    """The broker did not acknowledge every message (down, slow or refusing)."""


def require_crc32c() -> None:
    try:
        import crc32c  # noqa: F401
    except ImportError as e:  # pragma: no cover - a dependency of the package
        msg = "the crc32c package is missing: pip install crc32c"
        raise RuntimeError(msg) from e


def client_config(settings: Settings) -> dict[str, Any]:
    """Connection and security settings shared by producers, consumers and admins."""
    if not settings.kafka_bootstrap_servers:
        msg = "set GONGKAI_KAFKA_BOOTSTRAP_SERVERS (host:port)"
        raise ValueError(msg)
    config: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers.split(","),
        "security_protocol": settings.kafka_security_protocol,
        "client_id": settings.kafka_client_id,
    }
    optional = {
        "sasl_mechanism": settings.kafka_sasl_mechanism,
        "sasl_plain_username": settings.kafka_sasl_plain_username,
        "sasl_plain_password": settings.kafka_sasl_plain_password.get_secret_value()
        if settings.kafka_sasl_plain_password
        else None,
        "ssl_cafile": settings.kafka_ssl_cafile,
        "ssl_certfile": settings.kafka_ssl_certfile,
        "ssl_keyfile": settings.kafka_ssl_keyfile,
    }
    config.update({k: v for k, v in optional.items() if v})
    return config


class KeyHashCache(DefaultPartitioner):  # type: ignore[misc]
    """kafka-python's default partitioner (Kafka's murmur2 of the key, as the Java
    client computes it, so every client agrees where a key goes), with each key's
    hash kept: the relay sends many events per aggregate id, and the pure-Python
    murmur2 was a large share of sending one message."""

    def __init__(self, size: int = 100_000) -> None:
        super().__init__()
        self.size = size
        self._hashes: dict[bytes, int] = {}

    def partition(
        self,
        topic: str,
        key: Any,
        serialized_key: bytes | None,
        value: Any,
        serialized_value: Any,
        cluster: Any,
    ) -> int:
        if serialized_key is None:
            return int(
                super().partition(
                    topic, key, serialized_key, value, serialized_value, cluster
                )
            )
        if topic not in cluster.topics():
            raise ValueError(f"Topic {topic} not found in ClusterMetadata")
        hashed = self._hashes.get(serialized_key)
        if hashed is None:
            if len(self._hashes) >= self.size:
                self._hashes.clear()
            hashed = self._hashes[serialized_key] = murmur2(serialized_key) & 0x7FFFFFFF
        partitions = sorted(cluster.partitions_for_topic(topic))
        return int(partitions[hashed % len(partitions)])


def producer_config(settings: Settings) -> dict[str, Any]:
    delivery = settings.kafka_delivery_timeout_ms
    return {
        **client_config(settings),
        "partitioner": KeyHashCache(),
        "enable_idempotence": True,  # explicit: no duplicates from internal retries
        "acks": "all",
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "max_in_flight_requests_per_connection": 5,
        "delivery_timeout_ms": delivery,
        "request_timeout_ms": min(30_000, delivery // 2),
        "max_block_ms": min(60_000, delivery),
        "reconnect_backoff_max_ms": 5_000,
    }


def consumer(settings: Settings, *topics: str, **overrides: Any) -> KafkaConsumer:
    config = {**client_config(settings), "client_id": "gongkai-subscriber"}
    config.update(overrides)
    return KafkaConsumer(*topics, **config)


def ensure_topics(
    settings: Settings, topics: Iterable[str], partitions: int, replication: int
) -> list[str]:
    """Create the topics that are missing; returns those created."""
    admin = KafkaAdminClient(**client_config(settings))
    try:
        existing = set(admin.list_topics())
        missing = sorted(set(topics) - existing)
        created: list[str] = []
        for name in missing:
            try:
                admin.create_topics([NewTopic(name, partitions, replication)])
                created.append(name)
            except TopicAlreadyExistsError:
                pass
        if created:
            log.info("created topics %s", ", ".join(created))
        return created
    finally:
        admin.close()


@dataclass(frozen=True)
class Message:
    topic: str
    key: bytes
    value: bytes
    headers: Headers


class KafkaSink:
    """Sends batches and returns only when the broker acknowledged all of them."""

    def __init__(self, settings: Settings) -> None:
        require_crc32c()
        self.settings = settings
        self._producer: KafkaProducer | None = None

    def connect(self) -> None:
        """Make the producer now rather than at the first send."""
        self._connect()

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(**producer_config(self.settings))
        return self._producer

    def send_all(self, messages: Sequence[Message]) -> None:
        """Raise BrokerUnavailableError unless every message was acknowledged."""
        self.wait(self.send(messages))

    def send(self, messages: Sequence[Message]) -> list[Any]:
        """Hand messages to the producer; ``wait`` on the result for the acks."""
        try:
            producer = self._connect()
            return [
                producer.send(m.topic, key=m.key, value=m.value, headers=m.headers)
                for m in messages
            ]
        except KafkaError as e:
            self.reset()
            raise BrokerUnavailableError(str(e) or type(e).__name__) from e

    def wait(self, futures: Sequence[Any]) -> None:
        """Return once the broker acknowledged every future; else raise
        BrokerUnavailableError (and drop the producer).

        Waits on these futures only, never ``flush``: a flush would also push out
        (and wait for) what was handed to the producer after them, which is the
        relay's next batch, and so stop reading and sending from overlapping.
        """
        deadline = time.monotonic() + self.settings.kafka_delivery_timeout_ms / 1000 + 5
        try:
            for future in futures:
                if not future.is_done:
                    future.get(timeout=max(0.0, deadline - time.monotonic()))
                elif future.failed():
                    raise future.exception
        except KafkaError as e:
            self.reset()
            raise BrokerUnavailableError(str(e) or type(e).__name__) from e

    def reset(self) -> None:
        """Drop the producer (a fresh one re-sends with a new producer id)."""
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=0)
            except Exception:  # closing a broken producer may fail; it is gone
                log.debug("closing the producer failed", exc_info=True)

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=5)
