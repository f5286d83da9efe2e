"""The supervisor's desk on the demo: latency of the overview, case list and exports.

Usage::

    .venv/bin/python bench/desk.py [--rounds R] [--url sqlite:///path | postgresql://…]

Loads the demo (新和县, a simulated year to 20 November 2026) into a fresh store
(SQLite in a temporary folder unless ``--url`` names an empty one), rebuilds the views,
then times each request through the ASGI app ``--rounds`` times and prints the median
and the maximum in milliseconds.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from domain.access import Role
from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from services.demo.builder import SimClock, load_demo
from services.platform.runtime import Platform
from services.server import create_app

REQUESTS = (
    ("overview", "/v1/tenants/xinhe/overview", {}),
    ("overview as known 10-31", "/v1/tenants/xinhe/overview",
     {"as_of": "2026-10-31", "known_at": "2026-10-31"}),
    ("catalogue, whole county", "/v1/tenants/xinhe/catalogue",
     {"include_descendants": "true"}),
    ("case list, county", "/v1/tenants/xinhe/cases", {"include_descendants": "true"}),
    ("case list, late, as of 10-31", "/v1/tenants/xinhe/cases",
     {"include_descendants": "true", "late": "true", "as_of": "2026-10-31"}),
    ("disclosures, county", "/v1/tenants/xinhe/disclosures",
     {"include_descendants": "true"}),
    ("overview.xlsx", "/v1/tenants/xinhe/overview", {"format": "xlsx"}),
    ("cases.csv, county", "/v1/tenants/xinhe/cases",
     {"include_descendants": "true", "format": "csv"}),
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    settings = Settings(
        home=home,
        database_url=args.url or f"sqlite:///{home / 'gongkai.db'}",
        token_secret=secrets.token_urlsafe(32),
    )
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    clock = SimClock(now)
    platform = Platform(settings, clock=clock)
    started = time.monotonic()
    load_demo(platform, clock, end=date(2026, 11, 20))
    platform.rebuild()
    clock.moment = now
    print(f"demo loaded in {time.monotonic() - started:.1f}s", file=sys.stderr)
    token = TokenSigner(load_secret(settings)).mint(
        subject="bench", tenant="xinhe", roles=[Role.SUPERVISOR.value]
    )
    headers = {"Authorization": f"Bearer {token}"}
    print(f"{'request':32} {'median ms':>10} {'max ms':>8}")
    with TestClient(create_app(settings, platform=platform)) as client:
        for name, url, params in REQUESTS:
            times = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                response = client.get(url, params=params, headers=headers)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.text
            print(f"{name:32} {statistics.median(times):10.1f} {max(times):8.1f}")
    platform.close()


if __name__ == "__main__":
    main()
