"""The export statement: canonical text that round-trips, and nothing else parses."""

from __future__ import annotations

import pytest

from domain.errors import NoteError
from domain.ledger.export import ExportStatement, principal_text
from domain.ledger.note import Checkpoint

STATEMENT = ExportStatement(
    origin="gongkai.local/xinhe.tahe.tuanjie",
    kind="case",
    subject_id="f9ee01c4-73b5-4729-b673-87dd6b04671b",
    size=80,
    root="usAMxagkplqd/arwK6xnmws0PPo2aDzAkDLovjGjtFE=",
    exported_at="2026-11-27T15:34:53.655726Z",
    exported_by={"id": "李检查员", "roles": "inspector", "tenant": "xinhe"},
)


def test_the_statement_round_trips_with_chinese_as_itself() -> None:
    body = STATEMENT.body()
    assert '"id":"李检查员"' in body
    assert body.splitlines()[0] == "gongkai-export/v1"
    assert ExportStatement.parse(body) == STATEMENT
    assert principal_text(STATEMENT.exported_by) == "李检查员 (inspector @ xinhe)"


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b.replace("gongkai-export/v1", "gongkai-export/v2"),
        lambda b: b.replace("checkpoint 80", "checkpoint 080"),
        lambda b: b.replace("checkpoint 80", "checkpoint x"),
        lambda b: b.replace('{"id"', '{ "id"'),
        lambda b: b.replace("exported_by ", "exported_by [1]\n#"),
        lambda b: b + "extra\n",
        lambda b: b[:-1],
        lambda b: b.replace("subject case ", "subject  case "),
    ],
)
def test_anything_but_the_canonical_text_is_refused(change: object) -> None:
    with pytest.raises(NoteError):
        ExportStatement.parse(change(STATEMENT.body()))  # type: ignore[operator]


def test_a_statement_is_never_a_checkpoint() -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(STATEMENT.body())
