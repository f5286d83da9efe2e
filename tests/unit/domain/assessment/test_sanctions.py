"""The ladder: warning, reassignment, suspension; annulled violations do not count."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.assessment.sanctions import ConductRecord, Sanction, sanction_for
from domain.errors import InvalidInputError, ViolationError

ACTOR = {"id": "inspector@xinhe", "tenant": "xinhe", "roles": "inspector"}
AT = datetime(2026, 5, 1, tzinfo=UTC)


def test_the_ladder_has_three_steps() -> None:
    assert [sanction_for(n) for n in (1, 2, 3, 4)] == [
        Sanction.WARNING,
        Sanction.REASSIGNMENT,
        Sanction.SUSPENSION,
        Sanction.SUSPENSION,
    ]
    assert [s.label for s in Sanction] == ["警告", "调离工作岗位", "停职检查"]


def confirm(record: ConductRecord, text: str) -> str:
    v = record.confirm(
        description=text, evidence=["case:1"], actor=ACTOR, effective_at=AT
    )
    return str(v["sanction"])


def test_three_confirmed_violations_climb_the_ladder() -> None:
    record = ConductRecord("xinhe", "XH-001", "xinhe.tahe", ACTOR)
    assert record.current_sanction() is None
    assert confirm(record, "未按时公开") == "warning"
    assert confirm(record, "公开栏未更新") == "reassignment"
    assert confirm(record, "伪造公开日期") == "suspension"
    assert record.current_sanction() is Sanction.SUSPENSION


def test_an_annulled_violation_does_not_count() -> None:
    record = ConductRecord("xinhe", "XH-001", "xinhe.tahe", ACTOR)
    confirm(record, "未按时公开")
    record.appeal(0, "当日系统故障", ACTOR)
    record.decide_appeal(0, upheld=True, reason="属实", actor=ACTOR)
    assert record.counted == 0
    assert confirm(record, "公开栏未更新") == "warning"
    with pytest.raises(ViolationError):
        record.appeal(0, "再诉", ACTOR)


def test_a_dismissed_appeal_keeps_the_violation() -> None:
    record = ConductRecord("xinhe", "XH-001", "xinhe.tahe", ACTOR)
    confirm(record, "未按时公开")
    record.appeal(0, "不服", ACTOR)
    record.decide_appeal(0, upheld=False, reason="证据确凿", actor=ACTOR)
    assert confirm(record, "再犯") == "reassignment"
    names = [type(e).__name__ for e in record.collect_events()]
    assert names[-1] == "ViolationConfirmed"


def test_a_violation_needs_evidence() -> None:
    record = ConductRecord("xinhe", "XH-001", "xinhe.tahe", ACTOR)
    with pytest.raises(InvalidInputError):
        record.confirm(description="x", evidence=[], actor=ACTOR, effective_at=AT)
