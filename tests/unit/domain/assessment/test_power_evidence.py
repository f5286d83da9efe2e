"""The power list as evidence for the 行政权力公开 item: which items take it, the
list's figures, and the period's cases under its powers as at the period's end."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.assessment.criteria import TEMPLATE, Criterion
from domain.assessment.power_evidence import (
    ListInForce,
    PowerCase,
    power_items,
    power_list_evidence,
)
from domain.powers.listing import PowerListing
from services.demo.power_data import scenic_power_listing

FROM, TO = date(2026, 1, 1), date(2026, 6, 30)


def case(
    id: str,
    received: date,
    due: date | None,
    done: date | None,
    kind: str = "service_request",
    power: str = "XK-001",
) -> PowerCase:
    return PowerCase(id, power, kind, received, due, done)


def test_the_template_item_on_powers_takes_the_evidence() -> None:
    assert power_items(TEMPLATE) == ["c02"]  # 机构设置、工作职责和管理权限的公开
    own = (Criterion("p", "行政权力公开", 60), Criterion("q", "其他", 40))
    assert power_items(own) == ["p"]


def test_figures_of_the_list_and_of_the_period_cases() -> None:
    listing = scenic_power_listing()
    cases = [
        case("a", date(2026, 2, 2), date(2026, 2, 20), date(2026, 2, 19)),  # on time
        case("b", date(2026, 3, 2), date(2026, 3, 20), date(2026, 3, 30)),  # late
        case("c", date(2026, 6, 1), date(2026, 6, 19), None),  # open past due: late
        case("d", date(2026, 6, 25), date(2026, 7, 15), None),  # open, not yet due
        case("e", date(2026, 5, 4), date(2026, 6, 20), date(2026, 7, 2)),  # late at end
        case("f", date(2026, 4, 1), None, None, kind="complaint"),
        case("g", date(2025, 12, 1), date(2025, 12, 19), date(2025, 12, 2)),  # before
        case(
            "h", date(2026, 4, 1), date(2026, 4, 20), date(2026, 4, 3), power="CF-001"
        ),
        replace(case("i", date(2026, 5, 6), None, None), rejected=True),  # 不予受理
    ]
    evidence = power_list_evidence(
        ListInForce(2, date(2026, 1, 15), listing), cases, FROM, TO
    )
    assert (evidence["in_force"], evidence["published"], evidence["version"]) == (
        True,
        True,
        2,
    )
    assert evidence["approved_on"] == "2026-01-15"
    assert (evidence["powers"], evidence["risk_total"], evidence["measures"]) == (
        20,
        45,
        119,
    )
    assert sum(evidence["risks"].values()) == 45
    assert evidence["unmitigated_high"] == []
    assert evidence["unmitigated_high_ok"]
    assert evidence["cases_handled"] == 7  # a–e, h, i; f is a complaint, g before
    assert evidence["complaints"] == 1
    assert evidence["cases_open"] == 1  # d
    rate = evidence["cases_on_time"]
    assert (rate["numerator"], rate["denominator"]) == (2, 5)  # a h / a b c e h
    assert evidence["late_cases"] == ["case:b", "case:c", "case:e"]
    rows = {r["code"]: r for r in evidence["by_power"]}
    assert (rows["XK-001"]["handled"], rows["XK-001"]["late"]) == (6, 3)
    assert rows["XK-001"]["complaints"] == 1
    assert rows["XK-001"]["name"] == listing.powers[0].name


def test_an_unmitigated_high_risk_and_no_list_are_shown() -> None:
    listing = scenic_power_listing()
    high = next(r for r in listing.risks if r.level.value == "high")
    bare = tuple(replace(r, measures=()) if r is high else r for r in listing.risks)
    evidence = power_list_evidence(
        ListInForce(1, date(2026, 1, 15), PowerListing(listing.powers, bare)),
        [],
        FROM,
        TO,
    )
    assert evidence["unmitigated_high"] == [high.code]
    assert not evidence["unmitigated_high_ok"]
    none = power_list_evidence(None, [], FROM, TO)
    assert (none["in_force"], none["powers"], none["risk_total"]) == (False, 0, 0)
    assert none["risks"] == {"high": 0, "medium": 0, "low": 0}
    assert none["cases_on_time"]["denominator"] == 0
