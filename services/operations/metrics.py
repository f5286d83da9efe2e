"""Prometheus metrics: what ``GET /metrics`` answers (docs/operations.md, "Metrics").

Two kinds:

- **Kept by each process as it serves** (services/operations/observe.py records
  them): requests by route template and status, their latency, and the process's
  PostgreSQL pool. Under ``gongkai serve --workers`` prometheus_client keeps them in
  files under ``PROMETHEUS_MULTIPROC_DIR`` (a fresh directory the CLI makes before
  uvicorn starts the workers), and whichever worker answers a scrape sums every
  process's files: counters and histograms over all of them, the pool's gauges
  (``livesum``) over the processes still alive.
- **Read from the store at scrape time**: the log's position, each view's position
  and lag, the relay's position and lag. They are the same whichever process
  answers; ``gongkai_store_up`` is 0 when the store did not answer.

No label names a tenant, a resource or a principal: routes are templates
(``/v1/tenants/{path:path}``), an unmatched path is ``other``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from infra.pgfactory import pool_stats
from services.streams.relay import relay_status

log = logging.getLogger("gongkai.metrics")

REQUESTS = Counter(
    "gongkai_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "gongkai_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer",
    ["method", "route"],
)

# psycopg_pool's get_stats() names → our gauges (summed over live processes) ...
POOL_GAUGES = {
    "pool_size": Gauge(
        "gongkai_pg_pool_connections",
        "PostgreSQL connections the pools hold open",
        ["database"],
        multiprocess_mode="livesum",
    ),
    "pool_available": Gauge(
        "gongkai_pg_pool_idle_connections",
        "Open connections idle in the pools",
        ["database"],
        multiprocess_mode="livesum",
    ),
    "requests_waiting": Gauge(
        "gongkai_pg_pool_waiting",
        "Callers waiting for a connection now",
        ["database"],
        multiprocess_mode="livesum",
    ),
    "pool_max": Gauge(
        "gongkai_pg_pool_max_connections",
        "The most connections the pools may open",
        ["database"],
        multiprocess_mode="livesum",
    ),
}
# ... and its counters since the pool opened → ours, with their unit's divisor.
POOL_COUNTERS = {
    "requests_num": (
        Counter(
            "gongkai_pg_pool_checkouts",
            "Connections taken from the pools",
            ["database"],
        ),
        1,
    ),
    "requests_queued": (
        Counter(
            "gongkai_pg_pool_waits",
            "Checkouts that waited for a connection",
            ["database"],
        ),
        1,
    ),
    "requests_wait_ms": (
        Counter(
            "gongkai_pg_pool_wait_seconds",
            "Time callers spent waiting for a connection",
            ["database"],
        ),
        1000,
    ),
    "requests_errors": (
        Counter(
            "gongkai_pg_pool_errors",
            "Checkouts that failed (timed out waiting for a connection)",
            ["database"],
        ),
        1,
    ),
    "usage_ms": (
        Counter(
            "gongkai_pg_pool_busy_seconds",
            "Time connections spent out of the pools, in use",
            ["database"],
        ),
        1000,
    ),
    "connections_errors": (
        Counter(
            "gongkai_pg_connect_errors",
            "Attempts to open a connection that failed",
            ["database"],
        ),
        1,
    ),
    "connections_lost": (
        Counter(
            "gongkai_pg_connections_lost",
            "Pooled connections found broken",
            ["database"],
        ),
        1,
    ),
}


class PoolSampler:
    """Copies this process's pool statistics into the metrics: at each scrape, and
    after a request at most once a ``every`` seconds (so that under ``--workers``
    a worker that answers no scrape still reports its pool)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], int] = {}
        self._last = float("-inf")

    def sample(self, every: float = 0.0) -> None:
        now = time.monotonic()
        if now - self._last < every or not self._lock.acquire(blocking=False):
            return  # recent enough, or another thread is at it
        try:
            self._last = now
            self._copy(pool_stats())
        finally:
            self._lock.release()

    def _copy(self, stats: dict[str, dict[str, int]]) -> None:
        for gone in {database for database, _ in self._seen} - stats.keys():
            for gauge in POOL_GAUGES.values():  # a closed pool holds nothing
                gauge.labels(gone).set(0)
                gauge.remove(gone)  # (in multiprocess mode its file keeps the 0)
            self._seen = {k: v for k, v in self._seen.items() if k[0] != gone}
        for database, values in stats.items():
            for name, gauge in POOL_GAUGES.items():
                gauge.labels(database).set(values.get(name, 0))
            for name, (counter, divisor) in POOL_COUNTERS.items():
                value = values.get(name, 0)
                before = self._seen.get((database, name), 0)
                grown = value - before if value >= before else value  # a new pool
                if grown:
                    counter.labels(database).inc(grown / divisor)
                self._seen[(database, name)] = value


POOLS = PoolSampler()


class StoreCollector(Collector):
    """The positions and lags, read from the store when a scrape asks."""

    def __init__(self, platform: Any) -> None:
        self.platform = platform

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "gongkai_store_up", "1 if the store answered this scrape's queries"
        )
        try:
            if self.platform is None:
                raise LookupError("the process has no platform (yet)")
            position = self.platform.max_position()
            views = self.platform.lag()
            relay = relay_status(self.platform)
        except Exception as e:  # the store is down: the other metrics still answer
            log.warning("metrics: the store did not answer: %s", e)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily(
            "gongkai_log_position", "Notification id of the log's last event", position
        )
        at = GaugeMetricFamily(
            "gongkai_view_position", "The last event a view applied", labels=["view"]
        )
        lag = GaugeMetricFamily(
            "gongkai_view_lag",
            "Events of a view's topics not yet applied (runners: at most 1000)",
            labels=["view"],
        )
        for name, report in sorted(views.items()):
            at.add_metric([name], report["position"])
            lag.add_metric([name], report["lag"])
        yield at
        yield lag
        yield from mirror_metrics(self.platform)
        # As /v1/health: no relay metrics where no relay is configured or has run.
        if self.platform.settings.kafka_bootstrap_servers or relay["position"]:
            yield GaugeMetricFamily(
                "gongkai_relay_position",
                "The last event the relay sent and committed",
                relay["position"],
            )
            yield GaugeMetricFamily(
                "gongkai_relay_lag", "Events not yet sent by the relay", relay["lag"]
            )


def mirror_metrics(platform: Any) -> Iterator[Metric]:
    """Per mirror: its verified position, its lag, and 1 if it stopped (by why)."""
    try:
        report = platform.mirrors()
    except Exception as e:  # a platform without mirrors support, or a store error
        log.warning("metrics: mirrors: %s", e)
        return
    if not report:
        return
    at = GaugeMetricFamily(
        "gongkai_mirror_position",
        "The mirrored installation's log position verified up to",
        labels=["mirror"],
    )
    lag = GaugeMetricFamily(
        "gongkai_mirror_lag",
        "Log positions of the mirrored installation seen but not yet verified",
        labels=["mirror"],
    )
    stopped = GaugeMetricFamily(
        "gongkai_mirror_stopped",
        "1 if the mirror stopped: fork, refused-key or bad-data",
        labels=["mirror", "reason"],
    )
    for name, m in sorted(report.items()):
        at.add_metric([name], m["position"])
        lag.add_metric([name], m["lag"])
        for reason in ("fork", "refused-key", "bad-data"):
            stopped.add_metric([name, reason], int(m["state"] == f"stopped:{reason}"))
    yield at
    yield lag
    yield stopped


class Joined(Collector):
    """Several collectors answered as one."""

    def __init__(self, *parts: Collector) -> None:
        self.parts = parts

    def collect(self) -> Iterable[Metric]:
        for part in self.parts:
            yield from part.collect()


def exposition(
    platform: Any, accept: str, multiproc_dir: Path | None
) -> tuple[bytes, str]:
    """The body and content type of a scrape (text format, or OpenMetrics if the
    scraper asks for it); without a ``platform``, ``gongkai_store_up`` is 0."""
    POOLS.sample()
    encoder, content_type = choose_encoder(accept)
    kept: Collector = REGISTRY
    if multiproc_dir is not None:
        forget_dead(multiproc_dir)
        kept = MultiProcessCollector(None, path=str(multiproc_dir))  # type: ignore[no-untyped-call]
    return encoder(Joined(kept, StoreCollector(platform))), content_type


def forget_dead(directory: Path) -> None:
    """Drop the live gauges of worker processes that ended (uvicorn restarts a
    worker that dies, with a new pid)."""
    for file in directory.glob("gauge_live*_*.db"):
        pid = file.stem.rsplit("_", 1)[1]
        if pid.isdigit() and not alive(int(pid)):
            mark_process_dead(int(pid), str(directory))  # type: ignore[no-untyped-call]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user's
    return True
