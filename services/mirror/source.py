"""The county as a mirror reads it: its HTTP feed and its audit API.

Only reads, with the county's bearer token: ``GET /v1/feed`` (CloudEvents and signed
checkpoints by log position), ``…/audit/leaves`` (the canonical leaf bytes the
checkpoints commit to), ``…/audit/keys`` and ``…/audit/proofs/consistency``.
Whatever the county answers is checked before it is kept (services/mirror/follow.py);
a county that cannot be reached raises SourceDownError and is tried again later.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 15.0
MAX_LEAVES = 256  # what one …/audit/leaves request answers at most
FEED_LIMIT = 1000


class SourceDownError(Exception):
    """The county did not answer (network, 5xx): try again later."""


class SourceRefusedError(Exception):
    """The county answered 4xx: the token or the URL is wrong."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def api_base(feed: str) -> str:
    """``http://host:port`` or ``…/v1`` (or ``…/v1/feed``) → the ``…/v1`` prefix."""
    base = feed.rstrip("/")
    if base.endswith("/feed"):
        base = base[: -len("/feed")]
    return base if base.endswith("/v1") else base + "/v1"


@dataclass
class FeedPage:
    events: list[dict[str, Any]]
    next_after: int


class Source:
    """One county installation's API, read with its token.

    ``feed`` is the one pluggable part: the next page of CloudEvents after a log
    position, ordered by position, and the position read up to (below which every
    event has been given). ``KafkaSource`` (services/mirror/kafka_source.py) gives
    it from the county's Kafka topics; leaves, keys and proofs always come from here.
    """

    def __init__(self, feed: str, token: str) -> None:
        if not feed.startswith(("http://", "https://")):
            raise ValueError(f"feed URL {feed!r} is not http(s)")
        self.base = api_base(feed)
        self.token = token

    def _get(self, path: str, query: dict[str, Any] | None = None) -> Any:
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            url,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "*/*"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as r:  # noqa: S310
                body = r.read()
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")[:300]
            if e.code >= 500:
                raise SourceDownError(f"{url}: {e.code} {text}") from None
            raise SourceRefusedError(f"{url}: {e.code} {text}", e.code) from None
        except (OSError, TimeoutError) as e:
            raise SourceDownError(f"{url}: {e}") from None
        return json.loads(body)

    @staticmethod
    def _tenant(path: str) -> str:
        return "/tenants/" + urllib.parse.quote(path, safe="")

    def feed(
        self, after: int, limit: int = FEED_LIMIT, types: list[str] | None = None
    ) -> FeedPage:
        query: dict[str, Any] = {"after": after, "limit": limit}
        if types:
            query["type"] = ",".join(types)
        found = self._get("/feed", query)
        return FeedPage(list(found["events"]), int(found["next_after"]))

    def leaves(self, tenant: str, start: int, end: int) -> list[tuple[int, bytes, str]]:
        """Leaves ``start…end`` (inclusive): (index, canonical bytes, event id)."""
        out: list[tuple[int, bytes, str]] = []
        while start <= end:
            found = self._get(
                self._tenant(tenant) + "/audit/leaves",
                {"start": start, "end": min(end, start + MAX_LEAVES - 1)},
            )
            batch = found["leaves"]
            if not batch:
                break
            for leaf in batch:
                out.append(
                    (
                        int(leaf["leaf_index"]),
                        base64.b64decode(leaf["leaf_input"]),
                        str(leaf["event_id"]),
                    )
                )
            start = out[-1][0] + 1
        return out

    def keys(self, tenant: str) -> dict[str, list[str]]:
        """The tenant's and its ancestors' registered note verifier keys."""
        found = self._get(self._tenant(tenant) + "/audit/keys")
        return {str(k): [str(v) for v in vs] for k, vs in found["keys"].items()}

    def close(self) -> None:
        """Nothing held between requests (a Kafka source closes its consumer)."""

    def consistency(self, tenant: str, first: int, second: int) -> list[bytes]:
        found = self._get(
            self._tenant(tenant) + "/audit/proofs/consistency",
            {"first": first, "second": second},
        )
        return [base64.b64decode(h) for h in found["consistency"]]
