"""Append throughput: raw psycopg vs the library's recorder vs ours.

Usage::

    .venv/bin/python bench/append.py [--events N] [--rounds R] [--threads T]
                                     [--url postgresql://user@host:port/db]

Without ``--url`` a fresh database is created on GONGKAI_TEST_PG_HOST/PORT/USER
(default 127.0.0.1:5432, postgres) and dropped at the end. With ``--url`` the
given database is used and the bench tables are left in it.

Each variant is a ``command: Callable[[int], None]`` (one call = one command = one
commit); adding a variant is writing one function that returns such a command.
Every variant is warmed up, then run for ``--events`` commands per round, the
variants taking turns in chunks of ``--chunk`` commands (the machines are shared
and noisy: this spreads outside load evenly); the median of ``--rounds`` rounds
is reported.
Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import StoredEvent

# Make ``infra`` importable when run as ``python bench/append.py``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.pgrecorder import OrderedPostgresApplicationRecorder
from infra.scratchdb import create_database, drop_database

Command = Callable[[int], None]

ORDERED_TOPIC = "infra.pgrecorder:OrderedPostgresApplicationRecorder"
UNGROUPED_TOPIC = f"{__name__}:UngroupedRecorder"
FIFO_TOPIC = f"{__name__}:FifoPoolRecorder"
BODY = "政务公开 transparency notice; " * 11  # ~ 530 bytes of stored JSON state


def postgres_env(url: str, **extra: str) -> dict[str, str]:
    u = urlsplit(url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": u.path.lstrip("/"),
        "POSTGRES_HOST": u.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(u.port or 5432),
        "POSTGRES_USER": u.username or "postgres",
        "POSTGRES_PASSWORD": u.password or "",
    }
    env.update(extra)
    return env


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- the aggregate used by the application variants ---------------------------


class Notice(Aggregate):
    @event("Published")
    def __init__(self, seq: int, title: str, body: str) -> None:
        self.seq = seq
        self.title = title
        self.body = body


class LibraryApp(Application[Any]):
    """Library default recorder (table libraryapp_events)."""


class OrderedApp(Application[Any]):
    """OrderedPostgresApplicationRecorder (table orderedapp_events)."""


class UngroupedRecorder(OrderedPostgresApplicationRecorder):
    """Ours without group commit: each concurrent save its own transaction."""

    group_commit = False


class UngroupedApp(Application[Any]):
    """UngroupedRecorder (table ungroupedapp_events)."""


class FifoPoolRecorder(OrderedPostgresApplicationRecorder):
    """Ours with psycopg_pool's own first-in-first-out pool (as before)."""

    most_recent_connection_first = False


class FifoApp(Application[Any]):
    """FifoPoolRecorder (table fifoapp_events)."""


class PythonOnlyApp(Application[Any]):
    """Same as OrderedApp but insert_events is a no-op: the Python side of save."""


def sample_state() -> bytes:
    app = Application[Any](env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    notice = Notice(0, "notice 0", BODY)
    return app.mapper.to_stored_event(notice.collect_events()[0]).state


# -- commands -----------------------------------------------------------------


@contextmanager
def raw_insert(url: str, payload: bytes) -> Iterator[Command]:
    """(a) one prepared INSERT of one row per autocommit; a connection per thread."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS raw_events ("
            " originator_id uuid NOT NULL, originator_version bigint NOT NULL,"
            " topic text, state bytea, notification_id bigserial,"
            " PRIMARY KEY (originator_id, originator_version))"
        )
        conn.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS raw_events_notification_id_idx"
            " ON raw_events (notification_id)"
        )
    # Idle connections, most recently used last (LIFO: one connection when
    # sequential, one per thread when concurrent). list.pop/append are atomic.
    idle: list[psycopg.Connection[Any]] = []
    every: list[psycopg.Connection[Any]] = []
    topic = "__main__:Notice.Published"

    def command(_: int) -> None:
        try:
            conn = idle.pop()
        except IndexError:
            conn = psycopg.connect(url, autocommit=True)
            every.append(conn)
        conn.execute(
            "INSERT INTO raw_events (originator_id, originator_version, topic, state)"
            " VALUES (%s, %s, %s, %s)",
            (uuid4(), 1, topic, payload),
            prepare=True,
        )
        idle.append(conn)

    try:
        yield command
    finally:
        for conn in every:
            conn.close()


@contextmanager
def app_save(app: Application[Any]) -> Iterator[Command]:
    """(b)/(c): create an aggregate with one small event and save it."""

    def command(i: int) -> None:
        app.save(Notice(i, f"notice {i}", BODY))

    try:
        yield command
    finally:
        app.close()


@contextmanager
def python_side_of_save() -> Iterator[Command]:
    """Application.save with the recorder's insert_events stubbed out (no DB)."""
    app = PythonOnlyApp(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})

    def insert_events(stored: Sequence[StoredEvent], **_: Any) -> Sequence[int]:
        return list(range(1, len(stored) + 1))

    app.recorder.insert_events = insert_events  # type: ignore[method-assign,assignment]
    with app_save(app) as command:
        yield command


@contextmanager
def recorder_insert_only(app: Application[Any], payload: bytes) -> Iterator[Command]:
    """The app's recorder.insert_events alone (no domain model, no mapper)."""
    recorder = app.recorder
    topic = "__main__:Notice.Published"

    def command(_: int) -> None:
        recorder.insert_events([StoredEvent(uuid4(), 1, topic, payload)])

    yield command


@contextmanager
def append_function_direct(url: str, app: Application[Any]) -> Iterator[Command]:
    """The recorder's append function called on a dedicated psycopg connection
    (no pool, no eventsourcing code): the server-side cost vs (a)."""
    query = app.recorder._append_one_query  # type: ignore[attr-defined]
    topic = "__main__:Notice.Published"
    payload = sample_state()
    with psycopg.connect(url, autocommit=True) as conn:

        def command(_: int) -> None:
            params = (uuid4(), 1, topic, payload, None, None)
            conn.execute(query, params, prepare=True).fetchall()

        yield command


@contextmanager
def pool_checkout(app: Application[Any]) -> Iterator[Command]:
    """PostgresDatastore.get_connection() and return, no query."""
    datastore = app.recorder.datastore  # type: ignore[attr-defined]

    def command(_: int) -> None:
        with datastore.get_connection():
            pass

    yield command


@contextmanager
def select_one(url: str) -> Iterator[Command]:
    """One prepared SELECT 1 round trip (no commit, no WAL)."""
    with psycopg.connect(url, autocommit=True) as conn:

        def command(_: int) -> None:
            conn.execute("SELECT 1", prepare=True).fetchall()

        yield command


def split_save(app: Application[Any], count: int, rounds: int) -> tuple[float, float]:
    """Median us per app.save spent inside and outside recorder.insert_events.

    "Outside" is the Python side of save as it runs between round trips, which is
    slower than in a tight loop without I/O (caches are cold after each wait).
    """
    recorder = app.recorder
    real = recorder.insert_events
    inside = [0.0]

    def timed(stored: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        began = time.perf_counter()
        try:
            return real(stored, **kwargs)
        finally:
            inside[0] += time.perf_counter() - began

    recorder.insert_events = timed  # type: ignore[method-assign,assignment]
    ins: list[float] = []
    out: list[float] = []
    try:
        for r in range(rounds):
            inside[0] = 0.0
            began = time.perf_counter()
            for i in range(count):
                app.save(Notice(i, f"split {r}.{i}", BODY))
            total = time.perf_counter() - began
            ins.append(inside[0] / count * 1e6)
            out.append((total - inside[0]) / count * 1e6)
            log(f"[split] round {r + 1}/{rounds}: in {ins[-1]:.0f} out {out[-1]:.0f}")
    finally:
        recorder.insert_events = real  # type: ignore[method-assign]
    return statistics.median(ins), statistics.median(out)


# -- measuring ----------------------------------------------------------------


def run_sequential(command: Command, count: int, start: int = 0) -> float:
    """Run ``command`` ``count`` times in this thread; return elapsed seconds."""
    began = time.perf_counter()
    for i in range(start, start + count):
        command(i)
    return time.perf_counter() - began


def run_concurrent(command: Command, count: int, threads: int, start: int = 0) -> float:
    """Run ``command`` ``count`` times over ``threads`` threads; elapsed seconds."""
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        barrier.wait()
        try:
            for i in range(start + offset, start + count, threads):
                command(i)
        except BaseException as e:
            errors.append(e)

    workers = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    began = time.perf_counter()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return elapsed


def measure(
    commands: dict[str, Command],
    runner: Callable[[Command, int, int], float],
    count: int,
    rounds: int,
    warmup: int,
    chunk: int,
    label: str,
) -> dict[str, list[float]]:
    """Warm every command up, then run ``rounds`` rounds; ops/s per round.

    In each round every command runs ``count`` times, but in chunks of ``chunk``
    calls taken in turn across the commands, so that load from elsewhere on the
    machine (2 cores, shared) falls evenly on all variants.
    """
    results: dict[str, list[float]] = {name: [] for name in commands}
    next_index = dict.fromkeys(commands, 0)
    for name, command in commands.items():
        log(f"[{label}] warm-up {name} ({warmup})")
        runner(command, warmup, next_index[name])
        next_index[name] += warmup
    for r in range(rounds):
        elapsed = dict.fromkeys(commands, 0.0)
        done = 0
        while done < count:
            n = min(chunk, count - done)
            for name, command in commands.items():
                elapsed[name] += runner(command, n, next_index[name])
                next_index[name] += n
            done += n
        for name in commands:
            ops = count / elapsed[name]
            results[name].append(ops)
            log(f"[{label}] round {r + 1}/{rounds} {name}: {ops:,.0f} ops/s")
    return results


def print_table(
    title: str,
    results: dict[str, list[float]],
    names: Iterable[str],
    reference: float | None,
) -> None:
    """ops/s (median), ratio and extra us/op relative to the reference ops/s
    (the first row if None)."""
    names = list(names)
    if reference is None:
        reference = statistics.median(results[names[0]])
    width = max(len(name) for name in names)
    print(f"\n{title}")
    print(f"  {'variant':<{width}} {'ops/s':>7} {'ratio':>5} {'us/op':>6} {'+us':>5}")
    for name in names:
        med = statistics.median(results[name])
        extra = 1e6 / med - 1e6 / reference
        rounds = ", ".join(f"{v:,.0f}" for v in results[name])
        print(
            f"  {name:<{width}} {med:>7,.0f} {med / reference:>5.2f} {1e6 / med:>6.0f}"
            f" {extra:>+5.0f}  [{rounds}]"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=3000, help="commands per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--chunk", type=int, default=250, help="commands per turn within a round"
    )
    parser.add_argument("--url", help="use this database (not created or dropped)")
    parser.add_argument("--json", type=Path, help="write the ratios here")
    args = parser.parse_args()

    url: str = args.url or create_database("gongkai_bench")
    log(f"database: {url}")
    payload = sample_state()
    log(f"stored event state: {len(payload)} bytes")
    try:
        raw_label = "(a) raw psycopg, 1 INSERT per autocommit"
        lib_label = "(b) library PostgresApplicationRecorder, app.save"
        ord_label = "(c) OrderedPostgresApplicationRecorder, app.save"
        pool1 = " [POOL_SIZE=1]"
        ordered_env = postgres_env(url, APPLICATION_RECORDER_TOPIC=ORDERED_TOPIC)
        ordered_app = OrderedApp(env=ordered_env)
        ordered_app1 = OrderedApp(env={**ordered_env, "POSTGRES_POOL_SIZE": "1"})
        library_app1 = LibraryApp(env=postgres_env(url, POSTGRES_POOL_SIZE="1"))
        fifo_app = FifoApp(env=postgres_env(url, APPLICATION_RECORDER_TOPIC=FIFO_TOPIC))
        ungrouped_app = UngroupedApp(
            env=postgres_env(url, APPLICATION_RECORDER_TOPIC=UNGROUPED_TOPIC)
        )
        with (
            raw_insert(url, payload) as raw,
            app_save(LibraryApp(env=postgres_env(url))) as lib,
            app_save(ordered_app) as ordered,
            app_save(library_app1) as lib1,
            app_save(ordered_app1) as ord1,
            app_save(ungrouped_app) as ungrouped,
            app_save(fifo_app) as fifo,
            python_side_of_save() as py_only,
            append_function_direct(url, ordered_app) as function,
            recorder_insert_only(ordered_app, payload) as insert5,
            recorder_insert_only(ordered_app1, payload) as insert1,
            pool_checkout(ordered_app) as checkout,
            select_one(url) as select,
        ):
            main_variants = {
                raw_label: raw,
                lib_label: lib,
                ord_label: ordered,
                ord_label + " [FIFO pool, as before]": fifo,
                lib_label + pool1: lib1,
                ord_label + pool1: ord1,
            }
            breakdown_variants = {
                "app.save, Python side only (insert_events stubbed)": py_only,
                "(c)'s append function, own connection, no pool": function,
                "(c)'s recorder.insert_events, no Application": insert5,
                "(c)'s recorder.insert_events, no Application" + pool1: insert1,
                "PostgresDatastore.get_connection(), no query": checkout,
                "SELECT 1 round trip (prepared, no commit)": select,
            }
            # One interleaved measurement, so the breakdown is comparable.
            seq = measure(
                {**main_variants, **breakdown_variants},
                run_sequential,
                args.events,
                args.rounds,
                args.warmup,
                args.chunk,
                "sequential",
            )

            split = split_save(ordered_app1, args.events, args.rounds)

            def concurrent(command: Command, count: int, start: int) -> float:
                return run_concurrent(command, count, args.threads, start)

            conc = measure(
                {
                    f"{raw_label}, {args.threads} threads": raw,
                    f"{lib_label}, {args.threads} threads": lib,
                    f"{ord_label}, {args.threads} threads": ordered,
                    f"{ord_label}, no group commit, {args.threads} threads": (
                        ungrouped
                    ),
                },
                concurrent,
                args.events,
                args.rounds,
                args.warmup,
                args.chunk,
                "concurrent",
            )
    finally:
        if not args.url:
            drop_database(url)

    print(f"\nstored event state {len(payload)} bytes; {args.events} commands/round;")
    print(
        f"median of {args.rounds} rounds; ratio = ops/s relative to (a);"
        " +us = extra time per command relative to (a)"
    )
    reference = statistics.median(seq[raw_label])
    print_table("sequential (1 thread)", seq, main_variants, reference)
    print_table(f"concurrent ({args.threads} threads)", conc, conc, None)
    grouping = ordered_app.recorder.grouping  # type: ignore[attr-defined]
    if grouping.groups:
        print(
            f"  (c) committed {grouping.grouped_commands:,} saves in"
            f" {grouping.groups:,} groups of 2+"
            f" (mean {grouping.grouped_commands / grouping.groups:.1f})"
        )
    print_table("breakdown (sequential, same run)", seq, breakdown_variants, reference)
    if args.json:
        conc_raw = statistics.median(conc[f"{raw_label}, {args.threads} threads"])
        args.json.write_text(
            json.dumps(
                {
                    "sequential_ratio_to_raw": {
                        name: statistics.median(seq[name]) / reference
                        for name in main_variants
                    },
                    "concurrent_ratio_to_raw": {
                        name: statistics.median(conc[name]) / conc_raw for name in conc
                    },
                    "save_sequential": ord_label,
                    "save_concurrent": f"{ord_label}, {args.threads} threads",
                    "groups": grouping.groups,
                    "grouped_commands": grouping.grouped_commands,
                },
                indent=2,
            )
        )
    print(
        f"\n{ord_label}{pool1}, split of one save (run separately, us/op):"
        f"\n  inside recorder.insert_events {split[0]:6.0f}"
        f"\n  rest of app.save (Python)     {split[1]:6.0f}"
    )


if __name__ == "__main__":
    main()
