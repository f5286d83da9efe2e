"""What the parts of the demo share: the principals they act as, office hours, and
the plan each part adds its commands to (``DemoBuilder``, which imports the parts).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, Protocol

from domain.access import Principal, Role
from domain.timeliness import SHANGHAI
from services.demo.staff import demo_username


class Plan(Protocol):
    """A simulated year being planned: its span, the platform, and ``add``."""

    platform: Any
    start: date
    end: date

    def add(self, at: datetime, run: Callable[[], Any]) -> None: ...


def acting_id(path: str) -> str:
    """Who the demo acts as at ``path``: its registered staffer where it has one
    (named in timelines), else a clerk's token (``clerk@path``)."""
    return demo_username(path) or f"clerk@{path}"


def clerk(path: str) -> Principal:
    return Principal(id=acting_id(path), tenant=path, roles=frozenset({Role.CLERK}))


def case_clerk(path: str) -> Principal:
    return Principal(
        id=acting_id(path), tenant=path, roles=frozenset({Role.CLERK, Role.HANDLER})
    )


def office_moment(day: date, rng: random.Random) -> datetime:
    """A time during office hours in China on ``day``."""
    clock = time(9 + rng.randrange(8), rng.randrange(60))
    return datetime.combine(day, clock, tzinfo=SHANGHAI).astimezone(UTC)
