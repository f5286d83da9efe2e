"""Responsibility statements (廉政建设目标责任书): issued, signed, assessed at year end.

A supervisor issues a statement for a year to the head of one of its descendants (a
registered staffer, by badge number) with targets; some are tied to an objective
figure (``metric`` with a ``threshold`` share, e.g. satisfaction ≥ 0.9) and are
judged from the log, the others by the assessor. Only the named staffer signs. After
the year has ended the statement is assessed; a statement whose targets were all met
makes its unit eligible for 评先树优.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import CampaignStageError, InconsistentInputError, InvalidInputError

METRICS = ("disclosure_on_time", "coverage", "case_reply", "case_on_time",
           "case_feedback", "satisfaction")  # fmt: skip


def check_targets(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Requires 1+ targets with distinct codes; a metric needs a 0–1 threshold."""
    targets = []
    for r in rows:
        metric, threshold = r.get("metric"), r.get("threshold")
        if metric is not None and metric not in METRICS:
            raise InvalidInputError(
                f"unknown metric {metric!r}; use {', '.join(METRICS)}", field="targets"
            )
        if metric is not None and (threshold is None or not 0 <= threshold <= 1):
            raise InconsistentInputError(
                f"{r['code']}: a metric target needs a threshold 0–1", field="targets"
            )
        targets.append(
            {
                "code": str(r["code"]),
                "title": str(r["title"]),
                "metric": metric,
                "threshold": threshold,
            }
        )
    codes = [t["code"] for t in targets]
    if not targets or len(set(codes)) != len(codes):
        raise InconsistentInputError(
            "name targets with distinct codes", field="targets"
        )
    return targets


class Statement(GongkaiAggregate):
    """One year's statement between a supervisor and the head of a unit."""

    @classmethod
    def issue(
        cls,
        *,
        tenant: str,
        year: int,
        unit: str,
        county: str,
        number: str,
        targets: Sequence[Mapping[str, Any]],
        actor: dict[str, str],
    ) -> Statement:
        return cls(
            tenant=tenant,
            year=year,
            unit=unit,
            county=county,
            number=number,
            targets=check_targets(targets),
            actor=actor,
        )

    @event("Issued")
    def __init__(
        self,
        tenant: str,
        year: int,
        unit: str,
        county: str,
        number: str,
        targets: list[dict[str, Any]],
        actor: dict[str, str],
    ) -> None:
        self.tenant, self.year, self.unit = tenant, year, unit
        self.county, self.number, self.targets = county, number, targets
        self.issued_by = actor
        self.signed: dict[str, Any] | None = None
        self.assessment: dict[str, Any] | None = None

    def sign(self, today: date, actor: dict[str, str]) -> None:
        if self.signed is not None:
            raise CampaignStageError("the statement is already signed")
        self._signed(tenant=self.tenant, signed_on=today, actor=actor)

    @event("Signed")
    def _signed(self, tenant: str, signed_on: date, actor: dict[str, str]) -> None:
        self.signed = {"on": signed_on, "by": actor}

    def assess(
        self,
        today: date,
        figures: Mapping[str, float | None],
        judged: Mapping[str, tuple[bool, str]],
        actor: dict[str, str],
    ) -> None:
        """After the year: metric targets from ``figures``, the rest from ``judged``
        (code → (met, note)). Requires a signed statement."""
        if self.signed is None:
            raise CampaignStageError("the statement has not been signed")
        if self.assessment is not None:
            raise CampaignStageError("the statement is already assessed")
        if today <= date(self.year, 12, 31):
            raise CampaignStageError(f"assess after the end of {self.year}")
        results = []
        for t in self.targets:
            if t["metric"] is not None:
                value = figures.get(t["metric"])
                met = value is not None and value >= t["threshold"]
                results.append({"code": t["code"], "value": value, "met": met,
                                "note": "按日志数据"})  # fmt: skip
            else:
                if t["code"] not in judged:
                    raise InconsistentInputError(
                        f"judge target {t['code']}", field="results"
                    )
                met, note = judged[t["code"]]
                results.append({"code": t["code"], "value": None, "met": met,
                                "note": note})  # fmt: skip
        self._assessed(
            tenant=self.tenant,
            assessed_on=today,
            results=results,
            all_met=all(r["met"] for r in results),
            actor=actor,
        )

    @event("Assessed")
    def _assessed(
        self,
        tenant: str,
        assessed_on: date,
        results: list[dict[str, Any]],
        all_met: bool,
        actor: dict[str, str],
    ) -> None:
        self.assessment = {
            "on": assessed_on,
            "results": results,
            "all_met": all_met,
            "eligible_for_commendation": all_met,  # 评先树优
            "by": actor,
        }
