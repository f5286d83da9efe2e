"""CloudEvents straight from stored JSON: the relay's and the feed's fast path.

``to_cloudevent`` (services/streams/cloudevents.py) maps a decoded domain event;
decoding runs the transcoder's Python ``object_hook`` on every JSON object and builds an
event object only for ``to_jsonable_python`` to take it apart again. Most of the
relay's cost per event was there. ``StoredMapping`` parses the notification's
``state`` with pydantic's JSON parser instead (no hook), turns only the transcoded
values (``{"_type_": ..., "_data_": ...}``: UUIDs, datetimes, dates, decimals) into
their JSON form, and builds the same CloudEvent, byte for byte once encoded
(tests/integration/test_stored_cloudevents.py holds it to that).

It refuses what it cannot map exactly and the caller then takes the slow path: an
event stored at an older ``class_version`` (upcasters work on decoded state), a
store that compresses or encrypts state, a transcoder that is not JSON, a state
without a field the event class declares, non-finite floats.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    Transcoding,
)
from pydantic_core import from_json, to_jsonable_python

from infra.settings import DEFAULT_PUBLIC_URL
from services.streams.cloudevents import (
    SPEC_VERSION,
    ApplicantLookup,
    EventType,
    _field_names,
    event_types,
    iso,
    schema_url,
    stable_id,
)

SEALED = "ApplicantRecord.Sealed"
DATETIME = DatetimeAsISO.name
# What ``datetime.isoformat`` writes for a UTC moment: seconds, then six digits of
# microseconds unless they are all zero. Its JSON form only swaps +00:00 for Z.
UTC_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.(?!000000)\d{6})?\+00:00")
FILED = "Case.Filed"


class NotMappableError(Exception):
    """The stored state needs the slow path (decode, upcast, map)."""


@dataclass(frozen=True)
class StoredType:
    """What every event of one stored topic shares, worked out once."""

    event_type: EventType
    ce_type: str
    dataschema: str
    class_version: int
    fields: tuple[str, ...]
    effective_default: bool  # the class has an ``effective_at`` of its own
    sealed: bool  # ApplicantRecord.Sealed: ciphertext out, applicant_ref in
    filed: bool  # Case.Filed: the applicant's redacted form in


class StoredMapping:
    """Maps stored notifications of one installation to CloudEvents."""

    def __init__(
        self,
        mapper: Mapper[Any],
        installation: str,
        applicant: ApplicantLookup | None,
        slow: Callable[[Any], dict[str, Any]],
        schema_base: str = DEFAULT_PUBLIC_URL,
    ) -> None:
        self.installation = installation
        self.schema_base = schema_base
        self.applicant = applicant
        self.slow = slow
        transcoder = mapper.transcoder
        self.enabled = (
            isinstance(transcoder, JSONTranscoder)
            and mapper.cipher is None
            and mapper.compressor is None
        )
        self.names: dict[str, Transcoding] = (
            transcoder.names if isinstance(transcoder, JSONTranscoder) else {}
        )
        # The UTC shortcut holds for the library's own datetime transcoding only.
        self.utc = type(self.names.get(DATETIME)) is DatetimeAsISO
        self._types: dict[str, StoredType] = {}

    def cloudevent(self, notification: Any) -> dict[str, Any]:
        """The CloudEvent of a stored notification (fast path when it can)."""
        if self.enabled:
            try:
                return self._fast(notification)
            except NotMappableError:
                pass
        return self.slow(notification)

    def _stored_type(self, topic: str) -> StoredType:
        found = self._types.get(topic)
        if found is None:
            et = event_types().get(topic)
            if et is None:
                raise NotMappableError  # e.g. a renamed topic: the class knows
            found = StoredType(
                event_type=et,
                ce_type=et.ce_type,
                dataschema=schema_url(self.schema_base, et.ce_type),
                class_version=int(getattr(et.cls, "class_version", 1)),
                fields=_field_names(et.cls, et.qualname),
                effective_default=hasattr(et.cls, "effective_at"),
                sealed=et.qualname == SEALED,
                filed=et.qualname == FILED,
            )
            self._types[topic] = found
        return found

    def _fast(self, notification: Any) -> dict[str, Any]:
        st = self._stored_type(notification.topic)
        originator_id = notification.originator_id
        if type(originator_id) is not UUID:
            raise NotMappableError
        try:
            # pydantic's parser: about twice as fast as json.loads, the same values
            # for what JSONTranscoder writes (test_stored_cloudevents.py).
            state = from_json(bytes(notification.state))
        except ValueError:
            raise NotMappableError from None  # the slow path says what is wrong
        if type(state) is not dict:
            raise NotMappableError
        if state.get("class_version", 1) != st.class_version:
            raise NotMappableError  # upcasting works on decoded state
        tenant = state.get("tenant")
        if type(tenant) is not str:
            raise NotMappableError
        time = self._time(state.get("timestamp"))
        effective = state.get("effective_at", None)
        if effective is None and st.effective_default and "effective_at" not in state:
            raise NotMappableError  # the class default would apply
        aggregate_id = str(originator_id)
        version = notification.originator_version
        data: dict[str, Any] = {"aggregate_id": aggregate_id, "version": version}
        jsonable = self._jsonable
        for name in st.fields:
            try:
                value = state[name]
            except KeyError:
                raise NotMappableError from None
            kind = type(value)
            if kind is str or kind is int or value is None or kind is bool:
                data[name] = value
            else:
                data[name] = jsonable(value)
        if st.sealed:
            data["applicant_ref"] = aggregate_id
        ref = data.get("applicant_ref")
        if st.filed and isinstance(ref, str) and self.applicant is not None:
            data["applicant"] = dict(self.applicant(ref))
        return {
            "specversion": SPEC_VERSION,
            "id": stable_id(aggregate_id, version),
            "source": self.installation,
            "type": st.ce_type,
            "subject": tenant,
            "time": time,
            "datacontenttype": "application/json",
            "dataschema": st.dataschema,
            "sequence": str(notification.id),
            "effectiveat": self._time(effective) if effective else time,
            "partitionkey": aggregate_id,
            "data": data,
        }

    def _decoded(self, value: dict[str, Any]) -> Any:
        """A transcoded value as the transcoder decodes it (None: not one)."""
        if len(value) != 2 or "_type_" not in value or "_data_" not in value:
            return None
        raw, name = value["_data_"], value["_type_"]
        transcoding = self.names.get(name) if type(name) is str else None
        if transcoding is None or type(raw) is not str:
            raise NotMappableError  # the slow path raises or nests
        return transcoding.decode(raw)

    def _time(self, value: Any) -> str:
        """``iso`` of a stored datetime: as stored (``Z`` for ``+00:00``) when it is
        in the form ``isoformat`` writes for UTC, as decoded otherwise."""
        if self._utc(value):
            return utc_text(value["_data_"])
        decoded = self._decoded(value) if type(value) is dict else None
        if not isinstance(decoded, datetime):
            raise NotMappableError
        return iso(decoded)

    def _utc(self, value: Any) -> bool:
        """Whether ``value`` is a stored UTC datetime in ``isoformat``'s form."""
        if not self.utc or type(value) is not dict or len(value) != 2:
            return False
        text = value.get("_data_")
        return (
            value.get("_type_") == DATETIME
            and type(text) is str
            and UTC_ISO.fullmatch(text) is not None
        )

    def _jsonable(self, value: Any) -> Any:
        """``to_jsonable_python`` of the value the transcoder would decode.

        A plain object is changed in place: it is this call's own, just parsed."""
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            return value
        if kind is dict:
            if "_type_" in value:
                if self._utc(value):
                    return utc_text(value["_data_"])
                decoded = self._decoded(value)
                if decoded is not None:
                    return to_jsonable_python(decoded)
            for key, item in value.items():
                of = type(item)
                if not (of is str or of is int or of is bool or item is None):
                    value[key] = self._jsonable(item)  # same keys: no resize
            return value
        if kind is list:
            return [self._jsonable(v) for v in value]
        if kind is float and math.isfinite(value):
            return value
        raise NotMappableError


def utc_text(text: str) -> str:
    """The JSON form (``iso`` and pydantic's alike) of a UTC datetime stored as
    ``text`` in the form UTC_ISO matches; checked as a datetime first, as the
    transcoder would (a stored ``24:00`` fails here as it fails there)."""
    datetime.fromisoformat(text)
    return text[:-6] + "Z"
