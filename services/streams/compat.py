"""The streams' compatibility rule, as code: what a schema may become within a version.

A type's version (``.vN``, the event class's ``class_version``) promises its
consumers that every field they rely on stays, with the same meaning and form.
Within a version a schema may only gain optional properties (and words: titles,
descriptions, examples); anything else (a property removed, renamed, retyped,
made required, a narrower or wider pattern, an enum changed) is a new version of the
type. The topic's version (``gongkai.<family>.v1``) moves only when the envelope or
the keying changes for every type of the family, never for one type's new version:
the old and new versions of a type share the topic (docs/consumer.md).

``python -m services.streams.compat freeze DIR`` writes every served schema (sent
now or retired) into DIR as ``<type>.json`` without its ``$id``: a release's frozen
set, against which tests/unit/services/streams/test_schema_compat.py holds every
later schema.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from services.streams.schemas import (
    all_types,
    current_schema,
    retired_schema,
    retired_types,
)

# Keywords that carry words, not constraints: free to change within a version.
WORDS = frozenset({"title", "description", "examples", "$comment"})


def served_schema(ce_type: str) -> dict[str, Any]:
    """The schema served for a type (sent now or retired), without ``$id``;
    KeyError if it is no longer served."""
    if ce_type in retired_types():
        return retired_schema(ce_type)
    return current_schema(ce_type)


def served_types() -> list[str]:
    return sorted({*all_types(), *retired_types()})


def incompatibilities(old: Any, new: Any, path: str = "") -> list[str]:
    """Why ``new`` may not replace ``old`` within one version; [] when it may.

    Equal but for: properties ``new`` adds outside ``required``, the ``$defs``
    those need, and the words of ``WORDS``.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        return _objects(old, new, path)
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found: list[str] = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            found += incompatibilities(a, b, f"{path}/{i}")
        return found
    return [] if old == new else [f"{path or '/'}: {old!r} became {new!r}"]


def _objects(old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
    found: list[str] = []
    for key in sorted(old.keys() - new.keys() - WORDS):
        found.append(f"{path}/{key}: removed")
    for key in sorted(new.keys() - old.keys() - WORDS):
        found.append(f"{path}/{key}: added")
    for key in sorted(old.keys() & new.keys() - WORDS):
        here = f"{path}/{key}"
        if key in ("properties", "$defs") and isinstance(old[key], dict):
            found += _members(old[key], new[key], here)
            if key == "properties":
                required = set(new.get("required", ()))
                found += [
                    f"{here}/{name}: added as required"
                    for name in sorted(new[key].keys() - old[key].keys())
                    if name in required
                ]
        elif key == "required":
            if set(old[key]) != set(new[key]):
                found.append(f"{here}: {sorted(old[key])} became {sorted(new[key])}")
        else:
            found += incompatibilities(old[key], new[key], here)
    return found


def _members(old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
    found = [f"{path}/{name}: removed" for name in sorted(old.keys() - new.keys())]
    for name in sorted(old.keys() & new.keys()):
        found += incompatibilities(old[name], new[name], f"{path}/{name}")
    return found


def freeze(directory: Path) -> list[str]:
    """Write every served schema into ``directory``; returns the types written."""
    directory.mkdir(parents=True, exist_ok=True)
    types = served_types()
    for ce_type in types:
        text = json.dumps(served_schema(ce_type), ensure_ascii=False, indent=2)
        (directory / f"{ce_type}.json").write_text(text + "\n", encoding="utf-8")
    return types


def frozen(directory: Path) -> dict[str, dict[str, Any]]:
    """A release's frozen schemas by type."""
    return {
        path.name.removesuffix(".json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    if len(sys.argv) != 3 or sys.argv[1] != "freeze":
        sys.exit("usage: python -m services.streams.compat freeze DIR")
    target = Path(sys.argv[2])
    if any(target.glob("*.json")):
        sys.exit(f"{target} already holds a release's schemas; never rewrite one")
    print(f"{len(freeze(target))} schemas frozen in {target}")
