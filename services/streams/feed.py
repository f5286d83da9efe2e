"""The HTTP feed: CloudEvents of a subtree, paged by log position, with checkpoints.

The same CloudEvents the relay sends to Kafka, read straight from the store. A page
scans the log after ``after`` (at most ``SCAN_LIMIT`` notifications per request, so a
quiet tenant in a busy installation still answers quickly) and keeps the events of
the caller's subtree and the asked types; ``next_after`` is where the next page
starts, also when nothing matched. Signed checkpoints ride along at the position of
the last event they cover; the live stream (services/streams/live.py) also delivers
those signed after it passed that position. The content of an item withdrawn for
personal data is left out of its events once the disclosures view knows of the
withdrawal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.cases.applicant import ApplicantRecord
from domain.cases.personal_data import erased_view
from domain.tenancy import is_within
from infra.vault import CiphertextError, open_applicant
from projections.audit import AuditView
from services.core.ports import Running
from services.core.views import AUDIT_NAME
from services.streams.cloudevents import (
    CHECKPOINT_TYPE,
    by_ce_type,
    checkpoint_cloudevent,
    streamed,
    to_cloudevent,
    withheld_types,
    withhold,
)
from services.streams.stored_cloudevents import StoredMapping

SCAN_LIMIT = 5000
MAX_LIMIT = 1000


class UnknownTypeError(KeyError):
    """A ``type`` filter names no streamed event type."""


@dataclass
class FeedPage:
    events: list[dict[str, Any]] = field(default_factory=list)
    next_after: int = 0


def in_scope(tenant: str, scope: str | None) -> bool:
    """``scope`` None is the whole installation (its admin)."""
    return scope is None or (bool(tenant) and is_within(tenant, scope))


class Feed:
    """Reads CloudEvents from the store for one installation."""

    def __init__(self, platform: Running) -> None:
        self.platform = platform
        self.installation = platform.settings.installation
        self.schema_base = platform.settings.public_base_url
        self.stored = StoredMapping(
            platform.tenants.mapper,
            self.installation,
            self.applicant,
            self.decoded,
            self.schema_base,
        )

    def applicant(self, ref: str) -> Mapping[str, str | None]:
        """The redacted form of a sealed applicant, or the erased view."""
        try:
            record = self.platform.cases._get(UUID(ref), ApplicantRecord)
        except ValueError:
            record = None
        if record is None or record.erased:
            return erased_view()
        try:
            person = open_applicant(
                self.platform.cases.vault, record.sealed(), record.tenant
            )
        except CiphertextError:
            person = None
        if person is None:
            return erased_view()
        return person.redacted()

    def cloudevent(self, notification: Any) -> dict[str, Any]:
        """Straight from the stored JSON where it can (stored_cloudevents.py)."""
        return self.stored.cloudevent(notification)

    def decoded(self, notification: Any) -> dict[str, Any]:
        """The slow path: decode (and upcast) the domain event, then map it."""
        event = self.platform.tenants.mapper.to_domain_event(notification)
        return to_cloudevent(
            notification.id,
            event,
            self.installation,
            self.applicant,
            self.schema_base,
        )

    def wanted(self, types: Iterable[str]) -> set[str]:
        """The asked types; UnknownTypeError names one that is not streamed."""
        wanted = set(types)
        unknown = wanted - {*by_ce_type(), CHECKPOINT_TYPE}
        if unknown:
            raise UnknownTypeError(sorted(unknown)[0])
        return wanted

    def withheld(self, ids: Iterable[str]) -> set[str]:
        """Which of these disclosures were withdrawn for personal data, as the
        disclosures view knows now."""
        wanted = set(ids)
        found: set[str] = (
            self.platform.disclosure_view.withheld(wanted) if wanted else set()
        )
        return found

    def withhold(self, events: list[dict[str, Any]]) -> None:
        """Leave the content of withheld items out of ``events`` (in place)."""
        types = withheld_types()
        gone = self.withheld(e["partitionkey"] for e in events if e["type"] in types)
        for i, event in enumerate(events):
            if event["type"] in types and event["partitionkey"] in gone:
                events[i] = withhold(event)

    def page(
        self,
        scope: str | None,
        after: int,
        limit: int,
        types: Iterable[str] = (),
        scan_limit: int = SCAN_LIMIT,
    ) -> FeedPage:
        """Up to ``limit`` events after ``after`` of ``scope``'s subtree, with the
        checkpoints whose last event lies in the scanned part."""
        wanted = self.wanted(types)
        page = self.scan(scope, after, limit, wanted, scan_limit)
        if not wanted or CHECKPOINT_TYPE in wanted:
            checkpoints = self.checkpoints(scope, after, page.next_after)
            page.events = sorted(
                [*page.events, *checkpoints], key=lambda e: int(e["sequence"])
            )
        return page

    def scan(
        self,
        scope: str | None,
        after: int,
        limit: int,
        wanted: set[str],
        scan_limit: int = SCAN_LIMIT,
    ) -> FeedPage:
        """Up to ``limit`` events (no checkpoints) after ``after`` of ``scope``'s
        subtree and the ``wanted`` types (all if none); ``next_after`` is the last
        position scanned."""
        topics = tuple(by_ce_type()[t].stored_topic for t in wanted - {CHECKPOINT_TYPE})
        only_checkpoints = bool(wanted) and not topics
        recorder = self.platform.tenants.recorder
        page = FeedPage(next_after=after)
        scanned, start, last = 0, after, after
        while len(page.events) < limit and scanned < scan_limit:
            batch = recorder.select_notifications(
                start=start,
                limit=min(500, scan_limit - scanned),
                topics=topics if not only_checkpoints else (),
                inclusive_of_start=False,
            )
            if not batch:
                break
            for n in batch:
                scanned += 1
                last = n.id
                if only_checkpoints or not streamed(n.topic):
                    continue
                ce = self.cloudevent(n)
                if in_scope(ce["subject"], scope):
                    page.events.append(ce)
                    if len(page.events) >= limit:
                        break
            start = batch[-1].id
        page.next_after = last
        self.withhold(page.events)
        return page

    @property
    def audit(self) -> AuditView:
        return self.platform.views[AUDIT_NAME]  # type: ignore[return-value]

    def checkpoint(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The CloudEvent of a stored checkpoint with the ``position`` it covers."""
        return checkpoint_cloudevent(
            row, int(row["position"]), self.installation, self.schema_base
        )

    def checkpoints(
        self, scope: str | None, after: int, upto: int
    ) -> list[dict[str, Any]]:
        """Checkpoints whose last covered event lies in ``(after, upto]``."""
        if upto <= after:
            return []
        return [
            self.checkpoint(row)
            for row in self.audit.checkpoints_covering(after, upto)
            if in_scope(row["tenant"], scope)
        ]
