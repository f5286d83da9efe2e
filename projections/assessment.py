"""Campaign history: each tenant's campaigns with stage, score and grade over time.

``campaign_plans`` holds one row per campaign; ``campaign_results`` one row per target
and per event that changes its standing (planned, noticed, finalized), so "a tenant's
history as recorded at ``as_of``" is the latest row per campaign at that time.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.assessment.campaign import Campaign
from projections.sql import PostgresSqlView, Row, SQLiteSqlView, SqlView, iso_moment


class CampaignHistoryView(SqlView):
    tables = ("campaign_plans", "campaign_results")
    tracking_table_name = "campaign_history_tracking"
    ddl = (
        "CREATE TABLE IF NOT EXISTS campaign_plans (campaign_id TEXT PRIMARY KEY,"
        " owner TEXT NOT NULL, title TEXT NOT NULL, period_from TEXT NOT NULL,"
        " period_to TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS campaign_results (campaign_id TEXT NOT NULL,"
        " target TEXT NOT NULL, version INTEGER NOT NULL, stage TEXT NOT NULL,"
        " score DOUBLE PRECISION, grade TEXT, recorded_at TEXT NOT NULL,"
        " PRIMARY KEY (campaign_id, target, version))",
        "CREATE INDEX IF NOT EXISTS campaign_results_target"
        " ON campaign_results (target, recorded_at)",
    )

    def planned(self, plan: Row, targets: list[str], tracking: Tracking) -> None:
        with self._write(tracking) as curs:
            self._exec(
                curs,
                "INSERT INTO campaign_plans (campaign_id, owner, title, period_from,"
                " period_to) VALUES (?,?,?,?,?)",
                [plan[c] for c in ("campaign_id", "owner", "title", "period_from",
                                   "period_to")],
            )  # fmt: skip
            for target in targets:
                self._exec(
                    curs,
                    "INSERT INTO campaign_results (campaign_id, target, version,"
                    " stage, score, grade, recorded_at) VALUES (?,?,?,?,?,?,?)",
                    [plan["campaign_id"], target, plan["version"], "planned", None,
                     None, plan["recorded_at"]],
                )  # fmt: skip

    def results(
        self,
        campaign_id: str,
        version: int,
        stage: str,
        results: dict[str, Any],
        recorded_at: str,
        tracking: Tracking,
    ) -> None:
        with self._write(tracking) as curs:
            for target, r in results.items():
                self._exec(
                    curs,
                    "INSERT INTO campaign_results (campaign_id, target, version,"
                    " stage, score, grade, recorded_at) VALUES (?,?,?,?,?,?,?)",
                    [campaign_id, target, version, stage, r["score"], r["grade"],
                     recorded_at],
                )  # fmt: skip

    def history(self, target: str, as_of: str) -> list[Row]:
        """The target's campaigns as recorded at ``as_of``, latest period first."""
        return self._query(
            "SELECT p.campaign_id, p.owner, p.title, p.period_from, p.period_to,"
            " r.stage, r.score, r.grade, r.recorded_at FROM campaign_results r"
            " JOIN campaign_plans p ON p.campaign_id = r.campaign_id"
            " WHERE r.target = ? AND r.version = (SELECT MAX(r2.version)"
            " FROM campaign_results r2 WHERE r2.campaign_id = r.campaign_id"
            " AND r2.target = r.target AND r2.recorded_at <= ?)"
            " ORDER BY p.period_to DESC, p.campaign_id",
            [target, as_of],
        )

    def owned(self, owner: str) -> list[Row]:
        """The campaigns ``owner`` planned, latest period first."""
        return self._query(
            "SELECT campaign_id, owner, title, period_from, period_to"
            " FROM campaign_plans WHERE owner = ?"
            " ORDER BY period_to DESC, campaign_id",
            [owner],
        )


class PostgresCampaignHistoryView(CampaignHistoryView, PostgresSqlView):
    pass


class SQLiteCampaignHistoryView(CampaignHistoryView, SQLiteSqlView):
    pass


class CampaignHistory(Projection[CampaignHistoryView]):
    name = "campaign_history"
    topics = (
        get_topic(Campaign.Planned),
        get_topic(Campaign.NoticePublished),
        get_topic(Campaign.Finalized),
    )

    @singledispatchmethod
    def process_event(
        self, domain_event: DomainEventProtocol[object], tracking: Tracking
    ) -> None:
        """Ignore events this view does not need."""

    @process_event.register
    def _planned(self, e: Campaign.Planned, tracking: Tracking) -> None:
        self.view.planned(
            {
                "campaign_id": str(e.originator_id),
                "owner": e.tenant,  # type: ignore[attr-defined]
                "title": e.title,  # type: ignore[attr-defined]
                "period_from": e.period_from.isoformat(),  # type: ignore[attr-defined]
                "period_to": e.period_to.isoformat(),  # type: ignore[attr-defined]
                "version": e.originator_version,
                "recorded_at": iso_moment(e.timestamp),
            },
            list(e.targets),  # type: ignore[attr-defined]
            tracking,
        )

    @process_event.register
    def _noticed(self, e: Campaign.NoticePublished, tracking: Tracking) -> None:
        self._results(e, "notice", tracking)

    @process_event.register
    def _finalized(self, e: Campaign.Finalized, tracking: Tracking) -> None:
        self._results(e, "final", tracking)

    def _results(self, e: Any, stage: str, tracking: Tracking) -> None:
        self.view.results(
            str(e.originator_id),
            e.originator_version,
            stage,
            e.results,
            iso_moment(e.timestamp),
            tracking,
        )
