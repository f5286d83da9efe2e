"""``gongkai subscribe``: a tenant's CloudEvents, one JSON line each, for scripts.

From the HTTP feed of a running installation (``--http URL`` with an integrator
token) or straight from the Kafka topics (``--kafka``). With ``--verify`` each event
is checked against its tenant's signed checkpoint over the API: the checkpoint's
signature by a key the tenant's log registered, an RFC 6962 inclusion proof of the
event's leaf, and the leaf's own id, tenant, type and position against the event.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.errors import GongkaiError
from domain.ledger import hash_leaf, verify_inclusion
from domain.ledger.leaf import Leaf
from domain.ledger.note import Checkpoint, Note, verify_note
from domain.tenancy import is_within
from infra.keys import Ed25519Verifier
from infra.settings import Settings
from services.streams.cloudevents import (
    CHECKPOINT_TYPE,
    by_ce_type,
    event_types,
    families,
    family_of_type,
)
from services.streams.topics import TopicRouting


class SubscribeError(Exception):
    """The source refused or an event failed verification."""


@dataclass(frozen=True)
class Selection:
    """Which events: a subtree, types, and where to start."""

    tenant: str
    types: tuple[str, ...] = ()
    after: int = 0
    since: datetime | None = None

    def keeps(self, event: dict[str, Any]) -> bool:
        subject = str(event.get("subject", ""))
        if not subject or not is_within(subject, self.tenant):
            return False
        if self.types and event["type"] not in self.types:
            return False
        if int(event["sequence"]) <= self.after:
            return False
        if self.since is not None:
            moment = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
            return moment >= self.since
        return True


@dataclass
class Api:
    """A small JSON client of a Gongkai API (stdlib only)."""

    url: str
    token: str | None = None
    timeout: float = 30.0

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        query = urllib.parse.urlencode(params or {}, doseq=True)
        target = self.url.rstrip("/") + path + (f"?{query}" if query else "")
        request = urllib.request.Request(target)  # noqa: S310 - http(s) by the user
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
                kind = response.headers.get("content-type", "")
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")
            raise SubscribeError(f"{target}: {e.code} {detail}") from None
        except OSError as e:
            raise SubscribeError(f"{target}: {e}") from None
        if "json" in kind:
            return json.loads(body)
        return body.decode("utf-8")


def from_http(
    api: Api, selection: Selection, follow: bool = False, poll: float = 1.0
) -> Iterator[dict[str, Any]]:
    after = selection.after
    params: dict[str, Any] = {"limit": 500}
    if selection.types:
        params["type"] = list(selection.types)
    while True:
        page = api.get("/v1/feed", {**params, "after": after})
        for event in page["events"]:
            if selection.keeps(event):
                yield event
        if page["next_after"] == after:
            if not follow:
                return
            time.sleep(poll)
        after = int(page["next_after"])


def from_kafka(
    settings: Settings, selection: Selection, follow: bool = False
) -> Iterator[dict[str, Any]]:
    """The topics' events from the beginning (to their current end unless
    ``follow``), filtered by the ``gongkai-tenant``/``gongkai-type`` headers."""
    from kafka import TopicPartition

    from infra.kafka import consumer

    wanted = sorted(
        {family_of_type(t) for t in selection.types} if selection.types else families()
    )
    reader = consumer(settings, enable_auto_commit=False)
    try:
        topics = TopicRouting.of(settings).holding(
            reader.topics(), wanted, selection.tenant
        )
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(reader.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            return
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        end = reader.end_offsets(partitions)
        while follow or any(reader.position(p) < end[p] for p in partitions):
            for records in reader.poll(timeout_ms=500).values():
                for record in records:
                    headers = dict(record.headers or [])
                    tenant = headers.get("gongkai-tenant", b"").decode()
                    if not tenant or not is_within(tenant, selection.tenant):
                        continue
                    event = json.loads(record.value)
                    if selection.keeps(event):
                        yield event
    finally:
        reader.close()


@dataclass
class Verifier:
    """Checks events against their tenants' signed checkpoints over the API."""

    api: Api
    installation: str
    checkpoints: dict[str, Checkpoint] = field(default_factory=dict)

    def checkpoint(self, tenant: str, fresh: bool = False) -> Checkpoint:
        if fresh or tenant not in self.checkpoints:
            path = f"/v1/tenants/{urllib.parse.quote(tenant)}/audit"
            note = Note.parse(self.api.get(f"{path}/checkpoint"))
            keys = self.api.get(f"{path}/keys")["keys"].get(tenant, [])
            try:
                verify_note(note, [Ed25519Verifier.from_verifier_key(k) for k in keys])
            except GongkaiError as e:
                raise SubscribeError(f"checkpoint of {tenant}: {e.detail}") from None
            checkpoint = Checkpoint.parse(note.text)
            if checkpoint.origin != f"{self.installation}/{tenant}":
                msg = f"checkpoint of {tenant} has origin {checkpoint.origin!r}"
                raise SubscribeError(msg)
            self.checkpoints[tenant] = checkpoint
        return self.checkpoints[tenant]

    def verify(self, event: dict[str, Any]) -> None:
        """Raise SubscribeError unless the event is in its tenant's signed log."""
        if event["type"] == CHECKPOINT_TYPE:
            return  # a checkpoint is itself signed; `audit verify` checks it
        tenant = str(event["subject"])
        path = f"/v1/tenants/{urllib.parse.quote(tenant)}/audit"
        checkpoint = self.checkpoint(tenant)
        try:
            proof = self._proof(path, event, checkpoint.size)
        except SubscribeError:
            checkpoint = self.checkpoint(tenant, fresh=True)  # the event is newer
            proof = self._proof(path, event, checkpoint.size)
        leaf_hash = base64.b64decode(proof["leaf_hash"])
        try:
            verify_inclusion(
                int(proof["leaf_index"]),
                checkpoint.size,
                leaf_hash,
                [base64.b64decode(h) for h in proof["audit_path"]],
                checkpoint.root_hash,
            )
        except GongkaiError as e:
            raise SubscribeError(f"event {event['id']}: {e.detail}") from None
        entry = self.api.get(f"{path}/leaves/{proof['leaf_index']}")
        raw = base64.b64decode(entry["leaf_input"])
        leaf = Leaf.decode(raw)
        et = event_types().get(leaf.event_type)
        if (
            hash_leaf(raw) != leaf_hash
            or f"{leaf.aggregate_id}:{leaf.version}" != event["id"]
            or leaf.tenant != tenant
            or str(leaf.position) != event["sequence"]
            or et is None
            or et.ce_type != event["type"]
        ):
            raise SubscribeError(f"event {event['id']} differs from its signed leaf")

    def _proof(self, path: str, event: dict[str, Any], size: int) -> Any:
        return self.api.get(
            f"{path}/proofs/inclusion", {"event": event["id"], "tree_size": size}
        )


def run(
    events: Iterator[dict[str, Any]],
    write: Callable[[str], None],
    verifier: Verifier | None = None,
) -> int:
    """Write each event as one JSON line (verified first if asked); → count."""
    count = 0
    for event in events:
        if verifier is not None:
            verifier.verify(event)
        write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
        count += 1
    return count


def check_types(types: tuple[str, ...]) -> None:
    unknown = [t for t in types if t not in by_ce_type() and t != CHECKPOINT_TYPE]
    if unknown:
        raise SubscribeError(f"unknown event type {unknown[0]!r}")
