"""The stages of a campaign (第十五条) and the checks on what each step is given:
texts, a plan's period and targets, points and evidence per item, methods.

Pure helpers for ``domain.assessment.campaign.Campaign``; the aggregate and its events
stay in that module (their stored topics name it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from domain.assessment.criteria import (
    METHODS,
    Criterion,
    check_methods,
    criteria_from,
)
from domain.assessment.grading import check_points
from domain.errors import CampaignStageError, CriteriaError, InvalidInputError
from domain.tenancy import is_within

PLANNED, NOTICE, FINAL = "planned", "notice", "final"
STAGE_LABELS = {PLANNED: "考核中", NOTICE: "公示中", FINAL: "已确定等次"}
MAX_TEXT = 10_000
MAX_WORKING_DAYS = 250


def check_text(value: str, field: str) -> str:
    """Requires 1 to MAX_TEXT characters once stripped; returns them stripped."""
    text = value.strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidInputError(
            f"{field} needs 1 to {MAX_TEXT} characters", field=field
        )
    return text


def require_stage(current: str, stage: str, step: str) -> None:
    """Requires the campaign to be at ``stage`` for ``step`` (else a 409)."""
    if current != stage:
        raise CampaignStageError(
            f"cannot {step}: the campaign is {STAGE_LABELS[current]} "
            f"({current}), not {STAGE_LABELS[stage]}"
        )


def planned(
    tenant: str,
    title: str,
    period_from: date,
    period_to: date,
    targets: Sequence[str],
    criteria: Sequence[Mapping[str, Any]],
    methods: Sequence[str],
) -> dict[str, Any]:
    """A plan's fields, checked: a period in order, distinct proper descendants as
    targets, criteria summing to 100 and known methods."""
    if period_to < period_from:
        raise InvalidInputError("period_to is before period_from", field="period_to")
    if not targets or len(set(targets)) != len(targets):
        raise InvalidInputError("name distinct targets", field="targets")
    outside = [t for t in targets if t == tenant or not is_within(t, tenant)]
    if outside:
        raise InvalidInputError(
            f"targets must be descendants of {tenant}: {', '.join(outside)}",
            field="targets",
        )
    rows = [c.to_dict() for c in criteria_from(criteria)]
    return {
        "tenant": tenant,
        "title": check_text(title, "title"),
        "period_from": period_from,
        "period_to": period_to,
        "targets": list(targets),
        "criteria": rows,
        "methods": check_methods(methods),
    }


def require_target(targets: Sequence[str], target: str) -> None:
    if target not in targets:
        raise InvalidInputError(
            f"{target} is not a target of this campaign", field="target"
        )


def points_from(
    criteria: Sequence[Criterion], items: Sequence[Mapping[str, Any]]
) -> dict[str, float]:
    """``[{code, points}]`` → points per code, each code once, checked against
    ``criteria``."""
    points: dict[str, float] = {}
    for item in items:
        code = str(item["code"])
        if code in points:
            raise CriteriaError(f"{code} is given twice", field="items")
        points[code] = float(item["points"])
    return check_points(criteria, points)


def evidence_from(items: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The evidence refs per item code, items without any left out."""
    evidence = {
        str(i["code"]): [str(e) for e in i.get("evidence") or []] for i in items
    }
    return {k: v for k, v in evidence.items() if v}


def check_method(method: str) -> str:
    if method not in METHODS:
        raise InvalidInputError(
            f"unknown method {method!r}; use {', '.join(METHODS)}", field="method"
        )
    return method


def check_working_days(working_days: int) -> int:
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise InvalidInputError(
            f"1 to {MAX_WORKING_DAYS} working days", field="working_days"
        )
    return working_days
