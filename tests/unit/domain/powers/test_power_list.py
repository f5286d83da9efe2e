"""The power list's versions, its 清权确权 review, risks and processes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.powers.errors import (
    InvalidPowerError,
    NoPendingVersionError,
    SelfReviewError,
    UnknownPowerError,
    UnmitigatedRiskError,
)
from domain.powers.listing import PowerListing, coverage
from domain.powers.power import Power
from domain.powers.power_list import PowerList
from domain.powers.risks import RiskPoint
from domain.powers.vocabulary import RiskLevel
from services.demo.power_data import scenic_power_listing

AT = datetime(2026, 3, 2, 2, tzinfo=UTC)
CLERK = {"id": "clerk@xinhe.ysfjq", "tenant": "xinhe.ysfjq", "roles": "clerk"}
REVIEWER = {"id": "supervisor@xinhe", "tenant": "xinhe", "roles": "supervisor"}


def power(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "XK-001",
        "name": "商业广告审批",
        "kind": "行政许可",
        "basis_law": "《风景名胜区条例》",
        "basis_article": "第二十九条",
        "office": "管理处",
        "post": "规划建设科科长",
        "time_limit_days": 15,
        "process": [
            {
                "name": "受理",
                "performer": "窗口",
                "days": 1,
                "branches": [{"label": "补正", "returns_to": "受理"}],
            },
            {"name": "决定", "performer": "科长", "days": 5},
        ],
    }
    return base | changes


def risk(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "FX-1",
        "power": "XK-001",
        "step": "受理",
        "description": "故意刁难申请人",
        "level": "高",
        "measures": [{"kind": "制度", "text": "一次性告知", "post": "科长"}],
    }
    return base | changes


def test_the_seed_numbers_come_out_of_the_scenic_list() -> None:
    figures = coverage(scenic_power_listing())
    assert (figures.powers, figures.risk_total, figures.measures) == (20, 45, 119)
    assert figures.with_process == 20
    assert figures.unmitigated_high == ()
    assert figures.measures_per_risk == 2.64


def test_coverage_names_unassessed_powers_and_unmitigated_high_risks() -> None:
    listing = PowerListing.from_dicts(
        [power(), power(code="XK-002")], [risk(measures=[])]
    )
    figures = coverage(listing)
    assert figures.unassessed == ("XK-002",)
    assert figures.unmitigated_high == ("FX-1",)
    assert figures.risks == {"high": 1, "medium": 0, "low": 0}


def test_a_risk_must_sit_on_a_listed_power_and_one_of_its_steps() -> None:
    with pytest.raises(UnknownPowerError):
        PowerListing.from_dicts([power()], [risk(power="XK-999")])
    with pytest.raises(InvalidPowerError, match="no step"):
        PowerListing.from_dicts([power()], [risk(step="送达")])
    with pytest.raises(InvalidPowerError, match="twice"):
        PowerListing.from_dicts([power()], [risk(), risk()])
    assert RiskPoint.from_dict(risk(level="low")).level is RiskLevel.LOW


def test_a_process_is_checked_against_itself_and_the_promised_limit() -> None:
    bad_branch = power()
    bad_branch["process"][0]["branches"] = [{"label": "补正", "returns_to": "初审"}]
    with pytest.raises(InvalidPowerError, match="no step"):
        Power.from_dict(bad_branch)
    with pytest.raises(InvalidPowerError, match="more than its promised"):
        Power.from_dict(power(time_limit_days=3))
    with pytest.raises(InvalidPowerError, match="kind"):
        Power.from_dict(power(kind="行政许可证"))
    assert Power.from_dict(power(kind="licensing")).kind.label == "行政许可"


def new_list(listing: PowerListing) -> tuple[PowerList, int]:
    plist = PowerList(tenant="xinhe.ysfjq", actor=CLERK, effective_at=AT)
    return plist, plist.draft(listing, source="CSV", actor=CLERK, effective_at=AT)


def test_a_version_takes_effect_only_when_another_person_approves_it() -> None:
    plist, version = new_list(scenic_power_listing())
    assert (version, plist.pending, plist.in_force) == (1, 1, None)
    assert plist.listing().powers == ()  # nothing in force before the review
    with pytest.raises(SelfReviewError):
        plist.approve(1, opinion="", actor=CLERK, effective_at=AT)
    with pytest.raises(NoPendingVersionError):
        plist.approve(2, opinion="", actor=REVIEWER, effective_at=AT)
    plist.approve(1, opinion="经清权确权，同意", actor=REVIEWER, effective_at=AT)
    assert (plist.pending, plist.in_force) == (None, 1)
    assert len(plist.listing().powers) == 20
    second = plist.draft(
        PowerListing(plist.listing().powers[:5]),
        source="接口",
        actor=CLERK,
        effective_at=AT,
    )
    plist.send_back(second, opinion="缺少廉政风险点", actor=REVIEWER, effective_at=AT)
    assert (plist.pending, plist.in_force) == (None, 1)
    with pytest.raises(NoPendingVersionError):
        plist.approve(second, opinion="", actor=REVIEWER, effective_at=AT)


def test_a_version_with_an_unmitigated_high_risk_is_refused() -> None:
    listing = scenic_power_listing()
    first = listing.risks[0]
    assert first.level is RiskLevel.HIGH
    bare = replace(listing, risks=(replace(first, measures=()), *listing.risks[1:]))
    plist, version = new_list(bare)
    with pytest.raises(UnmitigatedRiskError) as caught:
        plist.approve(version, opinion="", actor=REVIEWER, effective_at=AT)
    assert caught.value.count == 1
    assert plist.in_force is None


def test_a_csv_load_keeps_processes_and_risks_by_code() -> None:
    before = scenic_power_listing()
    catalogue = PowerListing(tuple(replace(p, process=()) for p in before.powers[:-1]))
    carried = catalogue.with_risks_of(before)
    assert carried.powers == before.powers[:-1]
    assert len(carried.risks) == 45 - 2  # the dropped power's two risks go with it


def test_a_fee_item_must_be_an_item_of_the_units_fee_standard() -> None:
    from domain.powers.errors import UnknownFeeItemError

    listing = scenic_power_listing()
    listing.require_fee_items({"site", "resource", "ticket"})
    with pytest.raises(UnknownFeeItemError) as refused:
        listing.require_fee_items({"site", "resource"})
    assert refused.value.field.endswith(".fee_item")
    assert "ticket" in str(refused.value)
    with pytest.raises(UnknownFeeItemError):
        listing.require_fee_items(())  # no fee standard at all
    bare = PowerListing(tuple(replace(p, fee_item=None) for p in listing.powers))
    bare.require_fee_items(())  # no fee item: nothing to check
