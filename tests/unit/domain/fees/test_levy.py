"""征收通知书: amounts from the standard in force (Decimal, to the 分), 集中会审 of
reductions, and the refusal of an amount off the standard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidInputError
from domain.fees.levy import LevyNotice, LevyStateError, OffStandardError, masked
from domain.fees.review import APPROVED, PENDING, REJECTED, ReviewRuleError
from domain.fees.standard import (
    FeeStandard,
    FeeStandardError,
    NoStandardInForceError,
    StandardOrderError,
)

UNIT = "xinhe.sthjj"
CLERK = {"id": "clerk@xinhe.sthjj", "tenant": UNIT, "roles": "clerk"}
ITEMS = [
    {"code": "cod", "name": "化学需氧量排污费", "unit": "污染当量", "rate": "1.4",
     "basis": "《排污费征收标准管理办法》"},
    {"code": "nh3", "name": "氨氮排污费", "unit": "污染当量", "rate": "0.7",
     "basis": "《排污费征收标准管理办法》"},
]  # fmt: skip


def reviewer(n: int) -> dict[str, str]:
    return {"id": f"r{n}@xinhe.sthjj", "tenant": UNIT, "roles": "supervisor"}


def standard() -> FeeStandard:
    s = FeeStandard.publish(
        tenant=UNIT, effective_from=date(2026, 1, 1), items=ITEMS, actor=CLERK
    )
    doubled = [{**ITEMS[0], "rate": "2.8"}, ITEMS[1]]
    s.revise(effective_from=date(2026, 7, 1), items=doubled, actor=CLERK)
    return s


def draft(amount: object, dated: date = date(2026, 3, 2)) -> LevyNotice:
    return LevyNotice.draft(
        tenant=UNIT,
        payer_name="新和县永兴化工有限公司",
        payer_kind="organisation",
        items=[{"code": "cod", "quantity": "1234.567"}, {"code": "nh3", "quantity": 3}],
        dated=dated,
        stated_amount=amount,
        standard=standard(),
        actor=CLERK,
    )


def test_the_amount_is_exact_to_the_fen_from_the_standard_in_force() -> None:
    notice = draft("1730.49")  # 1234.567 × 1.4 = 1728.3938 → 1728.39; + 2.10
    assert [line["amount"] for line in notice.lines] == ["1728.39", "2.10"]
    assert notice.amount == "1730.49"
    assert notice.standard_version == 1
    later = draft("3458.89", dated=date(2026, 7, 1))  # the revision: 2.8
    assert later.standard_version == 2
    assert Decimal(later.amount) == Decimal("3458.89")


def test_an_amount_off_the_standard_is_refused() -> None:
    with pytest.raises(OffStandardError):
        draft("1700.00")
    with pytest.raises(InvalidInputError):
        draft(1730.49)  # a float is not a written amount
    with pytest.raises(NoStandardInForceError):
        draft("1730.49", dated=date(2025, 12, 31))


def test_the_standard_is_versioned_forward_only() -> None:
    s = standard()
    with pytest.raises(StandardOrderError):
        s.revise(effective_from=date(2026, 7, 1), items=ITEMS, actor=CLERK)
    with pytest.raises(FeeStandardError):
        FeeStandard.publish(
            tenant=UNIT, effective_from=date(2026, 1, 1), items=[], actor=CLERK
        )
    assert s.in_force(date(2026, 6, 30))["version"] == 1


def proposed() -> LevyNotice:
    notice = draft("1730.49")
    notice.propose_reduction("1000.00", "企业受灾停产三个月，申请减缴", CLERK)
    return notice


def test_too_few_reviewers_keep_the_reduction_pending_and_block_the_issue() -> None:
    notice = proposed()
    notice.review_reduction(True, "法制审核岗", "符合减缴条件", reviewer(1))
    notice.review_reduction(True, "财务岗", "数额核实无误", reviewer(2))
    assert notice.reduction_status(3) == PENDING
    with pytest.raises(LevyStateError):
        notice.issue(date(2026, 3, 3), "新征〔2026〕1号", 3, CLERK)
    notice.review_reduction(True, "分管领导", "同意", reviewer(3))
    assert notice.reduction_status(3) == APPROVED
    notice.issue(date(2026, 3, 3), "新征〔2026〕1号", 3, CLERK)
    assert notice.issued is not None
    assert notice.issued["final_amount"] == "1000.00"
    assert notice.issued["reduction_approved"] is True


def test_reviewers_hold_different_posts_and_are_not_the_proposer() -> None:
    notice = proposed()
    with pytest.raises(ReviewRuleError):
        notice.review_reduction(True, "法制审核岗", "自己审核", CLERK)
    notice.review_reduction(True, "法制审核岗", "符合减缴条件", reviewer(1))
    with pytest.raises(ReviewRuleError):
        notice.review_reduction(True, "法制审核岗", "同岗复核", reviewer(2))
    with pytest.raises(ReviewRuleError):
        notice.review_reduction(True, "财务岗", "再审一次", reviewer(1))
    with pytest.raises(InvalidInputError):
        notice.review_reduction(True, "财务岗", "  ", reviewer(2))


def test_a_rejection_ends_the_review_and_the_standard_amount_is_issued() -> None:
    notice = proposed()
    notice.review_reduction(False, "法制审核岗", "不符合减缴条件", reviewer(1))
    assert notice.reduction_status(3) == REJECTED
    with pytest.raises(ReviewRuleError):
        notice.review_reduction(True, "财务岗", "同意", reviewer(2))
    notice.issue(date(2026, 3, 3), "新征〔2026〕1号", 3, CLERK)
    assert notice.issued is not None
    assert notice.issued["final_amount"] == "1730.49"
    assert notice.issued["reduction_approved"] is False


def test_a_reduction_lowers_the_amount_and_needs_a_reason() -> None:
    notice = draft("1730.49")
    with pytest.raises(InvalidInputError):
        notice.propose_reduction("1730.49", "不减", CLERK)
    with pytest.raises(InvalidInputError):
        notice.propose_reduction("100", " ", CLERK)


def test_natural_persons_are_masked_on_the_board() -> None:
    assert masked({"name": "张三丰", "kind": "person"}) == "张**"
    assert masked({"name": "阿不都热合曼·买买提", "kind": "person"}) == "阿**"
    org = {"name": "新和县永兴化工有限公司", "kind": "organisation"}
    assert masked(org) == "新和县永兴化工有限公司"


def draft_person(name: str, ref: str | None) -> LevyNotice:
    return LevyNotice.draft(
        tenant=UNIT,
        payer_name=name,
        payer_kind="person",
        items=[{"code": "cod", "quantity": "10"}],
        dated=date(2026, 3, 2),
        stated_amount="14.00",
        standard=standard(),
        actor=CLERK,
        payer_ref=ref,
    )


def test_a_natural_persons_name_never_enters_the_event() -> None:
    subject = "6f1c1d3e-1f0b-4c55-9a3e-0f5b2e7d9a10"
    notice = draft_person("阿不都热合曼·买买提", subject)
    assert notice.payer == {"kind": "person", "name": None, "ref": subject}
    event = notice.collect_events()[0]
    assert "阿不都" not in repr(event.__dict__)
    with pytest.raises(InvalidInputError) as refused:
        draft_person("阿不都热合曼·买买提", None)
    assert refused.value.field == "payer_ref"
    with pytest.raises(InvalidInputError):
        draft_person("阿不都热合曼·买买提", "阿不都热合曼·买买提")
    with pytest.raises(InvalidInputError):
        draft_person("名" * 51, subject)


def test_an_organisations_name_stays_in_clear_and_is_not_sealed() -> None:
    assert draft("1730.49").payer == {
        "kind": "organisation",
        "name": "新和县永兴化工有限公司",
        "ref": None,
    }
    with pytest.raises(InvalidInputError):
        LevyNotice.draft(
            tenant=UNIT, payer_name="新和县永兴化工有限公司",
            payer_kind="organisation", items=[{"code": "cod", "quantity": "10"}],
            dated=date(2026, 3, 2), stated_amount="14.00", standard=standard(),
            actor=CLERK, payer_ref="6f1c1d3e-1f0b-4c55-9a3e-0f5b2e7d9a10",
        )  # fmt: skip


def test_a_version_1_drafted_event_loads_with_its_payer() -> None:
    from domain.fees.levy import _upcast_drafted_v1_v2

    state = {"payer": {"name": "张三丰", "kind": "person"}}
    _upcast_drafted_v1_v2(state)
    assert state["payer"] == {"name": "张三丰", "kind": "person", "ref": None}
