"""OrderedPostgresApplicationRecorder: commit order, IntegrityError, subscriptions,
expected versions and group commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import singledispatchmethod
from queue import Empty, Queue
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from psycopg.sql import SQL, Composed, Literal

from infra.pgrecorder import OrderedPostgresApplicationRecorder, VersionsMovedError
from tests.integration.pglocks import lock_waiters, wait_until

ORDERED = "infra.pgrecorder:OrderedPostgresApplicationRecorder"
UNLOCKED = f"{__name__}:UnlockedRecorder"
WRITERS = 8
SAVES_PER_WRITER = 200


class UnlockedRecorder(OrderedPostgresApplicationRecorder):
    """Test only: the same functions without the table lock (notify only), and
    without group commit (which would serialise this process's appends)."""

    group_commit = False

    def _sql_lock_and_notify(self) -> Composed:
        return SQL("PERFORM pg_notify({channel}, '');").format(
            channel=Literal(self.channel_name)
        )


class Item(Aggregate):
    class Registered(Aggregate.Created):
        name: str

    @event(Registered)
    def __init__(self, name: str) -> None:
        self.name = name
        self.notes: list[str] = []

    @event("Noted")
    def note(self, text: str) -> None:
        self.notes.append(text)


class Ledger(Application[Any]):
    pass


def postgres_env(url: str, **extra: str) -> dict[str, str]:
    u = urlsplit(url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": ORDERED,
        "POSTGRES_DBNAME": u.path.lstrip("/"),
        "POSTGRES_HOST": u.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(u.port or 5432),
        "POSTGRES_USER": u.username or "postgres",
        "POSTGRES_PASSWORD": u.password or "",
    }
    env.update(extra)
    return env


@pytest.fixture
def app(fresh_pg_url: str) -> Iterator[Ledger]:
    ledger = Ledger(env=postgres_env(fresh_pg_url))
    try:
        yield ledger
    finally:
        ledger.close()


def slow_down_commits(url: str, table: str) -> None:
    """After one in ten inserted rows, sleep 1-3 ms: between nextval() and commit.

    Widens the window in which a transaction holds notification ids that are not
    yet visible, so that any ordering bug shows up quickly.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION test_sleep_a_bit() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN IF random() < 0.1 THEN"
            " PERFORM pg_sleep(0.001 + random() * 0.002); END IF;"
            " RETURN NULL; END $$"
        )
        conn.execute(
            f"CREATE TRIGGER test_sleep_a_bit AFTER INSERT ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION test_sleep_a_bit()"
        )


class Tail:
    """Reads the log like a tailing consumer: always from the last id it has seen.

    Records every id it is given; notes when it is given id N+k (k > 1) while
    N is not visible yet -- the gap a consumer would have skipped forever.
    """

    def __init__(self, app: Application[Any], stop_on_gap: bool = False) -> None:
        self.app = app
        self.stop_on_gap = stop_on_gap
        self.seen: list[int] = []
        self.gaps: list[tuple[int, int]] = []
        self.writers_done = threading.Event()
        self.gap_seen = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            last = 0
            while True:
                finished = self.writers_done.is_set()
                batch = self.app.recorder.select_notifications(
                    start=last, limit=200, inclusive_of_start=False
                )
                for n in batch:
                    if n.id != last + 1:
                        self.gaps.append((last, n.id))
                        self.gap_seen.set()
                    self.seen.append(n.id)
                    last = n.id
                if (finished and not batch) or (self.stop_on_gap and self.gaps):
                    return
        except BaseException as e:
            self.error = e
            self.gap_seen.set()


def write_concurrently(
    apps: list[Application[Any]], stop: threading.Event | None = None
) -> list[list[int]]:
    """WRITERS threads, each saving SAVES_PER_WRITER aggregates: every other save
    has one event, the others 3 events (and one in 50 has 70 events). Writer w
    saves through apps[w % len(apps)]."""
    saves: list[list[int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(w: int) -> None:
        app = apps[w % len(apps)]
        try:
            barrier.wait()
            for i in range(SAVES_PER_WRITER):
                if stop is not None and stop.is_set():
                    return
                item = Item(f"item {w}.{i}")
                extra = 0 if i % 2 == 0 else (69 if i % 50 == 1 else 2)
                for k in range(extra):
                    item.note(f"note {k}")
                ids = [r.notification.id for r in app.save(item)]
                assert len(ids) == extra + 1
                saves.append(ids)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return saves


@pytest.mark.parametrize(
    ("slow_commits", "with_library_writers"),
    [(False, False), (True, False), (True, True)],
    ids=["plain", "slow-commits", "slow-commits-mixed-with-library-recorder"],
)
def test_concurrent_writers_commit_in_notification_id_order(
    fresh_pg_url: str, slow_commits: bool, with_library_writers: bool
) -> None:
    app = Ledger(env=postgres_env(fresh_pg_url))
    apps: list[Application[Any]] = [app]
    try:
        assert isinstance(app.recorder, OrderedPostgresApplicationRecorder)
        if with_library_writers:
            # Half the writers use the library's default recorder (LOCK TABLE)
            # on the same table: its lock and our advisory lock exclude each
            # other through the INSERT's ROW EXCLUSIVE table lock.
            library = Ledger(
                env=postgres_env(fresh_pg_url, APPLICATION_RECORDER_TOPIC="")
            )
            assert type(library.recorder) is PostgresApplicationRecorder
            apps.append(library)
        if slow_commits:
            slow_down_commits(fresh_pg_url, "ledger_events")
        tail = Tail(app)
        tail.thread.start()
        try:
            saves = write_concurrently(apps)
        finally:
            tail.writers_done.set()
            tail.thread.join()
        assert tail.error is None

        total = sum(len(ids) for ids in saves)
        assert total > WRITERS * SAVES_PER_WRITER
        # The tailing reader got every id exactly once, in order, with no gap:
        # it never saw N+k before N (else it would have skipped N for good).
        assert tail.gaps == []
        assert tail.seen == list(range(1, total + 1))
        assert app.recorder.max_notification_id() == total
        # Each save's events got contiguous ids (returned in event order).
        for ids in saves:
            assert ids == list(range(ids[0], ids[0] + len(ids)))
        # ... and every id was returned to exactly one save.
        assert sorted(i for ids in saves for i in ids) == tail.seen
        if slow_commits:
            # Writers of one process queued behind slow commits were committed
            # in groups: the order above holds with group commit too.
            assert app.recorder.grouping.groups > 0
    finally:
        for a in apps:
            a.close()


def test_without_the_lock_a_tailing_reader_sees_gaps(fresh_pg_url: str) -> None:
    """Control: the same workload through a recorder that skips the lock lets a
    later id commit first, which the reader above would have reported."""
    app = Ledger(env=postgres_env(fresh_pg_url, APPLICATION_RECORDER_TOPIC=UNLOCKED))
    try:
        assert type(app.recorder) is UnlockedRecorder
        slow_down_commits(fresh_pg_url, "ledger_events")
        tail = Tail(app, stop_on_gap=True)
        stop = threading.Event()
        tail.thread.start()
        writing = threading.Thread(target=write_concurrently, args=([app], stop))
        writing.start()
        try:
            assert tail.gap_seen.wait(timeout=15), "no out-of-order commit observed"
            assert tail.error is None
        finally:
            stop.set()
            writing.join()
            tail.writers_done.set()
            tail.thread.join()
        before, after = tail.gaps[0]
        assert after > before + 1
        # The skipped ids were committed later: the table has no hole.
        skipped = app.recorder.select_notifications(start=before + 1, limit=1)
        assert [n.id for n in skipped] == [before + 1]
    finally:
        app.close()


def test_duplicate_version_raises_integrity_error_and_records_nothing(
    app: Ledger,
) -> None:
    item = Item("a")
    item.note("one")
    app.save(item)
    assert app.recorder.max_notification_id() == 2

    # Optimistic concurrency: two copies of version 2 both make version 3.
    copy1: Item = app.repository.get(item.id)
    copy2: Item = app.repository.get(item.id)
    copy1.note("from copy 1")
    copy2.note("from copy 2")
    assert [r.notification.id for r in app.save(copy1)] == [3]
    with pytest.raises(IntegrityError):
        app.save(copy2)
    assert app.repository.get(item.id).notes == ["one", "from copy 1"]

    # A multi-event save that conflicts on its first event records none of them.
    stale: Item = app.repository.get(item.id, version=2)
    for text in ("stale", "more", "and more"):
        stale.note(text)
    with pytest.raises(IntegrityError):
        app.save(stale)
    assert app.repository.get(item.id).version == 3

    # Same through the recorder, with the conflict in the middle of the batch.
    def stored(version: int) -> StoredEvent:
        return StoredEvent(item.id, version, "t", b"{}")

    with pytest.raises(IntegrityError):
        app.recorder.insert_events([stored(4), stored(2), stored(5)])
    with pytest.raises(IntegrityError):
        app.recorder.insert_events([stored(1)])
    events = app.recorder.select_events(item.id)
    assert [e.originator_version for e in events] == [1, 2, 3]
    notifications = app.recorder.select_notifications(start=1, limit=100)
    assert [(n.originator_id, n.originator_version) for n in notifications] == [
        (item.id, 1),
        (item.id, 2),
        (item.id, 3),
    ]

    # Failed calls used up sequence values; later ids carry on past them.
    ids = app.recorder.insert_events([stored(4)])
    assert ids is not None
    assert len(ids) == 1
    assert ids[0] > 3


@pytest.mark.parametrize("count", [0, 1, 2, 64, 65, 300])
def test_insert_events_returns_ids_in_event_order(app: Ledger, count: int) -> None:
    first = app.recorder.insert_events([StoredEvent(uuid4(), 1, "t", b"{}")])
    assert first == [1]
    originator_id = uuid4()
    events = [
        StoredEvent(originator_id, v, f"topic {v}", f'{{"v": {v}}}'.encode())
        for v in range(1, count + 1)
    ]
    ids = app.recorder.insert_events(events)
    assert ids == list(range(2, 2 + count))
    notifications = app.recorder.select_notifications(start=2, limit=1000)
    assert [(n.id, n.originator_version, n.topic, n.state) for n in notifications] == [
        (i, e.originator_version, e.topic, e.state)
        for i, e in zip(ids, events, strict=True)
    ]


def test_text_originator_ids(fresh_pg_url: str) -> None:
    app = Ledger(env=postgres_env(fresh_pg_url, ORIGINATOR_ID_TYPE="text"))
    try:
        ids = app.recorder.insert_events(
            [StoredEvent("order-1", 1, "t", b"{}"), StoredEvent("order-1", 2, "t", b"")]
        )
        assert ids == [1, 2]
        assert app.recorder.insert_events([StoredEvent("order-2", 1, "t", b"")]) == [3]
        with pytest.raises(IntegrityError):
            app.recorder.insert_events([StoredEvent("order-1", 2, "t", b"")])
    finally:
        app.close()


def test_subscription_receives_new_events_promptly(app: Ledger) -> None:
    app.save(Item("before"))
    start = app.recorder.max_notification_id()
    received: Queue[tuple[int, float]] = Queue()

    with app.recorder.subscribe(gt=start) as subscription:

        def consume() -> None:
            for notification in subscription:
                received.put((notification.id, time.monotonic()))

        consumer = threading.Thread(target=consume)
        consumer.start()
        try:
            time.sleep(0.2)  # let the subscription settle into waiting
            for k in range(5):
                saved_at = time.monotonic()
                item = Item(f"after {k}")
                item.note("x")
                ids = [r.notification.id for r in app.save(item)]
                for expected in ids:
                    try:
                        got, at = received.get(timeout=2)
                    except Empty:
                        pytest.fail(f"notification {expected} not received in 2 s")
                    assert got == expected
                    assert at - saved_at < 2
        finally:
            subscription.stop()
            consumer.join()


class SeenView(PostgresTrackingRecorder):
    """Tracking recorder that also remembers when it saw what."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: Queue[tuple[str, float]] = Queue()

    def seen(self, name: str, tracking: Tracking) -> None:
        self.insert_tracking(tracking)
        self.arrivals.put((name, time.monotonic()))


class Names(Projection[SeenView]):
    name = "names"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, domain_event: Item.Registered, tracking: Tracking) -> None:
        self.view.seen(domain_event.name, tracking)


def test_projection_runner_follows_promptly(fresh_pg_url: str) -> None:
    env = postgres_env(fresh_pg_url)
    with ProjectionRunner(
        application_class=Ledger,
        projection_class=Names,
        view_class=SeenView,
        env=env,
    ) as runner:
        assert isinstance(runner.app.recorder, OrderedPostgresApplicationRecorder)
        view = runner.projection.view
        for k in range(3):
            saved_at = time.monotonic()
            recordings = runner.app.save(Item(f"name {k}"))
            name, at = view.arrivals.get(timeout=2)
            assert name == f"name {k}"
            assert at - saved_at < 2
            runner.wait(recordings[-1].notification.id, timeout=2)


# -- expected versions and group commit --------------------------------------


@pytest.mark.parametrize("count", [1, 2, 65])
def test_expected_versions_are_checked_in_the_append(app: Ledger, count: int) -> None:
    item = Item("rules")
    item.note("v2")
    app.save(item)
    absent = uuid4()

    def events() -> list[StoredEvent]:
        originator = uuid4()
        return [StoredEvent(originator, v, "t", b"{}") for v in range(1, count + 1)]

    ids = app.recorder.insert_events(events(), expected_versions={item.id: 2})
    assert ids is not None
    assert len(ids) == count
    ids = app.recorder.insert_events(
        events(), expected_versions={item.id: 2, absent: 0}
    )
    assert ids is not None
    assert len(ids) == count
    last = app.recorder.max_notification_id()
    for stale in ({item.id: 1}, {item.id: 2, absent: 1}, {item.id: 3}):
        with pytest.raises(VersionsMovedError):
            app.recorder.insert_events(events(), expected_versions=stale)
    assert app.recorder.max_notification_id() == last  # nothing recorded


@contextmanager
def append_lock_held(url: str, app: Ledger) -> Iterator[None]:
    """Hold the append lock from outside, so that the next append waits in the
    database with its process's group leadership (until the block ends)."""
    recorder = app.recorder
    assert isinstance(recorder, OrderedPostgresApplicationRecorder)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (recorder.append_lock_key,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (recorder.append_lock_key,))


class Saves:
    """Saves run in threads: the leader first (it waits on the held lock), then
    the followers, which queue in the recorder behind it."""

    def __init__(self, url: str, app: Ledger) -> None:
        self.url, self.app = url, app
        self.results: dict[str, list[int] | BaseException] = {}
        self.threads: list[threading.Thread] = []

    def start(self, name: str, save: Callable[[], list[int]]) -> None:
        def run() -> None:
            try:
                self.results[name] = save()
            except BaseException as e:  # the test looks at it
                self.results[name] = e

        thread = threading.Thread(target=run)
        self.threads.append(thread)
        thread.start()

    def lead(self, save: Callable[[], list[int]]) -> None:
        self.start("leader", save)
        wait_until(lambda: lock_waiters(self.url) == 1)

    def follow(self, saves: dict[str, Callable[[], list[int]]]) -> None:
        grouping = self.app.recorder.grouping  # type: ignore[attr-defined]
        for name, save in saves.items():
            self.start(name, save)
        wait_until(lambda: grouping.waiting == len(saves))

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)


def save_new(app: Ledger, notes: int = 0) -> Callable[[], list[int]]:
    def save() -> list[int]:
        item = Item("new")
        for k in range(notes):
            item.note(f"note {k}")
        return [r.notification.id for r in app.save(item)]

    return save


def save_copy(app: Ledger, copy: Item) -> Callable[[], list[int]]:
    return lambda: [r.notification.id for r in app.save(copy)]


def test_concurrent_saves_are_committed_together(
    fresh_pg_url: str, app: Ledger
) -> None:
    saves = Saves(fresh_pg_url, app)
    with append_lock_held(fresh_pg_url, app):
        saves.lead(save_new(app))
        saves.follow({"a": save_new(app), "b": save_new(app, 2), "c": save_new(app)})
    saves.join()
    assert saves.results["leader"] == [1]
    # One group after the leader: each save's ids contiguous, together 2..6.
    followers = sorted((saves.results[n] for n in "abc"), key=lambda ids: ids[0])
    assert sorted(len(ids) for ids in followers) == [1, 1, 3]  # type: ignore[arg-type]
    assert [i for ids in followers for i in ids] == [2, 3, 4, 5, 6]  # type: ignore[union-attr]
    grouping = app.recorder.grouping  # type: ignore[attr-defined]
    assert (grouping.groups, grouping.grouped_commands) == (1, 3)
    notifications = app.recorder.select_notifications(start=1, limit=10)
    assert [n.id for n in notifications] == [1, 2, 3, 4, 5, 6]


def test_a_conflict_in_a_group_fails_only_the_offending_save(
    fresh_pg_url: str, app: Ledger
) -> None:
    item = Item("shared")
    app.save(item)
    first: Item = app.repository.get(item.id)
    second: Item = app.repository.get(item.id)
    first.note("first")
    second.note("second")  # the same version 2: conflicts with first
    rules = Item("rules")
    app.save(rules)
    rules_id, last = rules.id, app.recorder.max_notification_id()

    def checked(expected: int) -> Callable[[], list[int]]:
        def save() -> list[int]:
            return [
                r.notification.id
                for r in app.save(
                    Item("checked"), expected_versions={rules_id: expected}
                )
            ]

        return save

    saves = Saves(fresh_pg_url, app)
    with append_lock_held(fresh_pg_url, app):
        saves.lead(save_copy(app, first))
        saves.follow(
            {
                "ok": save_new(app),
                "conflict": save_copy(app, second),
                "checked": checked(1),
                "moved": checked(0),
                "ok too": save_new(app, 1),
            }
        )
    saves.join()
    assert isinstance(saves.results["conflict"], IntegrityError)
    assert isinstance(saves.results["moved"], VersionsMovedError)
    recorded = [saves.results[n] for n in ("leader", "ok", "checked", "ok too")]
    assert all(isinstance(ids, list) for ids in recorded)
    grouping = app.recorder.grouping  # type: ignore[attr-defined]
    assert grouping.groups == 0  # the group failed; each went alone
    assert app.repository.get(item.id).notes == ["first"]
    notifications = app.recorder.select_notifications(start=last + 1, limit=10)
    assert sorted(i for ids in recorded for i in ids) == [n.id for n in notifications]  # type: ignore[union-attr]
    assert len(notifications) == 5
