"""Helpers for stream tests: a real Kafka-protocol broker (tansu), bursts, a reader."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from domain.access import Principal, Role
from domain.disclosures.disclosure import Disclosure
from domain.timeliness import disclosure_timeliness
from infra.settings import Settings
from services.cli.federation_kafka import Broker as TansuBroker
from services.cli.federation_kafka import free_port  # noqa: F401 - tests import it here
from services.core.base import recorded
from services.platform.runtime import Platform
from services.streams.relay import relay_positions, relay_status, run_relay

CLERK = Principal("clerk@xinhe", "xinhe", frozenset({Role.CLERK}))


class Broker(TansuBroker):
    """The federation's tansu broker (memory storage, a loopback port), which a
    test may also pause and resume."""

    def pause(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
        super().stop()


@contextlib.contextmanager
def running_broker() -> Iterator[Broker]:
    broker = Broker()
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@contextlib.contextmanager
def relaying(
    settings: Settings, platform: Platform, done: Callable[[set[str]], bool]
) -> Iterator[Broker]:
    """A broker and the relay sending ``platform``'s log to it, in a thread, until
    ``done(subjects whose checkpoints are published)`` holds with no lag."""
    with running_broker() as broker:
        relaying = settings.model_copy(
            update={
                "kafka_bootstrap_servers": broker.bootstrap,
                "relay_poll_seconds": 0.05,
                "relay_reader_process": False,
            }
        )
        stop = threading.Event()
        relay = threading.Thread(
            target=run_relay, args=(relaying, stop), kwargs={"build": Platform}
        )
        relay.start()
        try:
            deadline = time.monotonic() + 60
            while (
                not done(set(relay_positions(platform).published_sizes()))
                or (relay_status(platform)["lag"])
            ):
                assert time.monotonic() < deadline, relay_status(platform)
                time.sleep(0.1)
            yield broker
        finally:
            stop.set()
            relay.join(timeout=20)


def relay_process(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    gongkai = Path(os.environ.get("VIRTUAL_ENV", ".venv")) / "bin" / "gongkai"
    if not gongkai.exists():
        gongkai = Path(__file__).parents[2] / ".venv" / "bin" / "gongkai"
    handle = log.open("ab")
    return subprocess.Popen(
        [str(gongkai), "relay"],
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def burst(platform: Platform, items: int, revisions: int, batch: int = 100) -> int:
    """``items`` disclosures of 新和县, each revised ``revisions`` times, saved in
    batches; returns the events written."""
    app = platform.disclosures
    calendar = app.calendar()
    formed, day = date(2026, 2, 10), date(2026, 3, 2)
    written = 0
    for start in range(0, items, batch):
        aggregates = []
        with recorded(app):
            now = app.now()
            backdating = app._backdating(now, now, calendar, None)
            for i in range(start, min(items, start + batch)):
                d = Disclosure.publish(
                    tenant="xinhe",
                    category="common.finance",
                    title=f"新和县2026年财务收支第{i}号",
                    body="一、收入合计12.6万元；二、支出合计9.8万元。",
                    channels=["网站"],
                    formed_on=formed,
                    published_on=day,
                    attachments=(),
                    timeliness=disclosure_timeliness(formed, day, calendar),
                    backdating=backdating,
                    actor=CLERK.actor(),
                    effective_at=now,
                )
                for r in range(revisions):
                    d.revise(
                        reason="更正金额",
                        title=None,
                        body=f"一、收入合计12.{r}万元。",
                        channels=None,
                        category=None,
                        attachments=None,
                        backdating=backdating,
                        actor=CLERK.actor(),
                        effective_at=now,
                    )
                aggregates.append(d)
        app.save(*aggregates)
        written += len(aggregates) * (1 + revisions)
    return written


@dataclass
class Received:
    messages: list[Any] = field(default_factory=list)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [json.loads(m.value) for m in self.messages]


def read_topics(
    bootstrap: str, topics: list[str], until: int, timeout: float = 30.0
) -> Received:
    """Every message of ``topics`` from the beginning, until ``until`` distinct ids
    arrived (or the timeout): an independent consumer, no group."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_interval_ms=5000,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    try:
        partitions = [
            TopicPartition(t, p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        received = Received()
        ids: set[str] = set()
        deadline = time.monotonic() + timeout
        while len(ids) < until and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    received.messages.append(record)
                    ids.add(json.loads(record.value)["id"])
        return received
    finally:
        consumer.close()
