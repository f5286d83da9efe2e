"""A power's process (权力运行流程): its steps in order, who performs each, the
working days each may take, and the branches that leave the main path (不予受理,
补正 back to 受理). Data, so the flowchart is drawn from it and a risk point can
name the step it sits on. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.powers.errors import InvalidPowerError

MAX_STEPS = 20
MAX_STEP_DAYS = 365
MAX_TEXT = 100


def clean_text(value: object, field: str, *, limit: int = MAX_TEXT) -> str:
    """``value`` as non-empty stripped text of at most ``limit`` characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidPowerError(f"{field} must be non-empty text", field=field)
    text = value.strip()
    if len(text) > limit:
        raise InvalidPowerError(
            f"{field} has {len(text)} characters; at most {limit}", field=field
        )
    return text


@dataclass(frozen=True)
class Branch:
    """A way out of a step: ``label`` (不予受理, 补正), and the step it returns to,
    or None when it ends the process (the applicant is told why)."""

    label: str
    returns_to: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "returns_to": self.returns_to}


@dataclass(frozen=True)
class Step:
    """One step of the main path: 受理, 审查, 决定, 送达 …"""

    name: str
    performer: str
    days: int
    branches: tuple[Branch, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "performer": self.performer,
            "days": self.days,
            "branches": [b.to_dict() for b in self.branches],
        }


def parse_process(data: object, field: str = "process") -> tuple[Step, ...]:
    """Steps from JSON-like data, checked: distinct names, 0–365 days each, and a
    branch returns only to a step of the same process."""
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise InvalidPowerError(f"{field} must be a list of steps", field=field)
    if len(data) > MAX_STEPS:
        raise InvalidPowerError(f"{field} has more than {MAX_STEPS} steps", field=field)
    steps = [_parse_step(item, f"{field}[{i}]") for i, item in enumerate(data)]
    names = [s.name for s in steps]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise InvalidPowerError(
                f"step {name!r} appears twice", field=f"{field}[{i}].name"
            )
    for i, step in enumerate(steps):
        for j, branch in enumerate(step.branches):
            if branch.returns_to is not None and branch.returns_to not in names:
                raise InvalidPowerError(
                    f"branch {branch.label!r} returns to {branch.returns_to!r},"
                    " which is no step of this process",
                    field=f"{field}[{i}].branches[{j}].returns_to",
                )
    return tuple(steps)


def _parse_step(item: object, field: str) -> Step:
    if not isinstance(item, Mapping):
        raise InvalidPowerError(f"{field} must be an object", field=field)
    days = item.get("days")
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidPowerError(f"{field}.days must be a number", field=f"{field}.days")
    if not 0 <= days <= MAX_STEP_DAYS:
        raise InvalidPowerError(
            f"{field}.days must be 0 to {MAX_STEP_DAYS}", field=f"{field}.days"
        )
    raw = item.get("branches", [])
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise InvalidPowerError(
            f"{field}.branches must be a list", field=f"{field}.branches"
        )
    branches = []
    for j, b in enumerate(raw):
        where = f"{field}.branches[{j}]"
        if not isinstance(b, Mapping):
            raise InvalidPowerError(f"{where} must be an object", field=where)
        target = b.get("returns_to")
        branches.append(
            Branch(
                label=clean_text(b.get("label"), f"{where}.label"),
                returns_to=None
                if target in (None, "")
                else clean_text(target, f"{where}.returns_to"),
            )
        )
    return Step(
        name=clean_text(item.get("name"), f"{field}.name", limit=30),
        performer=clean_text(item.get("performer"), f"{field}.performer"),
        days=days,
        branches=tuple(branches),
    )


def process_days(steps: Sequence[Step]) -> int:
    """Working days of the main path, the sum of its steps."""
    return sum(s.days for s in steps)
