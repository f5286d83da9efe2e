"""Aggregates that moved keep the names their events are stored under (docs/events.md,
"Moving a class"): stored events resolve to the moved classes, new ones are written
under the same names, and no two classes share one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.utils import get_topic, resolve_topic

from domain.base import event_classes
from domain.cases.applicant import ApplicantRecord
from domain.cases.case import Case
from domain.disclosures.disclosure import Disclosure
from domain.inspection.inspection_file import Inspection
from domain.ledger.audit_ledger import AuditLedger
from domain.people.signin import Outcome, SignIn
from domain.people.staff import Staffer
from services.streams.cloudevents import stored_event_classes

MOVED: dict[type[Aggregate], str] = {
    Case: "domain.cases",
    ApplicantRecord: "domain.applicant",
    Disclosure: "domain.disclosure",
    AuditLedger: "domain.audit",
    Staffer: "domain.staff",
    SignIn: "domain.signin",
    Inspection: "domain.inspection",
}


def all_aggregates() -> set[type[Any]]:
    """Every aggregate of ``domain``, as the streams and the corpus guard find them."""
    return {aggregate for aggregate, _, _ in stored_event_classes()}


@pytest.mark.parametrize("aggregate", list(MOVED), ids=lambda c: c.__name__)
def test_a_moved_aggregate_is_named_and_found_by_the_module_it_was_stored_from(
    aggregate: type[Aggregate],
) -> None:
    stored = MOVED[aggregate]
    assert aggregate.__module__ != stored  # it did move
    assert get_topic(aggregate) == f"{stored}:{aggregate.__qualname__}"
    assert resolve_topic(f"{stored}:{aggregate.__qualname__}") is aggregate
    events = event_classes(aggregate)
    assert len(events) > 2
    for name, cls in events:
        topic = f"{stored}:{aggregate.__qualname__}.{name}"
        assert get_topic(cls) == topic
        assert resolve_topic(topic) is cls


def test_new_events_are_written_under_the_stored_name() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=JSONTranscoder())
    mapper.transcoder.register(UUIDAsHex())
    mapper.transcoder.register(DatetimeAsISO())
    attempt = SignIn.attempt(
        tenant="xinhe",
        username="XH-0001@xinhe",
        outcome=Outcome.SUCCEEDED,
        address="127.0.0.1",
        jti=None,
        effective_at=datetime(2026, 12, 6, 4, tzinfo=UTC),
    )
    [stored] = [mapper.to_stored_event(e) for e in attempt.collect_events()]
    assert stored.topic == "domain.signin:SignIn.Attempted"
    assert b'"originator_topic":"domain.signin:SignIn"' in stored.state


def test_every_stored_name_belongs_to_one_class() -> None:
    seen: dict[str, type[Any]] = {}
    for aggregate in all_aggregates():
        for cls in (aggregate, *(c for _, c in event_classes(aggregate))):
            topic = get_topic(cls)
            assert seen.setdefault(topic, cls) is cls, topic
            assert resolve_topic(topic) is cls
    assert len(seen) > 120
