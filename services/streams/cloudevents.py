"""Stored events as structured CloudEvents 1.0, the form every stream carries.

One mapping for the Kafka relay, the HTTP feed and SSE: ``type`` is
``cn.gongkai.<family>.<AggregateEvent>.v<class_version>``, ``id`` is stable across
re-sends (aggregate id and version), ``subject`` is the tenant path, extension
``sequence`` the global notification position (for a signed checkpoint, its tenant's
checkpoint series, its tree size, and the position of the last event it covers), so
that one key's ``sequence`` only grows. Redaction happens here and only here:
an applicant's sealed ciphertext never leaves the installation (``applicant_ref``
stands for it), a case carries its applicant's redacted form at most, and the
content of an item withdrawn for personal data is left out once the withdrawal is
known (``withhold``; the feed and the relay ask the disclosures view which).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.utils import get_topic
from pydantic_core import to_jsonable_python

import domain
from domain.base import GongkaiAggregate, event_classes
from infra.settings import DEFAULT_PUBLIC_URL

SPEC_VERSION = "1.0"
TYPE_PREFIX = "cn.gongkai"
TOPIC_PREFIX = "gongkai"
CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
SCHEMA_PATH = "/v1/schemas/"
CHECKPOINT_TYPE = f"{TYPE_PREFIX}.audit.CheckpointIssued.v1"

# Module → family; a later module gets a family (and a topic) of its own name.
FAMILIES = {
    "tenancy": "tenancy",
    "disclosure": "disclosure",
    "cases": "case",
    "applicant": "case",
    "reference": "reference",
    "audit": "audit",
    "people": "staff",  # integrator clients (domain/people/clients.py)
}
# Families kept inside the installation: an inspection file is confidential until
# the inspector discloses it, and sign-in attempts carry client addresses.
UNSTREAMED_FAMILIES = frozenset({"inspection", "signin"})
# Never streamed: ciphertext is personal data even sealed (it outlives erasure); a
# fee notice's payer may be a natural person (the public board masks the name).
DROPPED_FIELDS = {
    "ApplicantRecord.Sealed": frozenset({"ciphertext"}),
    "LevyNotice.Drafted": frozenset({"payer"}),
    # a questionnaire's answer: never linked to its one-time code; free text is staff's
    "Questionnaire.Answered": frozenset({"code_hash", "texts"}),
    "Questionnaire.CodesIssued": frozenset({"hashes"}),  # not even hashed codes
}
# What ``withhold`` leaves out of an item withdrawn for personal data (涉及个人隐私).
WITHHELD_FIELDS = {
    "Disclosure.Published": ("body", "attachments"),
    "Disclosure.Revised": ("body", "attachments"),
}
ENVELOPE = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp"}
)
ApplicantLookup = Callable[[str], Mapping[str, str | None]]


@dataclass(frozen=True)
class EventType:
    """One streamed event type, derived from its domain event class."""

    cls: type[Any]
    family: str
    name: str  # AggregateEvent, e.g. CaseFiled
    version: int

    @property
    def qualname(self) -> str:
        return str(self.cls.__qualname__)

    @property
    def ce_type(self) -> str:
        return f"{TYPE_PREFIX}.{self.family}.{self.name}.v{self.version}"

    @property
    def topic(self) -> str:
        return kafka_topic(self.family)

    @property
    def stored_topic(self) -> str:
        return get_topic(self.cls)


def kafka_topic(family: str) -> str:
    return f"{TOPIC_PREFIX}.{family}.v1"


def family_of(cls: type[Any]) -> str:
    """The family of the module the class is stored from (its topic, not its file)."""
    module = get_topic(cls).partition(":")[0].split(".")
    key = module[1] if len(module) > 1 else module[0]
    return FAMILIES.get(key, key)


def _aggregates(root: type[Any]) -> Iterator[type[Any]]:
    for sub in root.__subclasses__():
        yield sub
        yield from _aggregates(sub)


def stored_event_classes() -> list[tuple[type[Any], str, type[Any]]]:
    """(aggregate, name, event class) of every event class of every aggregate in
    ``domain``, streamed or not: what the frozen corpora must cover."""
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)
    found: list[tuple[type[Any], str, type[Any]]] = []
    for aggregate in _aggregates(GongkaiAggregate):
        if not aggregate.__module__.startswith("domain."):
            continue  # an aggregate a test defined
        for name, cls in event_classes(aggregate):
            if name not in ("Event", "Created"):
                found.append((aggregate, name, cls))
    return found


@cache
def event_types() -> dict[str, EventType]:
    """Every streamed event type of every aggregate in ``domain``, by stored topic."""
    found: dict[str, EventType] = {}
    for aggregate, name, cls in stored_event_classes():
        if family_of(cls) in UNSTREAMED_FAMILIES:
            continue
        version = int(getattr(cls, "class_version", 1) or 1)
        et = EventType(cls, family_of(cls), aggregate.__name__ + name, version)
        found[et.stored_topic] = et
    return found


def streamed(stored_topic: str) -> bool:
    """Whether events stored under this topic leave the installation."""
    return stored_topic in event_types()


@cache
def by_ce_type() -> dict[str, EventType]:
    return {et.ce_type: et for et in event_types().values()}


def families() -> list[str]:
    return sorted({et.family for et in event_types().values()} | {"audit"})


def stable_id(aggregate_id: object, version: int) -> str:
    """The same string on every re-send: aggregate id and version (as audit leaves)."""
    return f"{aggregate_id}:{version}"


def iso(moment: datetime) -> str:
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


@cache
def _field_names(cls: type[Any], qualname: str) -> tuple[str, ...]:
    dropped = DROPPED_FIELDS.get(qualname, frozenset())
    return tuple(
        f.name for f in fields(cls) if f.name not in ENVELOPE and f.name not in dropped
    )


def event_data(
    et: EventType, event: Any, applicant: ApplicantLookup | None = None
) -> dict[str, Any]:
    """The event's fields as JSON, redacted."""
    values = event.__dict__
    data: dict[str, Any] = to_jsonable_python(
        {
            "aggregate_id": event.originator_id,
            "version": event.originator_version,
            **{name: values[name] for name in _field_names(et.cls, et.qualname)},
        }
    )
    if et.qualname == "ApplicantRecord.Sealed":
        data["applicant_ref"] = str(event.originator_id)
    ref = data.get("applicant_ref")
    if et.qualname == "Case.Filed" and isinstance(ref, str) and applicant is not None:
        data["applicant"] = dict(applicant(ref))
    return data


def to_cloudevent(
    position: int,
    event: Any,
    installation: str,
    applicant: ApplicantLookup | None = None,
    schema_base: str = DEFAULT_PUBLIC_URL,
) -> dict[str, Any]:
    """The structured CloudEvent of a stored (decoded) event at ``position``
    (``schema_base``: the API's public address, ``Settings.public_base_url``)."""
    et = event_types()[get_topic(type(event))]
    effective = getattr(event, "effective_at", None) or event.timestamp
    return {
        "specversion": SPEC_VERSION,
        "id": stable_id(event.originator_id, event.originator_version),
        "source": installation,
        "type": et.ce_type,
        "subject": event.tenant,
        "time": iso(event.timestamp),
        "datacontenttype": "application/json",
        "dataschema": schema_url(schema_base, et.ce_type),
        "sequence": str(position),
        "effectiveat": iso(effective),
        "partitionkey": str(event.originator_id),
        "data": event_data(et, event, applicant),
    }


@cache
def withheld_types() -> frozenset[str]:
    """The CloudEvent types whose content ``withhold`` leaves out."""
    return frozenset(
        et.ce_type for et in event_types().values() if et.qualname in WITHHELD_FIELDS
    )


def withhold(cloudevent: dict[str, Any]) -> dict[str, Any]:
    """The CloudEvent of an item withdrawn for personal data, its content left out:
    ``body`` empty and ``attachments`` none (null, "unchanged", stays null), and
    ``data.withheld`` true. Requires a type of ``withheld_types()``."""
    et = by_ce_type()[cloudevent["type"]]
    data = dict(cloudevent["data"])
    for name in WITHHELD_FIELDS[et.qualname]:
        if data.get(name) is not None:
            data[name] = "" if name == "body" else []
    data["withheld"] = True
    return {**cloudevent, "data": data}


@cache
def schema_url(base: str, ce_type: str) -> str:
    """Where the type's JSON Schema is served: ``GET /v1/schemas/<type>.json`` of
    the API at ``base`` (``Settings.public_base_url``)."""
    return f"{base}{SCHEMA_PATH}{ce_type}.json"


def checkpoints_id(tenant: str) -> UUID:
    """The id of a tenant's series of checkpoints: the key and the id stem of its
    ``CheckpointIssued`` messages, whose version is the tree size."""
    return uuid5(NAMESPACE_URL, f"gongkai:checkpoints:{tenant}")


def checkpoint_cloudevent(
    row: Mapping[str, Any],
    position: int,
    installation: str,
    schema_base: str = DEFAULT_PUBLIC_URL,
) -> dict[str, Any]:
    """A signed checkpoint (its note with cosignatures) as a CloudEvent.

    Like every streamed message: ``id`` is ``<series id>:<version>`` (the tenant's
    checkpoint series and the tree size), the series id is its key, and its
    ``sequence``, ``position``, the log position of the last event it covers, grows
    with the size.
    """
    tenant, size = str(row["tenant"]), int(row["size"])
    issued = datetime.fromisoformat(str(row["issued_at"]))
    series = checkpoints_id(tenant)
    return {
        "specversion": SPEC_VERSION,
        "id": stable_id(series, size),
        "source": installation,
        "type": CHECKPOINT_TYPE,
        "subject": tenant,
        "time": iso(issued),
        "datacontenttype": "application/json",
        "dataschema": schema_url(schema_base, CHECKPOINT_TYPE),
        "sequence": str(position),
        "effectiveat": iso(issued),
        "partitionkey": str(series),
        "data": {
            "tenant": tenant,
            "size": size,
            "root_hash": str(row["root_hash"]),
            "note": str(row["note"]),
        },
    }


def kafka_headers(cloudevent: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """Headers of the structured-mode Kafka binding plus Gongkai's filters."""
    return [
        ("content-type", CONTENT_TYPE.encode()),
        ("gongkai-tenant", str(cloudevent["subject"]).encode()),
        ("gongkai-type", str(cloudevent["type"]).encode()),
    ]


def family_of_type(ce_type: str) -> str:
    return ce_type.split(".")[2]
