"""Service requests in Open311's shape, read from and written to the case register.

A request filed here is an ordinary case (kind 办事/service request, channel web),
filed in the jurisdiction's name by the integrator client that holds the api_key; a
case filed any other way reads the same. Location rides in the case's summary (the
case has no location of its own), on a last line ``地点：… 坐标：lat,long`` that is
read back for ``address``/``lat``/``long``. Answers never carry the applicant, nor the
summary (a citizen's words may name people); ``status_notes`` is the latest result
or reply text, which the applicant receives anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from domain.cases.rules import CaseState
from domain.timeliness import SHANGHAI

LOCATION = re.compile(
    r"\n地点：(?P<address>[^\n]*?)(?:（坐标：(?P<lat>-?[0-9.]+),(?P<long>-?[0-9.]+)）)?$"
)
MEDIA = re.compile(r"\n附件：(\S+)$")
CLOSED = frozenset(
    {
        CaseState.CLOSED.value,
        CaseState.REJECTED.value,
        CaseState.RESOLVED.value,
        CaseState.REPLIED.value,
    }
)
NOTE_FIELDS = ("content", "result", "reason", "note")


def location_line(address: str | None, lat: float | None, long: float | None) -> str:
    """The summary's last line that records where (or nothing)."""
    where = address or ""
    if lat is not None and long is not None:
        where += f"（坐标：{lat:.6f},{long:.6f}）"
    return f"\n地点：{where}" if where else ""


def _before_media(summary: str) -> str:
    return MEDIA.sub("", summary)


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
    found = LOCATION.search(_before_media(row["summary"] or ""))
    media = MEDIA.search(row["summary"] or "")
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
        "address": found.group("address") or None if found else None,
        "address_id": None,
        "zipcode": None,
        "lat": float(found.group("lat")) if found and found.group("lat") else None,
        "long": float(found.group("long")) if found and found.group("long") else None,
        "media_url": media.group(1) if media else None,
    }
