"""座谈会 and 项目审查会: the review's required categories, numbered opinions and
their answers, and an opinion unanswered past its working days being overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import ConflictError, InconsistentInputError, InvalidInputError
from domain.participation.meetings import MeetingBook, MissingReviewCategoriesError
from domain.workdays import WorkingDayCalendar

ACTOR = {"id": "clerk-1", "tenant": "xinhe.hbj", "roles": "clerk"}
STAMP = {"actor": ACTOR, "effective_at": datetime(2026, 9, 20, 2, tzinfo=UTC)}
TODAY = date(2026, 9, 20)
REVIEW = [
    {"category": "项目所在地单位", "invited": 2, "present": 2},
    {"category": "人大代表", "invited": 2, "present": 2},
    {"category": "政协委员", "invited": 2, "present": 1},
    {"category": "居民代表", "invited": 6, "present": 5},
]


def book(kind: str = "项目审查会", attendees: list[dict] = REVIEW) -> MeetingBook:  # type: ignore[type-arg]
    found = MeetingBook(tenant="xinhe.hbj", **STAMP)
    found.hold(
        number="2026-01",
        kind=kind,
        held_on=date(2026, 9, 1),
        subject="城区污水处理厂提标改造项目环境影响报告表",
        attendees=attendees,
        opinions=["施工期夜间噪声应控制", "尾水排放口应公示在线监测数据"],
        today=TODAY,
        **STAMP,
    )
    return found


def test_a_review_invites_every_category_the_rules_name() -> None:
    without = [a for a in REVIEW if a["category"] != "政协委员"]
    with pytest.raises(MissingReviewCategoriesError) as refused:
        book(attendees=without)
    assert refused.value.missing == "政协委员"
    assert refused.value.status == 422
    none_invited = [{**a, "invited": 0, "present": 0} for a in REVIEW]
    with pytest.raises(MissingReviewCategoriesError):
        book(attendees=none_invited)
    forum = [{"category": "企业负责人", "invited": 8, "present": 7}]
    assert book("座谈会", forum).meeting("2026-01").kind == "forum"


def test_attendance_is_consistent() -> None:
    with pytest.raises(InconsistentInputError):
        book(
            attendees=[
                *REVIEW[:3],
                {"category": "居民代表", "invited": 1, "present": 2},
            ]
        )
    with pytest.raises(InvalidInputError):
        book(attendees=[*REVIEW, REVIEW[0]])


def test_opinions_are_numbered_and_answered_once() -> None:
    found = book()
    found.answer(
        number="2026-01",
        opinion=2,
        verdict="部分采纳",
        reason="在线监测数据已在门户公开，排放口公示牌年内设置",
        answered_on=date(2026, 9, 10),
        today=TODAY,
        **STAMP,
    )
    opinions = found.meeting("2026-01").opinions
    assert [(o.number, o.verdict) for o in opinions] == [(1, None), (2, "partly")]
    with pytest.raises(ConflictError):
        found.answer(
            number="2026-01", opinion=2, verdict="采纳", reason="再答",
            answered_on=TODAY, today=TODAY, **STAMP,
        )  # fmt: skip
    with pytest.raises(InconsistentInputError):
        found.answer(
            number="2026-01", opinion=1, verdict="采纳", reason="提前",
            answered_on=date(2026, 8, 31), today=TODAY, **STAMP,
        )  # fmt: skip


def test_an_unanswered_opinion_is_overdue_after_its_working_days() -> None:
    """Held Tue 2026-09-01; 15 working days later is Mon 2026-09-21: weekends do
    not count, the 调休 Sunday 09-20 does; over 国庆 the count skips the holidays."""
    meeting = book().meeting("2026-01")
    calendar = WorkingDayCalendar()
    assert calendar.add_working_days(date(2026, 9, 1), 15) == date(2026, 9, 21)
    assert meeting.overdue(date(2026, 9, 21), calendar, 15) == []
    assert meeting.overdue(date(2026, 9, 22), calendar, 15) == [1, 2]
    # 22 working days from 09-01 run past 国庆 (10-01..10-07 off in 2026).
    due = calendar.add_working_days(date(2026, 9, 1), 22)
    assert due > date(2026, 10, 7)
    assert meeting.overdue(date(2026, 10, 7), calendar, 22) == []
    answered = book()
    answered.answer(
        number="2026-01", opinion=1, verdict="采纳", reason="夜间禁止高噪声作业",
        answered_on=date(2026, 9, 2), today=TODAY, **STAMP,
    )  # fmt: skip
    assert answered.meeting("2026-01").overdue(date(2026, 9, 22), calendar, 15) == [2]


def test_a_meeting_is_recorded_once_held_and_minutes_by_hash() -> None:
    found = MeetingBook(tenant="xinhe.hbj", **STAMP)
    with pytest.raises(InconsistentInputError):
        found.hold(
            number="X", kind="座谈会", held_on=date(2026, 9, 21), subject="预告",
            attendees=[{"category": "企业负责人", "invited": 1, "present": 0}],
            opinions=[], today=TODAY, **STAMP,
        )  # fmt: skip
    reviewed = book()
    with pytest.raises(InvalidInputError):
        reviewed.attach_minutes(
            number="2026-01", sha256="abc", name="纪要.pdf", **STAMP
        )
    reviewed.attach_minutes(
        number="2026-01", sha256="AB" * 32, name="纪要.pdf", **STAMP
    )
    assert reviewed.meeting("2026-01").minutes_sha256 == "ab" * 32
