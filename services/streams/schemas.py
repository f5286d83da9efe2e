"""JSON Schemas of the streamed CloudEvents, generated from the domain event classes.

Nothing here is written by hand per type: each event class's annotated fields (minus
the envelope and the redacted ones, plus what redaction adds) become a pydantic model
whose JSON Schema is the ``data`` of a CloudEvent envelope.
"""

from __future__ import annotations

import json
import typing
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from services.streams.cloudevents import (
    CHECKPOINT_TYPE,
    DROPPED_FIELDS,
    ENVELOPE,
    WITHHELD_FIELDS,
    EventType,
    by_ce_type,
    schema_url,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The schemas of versions no longer sent (an older ``class_version``: its events are
# upcast and go out at the current one), as they were, so that every ``dataschema``
# ever sent can still be fetched. One file a type, ``<type>.json``, without ``$id``.
RETIRED = Path(__file__).with_name("retired")
# Every message's key (``partitionkey``, an aggregate or checkpoint series id) and
# its ``id``, ``<key>:<version>``.
UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class RedactedApplicant(BaseModel):
    """An applicant's redacted form (or 已删除 once erased); never the clear one."""

    model_config = ConfigDict(extra="forbid")
    name: str | None
    phone: str | None
    id_number: str | None
    address: str | None
    email: str | None = None  # since the applicant's email (optional: v1 lacked it)


class CaseLocation(BaseModel):
    """Where a case's issue is (``domain.cases.location.Location``): public."""

    model_config = ConfigDict(extra="forbid")
    lat: float | None
    long: float | None
    address: str | None
    address_id: str | None


class CheckpointData(BaseModel):
    """A tenant's signed tree head: C2SP note text with signatures and cosignatures."""

    model_config = ConfigDict(extra="forbid")
    tenant: str
    size: int
    root_hash: str
    note: str


def _data_model(et: EventType) -> type[BaseModel]:
    hints = typing.get_type_hints(et.cls)
    dropped = DROPPED_FIELDS.get(et.qualname, frozenset())
    spec: dict[str, Any] = {"aggregate_id": (str, ...), "version": (int, ...)}
    for f in fields(et.cls):
        if f.name in ENVELOPE or f.name in dropped:
            continue
        spec[f.name] = (hints[f.name], ...)
    if et.qualname == "ApplicantRecord.Sealed":
        spec["applicant_ref"] = (str, ...)
    if et.qualname == "Case.Filed":
        spec["applicant"] = (RedactedApplicant | None, None)
        spec["location"] = (CaseLocation | None, ...)  # pydantic: not a TypedDict
    if et.qualname in WITHHELD_FIELDS:  # present (true) only when withheld
        spec["withheld"] = (bool, False)
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        et.name, __config__=ConfigDict(extra="forbid"), **spec
    )
    return model


def _envelope(ce_type: str, data: dict[str, Any]) -> dict[str, Any]:
    defs = data.pop("$defs", {})
    string = {"type": "string", "minLength": 1}
    key = {"type": "string", "pattern": f"^{UUID_PATTERN}$"}
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "title": ce_type,
        "description": "A structured CloudEvent 1.0 as Gongkai streams it.",
        "type": "object",
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "sequence",
            "data",
        ],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "pattern": f"^{UUID_PATTERN}:[1-9][0-9]*$"},
            "source": string,
            "type": {"const": ce_type},
            "subject": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"type": "string", "format": "uri"},
            "sequence": {"type": "string", "pattern": "^[0-9]+$"},
            "effectiveat": {"type": "string", "format": "date-time"},
            "partitionkey": key,
            "data": data,
        },
        "additionalProperties": False,
    }
    if defs:
        schema["$defs"] = defs
    return schema


@cache
def current_schema(ce_type: str) -> dict[str, Any]:
    """The schema of a type sent now, without ``$id``; KeyError if none."""
    if ce_type == CHECKPOINT_TYPE:
        data = CheckpointData.model_json_schema()
    else:
        data = _data_model(by_ce_type()[ce_type]).model_json_schema()
    return _envelope(ce_type, data)


@cache
def retired_schema(ce_type: str) -> dict[str, Any]:
    """The schema of a version no longer sent, as frozen; KeyError if none."""
    if ce_type not in retired_types():
        raise KeyError(ce_type)
    found: dict[str, Any] = json.loads(
        (RETIRED / f"{ce_type}.json").read_text(encoding="utf-8")
    )
    return found


@cache
def schema_of(ce_type: str, schema_base: str) -> dict[str, Any]:
    """The JSON Schema of one CloudEvent type, sent now or retired, with its ``$id``
    (its ``dataschema``, at the API's ``schema_base``); KeyError if there is none."""
    body = (
        retired_schema(ce_type)
        if ce_type in retired_types()
        else current_schema(ce_type)
    )
    return {"$schema": body["$schema"], "$id": schema_url(schema_base, ce_type), **body}


def all_types() -> list[str]:
    """The types sent now."""
    return sorted([*by_ce_type(), CHECKPOINT_TYPE])


@cache
def retired_types() -> tuple[str, ...]:
    """Earlier versions of types, no longer sent, whose schemas are still served."""
    return tuple(sorted(p.name.removesuffix(".json") for p in RETIRED.glob("*.json")))
