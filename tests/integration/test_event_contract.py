"""The CloudEvent contract: every event type, valid against its schema, redacted."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from domain.cases.applicant import ApplicantRecord
from infra.settings import Settings
from infra.vault import open_applicant
from services.demo.builder import SimClock, load_demo
from services.platform.runtime import Platform
from services.streams.feed import Feed
from services.streams.schemas import all_types, schema_of
from tests.integration.scenario import PERSON, every_event_type


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_every_event_type_streams_valid_and_without_personal_data(
    platform: Platform,
) -> None:
    every_event_type(platform)
    events = Feed(platform).page(None, 0, 1000, scan_limit=10**6).events
    seen = Counter(e["type"] for e in events)
    assert set(all_types()) - set(seen) == set()  # every type occurs
    for event in events:
        schema = schema_of(event["type"], platform.settings.public_base_url)
        Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        ).validate(event)
    text = json.dumps(events, ensure_ascii=False)
    for secret in PERSON.to_dict().values():
        assert secret is not None
        assert secret not in text
    assert "ciphertext" not in text
    redacted = [e["data"]["applicant"] for e in events if "applicant" in e["data"]]
    assert PERSON.redacted() in redacted


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_no_streamed_event_of_the_demo_carries_personal_data(
    settings: Settings, tmp_path: Path
) -> None:
    clock = SimClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    platform = Platform(settings, clock=clock)  # no runners: the feed reads the log
    try:
        load_demo(platform, clock, end=date(2026, 3, 1))
        events = Feed(platform).page(None, 0, 100_000, scan_limit=10**6).events
        clear: set[str] = set()
        for n in platform.tenants.recorder.select_notifications(start=0, limit=10**6):
            if n.topic.endswith("ApplicantRecord.Sealed"):
                record = platform.cases._get(n.originator_id, ApplicantRecord)
                assert record is not None
                person = open_applicant(
                    platform.cases.vault, record.sealed(), record.tenant
                )
                assert person is not None
                # Two-character names also occur as words or as staff names
                # (a handler 王芳): check every phone, ID, address, longer names.
                clear |= {
                    v
                    for k, v in person.to_dict().items()
                    if v and (k != "name" or len(v) > 2)
                }
    finally:
        platform.close()
    assert len(clear) > 50
    text = json.dumps(events, ensure_ascii=False)
    assert not [value for value in clear if value in text]
    assert "ciphertext" not in text
    for event in events:
        Draft202012Validator(
            schema_of(event["type"], settings.public_base_url)
        ).validate(event)
