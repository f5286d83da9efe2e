"""A target's power list (权责清单) as evidence for the 行政权力公开 item, as the
platform knew it at the end of the campaign's period.

The version in force is the last one the 清权确权 review approved by then (read from
the list's aggregate, whose versions never change once drafted); the cases are those
of the target's own list that named a power by then (the power-list view), with their
dates from the case view. The unit that keeps the list is the target itself: a
subtree's units each keep their own and are assessed as targets of their own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.assessment.power_evidence import (
    ListInForce,
    PowerCase,
    power_list_evidence,
)
from domain.cases.rules import CaseState
from domain.powers.vocabulary import RiskLevel
from domain.timeliness import local_date
from projections.case_rows import day_of
from projections.powers import PowerListProjection
from services.core.ports import Running

VIEW = PowerListProjection.name
LEVEL_LABELS = {level.value: level.label for level in RiskLevel}


def list_in_force(platform: Running, target: str, end: datetime) -> ListInForce | None:
    """The version of ``target``'s list approved last by ``end``, if any."""
    plist = platform.powers.power_list(target)
    if plist is None:
        return None
    approved = {v: at for v, at in plist.approved_at.items() if at < end}
    if not approved:
        return None
    version = max(approved)
    return ListInForce(version, local_date(approved[version]), plist.listing(version))


def named_cases(platform: Running, target: str, moment: str) -> list[PowerCase]:
    """The target's cases that named a power by ``moment`` (ISO recorded time)."""
    named = {
        r["case_id"]: r["power"]
        for r in platform.views[VIEW].cases_of(target)  # type: ignore[attr-defined]
        if r["named_at"] <= moment
    }
    cards = platform.case_view.cards(list(named))
    return [
        PowerCase(
            id=c["id"],
            power=named[c["id"]],
            kind=c["kind"],
            received_on=date.fromisoformat(c["received_on"]),
            due_on=day_of(c["due_on"]),
            completed_on=day_of(c["completed_on"]),
            rejected=c["state"] == CaseState.REJECTED.value,
        )
        for c in cards
    ]


def power_metrics(
    platform: Running,
    target: str,
    period_from: date,
    period_to: date,
    end: datetime,
    moment: str,
) -> dict[str, Any]:
    """The evidence of ``domain.assessment.power_evidence`` for ``target``, with the
    board's address of the list when one is in force. The caller settles the
    power-list and case views first."""
    in_force = list_in_force(platform, target, end)
    evidence = power_list_evidence(
        in_force, named_cases(platform, target, moment), period_from, period_to
    )
    evidence["board"] = f"/gongkai/{target}/powers" if in_force else None
    return evidence


def evidence_summary(evidence: dict[str, Any]) -> str:
    """One line in Chinese for a table cell (the scorecard export, the console)."""
    if not evidence["in_force"]:
        head = "考核期末无在用的权责清单"
    else:
        risks = evidence["risks"]
        levels = "/".join(
            f"{label}{risks.get(code, 0)}" for code, label in LEVEL_LABELS.items()
        )
        head = (
            f"权责清单第{evidence['version']}版在用并已公开（{evidence['approved_on']}起）；"
            f"权力{evidence['powers']}项，廉政风险点{evidence['risk_total']}个"
            f"（{levels}），防范措施{evidence['measures']}条；"
            f"未评估风险的权力{len(evidence['unassessed'])}项；"
            f"无防范措施的高风险点{len(evidence['unmitigated_high'])}个"
        )
    rate = evidence["cases_on_time"]
    return (
        f"{head}；考核期内依权力办件{evidence['cases_handled']}件，"
        f"按时办结{rate['numerator']}/{rate['denominator']}，"
        f"投诉{evidence['complaints']}件"
    )
