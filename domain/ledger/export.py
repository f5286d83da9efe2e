"""The export statement: who exported a bundle, when, of what, under which checkpoint.

A ``gongkai-evidence/v2`` bundle carries it as a signed note (C2SP signed-note
format), signed by the subject tenant's key, so the export time and the exporting
principal are no longer the exporter's bare claim. Its text, one item a line::

    gongkai-export/v1
    <installation>/<tenant>
    subject <kind> <aggregate id>
    checkpoint <size> <base64 root>
    exported_at <%Y-%m-%dT%H:%M:%S.%fZ>
    exported_by {"id":…,"roles":…,"tenant":…}

``exported_by`` is canonical JSON (sorted keys, no spaces, non-ASCII as itself).
A checkpoint's second line is a decimal size, this one's is not: the two kinds of
note signed by one key cannot be taken for one another.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from domain.errors import NoteError

HEADER = "gongkai-export/v1"


@dataclass(frozen=True)
class ExportStatement:
    """The signed facts of one export."""

    origin: str
    kind: str
    subject_id: str
    size: int
    root: str
    exported_at: str
    exported_by: dict[str, str]

    def body(self) -> str:
        by = json.dumps(
            self.exported_by, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        lines = (
            HEADER,
            self.origin,
            f"subject {self.kind} {self.subject_id}",
            f"checkpoint {self.size} {self.root}",
            f"exported_at {self.exported_at}",
            f"exported_by {by}",
        )
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> ExportStatement:
        """The statement whose note text is exactly ``body``, else NoteError."""
        lines = body.split("\n")
        if len(lines) != 7 or lines[-1] != "" or lines[0] != HEADER:
            raise NoteError(f"not a {HEADER} statement of six lines")
        origin, subject, checkpoint, at, by = lines[1:6]
        words = [subject.split(" "), checkpoint.split(" "), at.split(" ")]
        if [w[0] for w in words] != ["subject", "checkpoint", "exported_at"] or any(
            len(w) != 3 - (i == 2) for i, w in enumerate(words)
        ):
            raise NoteError("the statement's lines are not as the format says")
        if not by.startswith("exported_by ") or not words[1][1].isdigit():
            raise NoteError("the statement's lines are not as the format says")
        try:
            who = json.loads(by.removeprefix("exported_by "))
        except json.JSONDecodeError as e:
            raise NoteError(f"exported_by is not JSON: {e.msg}") from None
        if not isinstance(who, dict) or not all(
            isinstance(v, str) for v in who.values()
        ):
            raise NoteError("exported_by is not an object of strings")
        statement = cls(
            origin,
            words[0][1],
            words[0][2],
            int(words[1][1]),
            words[1][2],
            words[2][1],
            who,
        )
        if statement.body() != body:
            raise NoteError("the statement is not in canonical form")
        return statement


def principal_text(exported_by: Mapping[str, str]) -> str:
    """``id (roles @ tenant)`` for display."""
    tenant = exported_by.get("tenant") or "installation"
    return f"{exported_by.get('id', '?')} ({exported_by.get('roles', '?')} @ {tenant})"
