"""The compatibility rule (docs/consumer.md): within a version a schema only gains
optional properties; every version ever sent stays served.

Each schema is compared with the one frozen for the last release
(tests/fixtures/schemas/, written by ``python -m services.streams.compat freeze``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.streams.cloudevents import event_types
from services.streams.compat import (
    frozen,
    incompatibilities,
    served_schema,
    served_types,
)
from services.streams.schemas import all_types, retired_types

RELEASES = Path(__file__).parents[3] / "fixtures" / "schemas"
LAST = max(RELEASES.iterdir(), key=lambda p: tuple(map(int, p.name.split("."))))
FROZEN = frozen(LAST)


def test_the_last_release_is_frozen() -> None:
    assert LAST.name == "0.3"
    assert len(FROZEN) >= 70


@pytest.mark.parametrize("ce_type", sorted(FROZEN))
def test_each_frozen_schema_is_still_served_and_compatible(ce_type: str) -> None:
    assert ce_type in served_types(), f"{ce_type} is no longer served"
    assert incompatibilities(FROZEN[ce_type], served_schema(ce_type)) == []


def test_every_earlier_version_of_a_type_is_served() -> None:
    """Raising an event's class_version retires the old schema, never drops it."""
    for et in event_types().values():
        stem = et.ce_type.rsplit(".v", 1)[0]
        for version in range(1, et.version):
            assert f"{stem}.v{version}" in retired_types(), et.ce_type
    assert "cn.gongkai.case.CaseResolved.v1" in retired_types()
    assert not set(retired_types()) & set(all_types())


def test_a_retired_version_differs_from_the_current_by_what_its_upcaster_adds() -> None:
    v1 = served_schema("cn.gongkai.case.CaseResolved.v1")["properties"]["data"]
    v2 = served_schema("cn.gongkai.case.CaseResolved.v2")["properties"]["data"]
    assert set(v2["properties"]) - set(v1["properties"]) == {
        "answer_category",
        "answer_reason",
    }


BASE: dict[str, Any] = {
    "type": "object",
    "required": ["a"],
    "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
    "additionalProperties": False,
}


def changed(**members: Any) -> dict[str, Any]:
    return {**BASE, **members}


def test_an_optional_property_and_new_words_are_compatible() -> None:
    props = {**BASE["properties"], "c": {"$ref": "#/$defs/C"}}
    new = changed(properties=props, description="新说明", title="T")
    assert incompatibilities(BASE, new) == []


@pytest.mark.parametrize(
    ("new", "why"),
    [
        (changed(properties={"a": {"type": "string"}}), "/properties/b: removed"),
        (
            changed(properties={**BASE["properties"], "b": {"type": "string"}}),
            "/properties/b/type: 'integer' became 'string'",
        ),
        (changed(required=["a", "b"]), "/required: ['a'] became ['a', 'b']"),
        (
            changed(
                required=["a", "c"],
                properties={**BASE["properties"], "c": {"type": "string"}},
            ),
            "/required: ['a'] became ['a', 'c']",
        ),
        (changed(additionalProperties=True), "/additionalProperties: False became"),
        (
            changed(properties={**BASE["properties"], "a": {"const": "x"}}),
            "/properties/a/const: added",
        ),
    ],
)
def test_everything_else_needs_a_new_version(new: dict[str, Any], why: str) -> None:
    found = incompatibilities(BASE, new)
    assert any(f.startswith(why) for f in found), found
