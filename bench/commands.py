"""Real commands in-process on PostgreSQL against raw one-row-per-commit INSERTs.

Usage::

    .venv/bin/python bench/commands.py [--commands N] [--rounds R] [--chunk C]
                                       [--json PATH]

Variants, each a ``command(i)`` run sequentially, taking turns in chunks of
``--chunk`` calls (the machine is shared and noisy; this spreads outside load
evenly); the median of ``--rounds`` rounds is reported:

* raw: one prepared ``INSERT`` per autocommit of a row the size of a published
  item's stored event (id, version, topic, state), on its own connection;
* publish: ``Disclosures.publish`` (role check, tenant, catalogue and calendar
  through the version-checked reference cache, timeliness, save);
* file: ``Cases.file`` of an unsigned complaint (tenant and service promises);
* accept: ``Cases.accept`` of a filed case (the case read and saved);
* publish and file again with the reference cache's version check made by a query
  of its own before the command (as before the check rode in the append): the
  cost of that round trip, in the same run.

Every ratio is to raw in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county import BODY, CATEGORY, bench_platform, log, register_county
from domain.access import Principal, Role
from infra.scratchdb import create_database, drop_database

Command = Callable[[int], None]
UP_FRONT_PUBLISH = "publish, rules checked up front"
UP_FRONT_FILE = "Cases.file, rules checked up front"


def raw_insert(conn: psycopg.Connection[Any], state: bytes) -> Command:
    conn.execute(
        "CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, originator_id UUID,"
        " originator_version INTEGER, topic TEXT, state BYTEA)"
    )
    topic = "domain.disclosure:Disclosure.Published"

    def command(_: int) -> None:
        conn.execute(
            "INSERT INTO bench_raw (originator_id, originator_version, topic, state)"
            " VALUES (%s, %s, %s, %s)",
            (uuid4(), 1, topic, state),
            prepare=True,
        )

    return command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=1000, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    url = create_database("gongkai_bench")
    log(f"database: {url}")
    try:
        with (
            bench_platform(url) as (platform, _clock),
            psycopg.connect(url, autocommit=True) as raw,
        ):
            villages = register_county(platform, 2, 2)
            path = villages[0]
            clerk = Principal(id="clerk", tenant=path, roles=frozenset({Role.CLERK}))

            def publish(i: int) -> None:
                platform.disclosures.publish(
                    clerk,
                    path,
                    category=CATEGORY,
                    title=f"2026年第{i}号财务收支公开",
                    body=BODY,
                    channels=["公开栏"],
                    formed_on=date(2026, 1, 2),
                )

            def file_case(i: int) -> Any:
                return platform.cases.file(
                    clerk,
                    path,
                    kind="complaint",
                    channel="hotline",
                    summary=f"村道路灯损坏三个月无人维修（第{i}件）",
                    signed=False,
                )

            total = args.rounds * args.commands + 50
            log(f"[commands] filing {total} cases to accept later")
            to_accept = [file_case(i).id for i in range(total)]

            def accept(i: int) -> None:
                platform.cases.accept(clerk, path, to_accept[i])

            publish(0)
            state = bytes(
                platform.tenants.recorder.select_notifications(
                    start=platform.max_position(), limit=1
                )[0].state
            )

            def up_front(command: Command, app: Any) -> Command:
                """``command`` with its rules checked by a query of their own."""

                def run(i: int) -> None:
                    app.references.check_at_append = False
                    try:
                        command(i)
                    finally:
                        app.references.check_at_append = True

                return run

            variants: dict[str, Command] = {
                "raw INSERT, 1 row per commit": raw_insert(raw, state),
                "Disclosures.publish": publish,
                "Cases.file": file_case,
                "Cases.accept": accept,
                UP_FRONT_PUBLISH: up_front(publish, platform.disclosures),
                UP_FRONT_FILE: up_front(file_case, platform.cases),
            }
            for command in variants.values():  # warm-up
                for i in range(50):
                    command(total - 50 + i if command is accept else i)
            results: dict[str, list[float]] = {name: [] for name in variants}
            for r in range(args.rounds):
                spent = dict.fromkeys(variants, 0.0)
                for begin in range(0, args.commands, args.chunk):
                    for name, command in variants.items():
                        began = time.perf_counter()
                        for i in range(begin, min(begin + args.chunk, args.commands)):
                            command(r * args.commands + i)
                        spent[name] += time.perf_counter() - began
                for name in variants:
                    results[name].append(args.commands / spent[name])
                log(
                    f"[commands] round {r + 1}: "
                    + ", ".join(f"{n} {v[-1]:,.0f}/s" for n, v in results.items())
                )
            hits = {
                "disclosures": platform.disclosures.references.hits,
                "cases": platform.cases.references.hits,
            }
    finally:
        drop_database(url)
    med = {name: statistics.median(v) for name, v in results.items()}
    base = med["raw INSERT, 1 row per commit"]
    print(
        f"\ncommands in-process on PostgreSQL, {args.commands}/round,"
        f" median of {args.rounds} rounds (state {len(state)} bytes)"
    )
    width = max(len(name) for name in med)
    print(f"  {'variant':<{width}} {'per s':>8} {'x raw':>6}")
    for name, rate in med.items():
        print(f"  {name:<{width}} {rate:>8,.0f} {rate / base:>6.2f}")
    print("  aim: real commands >= 0.50 of raw")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "per_s": med,
                    "ratio_to_raw": {n: r / base for n, r in med.items()},
                    "rounds": results,
                    "reference_cache_hits": hits,
                },
                indent=2,
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
