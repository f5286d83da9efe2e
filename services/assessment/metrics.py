"""A target's objective figures for a period, from the views, as known at its end.

Reuses the disclosure view (timeliness and back-dating recorded with each item), the
catalogue coverage rule (domain.disclosures.coverage), the case view's statistics
(domain.cases.stats) and the target's power list (power_evidence.py); nothing is
recomputed from raw events here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from domain.assessment.metrics import DisclosedItem, disclosure_figures
from domain.cases.stats import Rate
from domain.disclosures.coverage import CoverageStatus, PublicItem, coverage
from domain.timeliness import SHANGHAI
from projections.sql import iso_moment
from services.assessment.power_evidence import VIEW as POWERS_VIEW
from services.assessment.power_evidence import power_metrics
from services.core.base import APP_NAME
from services.core.ports import Running
from services.core.views import CASES_NAME, PROJECTIONS, ProjectionSpec

LIMIT = 10_000


def end_of(day: date) -> datetime:
    """The end of ``day`` in China (the start of the next)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def settle(platform: Running, spec: ProjectionSpec) -> None:
    """Wait (bounded) until the view has processed the last event of its topics."""
    view = platform.views[spec.name]
    pending = platform.tenants.recorder.select_notifications(
        start=view.max_tracking_id(APP_NAME) or 0,
        limit=LIMIT,
        topics=spec.projection.topics,
        inclusive_of_start=False,
    )
    if pending:
        platform.wait(spec.name, pending[-1].id)


def target_metrics(
    platform: Running, target: str, period_from: date, period_to: date
) -> dict[str, Any]:
    """Figures of ``target`` and its subtree for [period_from, period_to], as the
    platform knew them at the end of period_to."""
    for spec in PROJECTIONS:
        if spec.name in ("disclosures", CASES_NAME, POWERS_VIEW):
            settle(platform, spec)
    moment = iso_moment(end_of(period_to))
    rows = platform.disclosure_view.list_public(
        target,
        as_of=moment,
        known_at=moment,
        include_descendants=True,
        limit=LIMIT,
    )
    in_period = [
        r
        for r in rows
        if period_from <= date.fromisoformat(r["published_on"]) <= period_to
    ]
    figures = disclosure_figures(
        [
            DisclosedItem(r["id"], r["working_days_late"], r["backdated_working_days"])
            for r in in_period
        ]
    )
    app = platform.disclosures
    tenant = app.tenant(target)
    entries = [e for e in app.catalogue_for(tenant) if e.required]
    own = [
        PublicItem(
            r["id"],
            r["category"],
            date.fromisoformat(r["formed_on"]),
            date.fromisoformat(r["published_on"]),
            r["working_days_late"],
        )
        for r in rows
        if r["tenant"] == target
    ]
    result = coverage(entries, own, period_to, app.calendar())
    covered = sum(1 for c in result if c.status is CoverageStatus.COVERED)
    cases = platform.case_view.statistics(
        target,
        include_descendants=True,
        date_from=period_from,
        date_to=period_to,
        as_of=moment,
    )
    return {
        "target": target,
        "period_from": period_from.isoformat(),
        "period_to": period_to.isoformat(),
        "known_at": moment,
        **figures,
        "coverage": Rate(covered, len(result)).to_dict(),
        "missing_categories": [
            c.entry.code for c in result if c.status is not CoverageStatus.COVERED
        ],
        "case_received": cases["received"],
        "case_reply": cases["reply_rate"],
        "case_on_time": cases["on_time_rate"],
        "case_feedback": cases["feedback_rate"],
        "satisfaction": cases["satisfaction_rate"],
        "questionnaire_satisfaction": platform.questionnaires.period_satisfaction(
            target, period_from, period_to, end_of(period_to)
        ),
        "power_list": power_metrics(
            platform, target, period_from, period_to, end_of(period_to), moment
        ),
    }


def shares(metrics: dict[str, Any]) -> dict[str, float | None]:
    """The point values the flags compare reviewers' points with."""
    return {
        name: metrics[name]["value"]
        for name in ("coverage", "disclosure_on_time", "satisfaction")
    }
