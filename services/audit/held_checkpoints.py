"""Checkpoints held outside the installation, as integrators received them.

Every signed checkpoint goes out on ``gongkai.audit.v1`` and the feed as a
``CheckpointIssued`` CloudEvent (and each child's cosigned one again inside its
parent's ``ChildCheckpointWitnessed``). ``gongkai audit verify --checkpoints`` reads
them back, one JSON record per line (from a file, stdin or the topic), and checks
that the store still holds a tree whose root matches each: deleting a tenant's tail
together with its leaves and stored checkpoint no longer goes unnoticed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from domain.errors import GongkaiError
from domain.ledger.note import Checkpoint, Note
from infra.settings import Settings
from services.streams.cloudevents import CHECKPOINT_TYPE
from services.streams.topics import TopicRouting

WITNESSED_TYPE = "cn.gongkai.audit.AuditLedgerChildCheckpointWitnessed.v1"


class HeldCheckpointError(ValueError):
    """A record that is not a checkpoint of this installation."""


def held_row(record: dict[str, Any], installation: str) -> dict[str, Any] | None:
    """``{tenant, size, note}`` of a checkpoint record; None for other events."""
    data = record.get("data", record)
    if "type" in record and record["type"] not in (CHECKPOINT_TYPE, WITNESSED_TYPE):
        return None
    note_text = data.get("note") if isinstance(data, dict) else None
    if not isinstance(note_text, str):
        return None
    try:
        checkpoint = Checkpoint.parse(Note.parse(note_text).text)
    except GongkaiError as e:
        raise HeldCheckpointError(f"an unreadable checkpoint: {e.detail}") from None
    prefix = installation + "/"
    if not checkpoint.origin.startswith(prefix):
        raise HeldCheckpointError(
            f"the checkpoint of {checkpoint.origin!r} is not of {installation!r}"
        )
    return {
        "tenant": checkpoint.origin[len(prefix) :],
        "size": checkpoint.size,
        "note": note_text,
    }


def rows_from_lines(lines: Iterable[str], installation: str) -> list[dict[str, Any]]:
    """Checkpoints of JSON lines (CloudEvents as published, or ``{"note": …}``)."""
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise HeldCheckpointError(f"line {number} is not JSON") from None
        if not isinstance(record, dict):
            raise HeldCheckpointError(f"line {number} is not a JSON object")
        row = held_row(record, installation)
        if row is not None:
            rows.append(row)
    return rows


def lines_from_kafka(settings: Settings, timeout: float = 30.0) -> Iterator[str]:
    """Every record of ``gongkai.audit.v1`` (or of every subtree's audit topic,
    services/streams/topics.py) from the beginning to its current end."""
    import time

    from kafka import TopicPartition

    from infra.kafka import consumer

    routing = TopicRouting.of(settings)
    topic = routing.family_topic("audit")
    reader = consumer(settings, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(t, p)
            for t in routing.holding(reader.topics(), ["audit"], None)
            for p in sorted(reader.partitions_for_topic(t) or ())
        ]
        if not partitions:
            return
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        end = reader.end_offsets(partitions)
        deadline = time.monotonic() + timeout
        while any(reader.position(p) < end[p] for p in partitions):
            if time.monotonic() > deadline:
                msg = f"{topic} was not read to its end within {timeout:.0f}s"
                raise HeldCheckpointError(msg)
            for records in reader.poll(timeout_ms=500).values():
                for record in records:
                    yield record.value.decode("utf-8")
    finally:
        reader.close()


def held_rows(
    settings: Settings, source: str | None, *, kafka: bool = False
) -> list[dict[str, Any]]:
    """The held checkpoints of ``source`` (a path, or - for stdin) and the topic."""
    import sys
    from pathlib import Path

    rows: list[dict[str, Any]] = []
    if source == "-":
        rows += rows_from_lines(sys.stdin, settings.installation)
    elif source is not None:
        with Path(source).open(encoding="utf-8") as handle:
            rows += rows_from_lines(handle, settings.installation)
    if kafka:
        rows += rows_from_lines(lines_from_kafka(settings), settings.installation)
    return rows
