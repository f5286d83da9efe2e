"""The ``gongkai-evidence/v2`` file: its JSON shape, parsed, before any cryptography.

``load_bundle`` refuses what is not UTF-8 JSON, repeats a key, or lacks or adds a
field; ``parse_bundle`` gives the typed form that domain/ledger/evidence.py verifies.
Every failure is an ``EvidenceError`` naming the JSON path of the culprit.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from domain.errors import EvidenceError

FORMAT = "gongkai-evidence/v2"

_TOP_FIELDS = {
    "format": str,
    "installation": str,
    "exported_at": str,
    "subject": dict,
    "tenant": str,
    "checkpoint": str,
    "events": list,
    "map_proof": dict,
    "export": str,
    "keys": dict,
    "witnesses": list,
}
_MAP_FIELDS = {"version": int, "leaf_index": int, "proof": list}
_SUBJECT_FIELDS = {"kind": str, "id": str, "tenant": str}
_EVENT_FIELDS = {
    "event_id": str,
    "leaf_index": int,
    "leaf_input": str,
    "inclusion_proof": list,
}
_WITNESS_FIELDS = {"tenant": str, "checkpoint": str, "witness_event": dict}


@dataclass(frozen=True)
class Subject:
    """What the bundle is evidence of: ``kind`` is the aggregate class in snake_case."""

    kind: str
    id: str
    tenant: str


def load_bundle(text: str | bytes) -> dict[str, Any]:
    """The bundle JSON ``text`` holds, its shape checked; else EvidenceError."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            fail(f"the bundle is not UTF-8: byte {e.start} is invalid")
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as e:
        fail(f"the bundle is not JSON: {e.msg} at line {e.lineno} column {e.colno}")
    if not isinstance(obj, dict):
        fail("the bundle is not a JSON object")
    parse_bundle(obj)
    return obj


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            fail(f"the bundle repeats the key {key!r} in one object")
        obj[key] = value
    return obj


def fail(detail: str, field: str | None = None) -> NoReturn:
    raise EvidenceError(detail, field=field)


def _fields(value: object, where: str, fields: Mapping[str, type]) -> dict[str, Any]:
    """``value`` as an object with exactly ``fields``, each of its type."""
    if not isinstance(value, dict):
        fail(f"{where} must be a JSON object", where)
    missing = sorted(set(fields) - set(value))
    extra = sorted(set(value) - set(fields))
    if missing:
        fail(f"{where} lacks {', '.join(missing)}", where)
    if extra:
        fail(f"{where} has unknown fields {', '.join(map(repr, extra))}", where)
    for name, kind in fields.items():
        item = value[name]
        if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            field = _at(where, name)
            fail(f"{field} must be a JSON {_JSON_NAMES[kind]}", field)
    return value


_JSON_NAMES: dict[type, str] = {
    str: "string",
    int: "integer",
    dict: "object",
    list: "array",
}


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where != "bundle" else name


def _strings(value: list[Any], where: str) -> list[str]:
    for i, item in enumerate(value):
        if not isinstance(item, str):
            fail(f"{where}[{i}] must be a JSON string", f"{where}[{i}]")
    return value


@dataclass(frozen=True)
class BundleEvent:
    where: str
    event_id: str
    leaf_index: int
    leaf_input: str
    proof: list[str]


@dataclass(frozen=True)
class WitnessLevel:
    where: str
    tenant: str
    checkpoint: str
    event: BundleEvent


@dataclass(frozen=True)
class ParsedBundle:
    format: str
    installation: str
    exported_at: str
    subject: Subject
    tenant: str
    checkpoint: str
    events: list[BundleEvent]
    map_entry: MapProofItem
    export: str
    keys: dict[str, list[str]]
    witnesses: list[WitnessLevel]


@dataclass(frozen=True)
class MapProofItem:
    version: int
    leaf_index: int
    proof: list[str]


def parse_bundle(bundle: Mapping[str, Any]) -> ParsedBundle:
    if bundle.get("format") == "gongkai-evidence/v1":
        fail(
            "format 'gongkai-evidence/v1' cannot show that a bundle lists every event "
            f"of its subject: export it again as {FORMAT}",
            "format",
        )
    top = _fields(dict(bundle), "bundle", _TOP_FIELDS)
    subject = _fields(top["subject"], "subject", _SUBJECT_FIELDS)
    keys: dict[str, list[str]] = {}
    for path, texts in top["keys"].items():
        if not isinstance(texts, list):
            fail(f"keys.{path} must be a JSON array", f"keys.{path}")
        keys[path] = _strings(texts, f"keys.{path}")
    map_fields = _fields(top["map_proof"], "map_proof", _MAP_FIELDS)
    map_proof = MapProofItem(
        map_fields["version"],
        map_fields["leaf_index"],
        _strings(map_fields["proof"], "map_proof.proof"),
    )
    levels: list[WitnessLevel] = []
    for i, level in enumerate(top["witnesses"]):
        where = f"witnesses[{i}]"
        fields = _fields(level, where, _WITNESS_FIELDS)
        event = _event(fields["witness_event"], f"{where}.witness_event")
        levels.append(
            WitnessLevel(where, fields["tenant"], fields["checkpoint"], event)
        )
    return ParsedBundle(
        format=top["format"],
        installation=top["installation"],
        exported_at=top["exported_at"],
        subject=Subject(subject["kind"], subject["id"], subject["tenant"]),
        tenant=top["tenant"],
        checkpoint=top["checkpoint"],
        events=[_event(e, f"events[{i}]") for i, e in enumerate(top["events"])],
        map_entry=map_proof,
        export=top["export"],
        keys=keys,
        witnesses=levels,
    )


def _event(value: object, where: str) -> BundleEvent:
    fields = _fields(value, where, _EVENT_FIELDS)
    proof = _strings(fields["inclusion_proof"], f"{where}.inclusion_proof")
    return BundleEvent(
        where,
        fields["event_id"],
        fields["leaf_index"],
        fields["leaf_input"],
        proof,
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes | None:
    """Standard padded base64 in its one canonical form, else None."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if b64(raw) == text else None
