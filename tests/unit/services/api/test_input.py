"""Pure checks of the API's input helpers: moments, cursors, JSON members, bodies,
OpenAPI."""

from __future__ import annotations

import base64
import importlib
import json
import pkgutil
import re
import typing
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import APIRouter, params
from fastapi.routing import APIRoute
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from services.api import routes
from services.api.bodies import _no_duplicates, bad_member
from services.api.openapi import problem_statuses
from services.api.params import (
    BODY_MOMENT_PATTERN,
    DAY_PATTERN,
    MAX_INT,
    MOMENT_PATTERN,
    BodyModel,
    Count,
    Day,
    Moment,
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


def request_body_models() -> set[type[BaseModel]]:
    """Every pydantic model a route of services.api takes as (part of) a JSON body."""
    found: set[type[BaseModel]] = set()

    def walk(annotation: Any) -> None:
        for arg in typing.get_args(annotation):
            walk(arg)
        model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        if model and annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                walk(field.annotation)

    for info in pkgutil.iter_modules(routes.__path__):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        for router in vars(module).values():
            if isinstance(router, APIRouter):
                for route in router.routes:
                    if isinstance(route, APIRoute):
                        for param in route.dependant.body_params:
                            if not isinstance(param.field_info, params.Form):
                                walk(param.field_info.annotation)
    return found


def test_every_json_body_is_strict_and_closed() -> None:
    models = request_body_models()
    assert len(models) > 40
    for model in models:
        assert issubclass(model, BodyModel), model
        assert model.model_config.get("strict") is True, model
        assert model.model_config.get("extra") == "forbid", model


def test_a_body_takes_json_types_as_declared() -> None:
    class Sample(BodyModel):
        count: Count
        flag: bool
        share: float
        day: Day
        moment: Moment | None = None

    ok = {"count": 1, "flag": True, "share": 1, "day": "2026-03-02"}
    sample = Sample.model_validate(ok)
    assert (sample.share, sample.day) == (1.0, date(2026, 3, 2))
    moment = Sample.model_validate({**ok, "moment": "2026-03-02T10:00:00+08:00"})
    assert moment.moment == datetime(2026, 3, 2, 2, tzinfo=UTC)
    for field, value in (
        ("count", False),
        ("count", "1"),
        ("count", 1.5),
        ("flag", 1),
        ("flag", "true"),
        ("share", True),
        ("share", "1"),
        ("day", 20260302),
        ("day", "2026-03-02T00:00:00"),
        ("day", "1999-12-31"),
        ("moment", "2026-03-02T10:00:00"),  # no offset
        ("moment", "2026-03-02 10:00:00+08:00"),
        ("moment", 1772416800),
    ):
        with pytest.raises(ValidationError) as refused:
            Sample.model_validate({**ok, field: value})
        assert refused.value.errors()[0]["loc"] == (field,), (field, value)
    for field in ("day", "moment"):
        pattern = Sample.model_json_schema()["properties"][field]
        pattern = pattern.get("pattern") or pattern["anyOf"][0]["pattern"]
        assert pattern in (DAY_PATTERN, BODY_MOMENT_PATTERN)
