"""A Gongkai stream consumer over Kafka, to copy (docs/consumer.md).

    pip install kafka-python crc32c
    python kafka_consumer.py --bootstrap kafka:9092 --group xinhe-archive \
        --topic gongkai.case.v1 --topic gongkai.disclosure.v1 --db events.sqlite3

At-least-once: the relay may send an event again (same ``id``) after a crash, and
this consumer commits its offsets only after it processed what it polled, so after
its own crash it reads some events again. Processing is made idempotent by
remembering each ``id`` in the same transaction as the effect. ``--replay`` reads
the topics again from the beginning (a new ``--group`` does too); ``--idle N``
stops after N seconds without a message (a cron job; without it, it runs on).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from typing import Any

# kafka-python checks each record batch's CRC32C; without this package it does so in
# pure Python, several times slower. Import it so a missing one fails at start.
import crc32c  # noqa: F401
from kafka import ConsumerRebalanceListener, KafkaConsumer

WITHDRAWN = "cn.gongkai.disclosure.DisclosureWithdrawn."
# The item's content out of every event of it you hold (``attachments`` null, which
# means "unchanged", stays null), as the stream itself sends them from then on.
WITHHOLD = """UPDATE events SET event = json_set(event, '$.data.body', '',
  '$.data.attachments', json(iif(json_type(event, '$.data.attachments') = 'array',
  '[]', 'null'))) WHERE key = ? AND id != ? AND json_type(event, '$.data.body')
  IS NOT NULL"""


class Store:
    """What this consumer keeps: every event once, by ``id`` (SQLite here)."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, type TEXT,"
            " subject TEXT, key TEXT, sequence INTEGER, event TEXT)"
        )

    def process(self, event: dict[str, Any]) -> bool:
        """Apply one event unless its id was seen; False for a re-send."""
        with self.db:  # one transaction: the effect and the id together
            added = self.db.execute(
                "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?)",
                (
                    event["id"],
                    event["type"],
                    event["subject"],
                    event["partitionkey"],
                    int(event["sequence"]),
                    json.dumps(event, ensure_ascii=False),
                ),
            ).rowcount
            withdrawn = event["type"].startswith(WITHDRAWN)
            if added and withdrawn and event["data"].get("personal_data"):
                # Withdrawn for personal data: delete what you hold of it.
                self.db.execute(WITHHOLD, (event["partitionkey"], event["id"]))
        return bool(added)


class FromTheBeginning(ConsumerRebalanceListener):  # type: ignore[misc]
    """``--replay``: once, seek every partition assigned to the beginning."""

    def __init__(self, consumer: KafkaConsumer) -> None:
        self.consumer = consumer
        self.done = False

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        if not self.done and assigned:
            self.consumer.seek_to_beginning(*assigned)
            self.done = True


def main() -> None:
    parser = argparse.ArgumentParser(description="Consume Gongkai's CloudEvents")
    parser.add_argument("--bootstrap", required=True, help="host:port[,host:port]")
    parser.add_argument("--group", required=True, help="consumer group id")
    parser.add_argument("--topic", action="append", required=True)
    parser.add_argument("--db", required=True, help="SQLite file of what is kept")
    parser.add_argument("--replay", action="store_true", help="from the beginning")
    parser.add_argument("--idle", type=float, help="stop after N quiet seconds")
    args = parser.parse_args()

    store = Store(args.db)
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap.split(","),
        group_id=args.group,
        client_id=f"{args.group}-consumer",
        enable_auto_commit=False,  # commit after processing, below
        auto_offset_reset="earliest",  # a new group starts at the beginning
        max_poll_records=500,
        # A member that stops heartbeating loses its partitions to the others after
        # this long; the group (re)forms in about half of it.
        session_timeout_ms=10_000,
        heartbeat_interval_ms=3_000,
        # security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512",
        # sasl_plain_username=..., sasl_plain_password=..., ssl_cafile=...,
    )
    listener = FromTheBeginning(consumer) if args.replay else None
    consumer.subscribe(topics=args.topic, listener=listener)
    processed = duplicates = 0
    last_message = time.monotonic()
    try:
        while args.idle is None or time.monotonic() - last_message < args.idle:
            batches = consumer.poll(timeout_ms=500)
            for records in batches.values():
                for record in records:  # in order within each partition (key)
                    if store.process(json.loads(record.value)):
                        processed += 1
                    else:
                        duplicates += 1
            if batches:
                consumer.commit()  # only now: everything polled is processed
            if batches or not consumer.assignment():  # idle once it has partitions
                last_message = time.monotonic()
    finally:
        consumer.close()
    summary = {"processed": processed, "duplicates": duplicates}
    print(json.dumps(summary), file=sys.stdout, flush=True)


if __name__ == "__main__":
    main()
