"""Service requests in Open311's shape, read from and written to the case register.

A request filed here is an ordinary case (kind 办事/service request, channel web),
filed in the jurisdiction's name by the integrator client that holds the api_key; a
case filed any other way reads the same. ``address``/``address_id``/``lat``/``long``
and ``media_url`` are the case's own location and first attachment (recorded in its
``Filed`` event, carried by the case view): where the issue is, public as the
specification intends. Answers never carry the applicant (name, phone, email, or
their own address, all sealed in the vault), nor the summary (a citizen's words may
name people); ``status_notes`` is the latest result or reply text, which the
applicant receives anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from domain.cases.rules import CaseState
from domain.timeliness import SHANGHAI

CLOSED = frozenset(
    {
        CaseState.CLOSED.value,
        CaseState.REJECTED.value,
        CaseState.RESOLVED.value,
        CaseState.REPLIED.value,
    }
)
NOTE_FIELDS = ("content", "result", "reason", "note")


def w3c(moment: str | datetime | None) -> str | None:
    """ISO 8601 with China's offset, e.g. 2026-03-02T10:00:00+08:00."""
    if moment is None:
        return None
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds")


def due_moment(due_on: str | None) -> str | None:
    """The statutory due date as the end of that day in China."""
    return f"{due_on}T23:59:59+08:00" if due_on else None


def status_notes(events: Iterable[Mapping[str, Any]]) -> str | None:
    """The latest result or reply text of the case's history."""
    note = None
    for e in events:
        details = e.get("details") or {}
        if e.get("event") in ("Resolved", "Replied", "Rejected", "Closed"):
            for key in NOTE_FIELDS:
                if isinstance(details.get(key), str) and details[key]:
                    note = details[key]
                    break
    return note


def request_of(
    row: Mapping[str, Any],
    events: list[Mapping[str, Any]],
    services: Mapping[str, str],
    agency: str | None,
) -> dict[str, Any]:
    """One case as a GeoReport v2 service request (no personal data)."""
    where = row.get("location") or {}
    media = row.get("attachments") or []
    code = row["category"]
    return {
        "service_request_id": row["id"],
        "status": "closed" if row["state"] in CLOSED else "open",
        "status_notes": status_notes(events),
        "service_name": services.get(code) if code else None,
        "service_code": code,
        "description": None,  # the case's summary is not public (see above)
        "agency_responsible": agency,
        "service_notice": f"按规定于 {row['due_on']} 前办结" if row["due_on"] else None,
        "requested_datetime": w3c(row["filed_at"]),
        "updated_datetime": w3c(row["updated_at"]),
        "expected_datetime": due_moment(row["due_on"]),
        "address": where.get("address"),
        "address_id": where.get("address_id"),
        "zipcode": None,
        "lat": where.get("lat"),
        "long": where.get("long"),
        "media_url": media[0] if media else None,
    }
