"""What list routes share: tenant names, category lookup by code or Chinese name,
keyset cursors, and the warning for a moment in the future."""

from __future__ import annotations

import base64
from datetime import datetime

from domain.errors import UnknownCategoryError
from domain.timeliness import FUTURE_TOLERANCE, china_time
from services.api.problems import HttpProblemError
from services.platform.runtime import Platform


def tenant_names(platform: Platform, path: str) -> dict[str, str]:
    """Path → Chinese name of ``path`` and every descendant (from the directory)."""
    return {r["path"]: r["name"] for r in platform.directory.subtree(path)}


def disclosure_categories(platform: Platform, path: str) -> dict[str, str]:
    """Catalogue code → Chinese label (一级/二级) of the entries for ``path``.

    Reads the cached tenant without copying it (a county list asks this for every
    tenant it shows: a deep copy each was most of the list's Python)."""
    entries = platform.disclosures.catalogue_for(platform.disclosures.read_tenant(path))
    return {e.code: f"{e.level1}/{e.level2}" for e in entries}


def case_categories(platform: Platform, path: str) -> dict[str, str]:
    """Service code → Chinese name of the services in force for ``path``."""
    return {s.code: s.name for s in platform.cases.services_for(path)}


def resolve_category(text: str | None, labels: dict[str, str]) -> str | None:
    """The code ``text`` names: a code, its Chinese label, or the label's last part
    (二级 name, e.g. 低保金发放). An unknown one is a 422 ``unknown-category``."""
    if text is None or not text.strip():
        return None
    key = text.strip()
    if key in labels:
        return key
    for code, label in labels.items():
        if key in (label, label.rsplit("/", 1)[-1]):
            return code
    allowed = ", ".join(f"{c}/{label}" for c, label in labels.items())
    raise UnknownCategoryError(
        f"category {text!r} is neither a code nor a name here; allowed: {allowed}",
        field="category",
    )


def future_warnings(now: datetime, **moments: datetime) -> list[str]:
    """A warning for each named moment later than now."""
    return [
        f"{name} {china_time(moment)} is in the future (now is {china_time(now)}); "
        "the answer shows what is known now"
        for name, moment in moments.items()
        if moment > now + FUTURE_TOLERANCE
    ]


def encode_key(*parts: str) -> str:
    """A cursor for keyset paging: the sort key of the last row sent."""
    text = "k:" + "\x1f".join(parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_key(cursor: str | None, size: int) -> tuple[str, ...] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        if not text.startswith("k:"):
            raise ValueError(text)
        parts = tuple(text[2:].split("\x1f"))
        if len(parts) != size or "\x00" in text:
            raise ValueError(text)
    except (ValueError, UnicodeDecodeError):
        raise HttpProblemError(
            400,
            "invalid-cursor",
            "Invalid cursor",
            "cursor must be a next_cursor value from an earlier page",
            field="cursor",
        ) from None
    return parts
