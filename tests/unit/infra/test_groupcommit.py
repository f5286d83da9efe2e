"""GroupCommit's leader/follower batching, with an in-memory append function."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from infra.groupcommit import GroupCommit, VersionsMovedError


class Log:
    """Appends to a list like the append function: all or nothing per call,
    versions unique, expected versions checked. The first call can be held."""

    def __init__(self) -> None:
        self.rows: list[StoredEvent] = []
        self.calls: list[int] = []  # events per call
        self.entered = 0
        self.hold = threading.Event()
        self.hold.set()
        self.lock = threading.Lock()

    def append(
        self, events: Sequence[StoredEvent], expected: Mapping[Any, int] | None
    ) -> list[int] | None:
        self.entered += 1
        self.hold.wait()
        with self.lock:
            self.calls.append(len(events))
            for key, version in (expected or {}).items():
                if self.version(key) != version:
                    return None
            taken = {(e.originator_id, e.originator_version) for e in self.rows}
            new = [(e.originator_id, e.originator_version) for e in events]
            if taken & set(new) or len(set(new)) < len(new):
                raise IntegrityError("version taken")
            self.rows.extend(events)
            return list(range(len(self.rows) - len(events) + 1, len(self.rows) + 1))

    def version(self, key: Any) -> int:
        return max(
            (e.originator_version for e in self.rows if e.originator_id == key),
            default=0,
        )


def event(originator: Any = None, version: int = 1) -> StoredEvent:
    return StoredEvent(originator or uuid4(), version, "t", b"{}")


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.001)


def run(
    group: GroupCommit, log: Log, calls: dict[str, tuple[list[StoredEvent], Any]]
) -> dict[str, Any]:
    """The first call leads and is held; the others queue; then all go."""
    results: dict[str, Any] = {}

    def call(name: str) -> None:
        events, expected = calls[name]
        try:
            results[name] = group.append(events, expected)
        except Exception as e:  # the test looks at it
            results[name] = e

    names = list(calls)
    log.hold.clear()
    entered = log.entered
    threads = [threading.Thread(target=call, args=(names[0],))]
    threads[0].start()
    wait_until(lambda: log.entered == entered + 1)  # the leader is held inside
    for name in names[1:]:
        threads.append(threading.Thread(target=call, args=(name,)))
        threads[-1].start()
    wait_until(lambda: group.waiting == len(names) - 1)
    log.hold.set()
    for t in threads:
        t.join(timeout=10)
    return results


def test_a_lone_append_is_its_own_group() -> None:
    log = Log()
    group = GroupCommit(log.append)
    assert group.append([event()], None) == [1]
    assert group.append([event(), event()], None) == [2, 3]
    assert (group.groups, log.calls) == (0, [1, 2])


def test_queued_appends_go_together_each_with_its_own_ids() -> None:
    log = Log()
    group = GroupCommit(log.append)
    results = run(
        group,
        log,
        {
            "leader": ([event()], None),
            "a": ([event(), event()], None),
            "b": ([event()], None),
            "c": ([event(), event(), event()], None),
        },
    )
    assert results["leader"] == [1]
    assert log.calls == [1, 6]
    ids = sorted((results[n] for n in "abc"), key=lambda i: i[0])
    assert [i for part in ids for i in part] == list(range(2, 8))
    assert sorted(len(i) for i in ids) == [1, 2, 3]
    assert (group.groups, group.grouped_commands) == (1, 3)


def test_a_taken_version_or_a_moved_one_fails_only_its_own_append() -> None:
    log = Log()
    group = GroupCommit(log.append)
    shared, rules = uuid4(), uuid4()
    group.append([event(rules)], None)
    results = run(
        group,
        log,
        {
            "leader": ([event(shared)], None),
            "ok": ([event()], {rules: 1}),
            "taken": ([event(shared)], None),
            "moved": ([event()], {rules: 0}),
            "disagrees": ([event()], {rules: 2}),
            "ok too": ([event()], None),
        },
    )
    assert isinstance(results["taken"], IntegrityError)
    assert isinstance(results["moved"], VersionsMovedError)
    assert isinstance(results["disagrees"], VersionsMovedError)
    assert results["ok"] == [3]
    assert results["ok too"] == [4]
    assert group.groups == 0


def test_a_failure_of_the_group_is_every_members_failure() -> None:
    log = Log()
    broken = RuntimeError("database down")

    def append(events: Sequence[StoredEvent], expected: Any) -> list[int] | None:
        log.append(events, expected)
        raise broken

    group = GroupCommit(append)
    results = run(group, log, {n: ([event()], None) for n in ("leader", "a", "b")})
    assert results["leader"] is broken
    # a and b went together: the one that led raises the error, the other a copy
    # (one exception object raised in two threads would mix their tracebacks).
    assert {results["a"] is broken, results["b"] is broken} == {True, False}
    for name in "ab":
        assert isinstance(results[name], RuntimeError)
        assert results[name] is broken or results[name].__cause__ is broken


@pytest.mark.parametrize("in_flight", [1, 2, 3])
def test_every_append_is_answered_once_whatever_the_groups(in_flight: int) -> None:
    log = Log()
    group = GroupCommit(log.append)
    group.max_in_flight = in_flight
    answers: list[list[int]] = []
    lock = threading.Lock()

    def writer() -> None:
        for k in range(200):
            ids = group.append([event() for _ in range(1 + k % 3)], None)
            with lock:
                answers.append(ids)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(answers) == 1200
    assert sorted(i for ids in answers for i in ids) == list(
        range(1, len(log.rows) + 1)
    )
    for ids in answers:
        assert ids == list(range(ids[0], ids[0] + len(ids)))
