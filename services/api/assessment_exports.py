"""Columns and flat rows for the assessment exports (league table, scorecard, a
tenant's assessment history, monthly rankings), written by services/api/export.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.assessment.criteria import METHODS
from services.api.export import Column, flat_rate, rate_columns, share
from services.assessment.power_evidence import evidence_summary

LEAGUE_COLUMNS: tuple[Column, ...] = (
    ("rank", "名次"),
    ("target_name", "单位"),
    ("target", "单位路径"),
    ("score", "得分"),
    ("grade_label", "等次"),
    ("vetoed_by", "一票否决项"),
    ("failed_items", "未达标项"),
)

SCORECARD_COLUMNS: tuple[Column, ...] = (
    ("code", "编号"),
    ("title", "考核内容"),
    ("points", "分值"),
    ("veto", "一票否决"),
    ("self_points", "自评得分"),
    ("reviewed_points", "评审得分"),
    ("failed", "未达标"),
    ("methods", "考核方式"),
    ("evidence", "证据"),
    ("expected_share", "指标支持得分率"),
    ("reviewed_share", "评审得分率"),
    ("flagged", "偏离指标"),
    ("power_evidence", "客观证据（权责清单）"),
)

HISTORY_COLUMNS: tuple[Column, ...] = (
    ("campaign_id", "考核方案ID"),
    ("owner", "考核单位"),
    ("title", "考核方案"),
    ("period_from", "考核期起"),
    ("period_to", "考核期止"),
    ("stage_label", "阶段"),
    ("score", "得分"),
    ("grade_label", "等次"),
    ("recorded_at", "记录时间"),
)

RANKING_RATES = ("response", "resolution", "satisfaction")
RANKING_COLUMNS: tuple[Column, ...] = (
    ("rank", "名次"),
    ("unit_name", "单位"),
    ("unit", "单位路径"),
    ("status", "状态"),
    ("tied", "并列"),
    ("received", "受理量"),
    ("composite", "综合得分"),
    ("interval_low", "综合95%下限"),
    ("interval_high", "综合95%上限"),
    *rate_columns("response", "响应率"),
    *rate_columns("resolution", "解决率"),
    *rate_columns("satisfaction", "满意率"),
)


def scorecard_rows(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per item: points, methods and evidence of all reviews, metric check."""
    rows = []
    for item in items:
        reviews = item.get("reviews") or []
        check = item.get("metric_check") or {}
        rows.append(
            {
                **item,
                "methods": [
                    METHODS.get(m, m) for m in sorted({r["method"] for r in reviews})
                ],
                "evidence": [e for r in reviews for e in r["evidence"]],
                "expected_share": share(check.get("expected_share")),
                "reviewed_share": share(check.get("reviewed_share")),
                "flagged": check.get("flagged"),
                "power_evidence": (
                    evidence_summary(item["power_evidence"])
                    if item.get("power_evidence")
                    else None
                ),
            }
        )
    return rows


def ranking_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ranking rows with the composite interval and each rate spread into columns."""
    flat = []
    for r in rows:
        row = dict(r)
        interval = r.get("interval") or [None, None]
        row["composite"] = share(r.get("composite"))
        row["interval_low"], row["interval_high"] = (
            share(interval[0]),
            share(interval[1]),
        )
        for key in RANKING_RATES:
            flat_rate(row, key, r["rates"].get(key))
        flat.append(row)
    return flat
