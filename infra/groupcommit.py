"""Group commit: concurrent appends of one process share one transaction.

Every append to the log takes the same lock (``pgrecorder``), so concurrent
commands of a process queue behind each other anyway, each paying a round trip and
a WAL flush while holding the lock. ``GroupCommit`` lets the first waiting thread
lead: it takes every append queued at that moment (its own and those that arrived
while the previous group was in flight) and writes them with ONE call of the
append function: one transaction, one round trip, one flush. The others sleep
until the leader hands them their notification ids.

Before it writes, a leader that has fewer appends than the previous group had
waits up to ``gather_seconds`` (0.5 ms) for the rest: the writers just answered
are still busy with their next command in Python, and without that wait groups
alternate between those who were answered and those who were not (about half the
writers each). A sequential writer's groups are of one, so it never waits; when
writers fall away, one short wait brings the expected size down.

Why order = commit order still holds
------------------------------------
A group is one call of the append function: one transaction under the append
lock, ids contiguous in the group's order. Each command's events are a contiguous
slice of them, in its own order. Readers cannot tell a group from one big command.

Only the offender fails
-----------------------
If the group's insert fails on a version already taken (``IntegrityError``; the
whole transaction rolls back, nothing of the group is recorded), or if the
reference versions one member expected have moved (``VersionsMoved``), the leader
appends every member on its own, in the same order, so each gets its own answer:
the offending command its 409 (or its retry), the others their ids. Any other
failure (the database is down) is every member's failure, as it would have been
had each tried alone.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError, StoredEvent

Expected = Mapping[Any, int]  # aggregate id -> version its command decided on
# Appends ``events``, checking ``expected`` (if any) under the append lock; the
# notification ids in event order, or None when an expected version moved.
AppendFunction = Callable[[Sequence[StoredEvent], Expected | None], list[int] | None]


class VersionsMovedError(Exception):
    """An aggregate a command decided on changed before its append: nothing was
    recorded; decide again on fresh reads."""


@dataclass
class _Pending:
    """One command's append, waiting in the queue or led."""

    events: Sequence[StoredEvent]
    expected: Expected | None
    ids: list[int] | None = None
    error: BaseException | None = None
    taken: bool = False  # in a leader's group (set under the lock)
    answered: bool = False  # ids or error is the answer (ids None = moved)
    done: bool = False  # set under the lock once answered

    def answer(self, ids: list[int] | None) -> None:
        self.ids, self.answered = ids, True

    def fail(self, error: BaseException) -> None:
        self.error, self.answered = error, True


class GroupCommit:
    """Leader/follower batching of one recorder's appends (see module docstring)."""

    # How long a leader waits for as many appends as its predecessor led.
    gather_seconds = 0.0005
    # Groups written at once. A second group in flight would wait for the append
    # lock in the database and commit right after the first (no round trip
    # between), but groups then halve and each pays its own flush: with 4
    # writers 0.43-0.70 of raw concurrent INSERTs, against 0.62-0.93 with one.
    max_in_flight = 1

    def __init__(self, append: AppendFunction) -> None:
        self._append = append
        lock = threading.Lock()
        self._condition = threading.Condition(lock)  # followers wait for answers
        self._arrived = threading.Condition(lock)  # a gathering leader waits here
        self._queue: list[_Pending] = []
        self._in_flight = 0  # groups being written (or gathered)
        self._gathering = False
        self._company = 1  # the size of the last group: how many to gather
        self.groups = 0  # groups of more than one command committed together
        self.grouped_commands = 0  # commands committed in such groups

    @property
    def waiting(self) -> int:
        """Appends queued for the next group (for tests and diagnostics)."""
        with self._condition:
            return len(self._queue)

    def append(
        self, events: Sequence[StoredEvent], expected: Expected | None
    ) -> list[int]:
        """The notification ids of ``events``, committed (maybe with others').

        Raises VersionsMovedError if a version in ``expected`` moved, and whatever
        the append raised (IntegrityError for a version already taken)."""
        mine = _Pending(events, expected)
        with self._condition:
            self._queue.append(mine)
            self._arrived.notify()
            while not mine.taken and (
                self._gathering or self._in_flight >= self.max_in_flight
            ):
                self._condition.wait()
            if mine.taken:  # in someone else's group
                while not mine.done:
                    self._condition.wait()
                return self._result(mine, led=False)
            group = self._take()
        self._lead(group)
        return self._result(mine, led=True)

    def _take(self) -> list[_Pending]:
        """Become a leader and take the queue (under the lock); first, if no other
        group is being written, wait briefly for as many as the last group had."""
        self._in_flight += 1
        if self._in_flight == 1 and len(self._queue) < self._company:
            self._gathering = True
            try:
                self._arrived.wait_for(
                    lambda: len(self._queue) >= self._company, self.gather_seconds
                )
            finally:
                self._gathering = False
                self._condition.notify_all()  # arrivals may lead the next group
        group, self._queue = self._queue, []
        for pending in group:
            pending.taken = True
        self._company = len(group)
        return group

    def _lead(self, group: list[_Pending]) -> None:
        """Commit ``group``, answer every member, hand leadership on."""
        try:
            self._commit(group)
        except BaseException as e:
            for pending in group:
                if not pending.answered:
                    pending.fail(e)
        finally:
            with self._condition:
                for pending in group:
                    pending.done = True
                self._in_flight -= 1
                self._condition.notify_all()

    def _commit(self, group: list[_Pending]) -> None:
        if len(group) > 1:
            expected = merged(group)
            if expected is not CONFLICTING:
                events = [e for pending in group for e in pending.events]
                try:
                    ids = self._append(events, expected)
                except IntegrityError:
                    ids = None  # someone's version is taken: find out whose
                if ids is not None:
                    start = 0
                    for pending in group:
                        end = start + len(pending.events)
                        pending.answer(ids[start:end])
                        start = end
                    self.groups += 1
                    self.grouped_commands += len(group)
                    return
        for pending in group:  # alone, in order: each gets its own answer
            try:
                pending.answer(self._append(pending.events, pending.expected))
            except Exception as e:
                pending.fail(e)

    @staticmethod
    def _result(pending: _Pending, *, led: bool) -> list[int]:
        if pending.error is not None:
            # A follower raises a copy: one exception object raised in several
            # threads would collect all their tracebacks.
            raise pending.error if led else _copied(pending.error)
        if pending.ids is None:
            raise VersionsMovedError("an aggregate the command decided on moved")
        return pending.ids


class _Conflicting:
    """Marker: two members expect different versions of one aggregate."""


CONFLICTING: Any = _Conflicting()


def merged(group: Sequence[_Pending]) -> Expected | None:
    """Every member's expected versions in one mapping (None if no member has
    any), or CONFLICTING if two members disagree (then they go alone)."""
    out: dict[Any, int] = {}
    for pending in group:
        for key, version in (pending.expected or {}).items():
            if out.setdefault(key, version) != version:
                return CONFLICTING  # type: ignore[no-any-return]
    return out or None


def _copied(error: BaseException) -> BaseException:
    try:
        twin = copy.copy(error)
    except Exception:
        return error
    twin.__cause__ = error
    twin.__traceback__ = None
    return twin
