"""Relay throughput against a raw kafka-python producer, same broker, same run.

Usage::

    .venv/bin/python bench/relay.py [--events N] [--rounds R] [--batch B]

A fresh PostgreSQL database (dropped at the end) gets N events (disclosures of one
county, each published and revised three times); a tansu broker (memory storage) is
started on a free loopback port. Each round then

1. *raw*: a KafkaProducer with the relay's delivery settings (idempotent, acks=all,
   kafka-python's own default partitioner, where the relay caches each key's hash;
   crc32c) sends the same N messages, pre-encoded (topic, key, CloudEvent JSON,
   headers), to ``bench.raw.<round>``, and flushes;
2. *relay*: ``Relay.step`` as ``gongkai relay`` runs it (a reader process reads the
   log from PostgreSQL and maps it to CloudEvents with redaction, one batch ahead;
   services/streams/relay_reader.py) from position 0 until the whole log is out, to
   ``bench.relay.<round>``: sending, waiting for the acks and committing the position
   in the store;
3. *one process*: the same with ``relay_reader_process`` off, reading and mapping
   in the relay's own process;
4. *decoding*: one process with the fast path off (``Feed.stored.enabled``): every
   event decoded into a domain event and mapped from it, as before issue #9.

The set-up's objects are frozen out of the cyclic collector (``gc.freeze``) before
the rounds, as ``gongkai relay`` does after start-up, for every variant alike.
The ratio is relay events/s over raw events/s, per round (the two take turns), and
the median of the rounds; aim >= 0.8.
Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

# Make the project importable when run as ``python bench/relay.py``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kafka import KafkaProducer

from infra.kafka import KafkaSink, Message, ensure_topics, producer_config
from infra.scratchdb import create_database, drop_database
from infra.settings import Settings
from services.platform.runtime import Platform
from services.streams.relay import POSITION, Relay, encode, relay_positions
from services.streams.topics import TopicRouting
from tests.conftest import ADMIN
from tests.integration.streams import Broker, burst


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def relay_send(
    platform: Platform,
    settings: Settings,
    prefix: str,
    *,
    fast: bool = True,
    reader_process: bool = True,
) -> float:
    positions = relay_positions(platform)
    with positions.datastore.transaction(commit=True) as curs:
        curs.execute(f"DELETE FROM {positions.tracking_table_name}")
    sink = KafkaSink(settings)
    relay = Relay(platform, sink, ensure=lambda: None, reader_process=reader_process)
    relay.routing = TopicRouting(prefix)  # <prefix>.<family>.v1
    try:
        relay.feed.stored.enabled = fast  # off: decode every event (the slow path)
        sink.connect()  # as raw's producer, made before its clock starts
        end = platform.max_position()
        started = time.perf_counter()
        while (positions.max_tracking_id(POSITION) or 0) < end:
            relay.step()
        return time.perf_counter() - started
    finally:
        relay.close()
        sink.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="write the summary here")
    args = parser.parse_args()
    url = create_database("gongkai_bench")
    broker = Broker()
    broker.start()
    home = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    settings = Settings(
        home=home,
        database_url=url,
        token_secret=secrets.token_urlsafe(32),
        kafka_bootstrap_servers=broker.bootstrap,
        relay_batch=args.batch,
    )
    platform = Platform(settings)
    try:
        platform.tenants.register(
            ADMIN, code="xinhe", name="新和县", level="county", parent=None, kind=None
        )
        burst(platform, args.events // 4, 3, batch=500)
        n = platform.max_position()
        log(f"{n} events in the store; broker {broker.bootstrap}")
        relay = Relay(platform, KafkaSink(settings), ensure=lambda: None)
        batch = platform.tenants.recorder.select_notifications(start=0, limit=n + 1)
        messages = [encode(relay.feed.cloudevent(x)) for x in batch]
        size = sum(len(m.value) for m in messages) / len(messages)
        topics = [  # the relay's are <prefix>.<family>.v1 (TopicRouting)
            f"bench.{kind}.{r}.{family}" + ("" if kind == "raw" else ".v1")
            for kind in ("raw", "relay", "local", "decoding")
            for r in range(args.rounds)
            for family in ("tenancy", "disclosure")
        ]
        ensure_topics(settings, topics, 3, 1)
        # As ``gongkai relay`` does after start-up (run_relay), for every variant
        # alike: the collector's full passes skip what setting up left behind.
        gc.freeze()
        raws, relays, locals_, decodings = [], [], [], []
        for r in range(args.rounds):
            one = [
                replace(m, topic=f"bench.raw.{r}.{m.topic.split('.')[1]}")
                for m in messages
            ]
            raws.append(raw_send(settings, one))
            relays.append(relay_send(platform, settings, f"bench.relay.{r}"))
            locals_.append(
                relay_send(platform, settings, f"bench.local.{r}", reader_process=False)
            )
            decodings.append(
                relay_send(
                    platform,
                    settings,
                    f"bench.decoding.{r}",
                    reader_process=False,
                    fast=False,
                )
            )
            log(
                f"round {r + 1}: raw {n / raws[-1]:,.0f}/s,"
                f" relay {n / relays[-1]:,.0f}/s,"
                f" in one process {n / locals_[-1]:,.0f}/s,"
                f" decoding every event {n / decodings[-1]:,.0f}/s"
            )
        raw_rate = n / statistics.median(raws)
        rows = [
            ("raw kafka-python", raw_rate),
            ("gongkai relay", n / statistics.median(relays)),
            ("relay in one process", n / statistics.median(locals_)),
            ("one process, decoding", n / statistics.median(decodings)),
        ]
        print(f"events: {n}, mean CloudEvent size {size:.0f} bytes, batch {args.batch}")
        print(f"{'producer':<30}{'events/s':>12}{'/ raw':>8}")
        for name, rate in rows:
            print(f"{name:<30}{rate:>12,.0f}{rate / raw_rate:>8.0%}")
        # Each round's relay against the raw producer of the same minutes.
        per_round = [raw / relay for raw, relay in zip(raws, relays, strict=True)]
        ratio = statistics.median(per_round)
        print(f"relay / raw: {rows[1][1] / raw_rate:.0%} (rates' medians);")
        print(
            f"per round {', '.join(f'{x:.0%}' for x in per_round)},"
            f" median {ratio:.0%} (aim >= 80 %)"
        )
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "events": n,
                        "per_s": dict(rows),
                        "ratio_per_round": per_round,
                        "ratio": ratio,
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
    finally:
        platform.close()
        broker.stop()
        drop_database(url)


def raw_send(settings: Settings, messages: list[Message]) -> float:
    """kafka-python as it comes (its default partitioner), with the relay's
    delivery guarantees (idempotence, acks=all, the same batching)."""
    config = producer_config(settings)
    config.pop("partitioner")
    producer = KafkaProducer(**config)
    try:
        started = time.perf_counter()
        for m in messages:
            producer.send(m.topic, key=m.key, value=m.value, headers=m.headers)
        producer.flush()
        return time.perf_counter() - started
    finally:
        producer.close()


if __name__ == "__main__":
    main()
