"""The CloudEvent contract: every event type, valid against its schema, redacted."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from jsonschema import Draft202012Validator

from services.event_schemas import all_types, schema_of
from services.feed import Feed
from services.runtime import Platform
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
        schema = schema_of(event["type"], platform.settings.installation)
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
