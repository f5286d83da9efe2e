"""The canonical leaf encoding of a stored event (docs/audit.md, "Leaf encoding").

A leaf is the UTF-8 bytes of a JSON object with exactly these keys, sorted, no
insignificant white space, non-ASCII characters written as themselves:

    {"aggregate_id":…,"effective_at":…,"event_type":…,"payload":…,"position":…,
     "recorded_at":…,"tenant":…,"v":1,"version":…}

``payload`` is the base64 (standard alphabet, padded) of the event's state exactly
as the store holds it, so that ciphertext stays ciphertext; times are UTC with
microseconds (``2026-03-02T02:00:00.000000Z``); ``effective_at`` is null when an
event has none.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

LEAF_VERSION = 1
FIELDS = (
    "aggregate_id",
    "effective_at",
    "event_type",
    "payload",
    "position",
    "recorded_at",
    "tenant",
    "v",
    "version",
)


class LeafFormatError(ValueError):
    """Bytes that are not a canonical leaf."""


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC text, so that equal instants always encode alike."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Leaf:
    """The facts of one stored event that its tenant's Merkle log commits to."""

    tenant: str
    aggregate_id: UUID
    version: int
    event_type: str
    recorded_at: datetime
    effective_at: datetime | None
    position: int
    payload: bytes

    def encode(self) -> bytes:
        obj: dict[str, Any] = {
            "aggregate_id": str(self.aggregate_id),
            "effective_at": utc_text(self.effective_at) if self.effective_at else None,
            "event_type": self.event_type,
            "payload": base64.b64encode(self.payload).decode("ascii"),
            "position": self.position,
            "recorded_at": utc_text(self.recorded_at),
            "tenant": self.tenant,
            "v": LEAF_VERSION,
            "version": self.version,
        }
        return canonical_json(obj)

    @classmethod
    def decode(cls, data: bytes) -> Leaf:
        """Parse canonical leaf bytes; requires that they re-encode identically."""
        try:
            obj = json.loads(data.decode("utf-8"))
            if not isinstance(obj, dict) or tuple(sorted(obj)) != FIELDS:
                raise LeafFormatError(f"a leaf has exactly the keys {FIELDS}")
            if obj["v"] != LEAF_VERSION:
                raise LeafFormatError(f"unknown leaf version {obj['v']!r}")
            leaf = cls(
                tenant=str(obj["tenant"]),
                aggregate_id=UUID(obj["aggregate_id"]),
                version=int(obj["version"]),
                event_type=str(obj["event_type"]),
                recorded_at=parse_utc(obj["recorded_at"]),
                effective_at=parse_utc(obj["effective_at"])
                if obj["effective_at"]
                else None,
                position=int(obj["position"]),
                payload=base64.b64decode(obj["payload"], validate=True),
            )
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            UnicodeDecodeError,
        ) as e:
            if isinstance(e, LeafFormatError):
                raise
            raise LeafFormatError(f"not a canonical leaf: {e}") from None
        if leaf.encode() != data:
            raise LeafFormatError("the leaf is not in canonical form")
        return leaf


def parse_utc(text: str) -> datetime:
    if not text.endswith("Z"):
        raise LeafFormatError(f"time {text!r} must be UTC ending in Z")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def canonical_json(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
