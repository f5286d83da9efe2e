"""Audit log cost: leaf appends per second, and proof latency at 10^4..10^6 leaves.

Usage::

    .venv/bin/python bench/audit.py [--leaves N] [--rounds R] [--proofs P] [--quick]
                                    [--url postgresql://user@host:port/db]

Without ``--url`` a fresh database is created on GONGKAI_TEST_PG_HOST/PORT/USER
(default 127.0.0.1:5432, postgres) and dropped at the end. With ``--url`` the
given database is used; the bench tenants (``bench.*``) are emptied first and left
in it, and tracking goes under the application name ``bench``, never ``gongkai``.

1. Appends. Every variant is a ``command: Callable[[int], None]`` taking leaf
   number i of the same pre-built canonical leaves (a ~500-byte JSON disclosure
   state with Chinese text as payload): (a) bare hashlib sha256(0x00 || leaf) over
   the encoded leaves, the reference; (b) Leaf.encode() + hash_leaf; (c) the pure
   in-memory tree, (b) + append_to_range into a dict + root_from_range; (d)
   AuditView.append, one transaction per leaf with its tracking row, as the audit
   follower does. The variants take turns in chunks of ``--chunk`` leaves (the
   machine is shared and noisy); the median of ``--rounds`` rounds is reported.

2. Proofs. For each size, a tenant's perfect nodes are computed bottom-up in
   memory with hash_children, checked against the root_from_leaves oracle, and
   bulk-loaded with COPY into the view's audit_nodes (audit_heads gets the head;
   audit_leaves stays empty: proofs never read it). Then ``--proofs`` inclusion
   proofs (random index, tree size = the head, the API's default) and consistency
   proofs (random 1 <= first < second <= size) per size are read through
   AuditView.inclusion_proof / consistency_proof, the sizes taking turns, each
   timed alone; every node read is counted and every proof is verified against
   the root computed in memory.

Progress goes to stderr, the tables to stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
from eventsourcing.persistence import Tracking

# Make the project importable when run as ``python bench/audit.py``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.ledger import (
    Ephemeral,
    append_to_range,
    consistency_proof_nodes,
    hash_children,
    hash_leaf,
    inclusion_proof_nodes,
    range_nodes,
    resolve_proof,
    root_from_leaves,
    root_from_range,
    verify_consistency,
    verify_inclusion,
)
from domain.ledger.leaf import Leaf, canonical_json
from infra.scratchdb import create_database, drop_database
from infra.settings import Settings
from projections.audit import AuditView
from services.core.views import AUDIT_NAME
from services.platform.runtime import Platform

Command = Callable[[int], None]

BENCH_APP = "bench"  # tracking application name: never the real follower's
APPEND_TENANT = "bench.append"
BATCH_TENANT = "bench.batched"
BATCH_APP = "bench-batched"
EVENT_TYPE = "domain.disclosure:Disclosure.Published"
BODY = "一、收入合计12.6万元；二、支出合计9.8万元。"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@contextmanager
def audit_view(url: str) -> Iterator[AuditView]:
    """The audit view exactly as the API and the follower get it (creates tables)."""
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as home:
        platform = Platform(Settings(database_url=url, home=Path(home)))
        try:
            yield platform.views[AUDIT_NAME]  # type: ignore[misc]
        finally:
            platform.close()


def forget_tenants(url: str, tenants: list[str]) -> None:
    """Empty the bench tenants' logs (only matters with --url on a reused db)."""
    with psycopg.connect(url) as conn:
        for table in ("audit_leaves", "audit_nodes", "audit_heads"):
            conn.execute(f"DELETE FROM {table} WHERE tenant = ANY(%s)", (tenants,))


# -- 1. appends ---------------------------------------------------------------------


def disclosure_state(i: int, aggregate: UUID, moment: datetime) -> bytes:
    """A stored Disclosure.Published state, JSON with Chinese text (~500 bytes)."""
    return canonical_json(
        {
            "originator_id": str(aggregate),
            "originator_version": 1,
            "timestamp": moment.isoformat(),
            "tenant": "xinhe.tahe.tuanjie",
            "category": "common.finance",
            "title": f"团结村2026年{i % 12 + 1}月财务收支（第{i}号）",
            "body": BODY,
            "channels": ["public_board", "website"],
            "formed_on": "2026-02-27",
            "published_on": "2026-03-02",
            "working_days_late": 0,
            "attachments": [],
            "effective_at": moment.isoformat(),
        }
    )


def make_leaves(
    count: int, first_position: int, tenant: str = APPEND_TENANT
) -> list[Leaf]:
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    leaves: list[Leaf] = []
    for i in range(count):
        aggregate, moment = uuid4(), start + timedelta(seconds=i)
        leaves.append(
            Leaf(
                tenant=tenant,
                aggregate_id=aggregate,
                version=1,
                event_type=EVENT_TYPE,
                recorded_at=moment,
                effective_at=moment,
                position=first_position + i,
                payload=disclosure_state(i, aggregate, moment),
            )
        )
    return leaves


def bare_hashlib(encoded: list[bytes]) -> Command:
    def command(i: int) -> None:
        sha256(b"\x00" + encoded[i]).digest()

    return command


def encode_and_hash(leaves: list[Leaf]) -> Command:
    def command(i: int) -> None:
        hash_leaf(leaves[i].encode())

    return command


def in_memory_tree(leaves: list[Leaf]) -> Command:
    nodes: dict[tuple[int, int], bytes] = {}
    state: list[Any] = [[], 0]  # compact range, size

    def command(i: int) -> None:
        range_, size = state
        new_range, stored = append_to_range(range_, size, hash_leaf(leaves[i].encode()))
        for level, index, node in stored:
            nodes[level, index] = node
        root_from_range(new_range, size + 1)
        state[:] = [new_range, size + 1]

    return command


def view_append(view: AuditView, leaves: list[Leaf]) -> Command:
    def command(i: int) -> None:
        leaf = leaves[i]
        view.append(leaf, Tracking(BENCH_APP, leaf.position))

    return command


def run_sequential(command: Command, count: int, start: int) -> float:
    began = time.perf_counter()
    for i in range(start, start + count):
        command(i)
    return time.perf_counter() - began


def measure(
    commands: dict[str, Command], count: int, rounds: int, warmup: int, chunk: int
) -> dict[str, list[float]]:
    """Warm up, then ``rounds`` rounds of ``count`` calls each, in turns; ops/s."""
    results: dict[str, list[float]] = {name: [] for name in commands}
    for name, command in commands.items():
        log(f"[append] warm-up {name} ({warmup})")
        run_sequential(command, warmup, 0)
    next_index = warmup
    for r in range(rounds):
        elapsed = dict.fromkeys(commands, 0.0)
        done = 0
        while done < count:
            n = min(chunk, count - done)
            for name, command in commands.items():
                elapsed[name] += run_sequential(command, n, next_index + done)
            done += n
        next_index += count
        for name in commands:
            results[name].append(count / elapsed[name])
            log(f"[append] round {r + 1}/{rounds} {name}: {results[name][-1]:,.0f}/s")
    return results


def bench_appends(
    view: AuditView, count: int, rounds: int, warmup: int, chunk: int
) -> tuple[dict[str, list[float]], list[str], int, int]:
    """ops/s per round of each variant, their names, median payload and leaf bytes."""
    first = (view.max_tracking_id(BENCH_APP) or 0) + 1
    total = warmup + rounds * count
    log(f"[append] building {total} canonical leaves")
    leaves = make_leaves(total, first)
    encoded = [leaf.encode() for leaf in leaves]
    names = [
        "(a) hashlib sha256(0x00||leaf), leaf pre-encoded",
        "(b) Leaf.encode() + hash_leaf",
        "(c) in-memory tree: (b) + append_to_range + dict",
        "(d) AuditView.append: (c) + 1 PostgreSQL txn",
    ]
    commands = dict(
        zip(
            names,
            (
                bare_hashlib(encoded),
                encode_and_hash(leaves),
                in_memory_tree(leaves),
                view_append(view, leaves),
            ),
            strict=True,
        )
    )
    results = measure(commands, count, rounds, warmup, chunk)
    head = view.head(APPEND_TENANT)
    oracle = root_from_leaves([hash_leaf(data) for data in encoded])
    if head.size != total or head.root_hash != oracle:
        raise SystemExit(f"append check failed: head {head.size} vs {total} leaves")
    log(f"[append] head of {total} leaves matches root_from_leaves")
    payload = int(statistics.median(len(leaf.payload) for leaf in leaves))
    return results, names, payload, int(statistics.median(map(len, encoded)))


def print_appends(
    results: dict[str, list[float]],
    names: list[str],
    payload: int,
    leaf: int,
    count: int,
    rounds: int,
) -> None:
    med = {name: statistics.median(results[name]) for name in names}
    ref, tree, db = med[names[0]], med[names[2]], med[names[3]]
    width = max(len(name) for name in names)
    print(f"\nappends: {count} leaves/round, median of {rounds} rounds;")
    print(
        f"payload {payload} bytes of JSON, canonical leaf {leaf} bytes;"
        " xN = time per leaf relative to (a) and to (c)"
    )
    heading = f"{'leaves/s':>10} {'us/leaf':>8} {'x(a)':>7} {'x(c)':>6}"
    print(f"  {'variant':<{width}} {heading}")
    for name in names:
        rounds_text = ", ".join(f"{v:,.0f}" for v in results[name])
        print(
            f"  {name:<{width}} {med[name]:>10,.0f} {1e6 / med[name]:>8.1f}"
            f" {ref / med[name]:>7,.0f} {tree / med[name]:>6.2f}  [{rounds_text}]"
        )
    share = (1 / db - 1 / tree) / (1 / db)
    print(
        f"  AuditView.append: {db:,.0f} leaves/s = 1/{ref / db:,.0f} of bare hashlib,"
        f" 1/{tree / db:,.0f} of the in-memory tree;"
        f" the DB transaction is {share:.1%} of its time"
    )


# -- 1b. batched appends: the follower's path vs raw executemany ------------------


RAW_TENANT = "bench.raw"
RAW_APP = "bench-raw"


def raw_batches(leaves: list[Leaf], batch: int) -> list[dict[str, list[Any]]]:
    """The rows AuditView.append_many writes for ``leaves``, pre-computed, in batches:
    leaves, nodes, the head after each batch, the tracking position."""
    out: list[dict[str, list[Any]]] = []
    range_: list[bytes] = []
    size = 0
    for begin in range(0, len(leaves), batch):
        rows: dict[str, list[Any]] = {"leaves": [], "nodes": [], "head": []}
        for leaf in leaves[begin : begin + batch]:
            data = leaf.encode()
            leaf_hash = hash_leaf(data)
            range_, nodes = append_to_range(range_, size, leaf_hash)
            rows["leaves"].append(
                (
                    RAW_TENANT,
                    size,
                    leaf.position,
                    f"{leaf.aggregate_id}:1",
                    leaf_hash.hex(),
                    data.decode(),
                )
            )
            rows["nodes"].extend((RAW_TENANT, lv, ix, h.hex()) for lv, ix, h in nodes)
            size += 1
        rows["head"] = [
            RAW_TENANT,
            size,
            canonical_json([h.hex() for h in range_]).decode(),
            root_from_range(range_, size).hex(),
        ]
        rows["position"] = [leaves[min(begin + batch, len(leaves)) - 1].position]
        out.append(rows)
    return out


def raw_commit(conn: psycopg.Connection[Any], rows: dict[str, list[Any]]) -> None:
    """One transaction of plain executemany, as a hand-written follower would."""
    with conn.transaction(), conn.cursor() as curs:
        curs.execute(
            "INSERT INTO audit_tracking VALUES (%s, %s) ON CONFLICT (application_name)"
            " DO UPDATE SET notification_id = excluded.notification_id",
            (RAW_APP, rows["position"][0]),
        )
        curs.executemany(
            "INSERT INTO audit_leaves (tenant, leaf_index, position, event_id,"
            " leaf_hash, leaf_input) VALUES (%s,%s,%s,%s,%s,%s)",
            rows["leaves"],
        )
        curs.executemany(
            "INSERT INTO audit_nodes (tenant, level, idx, hash) VALUES (%s,%s,%s,%s)",
            rows["nodes"],
        )
        curs.execute(
            "INSERT INTO audit_heads (tenant, size, compact_range, root_hash)"
            " VALUES (%s,%s,%s,%s) ON CONFLICT (tenant) DO UPDATE SET"
            " size = excluded.size, compact_range = excluded.compact_range,"
            " root_hash = excluded.root_hash",
            rows["head"],
        )


def bench_batched(
    url: str, view: AuditView, count: int, rounds: int, batch: int
) -> dict[str, Any]:
    """leaves/s of AuditView.append_many (hashing included) and of raw executemany
    of the same pre-computed rows, taking turns batch by batch; median of rounds."""
    forget_tenants(url, [BATCH_TENANT, RAW_TENANT])
    first = (view.max_tracking_id(BATCH_APP) or 0) + 1
    total = rounds * count
    log(f"[batched] building 2 x {total} canonical leaves, batches of {batch}")
    mine = make_leaves(total, first, BATCH_TENANT)
    raw = raw_batches(make_leaves(total, first, RAW_TENANT), batch)
    results: dict[str, list[float]] = {"view": [], "raw": []}
    with psycopg.connect(url) as conn:
        for r in range(rounds):
            spent = {"view": 0.0, "raw": 0.0}
            for b in range(count // batch):
                k = r * (count // batch) + b
                chunk = mine[k * batch : (k + 1) * batch]
                began = time.perf_counter()
                view.append_many(chunk, Tracking(BATCH_APP, chunk[-1].position))
                spent["view"] += time.perf_counter() - began
                began = time.perf_counter()
                raw_commit(conn, raw[k])
                spent["raw"] += time.perf_counter() - began
            done = (count // batch) * batch
            for name in spent:
                results[name].append(done / spent[name])
            log(
                f"[batched] round {r + 1}/{rounds}: view {results['view'][-1]:,.0f}/s,"
                f" raw executemany {results['raw'][-1]:,.0f}/s"
            )
    used = (count // batch) * batch * rounds
    head = view.head(BATCH_TENANT)
    oracle = root_from_leaves([hash_leaf(leaf.encode()) for leaf in mine[:used]])
    if head.size != used or head.root_hash != oracle:
        raise SystemExit("batched append check failed: head disagrees with the oracle")
    log(f"[batched] head of {used} leaves matches root_from_leaves")
    view_rate = statistics.median(results["view"])
    raw_rate = statistics.median(results["raw"])
    return {
        "batch": batch,
        "leaves_per_round": count,
        "rounds": rounds,
        "view_leaves_per_s": view_rate,
        "raw_executemany_leaves_per_s": raw_rate,
        "ratio": view_rate / raw_rate,
        "view_rounds": results["view"],
        "raw_rounds": results["raw"],
    }


def print_batched(b: dict[str, Any]) -> None:
    print(
        f"\nbatched appends (the audit follower's path): {b['leaves_per_round']}"
        f" leaves/round in batches of {b['batch']}, median of {b['rounds']} rounds"
    )
    print(
        f"  AuditView.append_many (encode + hash + tree + 1 txn per batch):"
        f" {b['view_leaves_per_s']:>9,.0f} leaves/s"
    )
    print(
        f"  raw executemany of the same rows into the same tables:        "
        f" {b['raw_executemany_leaves_per_s']:>9,.0f} leaves/s"
    )
    print(f"  ratio view/raw: {b['ratio']:.2f} (aim >= 0.30; aim >= 10,000 leaves/s)")


# -- 2. proofs ----------------------------------------------------------------------


def build_levels(size: int, label: str) -> list[list[bytes]]:
    """All perfect nodes of a tree of ``size`` synthetic leaves, level by level."""
    level = [hash_leaf(b"%s leaf %d" % (label.encode(), i)) for i in range(size)]
    levels = [level]
    while len(level) > 1:
        level = [
            hash_children(level[j], level[j + 1]) for j in range(0, len(level) - 1, 2)
        ]
        levels.append(level)
    return levels


def root_of(levels: list[list[bytes]], size: int) -> bytes:
    range_ = [levels[node.level][node.index] for node in range_nodes(size)]
    return root_from_range(range_, size)


def bulk_load(url: str, tenant: str, levels: list[list[bytes]]) -> None:
    """COPY every perfect node into audit_nodes and write the head, one transaction."""
    size = len(levels[0])
    range_ = [levels[node.level][node.index] for node in range_nodes(size)]
    batch = 200_000
    with psycopg.connect(url) as conn:
        with conn.cursor().copy(
            "COPY audit_nodes (tenant, level, idx, hash) FROM STDIN"
        ) as copy:
            for lv, hashes in enumerate(levels):
                prefix = f"{tenant}\t{lv}\t"
                for begin in range(0, len(hashes), batch):
                    chunk = hashes[begin : begin + batch]
                    copy.write(
                        "".join(
                            f"{prefix}{begin + j}\t{h.hex()}\n"
                            for j, h in enumerate(chunk)
                        )
                    )
        conn.execute(
            "INSERT INTO audit_heads (tenant, size, compact_range, root_hash)"
            " VALUES (%s, %s, %s, %s)",
            (
                tenant,
                size,
                canonical_json([h.hex() for h in range_]).decode(),
                root_from_range(range_, size).hex(),
            ),
        )


def load_tenant(url: str, view: AuditView, size: int) -> tuple[str, list[list[bytes]]]:
    tenant = f"bench.n{size}"
    began = time.perf_counter()
    levels = build_levels(size, tenant)
    nodes = sum(len(level) for level in levels)
    built = time.perf_counter()
    oracle = root_from_leaves(levels[0])
    if root_of(levels, size) != oracle:
        raise SystemExit(f"bottom-up tree of {size} disagrees with root_from_leaves")
    checked = time.perf_counter()
    bulk_load(url, tenant, levels)
    loaded = time.perf_counter()
    if view.head(tenant).root_hash != oracle:
        raise SystemExit(f"the head of {tenant} disagrees with root_from_leaves")
    log(
        f"[proofs] {tenant}: {nodes:,} nodes built in {built - began:.1f}s,"
        f" oracle {checked - built:.1f}s, COPY {loaded - checked:.1f}s"
    )
    return tenant, levels


def reads_of(refs: list[Any]) -> int:
    return sum(len(ref.parts) if isinstance(ref, Ephemeral) else 1 for ref in refs)


NODE_SQL = "SELECT hash FROM audit_nodes WHERE tenant = %s AND level = %s AND idx = %s"


class Case:
    """One (size, kind) series: its requests, and per proof the time through the
    view, the time of the raw baseline and the number of node reads."""

    def __init__(
        self,
        view: AuditView,
        tenant: str,
        levels: list[list[bytes]],
        kind: str,
        rng: random.Random,
        count: int,
    ) -> None:
        self.view, self.tenant, self.levels, self.kind = view, tenant, levels, kind
        self.size = len(levels[0])
        self.requests = [self._request(rng) for _ in range(count)]
        self.micros: list[float] = []
        self.raw_micros: list[float] = []
        self.reads: list[int] = []
        self.head_root = root_of(levels, self.size)

    def _request(self, rng: random.Random) -> tuple[int, int]:
        if self.kind == "inclusion":
            return rng.randrange(self.size), self.size
        first, second = sorted(rng.sample(range(1, self.size + 1), 2))
        return first, second

    def run(
        self, i: int, counter: list[int], raw: psycopg.Connection[Any], record: bool
    ) -> None:
        """One proof through the view, timed, counted and verified; then the same
        node reads as raw prepared SELECTs on one autocommit connection, timed."""
        a, b = self.requests[i % len(self.requests)]
        inclusion = self.kind == "inclusion"
        nodes = inclusion_proof_nodes if inclusion else consistency_proof_nodes
        read = self.view.inclusion_proof if inclusion else self.view.consistency_proof
        counter[0] = 0
        began = time.perf_counter()
        proof = read(self.tenant, a, b)
        elapsed = time.perf_counter() - began
        queries = counter[0]
        reads = reads_of(nodes(a, b))

        def get(level: int, index: int) -> bytes:
            row = raw.execute(NODE_SQL, (self.tenant, level, index), prepare=True)
            return bytes.fromhex(row.fetchone()[0])  # type: ignore[index]

        began = time.perf_counter()
        raw_proof = resolve_proof(nodes(a, b), get)
        raw_elapsed = time.perf_counter() - began

        if inclusion:
            verify_inclusion(a, b, self.levels[0][a], proof, self.head_root)
        else:
            roots = root_of(self.levels, a), root_of(self.levels, b)
            verify_consistency(a, b, proof, *roots)
        if queries != 1 or raw_proof != proof:
            raise SystemExit(f"{self.kind} {a},{b}: {queries} queries, want 1")
        if record:
            self.micros.append(elapsed * 1e6)
            self.raw_micros.append(raw_elapsed * 1e6)
            self.reads.append(reads)


def count_reads(view: AuditView) -> list[int]:
    """Count the queries a proof makes (the view reads all its nodes in one)."""
    counter = [0]
    real = view._query

    def query(text: str, params: Any = ()) -> Any:
        counter[0] += 1
        return real(text, params)

    view._query = query  # type: ignore[method-assign]
    return counter


def bench_proofs(
    url: str, view: AuditView, sizes: list[int], proofs: int, warmup: int, chunk: int
) -> list[Case]:
    forget_tenants(url, [f"bench.n{size}" for size in sizes])
    rng = random.Random(6962)
    cases: list[Case] = []
    for size in sizes:
        log(f"[proofs] building and loading a tree of {size:,} leaves")
        tenant, levels = load_tenant(url, view, size)
        for kind in ("inclusion", "consistency"):
            cases.append(Case(view, tenant, levels, kind, rng, warmup + proofs))
    with psycopg.connect(url, autocommit=True) as raw:
        log("[proofs] VACUUM ANALYZE audit_nodes, audit_heads")
        raw.execute("VACUUM ANALYZE audit_nodes")
        raw.execute("VACUUM ANALYZE audit_heads")
        counter = count_reads(view)
        for case in cases:
            for i in range(warmup):
                case.run(i, counter, raw, record=False)
        log(f"[proofs] warmed up ({warmup} proofs per series); measuring")
        total = warmup + proofs
        for begin in range(warmup, total, chunk):
            for case in cases:
                for i in range(begin, min(begin + chunk, total)):
                    case.run(i, counter, raw, record=True)
            log(f"[proofs] {min(begin + chunk, total) - warmup}/{proofs} verified")
    return cases


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def print_proofs(cases: list[Case], proofs: int) -> None:
    print(
        f"\nproofs through AuditView, {proofs} per row, each verified against the root;"
        "\ninclusion: random index, tree size = head; consistency: random"
        " 1 <= first < second <= size;"
        "\nreads = nodes per proof, fetched by the view in ONE query;"
        "\nraw = the same node reads as one prepared SELECT each on one connection"
    )
    print(
        f"  {'size':>9} {'proof':<11} {'reads':>5} {'max':>3}"
        f" {'median us':>9} {'p95 us':>7} {'us/read':>7} {'raw us':>6} {'x raw':>5}"
    )
    for case in cases:
        reads = statistics.mean(case.reads)
        med = statistics.median(case.micros)
        raw = statistics.median(case.raw_micros)
        print(
            f"  {case.size:>9,} {case.kind:<11} {reads:>5.1f} {max(case.reads):>3}"
            f" {med:>9,.0f} {p95(case.micros):>7,.0f} {med / reads:>7.0f}"
            f" {raw:>6,.0f} {med / raw:>5.1f}"
        )
    small, large = cases[0].size, cases[-1].size
    print(
        f"growth from {small:,} to {large:,} leaves"
        f" (log2 ratio {math.log2(large) / math.log2(small):.2f},"
        f" linear would be x{large // small}):"
    )
    for kind in ("inclusion", "consistency"):
        first = next(c for c in cases if c.size == small and c.kind == kind)
        last = next(c for c in cases if c.size == large and c.kind == kind)
        reads = statistics.mean(last.reads) / statistics.mean(first.reads)
        median = statistics.median(last.micros) / statistics.median(first.micros)
        tail = p95(last.micros) / p95(first.micros)
        print(f"  {kind:<11} reads x{reads:.2f}, median x{median:.2f}, p95 x{tail:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leaves", type=int, default=3000, help="appends per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=300, help="appends to warm up")
    parser.add_argument("--chunk", type=int, default=250, help="appends per turn")
    parser.add_argument("--proofs", type=int, default=200, help="per size and kind")
    parser.add_argument("--quick", action="store_true", help="stop at 10^5 leaves")
    parser.add_argument("--url", help="use this database (not created or dropped)")
    parser.add_argument(
        "--batched-leaves", type=int, default=20000, help="batched appends per round"
    )
    parser.add_argument("--batch", type=int, default=1000, help="leaves per batch")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args()
    sizes = [10**4, 10**5] if args.quick else [10**4, 10**5, 10**6]

    began = time.perf_counter()
    url: str = args.url or create_database("gongkai_bench")
    log(f"database: {url}")
    try:
        with audit_view(url) as view:
            forget_tenants(url, [APPEND_TENANT])
            appends = bench_appends(
                view, args.leaves, args.rounds, args.warmup, args.chunk
            )
            batched = bench_batched(
                url, view, args.batched_leaves, args.rounds, args.batch
            )
            cases = bench_proofs(url, view, sizes, args.proofs, 20, 25)
    finally:
        if not args.url:
            drop_database(url)
    print_appends(*appends, args.leaves, args.rounds)
    print_batched(batched)
    print_proofs(cases, args.proofs)
    if args.json:
        results, names = appends[0], appends[1]
        summary = {
            "appends_per_leaf_txn": {n: statistics.median(results[n]) for n in names},
            "batched": batched,
            "proofs": [
                {
                    "size": c.size,
                    "kind": c.kind,
                    "reads": statistics.mean(c.reads),
                    "median_us": statistics.median(c.micros),
                    "p95_us": p95(c.micros),
                }
                for c in cases
            ],
        }
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"\ntotal run time {time.perf_counter() - began:.0f}s")


if __name__ == "__main__":
    main()
