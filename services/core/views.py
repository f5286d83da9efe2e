"""The views the platform runs, by name: what each follows and which class serves
which store. Capabilities name a view through these constants; only
``services.platform.runtime`` constructs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.projection import Projection

from projections.assessment import (
    CampaignHistory,
    PostgresCampaignHistoryView,
    SQLiteCampaignHistoryView,
)
from projections.audit import PostgresAuditView, SQLiteAuditView
from projections.cases import CaseProjection, PostgresCaseView, SQLiteCaseView
from projections.disclosures import (
    DisclosureProjection,
    PostgresDisclosureView,
    SQLiteDisclosureView,
)
from projections.powers import (
    PostgresPowerListView,
    PowerListProjection,
    SQLitePowerListView,
)
from projections.sql import SqlView
from projections.staff import PostgresStaffView, SQLiteStaffView, StaffProjection
from projections.tenant_directory import (
    PostgresTenantDirectoryView,
    SQLiteTenantDirectoryView,
    TenantDirectory,
)


@dataclass(frozen=True)
class ProjectionSpec:
    projection: type[Projection[Any]]
    postgres_view: type[SqlView]
    sqlite_view: type[SqlView]

    @property
    def name(self) -> str:
        return self.projection.name


AUDIT = ProjectionSpec(Projection, PostgresAuditView, SQLiteAuditView)  # raw follower
AUDIT_NAME = "audit"
CASES_NAME = "cases"
DIRECTORY_NAME = TenantDirectory.name
DISCLOSURES_NAME = DisclosureProjection.name
STAFF_NAME = StaffProjection.name
CAMPAIGNS_NAME = CampaignHistory.name
POWERS_NAME = PowerListProjection.name

PROJECTIONS: tuple[ProjectionSpec, ...] = (
    ProjectionSpec(
        TenantDirectory, PostgresTenantDirectoryView, SQLiteTenantDirectoryView
    ),
    ProjectionSpec(DisclosureProjection, PostgresDisclosureView, SQLiteDisclosureView),
    ProjectionSpec(CaseProjection, PostgresCaseView, SQLiteCaseView),
    ProjectionSpec(StaffProjection, PostgresStaffView, SQLiteStaffView),
    ProjectionSpec(
        CampaignHistory, PostgresCampaignHistoryView, SQLiteCampaignHistoryView
    ),
    ProjectionSpec(PowerListProjection, PostgresPowerListView, SQLitePowerListView),
)
