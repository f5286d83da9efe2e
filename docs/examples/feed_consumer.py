"""A Gongkai stream consumer over the HTTP feed, to copy (docs/consumer.md).

    python feed_consumer.py --api https://gongkai.example --token "$TOKEN" \
        --db events.sqlite3 [--type cn.gongkai.case.CaseFiled.v2] [--follow]

Pages ``GET /v1/feed`` from the position it holds (``after``) and keeps, in one
transaction per page, the page's events and the next position (``next_after``), so
after a crash it asks for the same page again and a re-read event is recognised by
its ``id``. ``--replay`` forgets the position (the events stay: each is kept once).
Python's standard library only; the token is one of the role ``integrator``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
import urllib.parse
import urllib.request
from typing import Any


class Store:
    """What this consumer keeps: every event once, by ``id``, and its position."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, type TEXT,"
            " subject TEXT, key TEXT, sequence INTEGER, event TEXT)"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS cursor (after INTEGER NOT NULL)")

    def after(self) -> int:
        row = self.db.execute("SELECT after FROM cursor").fetchone()
        return int(row[0]) if row else 0

    def page(self, events: list[dict[str, Any]], next_after: int) -> int:
        """Keep a page and where to go on, together; returns the events added."""
        added = 0
        with self.db:
            for event in events:
                added += self.db.execute(
                    "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        event["id"],
                        event["type"],
                        event["subject"],
                        event["partitionkey"],
                        int(event["sequence"]),
                        json.dumps(event, ensure_ascii=False),
                    ),
                ).rowcount
            self.db.execute("DELETE FROM cursor")
            self.db.execute("INSERT INTO cursor VALUES (?)", (next_after,))
        return added


def get_page(
    api: str, token: str, after: int, types: list[str], limit: int = 500
) -> dict[str, Any]:
    query = urllib.parse.urlencode(
        [("after", after), ("limit", limit), *[("type", t) for t in types]]
    )
    if not api.startswith(("https://", "http://")):
        raise SystemExit(f"--api must be an http(s) URL, not {api!r}")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        f"{api.rstrip('/')}/v1/feed?{query}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        page: dict[str, Any] = json.load(answer)
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description="Consume Gongkai's feed")
    parser.add_argument("--api", required=True, help="https://host of the API")
    parser.add_argument("--token", required=True, help="a token of role integrator")
    parser.add_argument("--db", required=True, help="SQLite file of what is kept")
    parser.add_argument("--type", action="append", default=[], help="keep only")
    parser.add_argument("--replay", action="store_true", help="from position 0")
    parser.add_argument("--follow", action="store_true", help="wait for more")
    args = parser.parse_args()

    store = Store(args.db)
    after = 0 if args.replay else store.after()
    processed = duplicates = 0
    while True:
        page = get_page(args.api, args.token, after, args.type)
        added = store.page(page["events"], page["next_after"])
        processed += added
        duplicates += len(page["events"]) - added
        if page["next_after"] == after:  # nothing further (yet)
            if not args.follow:
                break
            time.sleep(2)
        after = page["next_after"]
    summary = {"processed": processed, "duplicates": duplicates, "after": after}
    print(json.dumps(summary), file=sys.stdout, flush=True)


if __name__ == "__main__":
    main()
