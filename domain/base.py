"""The aggregate base every Gongkai aggregate extends.

Events take their recording time from a clock the application layer injects (through
``recording_clock``), so the demo can simulate a year and tests can pin time, while
``@event`` bodies stay free of clock reads.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate, CanMutateAggregate, datetime_now_with_tzinfo
from eventsourcing.utils import register_topic

Clock = Callable[[], datetime]
A = TypeVar("A", bound=type[Aggregate])

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


def event_classes(aggregate: type[Aggregate]) -> list[tuple[str, type[Any]]]:
    """(name, class) of every event class an aggregate defines, ``Event`` and
    ``Created`` included: what the store can hold under the aggregate's name."""
    return [
        (name, cls)
        for name, cls in vars(aggregate).items()
        if inspect.isclass(cls) and issubclass(cls, CanMutateAggregate)
    ]


def stored_as(module: str) -> Callable[[A], A]:
    """Keep the stored names of an aggregate that moved: ``<module>:<qualname>``.

    A stored topic names a class for ever (docs/events.md, "Moving a class"): the
    events in every store carry it, audit leaves hash it, and the streams derive
    their family from it. This pins the aggregate's and each of its event classes'
    topic (eventsourcing's explicit ``TOPIC``) to the module they were stored from
    and registers each with ``register_topic``, so stored events resolve to the
    moved class and new ones are written under the same name.
    """

    def pin(aggregate: A) -> A:
        classes: list[type[Any]] = [
            aggregate,
            *(c for _, c in event_classes(aggregate)),
        ]
        for obj in classes:
            topic = f"{module}:{obj.__qualname__}"
            setattr(obj, "TOPIC", topic)  # noqa: B010 (mypy: no such attribute)
            register_topic(topic, obj)
        return aggregate

    return pin
