"""The 第十五条 procedure on the aggregate: each step an event, stages enforced."""

from __future__ import annotations

from datetime import date

import pytest

from domain.assessment.campaign import Campaign
from domain.errors import CampaignStageError, CriteriaError, InvalidInputError
from domain.workdays import default_calendar

SUP = {"id": "sup@xinhe", "tenant": "xinhe", "roles": "supervisor"}
CLERK = {"id": "clerk@xinhe.tahe", "tenant": "xinhe.tahe", "roles": "clerk"}
CRITERIA = [
    {"code": "org", "title": "组织领导", "points": 20, "veto": True},
    {"code": "content", "title": "公开内容", "points": 80},
]
CAL = default_calendar()


def planned(targets: tuple[str, ...] = ("xinhe.tahe", "xinhe.jiamu")) -> Campaign:
    return Campaign.plan(
        tenant="xinhe",
        title="2025年度政务公开考核",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 9, 30),
        targets=list(targets),
        criteria=CRITERIA,
        methods=["online", "on_site"],
        actor=SUP,
    )


def items(org: float, content: float) -> list[dict[str, object]]:
    return [
        {"code": "org", "points": org, "evidence": ["case:abc"]},
        {"code": "content", "points": content},
    ]


def test_targets_must_be_descendants_and_criteria_sum_to_100() -> None:
    with pytest.raises(InvalidInputError, match="descendants"):
        planned(("wensu.jiamu",))
    with pytest.raises(CriteriaError, match="sum to 90"):
        Campaign.plan(
            tenant="xinhe",
            title="t",
            period_from=date(2025, 1, 1),
            period_to=date(2025, 2, 1),
            targets=["xinhe.tahe"],
            criteria=[{"code": "a", "points": 90}],
            methods=["overall"],
            actor=SUP,
        )


def run_to_notice(c: Campaign) -> None:
    for target, (org, content) in {
        "xinhe.tahe": (18, 72),
        "xinhe.jiamu": (10, 75),
    }.items():
        c.self_assess(target, items(20, 80), "自查报告", CLERK)
        c.review(target, items(org, content), "on_site", SUP)
    c.publish_notice(date(2025, 9, 26), CAL, SUP)


def test_the_whole_procedure() -> None:
    c = planned()
    with pytest.raises(CampaignStageError, match="self-assessment"):
        c.review("xinhe.tahe", items(1, 1), "online", SUP)
    run_to_notice(c)
    assert c.notice is not None
    assert c.notice["ends_on"] == date(2025, 10, 13)
    assert c.results["xinhe.tahe"]["grade"] == "excellent"
    assert c.results["xinhe.jiamu"]["grade"] == "fail"  # vetoed by org
    number = c.object("xinhe.jiamu", "分数偏低", date(2025, 10, 9), CLERK)
    with pytest.raises(CampaignStageError, match="runs until 2025-10-13"):
        c.finalize(date(2025, 10, 13), SUP)
    with pytest.raises(CampaignStageError, match="unanswered objections: 1"):
        c.finalize(date(2025, 10, 14), SUP)
    c.answer_objection(number, "经复核，维持原评分", SUP)
    with pytest.raises(CampaignStageError, match="ended"):
        c.object("xinhe.jiamu", "再议", date(2025, 10, 14), CLERK)
    c.finalize(date(2025, 10, 14), SUP)
    assert c.stage == "final"
    with pytest.raises(CampaignStageError, match="nothing to rectify"):
        c.order_rectification("xinhe.tahe", 10, date(2025, 10, 14), CAL, SUP)
    c.order_rectification("xinhe.jiamu", 5, date(2025, 10, 14), CAL, SUP)
    assert c.rectifications["xinhe.jiamu"]["items"] == ["org"]
    assert c.rectifications["xinhe.jiamu"]["due_on"] == date(2025, 10, 21)
    c.report_rectification("xinhe.jiamu", "已健全领导小组", date(2025, 10, 20), CLERK)
    c.verify_rectification(
        "xinhe.jiamu", False, "未见文件", date(2025, 10, 21), CAL, SUP
    )
    assert c.rectifications["xinhe.jiamu"]["status"] == "ordered"
    c.report_rectification("xinhe.jiamu", "补充文件", date(2025, 10, 28), CLERK)
    c.verify_rectification(
        "xinhe.jiamu", True, "整改到位", date(2025, 10, 29), CAL, SUP
    )
    assert c.rectifications["xinhe.jiamu"]["status"] == "closed"
    names = [type(e).__name__ for e in c.collect_events()]
    assert names[0] == "Planned"
    assert {"NoticePublished", "ObjectionAnswered", "Finalized"} <= set(names)
    assert names[-1] == "RectificationVerified"


def test_publishing_needs_every_target_reviewed() -> None:
    c = planned()
    c.self_assess("xinhe.tahe", items(20, 80), "自查", CLERK)
    c.review("xinhe.tahe", items(20, 80), "online", SUP)
    with pytest.raises(CampaignStageError, match=r"xinhe\.jiamu"):
        c.publish_notice(date(2025, 9, 26), CAL, SUP)


def test_reviewers_are_averaged_and_a_reviewer_may_revise() -> None:
    c = planned(("xinhe.tahe",))
    c.self_assess("xinhe.tahe", items(20, 80), "自查", CLERK)
    other = {**SUP, "id": "sup2@xinhe"}
    c.review("xinhe.tahe", items(20, 60), "online", SUP)
    c.review("xinhe.tahe", items(20, 70), "online", SUP)  # replaces the first
    c.review("xinhe.tahe", items(16, 62), "on_site", other)
    assert c.reviewed_points("xinhe.tahe") == {"org": 18, "content": 66}
    result = c.provisional("xinhe.tahe")
    assert result is not None
    assert (result.score, result.grade.value) == (84, "good")


def finalized_with_a_failure() -> Campaign:
    c = planned()
    run_to_notice(c)
    c.finalize(date(2025, 10, 14), SUP)
    return c


def test_a_failed_verification_never_shortens_the_order_it_repeats() -> None:
    """Ordered Fri 16 Oct 2026 for 20 working days (due 13 Nov), reported and found
    wanting that same day: the new order was due 30 Oct, before the first (#23 §5)."""
    c = finalized_with_a_failure()
    day = date(2026, 10, 16)
    c.order_rectification("xinhe.jiamu", 20, day, CAL, SUP)
    assert c.rectifications["xinhe.jiamu"]["due_on"] == date(2026, 11, 13)
    c.report_rectification("xinhe.jiamu", "已健全领导小组", day, CLERK)
    c.verify_rectification("xinhe.jiamu", False, "未见文件", day, CAL, SUP, 10)
    order = c.rectifications["xinhe.jiamu"]
    assert order["due_on"] == date(2026, 11, 13)
    assert [r["due_on"] for r in order["rounds"]] == [date(2026, 11, 13)] * 2


def test_a_new_order_counts_its_working_days_from_the_verification() -> None:
    c = finalized_with_a_failure()
    c.order_rectification("xinhe.jiamu", 5, date(2026, 10, 16), CAL, SUP)
    c.report_rectification("xinhe.jiamu", "已整改", date(2026, 10, 22), CLERK)
    verified_on = date(2026, 11, 20)  # a Friday, after the first 期限 (23 Oct)
    c.verify_rectification("xinhe.jiamu", False, "未见文件", verified_on, CAL, SUP, 10)
    assert c.rectifications["xinhe.jiamu"]["due_on"] == date(2026, 12, 4)
