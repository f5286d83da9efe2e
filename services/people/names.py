"""Staff by name: an event's actor or a case's handler with the staffer's name.

One place for how a person is shown wherever people read (pages, exports, reports,
timelines): a registered staffer as ``李明（XH-0301）``, name and badge number; a
principal that is no staffer (a token minted for a role) by its roles and id. Shared
by the API (case, disclosure and staff histories, case lists), the console and
inspection timelines (API, report and CLI), so the look-up lives below the routes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from domain.access import Role
from domain.people.staff import parse_username
from services.core.ports import Running


def named_actor(platform: Running, actor: dict[str, Any]) -> dict[str, Any]:
    """An event's actor, with the staffer's badge number and name when it is one."""
    named = named_actors(platform, [actor])[0]
    return actor if named is None else named


def named_actors(
    platform: Running, actors: list[dict[str, Any] | None]
) -> list[dict[str, Any] | None]:
    """:func:`named_actor` of each, with one look-up per county."""
    wanted: dict[str, set[str]] = defaultdict(set)
    parsed = []
    for actor in actors:
        who = parse_username(str(actor.get("id", ""))) if actor else None
        parsed.append(who)
        if who is not None:
            wanted[who[0]].add(who[1])
    names = {
        county: platform.staff_view.names(county, sorted(numbers))
        for county, numbers in wanted.items()
    }
    out: list[dict[str, Any] | None] = []
    for actor, who in zip(actors, parsed, strict=True):
        name = names[who[0]].get(who[1]) if who is not None else None
        if actor is None or who is None or name is None:
            out.append(actor)
        else:
            out.append({**actor, "number": who[1], "name": name})
    return out


def name_timeline(platform: Running, events: list[dict[str, Any]]) -> None:
    """Name the staff actors of timeline entries in place."""
    actors = named_actors(platform, [e.get("actor") for e in events])
    for event, actor in zip(events, actors, strict=True):
        event["actor"] = actor


def staff_text(number: str | None, name: str | None) -> str:
    """``李明（XH-0301）`` for a registered staffer; the number (or free text
    such as a handler's name typed in) as it is otherwise; ``""`` for none."""
    if name and number:
        return f"{name}（{number}）"
    return name or number or ""


def actor_text(actor: dict[str, Any] | None) -> str:
    """An actor as people read it: ``张三（XH-001）`` for a named staffer; for a
    principal that is none, its roles and id (``信息公开员（clerk@xinhe.tahe）``)."""
    if not actor:
        return ""
    if actor.get("name"):
        return staff_text(actor.get("number"), actor["name"])
    ident = str(actor.get("id", ""))
    roles = _role_labels(str(actor.get("roles") or ""))
    return f"{roles}（{ident}）" if roles and ident else ident or roles


def _role_labels(codes: str) -> str:
    labels = []
    for code in codes.split(","):
        try:
            labels.append(Role(code.strip()).label)
        except ValueError:
            continue
    return "、".join(labels)


def county_of(path: str) -> str:
    """The county of a tenant path: badge numbers are unique within it."""
    return path.split(".", 1)[0]


def handler_names(
    platform: Running, path: str, handler: str | None, backup: str | None
) -> dict[str, str | None]:
    """A case's handlers with the staffer's name beside each badge number."""
    row = {"tenant": path, "handler": handler, "backup_handler": backup}
    name_handlers(platform, [row])
    return {k: row[k] for k in HANDLER_KEYS}


HANDLER_KEYS = ("handler", "handler_name", "backup_handler", "backup_handler_name")


def name_handlers(platform: Running, rows: Iterable[dict[str, Any]]) -> None:
    """Add ``handler_name`` and ``backup_handler_name`` to case rows in place (None
    where the handler is no registered staffer), with one look-up per county."""
    rows = list(rows)
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for key in ("handler", "backup_handler"):
            if row.get(key):
                wanted[county_of(row["tenant"])].add(row[key])
    names = {
        county: platform.staff_view.names(county, sorted(numbers))
        for county, numbers in wanted.items()
    }
    for row in rows:
        known = names.get(county_of(row["tenant"]), {})
        for key in ("handler", "backup_handler"):
            number = row.get(key)
            row[f"{key}_name"] = known.get(number) if number else None


def staff_names(
    platform: Running, path: str, numbers: Iterable[str | None]
) -> dict[str, str]:
    """Badge number → name for the registered staff among ``numbers`` (one county)."""
    wanted = sorted({n for n in numbers if n})
    return platform.staff_view.names(county_of(path), wanted) if wanted else {}
