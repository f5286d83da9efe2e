"""Pure checks of the API's input helpers: moments, cursors, JSON members, OpenAPI."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.bodies import _no_duplicates, bad_member
from services.api.openapi import problem_statuses
from services.api.params import (
    MAX_INT,
    MOMENT_PATTERN,
    decode_cursor,
    encode_cursor,
    parse_moment,
)
from services.api.problems import HttpProblemError

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01",
        "2026-03-01T10:00",
        "2026-03-01T10:00:00.5Z",
        "2099-12-31T23:59+08:00",
    ],
)
def test_accepted_moments_match_the_documented_pattern(text: str) -> None:
    assert re.fullmatch(MOMENT_PATTERN, text)
    parse_moment(text, "as_of", NOW)


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31",
        "9999-12-31T23:59:59-14:00",
        "2099-12-31T23:59:59-14:00",  # after 2099-12-31 in China
        "2000-01-01T00:00+14:00",  # before 2000-01-01 in China
        "2026-02-30",
        "2026-03-01 10:00",
        "2026-W09-1",
    ],
)
def test_moments_out_of_form_or_range_are_400_naming_the_field(text: str) -> None:
    with pytest.raises(HttpProblemError) as refused:
        parse_moment(text, "known_at", NOW)
    assert (refused.value.status, refused.value.field) == (400, "known_at")


@given(st.text(max_size=40))
def test_any_text_is_a_moment_or_a_400(text: str) -> None:
    status = 200
    try:
        parse_moment(text, "as_of", NOW)
    except HttpProblemError as e:
        status = e.status
    assert status in (200, 400)


@given(st.integers(min_value=0, max_value=MAX_INT))
def test_cursors_round_trip(position: int) -> None:
    assert decode_cursor(encode_cursor(position)) == position


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor(MAX_INT + 1),
        base64.urlsafe_b64encode(b"p:" + b"9" * 5000).decode(),
        "cDotMQ",  # p:-1
        "cDrCsg",  # p:² (a digit, but not an ASCII one)
        "!!",
    ],
)
def test_cursors_beyond_the_store_are_invalid(cursor: str) -> None:
    with pytest.raises(HttpProblemError) as refused:
        decode_cursor(cursor)
    assert refused.value.slug == "invalid-cursor"


def test_duplicate_members_are_found_at_any_depth() -> None:
    with pytest.raises(ValueError, match="name"):
        json.loads('{"a": [{"name": 1, "name": 2}]}', object_pairs_hook=_no_duplicates)
    assert json.loads('{"a": {"a": 1}}', object_pairs_hook=_no_duplicates)


def test_bad_text_is_located_by_its_path() -> None:
    assert bad_member({"a": [{"b": "x\x00"}]}) == "a.0.b"
    assert bad_member({"a": "\ud800"}) == "a"
    assert bad_member("\x00") == "body"
    assert bad_member({"a": ["ok", 1, None]}) is None


def test_problem_statuses_follow_the_operation_shape() -> None:
    query = {"parameters": [{"in": "query", "name": "q"}], "responses": {}}
    assert problem_statuses("get", query) == ["400", "405", "422", "500", "503"]
    command = {
        "security": [{"bearer": []}],
        "parameters": [{"in": "path", "name": "path"}],
        "requestBody": {},
    }
    assert problem_statuses("post", command) == [
        "400",
        "401",
        "403",
        "404",
        "405",
        "409",
        "413",
        "415",
        "422",
        "500",
        "503",
    ]
