"""The aggregate base every Gongkai aggregate extends.

Events take their recording time from a clock the application layer injects (through
``recording_clock``), so the demo can simulate a year and tests can pin time, while
``@event`` bodies stay free of clock reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from eventsourcing.domain import Aggregate, datetime_now_with_tzinfo

Clock = Callable[[], datetime]

_clock: ContextVar[Clock | None] = ContextVar("gongkai_recording_clock", default=None)


def recorded_now() -> datetime:
    """The recording time for a new event: the injected clock, else the library's."""
    clock = _clock.get()
    return clock() if clock is not None else datetime_now_with_tzinfo()


@contextmanager
def recording_clock(clock: Clock) -> Iterator[None]:
    """Within the block, new events are stamped by ``clock``."""
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)


class GongkaiAggregate(Aggregate):
    """Aggregate whose events are stamped by the injected clock."""

    class Event(Aggregate.Event):
        """Every stored event type: version 1 unless its class says otherwise.

        A change to an event's fields raises its own ``class_version`` and adds a
        static ``upcast_v<n>_v<n+1>(state)``; stored bytes are never rewritten
        (docs/events.md, tests/integration/test_corpus.py).
        """

        class_version = 1
        create_timestamp = staticmethod(recorded_now)

    class Created(Event, Aggregate.Created):
        pass
