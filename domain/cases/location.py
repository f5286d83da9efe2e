"""Where a case's issue is, and the attachments its reporter points to.

A location is what the reporter says about the *issue* (a pothole's coordinates, the
street of a broken lamp), as Open311 GeoReport v2 carries it: public like the
request itself. It is not the applicant's own contact address, which stays sealed
in the vault (``domain.cases.personal_data``). Attachments are references (URLs) to
media the reporter holds, never the media.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TypedDict

from domain.errors import InvalidAttachmentError, InvalidLocationError

MAX_LOCATION_ADDRESS = 200
MAX_ADDRESS_ID = 100
MAX_ATTACHMENTS = 10
MAX_URL = 500
URL = re.compile(r"https?://[^\s<>\"'\x00-\x1f\x7f]+")
URL_PATTERN = f"^{URL.pattern}$"


class Location(TypedDict):
    """A case's location: coordinates (WGS 84 degrees) and/or an address."""

    lat: float | None
    long: float | None
    address: str | None
    address_id: str | None


def _refuse(field: str, detail: str) -> InvalidLocationError:
    return InvalidLocationError(detail, field=f"location.{field}")


def _degrees(value: float | None, limit: float, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(field, "must be a number")
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise _refuse(field, f"must be between -{limit:g} and {limit:g}")
    return round(float(value), 7)  # about 1 cm; no false precision in the log


def _text(value: str | None, limit: int, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _refuse(field, "must be a string")
    text = " ".join(value.split())
    if len(text) > limit:
        raise _refuse(field, f"has at most {limit} characters")
    return text or None


def check_location(
    lat: float | None = None,
    long: float | None = None,
    address: str | None = None,
    address_id: str | None = None,
) -> Location | None:
    """The checked location, or None if nothing is given. Coordinates come in pairs."""
    y = _degrees(lat, 90, "lat")
    x = _degrees(long, 180, "long")
    if (y is None) != (x is None):
        raise _refuse("lat" if y is None else "long", "lat and long come together")
    where = _text(address, MAX_LOCATION_ADDRESS, "address")
    ref = _text(address_id, MAX_ADDRESS_ID, "address_id")
    if y is None and where is None and ref is None:
        return None
    return Location(lat=y, long=x, address=where, address_id=ref)


def check_attachments(urls: Iterable[str]) -> list[str]:
    """Distinct http(s) URLs, trimmed, at most ``MAX_ATTACHMENTS``."""
    out: list[str] = []
    for url in urls:
        if not isinstance(url, str):
            raise InvalidAttachmentError("must be a string", field="attachments")
        text = url.strip()
        if len(text) > MAX_URL or not URL.fullmatch(text):
            raise InvalidAttachmentError(
                f"an attachment is an http(s) URL of at most {MAX_URL} characters",
                field="attachments",
            )
        if text not in out:
            out.append(text)
    if len(out) > MAX_ATTACHMENTS:
        raise InvalidAttachmentError(
            f"at most {MAX_ATTACHMENTS} attachments", field="attachments"
        )
    return out
