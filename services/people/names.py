"""Staff actors by name: an event's actor with the staffer's badge number and name.

Shared by the API (case, disclosure and staff histories) and by inspection timelines
(API, report and CLI), so the look-up lives below the routes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

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


def actor_text(actor: dict[str, Any] | None) -> str:
    """``张三（XH-001）`` for a named staffer, else the actor's id."""
    if not actor:
        return ""
    if actor.get("name"):
        return f"{actor['name']}（{actor.get('number', '')}）"
    return str(actor.get("id", ""))
