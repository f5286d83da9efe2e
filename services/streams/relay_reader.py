"""The relay's reading half: the log after a position, as Kafka messages.

Reading notifications and mapping them to CloudEvent JSON cost the relay about as
much CPU as kafka-python's ``send`` for the same messages, and both hold the GIL.
``ReaderProcess`` does the reading and mapping in a second process (a second core)
and hands back ready message bytes, reading batch n+1 while the relay sends batch
n; ``LocalReader`` does the same in the relay's own process (the setting
``relay_reader_process`` off). Both read from the same position with the same
batch size, so what is sent, and in which order, does not depend on which one runs.

What the reader process cannot map exactly (an event stored at an older class
version, a filed case, whose applicant's redacted form needs the vault) it hands
back as the notification itself; the relay maps those in its own process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any

from eventsourcing.persistence import Notification
from pydantic_core import to_json

from infra.settings import Settings
from services.streams.cloudevents import family_of_type, kafka_headers, streamed
from services.streams.stored_cloudevents import NotMappableError, StoredMapping

# PostgreSQL connections of the reader process, out of the relay's budget.
READER_CONNECTIONS = 1

# (family, key, value, headers): a message whose topic the relay names.
Encoded = tuple[str, bytes, bytes, list[tuple[str, bytes]]]


@dataclass(frozen=True)
class ReadBatch:
    """Notifications after a position: the last one read, how many, and each
    streamed one as an encoded message or (to map in the relay) as itself."""

    last: int
    count: int
    items: list[Encoded | Notification]


class LocalReader:
    """Reads in the relay's own process; the relay maps every notification."""

    def __init__(self, select: Callable[[int, int], Sequence[Notification]]) -> None:
        self._select = select

    def read(self, after: int, limit: int) -> Future[ReadBatch]:
        done: Future[ReadBatch] = Future()
        try:
            batch = self._select(after, limit)
        except BaseException as e:  # the relay sees it on .result(), as below
            done.set_exception(e)
            return done
        items: list[Encoded | Notification] = [n for n in batch if streamed(n.topic)]
        done.set_result(ReadBatch(batch[-1].id if batch else after, len(batch), items))
        return done

    def close(self) -> None:
        """Nothing to stop."""


class ReaderProcess:
    """Reads and maps in a second process, one batch ahead of the relay."""

    def __init__(self, settings: Settings) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            # spawn: the relay has threads (kafka-python's, the pools') not to fork
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(settings,),
        )
        # Start it now (imports take a second or two), not with the first batch.
        self._pool.submit(_ready).result()

    def read(self, after: int, limit: int) -> Future[ReadBatch]:
        return self._pool.submit(_read, after, limit)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


# In the reader process ----------------------------------------------------------

_worker: _Worker | None = None


class _Worker:
    def __init__(self, settings: Settings) -> None:
        from services.tenants.commands import (
            Tenants,  # one application: its store and mapper
        )

        # One connection: it reads one batch at a time (its share of the relay's
        # GONGKAI_PG_CONNECTIONS, READER_CONNECTIONS).
        self.app = Tenants(env=settings.eventsourcing_env(pool_max=READER_CONNECTIONS))
        self.mapping = StoredMapping(
            self.app.mapper,
            settings.installation,
            _refuse_applicant,
            _refuse,
            settings.public_base_url,
        )

    def read(self, after: int, limit: int) -> ReadBatch:
        batch = self.app.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        items: list[Encoded | Notification] = []
        for n in batch:
            if not streamed(n.topic):
                continue
            try:
                items.append(_encoded(self.mapping._fast(n)))
            except NotMappableError:
                items.append(n)
        return ReadBatch(batch[-1].id if batch else after, len(batch), items)


def _encoded(cloudevent: dict[str, Any]) -> Encoded:
    """``services.streams.relay.encode`` but for the topic, which the relay names."""
    return (
        family_of_type(cloudevent["type"]),
        str(cloudevent["partitionkey"]).encode(),
        to_json(cloudevent),
        kafka_headers(cloudevent),
    )


def _refuse_applicant(ref: str) -> Mapping[str, str | None]:
    raise NotMappableError  # the vault stays with the relay


def _refuse(notification: Any) -> dict[str, Any]:
    raise NotMappableError


def _start(settings: Settings) -> None:
    global _worker
    _follow_parent()
    _worker = _Worker(settings)
    gc.freeze()  # as in the relay: full collections skip what start-up made


def _follow_parent() -> None:
    """End this process when the relay's ends, also by SIGKILL: nothing would
    ever ask it for a batch again, and it holds a database connection."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="relay-reader-parent", daemon=True).start()


def _ready() -> bool:
    return _worker is not None


def _read(after: int, limit: int) -> ReadBatch:
    assert _worker is not None
    return _worker.read(after, limit)
