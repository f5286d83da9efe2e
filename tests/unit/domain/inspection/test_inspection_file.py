"""The Inspection aggregate: subjects in the subtree, notes, findings, reads."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.errors import InvalidInputError
from domain.inspection.inspection_file import (
    AlreadyLinkedError,
    Inspection,
    InspectionClosedError,
    SubjectOutOfScopeError,
)

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ACTOR = {"id": "inspector@xinhe.tahe", "tenant": "xinhe.tahe", "roles": "inspector"}
STAMP = {"actor": ACTOR, "effective_at": NOW}


def opened() -> Inspection:
    return Inspection.open(
        tenant="xinhe.tahe",
        subject={"kind": "tenant", "tenant": "xinhe.tahe.xingfu"},
        basis="群众来信反映低保金发放名单未公示",
        **STAMP,
    )


def test_opening_links_the_subject_and_records_one_event() -> None:
    file = opened()
    assert file.links == [
        {"kind": "tenant", "id": "xinhe.tahe.xingfu", "tenant": "xinhe.tahe.xingfu"}
    ]
    assert file.status == "open"
    assert [type(e).__name__ for e in file.collect_events()] == ["Opened"]


def test_a_subject_outside_the_subtree_is_refused() -> None:
    with pytest.raises(SubjectOutOfScopeError):
        Inspection.open(
            tenant="xinhe.tahe",
            subject={"kind": "tenant", "tenant": "xinhe.yanqi"},
            basis="依据",
            **STAMP,
        )
    file = opened()
    file.collect_events()
    with pytest.raises(SubjectOutOfScopeError):
        file.link(kind="case", subject_id=str(uuid4()), tenant="wensu", **STAMP)
    assert file.collect_events() == []


def test_links_are_checked_and_kept_once() -> None:
    file = opened()
    case = str(uuid4())
    file.link(kind="case", subject_id=case, tenant="xinhe.tahe.xingfu", **STAMP)
    file.link(kind="staff", subject_id="A-0042", tenant="xinhe.tahe", **STAMP)
    with pytest.raises(AlreadyLinkedError):
        file.link(kind="case", subject_id=case, tenant="xinhe.tahe.xingfu", **STAMP)
    with pytest.raises(InvalidInputError):
        file.link(kind="case", subject_id="not-a-uuid", tenant="xinhe.tahe", **STAMP)
    with pytest.raises(InvalidInputError):
        file.link(kind="vehicle", subject_id="x", tenant="xinhe.tahe", **STAMP)
    assert [ln["kind"] for ln in file.links] == ["tenant", "case", "staff"]


def test_a_closed_file_takes_no_more_work_but_still_records_reads() -> None:
    file = opened()
    file.note(text="调取公示栏照片", **STAMP)
    file.find(text="名单公示晚于发放12天", **STAMP)
    file.close(conclusion="责令整改", **STAMP)
    with pytest.raises(InspectionClosedError):
        file.note(text="再补一条", **STAMP)
    file.record_read(what="timeline", detail={"as_of": "2026-03-01"}, **STAMP)
    names = [type(e).__name__ for e in file.collect_events()]
    assert names == ["Opened", "NoteAdded", "FindingRecorded", "Closed", "Read"]
    assert (file.status, file.conclusion, file.reads) == ("closed", "责令整改", 1)


def test_a_blank_basis_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        Inspection.open(
            tenant="xinhe",
            subject={"kind": "tenant", "tenant": "xinhe"},
            basis="  ",
            **STAMP,
        )


def test_a_read_records_its_parameters_within_bounds() -> None:
    file = opened()
    file.record_read(what="timeline", detail={"cursor": "x" * 5000}, **STAMP)
    file.record_read(what="file", detail={str(i): "v" for i in range(50)}, **STAMP)
    *_, long_cursor, many = file.collect_events()
    assert len(long_cursor.detail["cursor"]) == 200  # type: ignore[attr-defined]
    assert len(many.detail) == 10  # type: ignore[attr-defined]
    with pytest.raises(InvalidInputError):
        file.record_read(what="everything", detail={}, **STAMP)
